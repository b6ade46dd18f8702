"""Fault cases of issue 17, items 2, 3 and 7: a FASTA that disagrees with its ``.fai``, a truncated FASTA, IUPAC
codes on the minus strand, and a read-only FASTA folder without an index."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from faults.fault_data import Study, files_under, run_verb

from sca_tf.sequence import encode_bases


def _promoters(study: Study, genome: Path, out: Path) -> list[str]:
    return ["promoters", "--de-table", study.de_table, "--genome", genome, "--annotation", study.annotation,
            "--out", out, "--upstream", "100"]


def _genome_copy(study: Study, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "genome.fa"
    shutil.copy(study.genome, copy)
    return copy


def test_case2_fasta_truncated_behind_its_fai_is_refused(study: Study, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    genome = _genome_copy(study, tmp_path / "g")
    shutil.copy(f"{study.genome}.fai", f"{genome}.fai")
    genome.write_bytes(genome.read_bytes()[: genome.stat().st_size * 2 // 3])
    status, line = run_verb(_promoters(study, genome, tmp_path / "out"), capsys)
    assert status == 2
    assert f"genome FASTA {genome}: its .fai index puts the last record" in line and "index is stale" in line
    assert files_under(tmp_path / "out") == [] and not (tmp_path / "out.partial").exists()


def test_case2_truncated_fasta_without_fai_warns_with_the_reasons(study: Study, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    genome = _genome_copy(study, tmp_path / "g")
    genome.write_bytes(genome.read_bytes()[: genome.stat().st_size // 3])
    status = run_verb(_promoters(study, genome, tmp_path / "out"), capsys)[0]
    assert status == 0
    json_text = (tmp_path / "out" / "promoters.json").read_text()
    assert "off_contig_edge" in json_text or "missing_contig" in json_text
    assert len(pd.read_csv(tmp_path / "out" / "dropped.tsv", sep="\t")) > 40  # over a fifth of the 200 genes


def test_case2_loud_warning_names_the_dropped_share(study: Study, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    from sca_tf.prep.promoters import run_promoters

    genome = _genome_copy(study, tmp_path / "g")
    genome.write_bytes(genome.read_bytes()[: genome.stat().st_size // 3])
    with caplog.at_level("WARNING", logger="sca_tf"):
        run_promoters(study.de_table, genome, study.annotation, tmp_path / "out", upstream=100)
    warning = next(record.getMessage() for record in caplog.records if record.levelname == "WARNING")
    assert "of 200 annotated genes dropped" in warning and "check that the FASTA is complete" in warning


def test_case3_iupac_codes_become_n_on_both_strands_and_the_dataset_builds(study: Study, tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    genome = _genome_copy(study, tmp_path / "g")
    lines = genome.read_text().splitlines()
    lines = [line if line.startswith(">") else line[:5] + "RYKMSW" + line[11:] for line in lines]
    genome.write_text("\n".join(lines) + "\n")
    status = run_verb(_promoters(study, genome, tmp_path / "promoters"), capsys)[0]
    assert status == 0
    table = pd.read_csv(tmp_path / "promoters" / "promoters.tsv", sep="\t")
    assert set(table["strand"]) == {"+", "-"}
    assert all(set(sequence) <= set("ACGTN") for sequence in table["sequence"])
    assert any("N" in sequence for sequence in table.loc[table["strand"] == "-", "sequence"])
    for sequence in table["sequence"]:
        encode_bases(sequence)  # what build-dataset insists on
    status = run_verb(["build-dataset", "--data-dir", tmp_path / "tfds", "--de-table", study.de_table,
                       "--promoters", tmp_path / "promoters" / "promoters.tsv", "--upstream", "100",
                       "--downstream", "0", "--assembly", "sca-tf-simulated"], capsys)[0]
    assert status == 0


def test_case7_read_only_folder_without_fai_gives_shell_advice(study: Study, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    genome = _genome_copy(study, tmp_path / "ro")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == genome.parent else
                        real_access(path, mode))  # root may write anywhere, so the read-only folder is simulated
    status, line = run_verb(_promoters(study, genome, tmp_path / "out"), capsys)
    assert status == 2
    assert f"genome FASTA {genome}: has no .fai index and its folder is read-only" in line
    assert f"samtools faidx {genome}" in line and "Fasta(" not in line
    assert not Path(f"{genome}.fai").exists() and not (tmp_path / "out").exists()
