"""``sca-tf simulate``, ``dge`` and ``promoters`` end to end on simulated data, and their bad input as exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sca_tf.cli import main
from sca_tf.sequence import reverse_complement


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    assert main(["simulate", "--out", str(out / "sim"), "--seed", "2", "--n-genes", "400"]) == 0
    assert main(["dge", "--counts", str(out / "sim" / "counts.tsv"), "--out", str(out / "dge"), "--n-cpus", "1"]) == 0
    assert main(["promoters", "--de-table", str(out / "dge" / "de_table.tsv"), "--genome", str(out / "sim" / "genome.fa"),
                 "--annotation", str(out / "sim" / "annotation.gtf"), "--out", str(out / "promoters")]) == 0
    return out


def test_planted_sites_sit_where_the_truth_says_in_the_extracted_promoters(simulated: Path) -> None:
    promoters = pd.read_csv(simulated / "promoters" / "promoters.tsv", sep="\t").set_index("gene_id")
    truth = pd.read_csv(simulated / "sim" / "truth.tsv", sep="\t").set_index("gene_id").dropna(subset=["motif_sites"])
    checked = 0
    for gene_id, row in truth.join(promoters[["sequence"]], how="inner").iterrows():
        for site, offset, strand in zip(row["motif_sites"].split(","), str(row["motif_offsets"]).split(","),
                                        row["motif_strands"].split(",")):
            start = len(row["sequence"]) + int(offset)
            expected = site if strand == "+" else reverse_complement(site)
            assert row["sequence"][start : start + len(site)] == expected, gene_id
            checked += 1
    assert checked > 100
    statuses = set(promoters["status"])
    assert {"up", "down", "not_de"} <= statuses


def test_console_script_reports_bad_input_with_exit_status_2(tmp_path: Path) -> None:
    counts = tmp_path / "counts.tsv"
    counts.write_text("NAME\tS1\tS2\tS3\tS4\nCLASS:DOSE\tIS\tIS\tC\tC\nENSG1\t1\t2\tthree\t4\n")
    done = subprocess.run([sys.executable, "-m", "sca_tf.cli", "dge", "--counts", str(counts), "--out",
                           str(tmp_path / "out")], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "sca-tf: error:" in done.stderr and "counts.tsv" in done.stderr and "line 3" in done.stderr
    assert "Traceback" not in done.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["counts.tsv"]  # no output folder left behind


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--genome", "{tmp}/missing.fa", "--annotation", "grch37"], "missing.fa: file not found"),
        (["--genome", "{sim}/sim/genome.fa", "--annotation", "hg19"], "'hg19': neither a packaged assembly"),
    ],
)
def test_promoters_bad_input(simulated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             arguments: list[str], message: str) -> None:
    filled = [a.format(tmp=tmp_path, sim=simulated) for a in arguments]
    out = tmp_path / "out"
    status = main(["promoters", "--de-table", str(simulated / "dge" / "de_table.tsv"), *filled, "--out", str(out)])
    assert status == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
