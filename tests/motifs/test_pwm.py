"""Matrices: counts -> frequencies -> log-odds (one pseudocount handling), relative scores, similarity."""

from __future__ import annotations

import numpy as np
import pytest

from sca_tf.errors import ScaInputError
from sca_tf.motifs import pwm
from sca_tf.motifs.planted import DOWN_MOTIF, UP_MOTIF
from sca_tf.sequence import codes_of, reverse_complement_one_hot


def test_similarity_is_one_for_the_same_matrix_on_either_strand_and_lower_for_others():
    down = np.array(DOWN_MOTIF.pfm)
    assert pwm.similarity(down, down)[0] == pytest.approx(1.0)
    score, offset, strand = pwm.similarity(down, reverse_complement_one_hot(down))
    assert (score, offset, strand) == (pytest.approx(1.0), 0, "-")
    assert pwm.similarity(down, np.array(UP_MOTIF.pfm))[0] < 0.6
    assert pwm.similarity(down, down[2:8])[0] == pytest.approx(0.6)  # covers 6 of 10 columns


def test_counts_get_jaspars_pseudocount_and_no_other_smoothing():
    """A zero count of a deep matrix keeps its pseudocount frequency, 0.2 / (N + 0.8), however small."""
    counts = np.array([[5000.0, 0.0, 0.0, 0.0], [0.0, 0.0, 10.0, 0.0]])
    frequencies = pwm.frequencies(counts)
    assert frequencies[0, 1] == pytest.approx(0.2 / 5000.8) and frequencies[1, 2] == pytest.approx(10.2 / 10.8)
    np.testing.assert_allclose(pwm.log_odds(frequencies), np.log2(frequencies / 0.25))
    assert pwm.log_odds(np.array([[1.0, 0.0, 0.0, 0.0]]))[0, 1] == pytest.approx(np.log2(1e-3 / 0.25))


def test_relative_score_spans_the_worst_to_the_best_site():
    weights = pwm.log_odds(np.array(UP_MOTIF.pfm))
    assert pwm.relative_score(weights, codes_of(UP_MOTIF.consensus)) == pytest.approx(1.0)
    worst = codes_of("".join("ACGT"[i] for i in weights.argmin(axis=1)))
    assert pwm.relative_score(weights, worst) == pytest.approx(0.0)


def test_motifs_from_counts_are_checked():
    motif = pwm.motif_from_counts("m", "toy", [[10, 0, 0, 0]])
    assert motif.width == 1 and motif.log_odds[0, 0] == pytest.approx(np.log2(10.2 / 10.8 / 0.25))
    with pytest.raises(ScaInputError, match="shape \\[width, 4\\]"):
        pwm.motif_from_counts("m", "toy", [[1, 2, 3]])
    with pytest.raises(ScaInputError, match="a position has no counts"):
        pwm.motif_from_counts("m", "toy", [[0, 0, 0, 0]])
