"""assess_synthetic(): the gate on files, the real sets from the dataset tables or from three FASTA files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from generative_data import composition_sequences, markov_sequences, write_tables

from sca_tf.errors import ScaInputError
from sca_tf.synthetic.assess import assess_synthetic
from sca_tf.synthetic.data import promoter_splits, select
from sca_tf.synthetic.fasta import write_synthetic_fasta
from sca_tf.synthetic.quality import QualityThresholds


def test_assess_synthetic_on_fasta_files(tmp_path: Path, real_fastas: dict[str, Path]) -> None:
    synthetic = write_synthetic_fasta(markov_sequences(40, 80, seed=3), tmp_path / "synthetic.fa")
    thresholds = tmp_path / "thresholds.json"
    thresholds.write_text(json.dumps({"kmer_k": 3, "max_gc_ks": 0.4, "max_cpg_ks": 0.4, "motif_sequences": 20}))
    result = assess_synthetic(
        synthetic, tmp_path / "quality", thresholds=thresholds,
        **real_fastas,
    )
    assert result["thresholds"]["kmer_k"] == 3 and result["motifs"]["source"].startswith("JASPAR")
    assert Path(result["files"]["report"]).is_file() and len(result["inputs"]["fasta"]) == 3


def test_assess_synthetic_on_the_dataset_tables(tmp_path: Path) -> None:
    de_table, promoters = write_tables(tmp_path, n_genes=120, length=40)
    synthetic = write_synthetic_fasta(composition_sequences(12, 40, gc=0.5, seed=9), tmp_path / "synthetic.fa")
    thresholds = QualityThresholds(kmer_k=2, motif_sequences=10)
    result = assess_synthetic(synthetic, tmp_path / "quality", de_table=de_table, promoters=promoters,
                              thresholds=thresholds, planted_motifs=True)
    splits = promoter_splits(de_table, promoters)
    assert result["sizes"]["train_positives"] == len(select(splits, "train", positive=True))
    assert result["sizes"]["heldout_positives"] == len(select(splits, "validation", positive=True))
    assert result["inputs"]["heldout_split"] == "validation" and "planted_motifs" in result
    up_only = assess_synthetic(synthetic, tmp_path / "quality_up", de_table=de_table, promoters=promoters,
                               thresholds=thresholds, status="up")
    train_positives = select(splits, "train", positive=True)
    assert up_only["sizes"]["train_positives"] == train_positives.statuses.count("up") > 0
    assert up_only["sizes"]["heldout_negatives"] == result["sizes"]["heldout_negatives"]


@pytest.mark.parametrize("options, message", [
    ({}, "either as a DE table and a promoter table"),
    ({"de_table": "d.tsv"}, "either as a DE table"),
    ({"de_table": "d.tsv", "promoters": "p.tsv", "train_positives_fasta": "t.fa"}, "not both"),
    ({"de_table": "d.tsv", "promoters": "p.tsv", "heldout_split": "train"}, "validation, test"),
    ({"de_table": "d.tsv", "promoters": "p.tsv", "status": "sideways"}, "status 'sideways'"),
])
def test_assess_synthetic_refuses_ambiguous_real_sets(tmp_path: Path, options: dict, message: str) -> None:
    synthetic = write_synthetic_fasta(["ACGT"], tmp_path / "s.fa")
    with pytest.raises(ScaInputError, match=message):
        assess_synthetic(synthetic, tmp_path / "quality", **options)


def test_assess_synthetic_checks_lengths_and_threshold_files(tmp_path: Path, real_sets: dict[str, list[str]],
                                                           real_fastas: dict[str, Path]) -> None:
    reals = real_fastas
    short = write_synthetic_fasta(["ACGT"], tmp_path / "short.fa")
    with pytest.raises(ScaInputError, match="4 bases, expected the dataset's promoter length 80"):
        assess_synthetic(short, tmp_path / "q", **reals)
    synthetic = write_synthetic_fasta(real_sets["heldout"][:5], tmp_path / "s.fa")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ScaInputError, match="line 1: not valid JSON"):
        assess_synthetic(synthetic, tmp_path / "q", thresholds=bad, **reals)
    with pytest.raises(ScaInputError, match="thresholds file not found"):
        assess_synthetic(synthetic, tmp_path / "q", thresholds=tmp_path / "missing.json", **reals)
    with pytest.raises(ScaInputError, match="needs a status for every record"):
        assess_synthetic(synthetic, tmp_path / "q", status="up", **reals)
    assert not (tmp_path / "q").exists()
