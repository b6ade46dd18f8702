"""Background DNA: the Markov chain reaches the requested GC and CpG o/e on both strands."""

from __future__ import annotations

import numpy as np
import pytest

from sca_tf.sequence import cpg_observed_expected, gc_fraction, reverse_complement
from sca_tf.simulate import dinucleotide_chain, sample_markov


def test_markov_chain_reaches_requested_gc_and_cpg_ratio() -> None:
    frequencies, transitions = dinucleotide_chain(0.41, 0.22)
    np.testing.assert_allclose(transitions.sum(axis=1), 1.0)
    np.testing.assert_allclose(frequencies @ transitions, frequencies)
    sequence = "".join("ACGT"[code] for code in sample_markov(np.random.default_rng(3), 0.41, 0.22, 200_000))
    assert gc_fraction(sequence) == pytest.approx(0.41, abs=0.01)
    assert cpg_observed_expected(sequence) == pytest.approx(0.22, abs=0.03)
    assert cpg_observed_expected(reverse_complement(sequence)) == pytest.approx(0.22, abs=0.03)
