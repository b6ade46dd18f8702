"""Augmentation with synthetic promoters: only a passed quality report of the same file releases them.

How many of them an epoch takes (exactly the ratio asked for, or an error) is tested in tests/data/test_balancing.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from generative_data import composition_sequences, markov_sequences

from sca_tf.errors import ScaInputError
from sca_tf.synthetic.assess import assess_synthetic
from sca_tf.synthetic.augment import approved_synthetic
from sca_tf.synthetic.fasta import read_synthetic_fasta, write_synthetic_fasta


def test_only_a_passed_report_of_the_same_file_releases_sequences(tmp_path: Path,
                                                                  real_fastas: dict[str, Path]) -> None:
    reals = real_fastas
    lenient = tmp_path / "lenient.json"
    lenient.write_text(json.dumps({"kmer_k": 3, "max_gc_ks": 1.0, "max_cpg_ks": 1.0, "max_motif_mad_ratio": 100,
                                   "max_discriminator_auroc": 1.0, "motif_sequences": 20}))
    good = write_synthetic_fasta(markov_sequences(40, 80, seed=3), tmp_path / "good.fa")
    result = assess_synthetic(good, tmp_path / "good_quality", thresholds=lenient, **reals)
    assert result["passed"]
    released = approved_synthetic(good, result["files"]["report"], expected_length=80)
    assert released == read_synthetic_fasta(good).sequences
    poor = write_synthetic_fasta(composition_sequences(40, 80, gc=0.5, seed=3), tmp_path / "poor.fa")
    failed = assess_synthetic(poor, tmp_path / "poor_quality", **reals)
    with pytest.raises(ScaInputError, match="failed the quality gate \\(.*discriminator_auroc 1 > 0.75"):
        approved_synthetic(poor, failed["files"]["report"])
    with pytest.raises(ScaInputError, match="assessed another file"):
        approved_synthetic(poor, result["files"]["report"])
    with pytest.raises(ScaInputError, match="quality report not found"):
        approved_synthetic(good, tmp_path / "missing.json")

