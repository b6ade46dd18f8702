"""The gate's composition metrics: k-mer spectra and their Jensen-Shannon divergence, shuffles."""

from __future__ import annotations

import numpy as np
import pytest
from generative_data import markov_sequences

from sca_tf.errors import ScaInputError
from sca_tf.synthetic.composition import jensen_shannon, kmer_jsd, kmer_spectrum, shuffle_sequences


def test_identical_sets_have_zero_kmer_divergence_and_shuffles_do_not() -> None:
    real = markov_sequences(60, 80, seed=0)
    assert kmer_jsd(real, real) == pytest.approx([0.0] * 6, abs=1e-12)
    other_sample = kmer_jsd(markov_sequences(60, 80, seed=1), real)
    shuffled = kmer_jsd(shuffle_sequences(real, seed=0), real)
    assert shuffled[0] == pytest.approx(0.0, abs=1e-12)  # shuffling keeps the composition exactly
    for k in (2, 3, 4):
        assert shuffled[k - 1] > 5 * other_sample[k - 1]


def test_jensen_shannon_bounds_and_errors() -> None:
    assert jensen_shannon(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)
    assert jensen_shannon(np.array([2.0, 2.0]), np.array([1.0, 1.0])) == pytest.approx(0.0)
    with pytest.raises(ScaInputError):
        jensen_shannon(np.array([1.0, 0.0]), np.array([1.0, 0.0, 0.0]))


def test_kmer_spectrum_counts_in_acgt_order() -> None:
    spectrum = kmer_spectrum(["AACC"], 2)
    assert spectrum[0] == pytest.approx(1 / 3) and spectrum[1] == pytest.approx(1 / 3)  # AA, AC
    assert spectrum[5] == pytest.approx(1 / 3)  # CC
