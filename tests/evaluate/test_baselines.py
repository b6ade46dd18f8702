"""Baselines: k-mer features, the prevalence, GC + CpG, k-mer and baseMean models, and their inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from evaluate.labelled_data import random_sequence

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.baselines import (
    CONFOUNDER_NOTE,
    LabelledSequences,
    basemean_logistic,
    gc_cpg_logistic,
    kmer_frequencies,
    kmer_logistic,
    prevalence_only,
)
from sca_tf.evaluate.report import write_report


def gc_split(rng: np.random.Generator, n: int, split: str) -> LabelledSequences:
    """Positives are GC-rich (60 %), negatives GC-poor (40 %); no motif."""
    labels = np.arange(n) % 2
    sequences = [random_sequence(rng, 200, 0.6 if label else 0.4) for label in labels]
    return LabelledSequences(sequences, labels, None, split)


def test_kmer_frequencies_count_windows_without_n() -> None:
    features = kmer_frequencies(["ACGT", "AAAA", "ACNGT"], k=2)
    assert features.shape == (3, 16)
    np.testing.assert_allclose(features[0, [1, 6, 11]], 1 / 3)  # AC, CG, GT
    assert features[0].sum() == pytest.approx(1.0)
    assert features[1, 0] == 1.0  # AA
    np.testing.assert_allclose(features[2, [1, 11]], 0.5)  # AC, GT; windows CN and NG skipped
    assert kmer_frequencies(["ACGT"], k=(1, 2)).shape == (1, 4 + 16)
    with pytest.raises(ScaInputError, match="from 1 to 6"):
        kmer_frequencies(["ACGT"], k=7)


def test_kmer_logistic_beats_prevalence_on_a_planted_kmer(planted) -> None:
    kmer = kmer_logistic(*planted, n_resamples=100)
    no_skill = prevalence_only(*planted, n_resamples=100)
    assert no_skill.metrics["auroc"] == 0.5
    assert no_skill.metrics["auprc"] == pytest.approx(no_skill.prevalence)
    assert kmer.metrics["auroc"] > 0.9
    assert kmer.metrics["auprc"] > no_skill.metrics["auprc"] + 0.3
    assert kmer.metrics["f1"] > no_skill.metrics["f1"]
    assert kmer.details["k"] == [4, 5, 6]


def test_gc_cpg_logistic_detects_a_gc_shift() -> None:
    rng = np.random.default_rng(8)
    splits = gc_split(rng, 200, "train"), gc_split(rng, 100, "validation"), gc_split(rng, 100, "test")
    assert gc_cpg_logistic(*splits, n_resamples=100).metrics["auroc"] > 0.95


def test_basemean_baseline_is_labelled_a_confounder(planted, tmp_path: Path) -> None:
    confounder = basemean_logistic(*planted, n_resamples=100)
    assert confounder.kind == "confounder"
    assert confounder.note == CONFOUNDER_NOTE
    files = write_report([confounder], tmp_path)
    markdown = files.markdown.read_text()
    assert "expression confounder" in markdown
    assert "not a sequence model" in markdown


def test_basemean_baseline_needs_basemean(planted) -> None:
    train, validation, test = planted
    without = LabelledSequences(test.sequences, test.labels, None, "test")
    with pytest.raises(ScaInputError, match="test: the baseMean-only baseline needs baseMean"):
        basemean_logistic(train, validation, without)


def test_labelled_sequences_validate_their_inputs() -> None:
    with pytest.raises(ScaInputError, match="train: 2 sequences but 3 labels"):
        LabelledSequences(["AC", "GT"], [0, 1, 1], split="train")
    with pytest.raises(ScaInputError, match="train labels: labels must be 0 .* or 1 .*, found 2"):
        LabelledSequences(["AC", "GT"], [0, 2], split="train")
    with pytest.raises(ScaInputError, match="baseMean must be finite and >= 0; row 1"):
        LabelledSequences(["AC", "GT"], [0, 1], [1.0, -2.0], split="train")
