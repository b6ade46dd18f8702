"""The gate's composition checks: k-mer spectra (Jensen-Shannon divergence) and GC / CpG o/e distributions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.baselines import kmer_frequencies
from sca_tf.sequence import cpg_observed_expected, gc_fraction
from sca_tf.synthetic.sets import HELDOUT, NEGATIVES, SHUFFLED, SYNTHETIC, TRAIN, ks_test, rounded, summary
from sca_tf.synthetic.thresholds import KMER_SIZES


def kmer_spectrum(sequences: Sequence[str], k: int) -> np.ndarray:
    """Pooled k-mer frequencies ``[4**k]`` (A<C<G<T order): the mean of the per-sequence frequencies.

    With sequences of one length and no ``N`` this equals counting all k-mers together.
    """
    return kmer_frequencies(sequences, k).astype(np.float64).mean(axis=0)


def jensen_shannon(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits (0 for identical distributions, at most 1); inputs are normalised."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.shape != q.shape or p.sum() <= 0 or q.sum() <= 0 or (p < 0).any() or (q < 0).any():
        raise ScaInputError("Jensen-Shannon divergence needs two non-negative, non-empty vectors of the same shape")
    p, q = p / p.sum(), q / q.sum()
    middle = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        present = a > 0
        return float(np.sum(a[present] * np.log2(a[present] / middle[present])))

    return max(0.0, (kl(p) + kl(q)) / 2)


def kmer_jsd(first: Sequence[str], second: Sequence[str], sizes: Sequence[int] = KMER_SIZES) -> list[float]:
    """JSD (bits) between the k-mer spectra of two sets, one value per k in ``sizes``."""
    return [jensen_shannon(kmer_spectrum(first, k), kmer_spectrum(second, k)) for k in sizes]


def shuffle_sequences(sequences: Sequence[str], seed: int = 0) -> list[str]:
    """Each sequence with its bases randomly permuted (composition kept, order destroyed); seeded."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(np.frombuffer(s.encode("ascii"), dtype=np.uint8)).tobytes().decode("ascii")
            for s in sequences]


def composition(sequences: Sequence[str]) -> dict[str, np.ndarray]:
    """Per-sequence GC fraction and CpG observed/expected."""
    return {
        "gc": np.array([gc_fraction(s) for s in sequences]),
        "cpg_oe": np.array([cpg_observed_expected(s) for s in sequences]),
    }


def kmer_section(matched: dict[str, list[str]], shuffled_heldout: list[str]) -> dict[str, Any]:
    """k-mer JSD of every (size-matched) set against the held-out and against the training positives."""
    versus_heldout = {name: kmer_jsd(matched[name], matched[HELDOUT])
                      for name in (SYNTHETIC, TRAIN, SHUFFLED, NEGATIVES)}
    versus_train = {name: kmer_jsd(values, matched[TRAIN])
                    for name, values in ((SYNTHETIC, matched[SYNTHETIC]), (HELDOUT, matched[HELDOUT]),
                                         (SHUFFLED, shuffled_heldout), (NEGATIVES, matched[NEGATIVES]))}
    return {
        "k": list(KMER_SIZES),
        "unit": "bits",
        "note": "every set subsampled to the synthetic set's size; shuffled = real positives of the other set "
                "with bases permuted within each sequence",
        "vs_heldout_positives": versus_heldout,
        "vs_train_positives": versus_train,
    }


def composition_section(sets: dict[str, list[str]], shuffled: list[str]) -> dict[str, Any]:
    """GC and CpG o/e per set: summaries, KS statistics against both real positive sets, per-sequence values."""
    values = {name: composition(sequences) for name, sequences in sets.items()}
    values[SHUFFLED] = composition(shuffled)
    section: dict[str, Any] = {}
    for feature in ("gc", "cpg_oe"):
        section[feature] = {
            "summary": {name: summary(per[feature]) for name, per in values.items()},
            "ks_vs_heldout_positives": {name: ks_test(values[name][feature], values[HELDOUT][feature])
                                        for name in (SYNTHETIC, TRAIN, SHUFFLED, NEGATIVES)},
            "ks_vs_train_positives": {name: ks_test(values[name][feature], values[TRAIN][feature])
                                      for name in (SYNTHETIC, HELDOUT, SHUFFLED, NEGATIVES)},
            "per_sequence": {name: rounded(values[name][feature]) for name in (SYNTHETIC, TRAIN, HELDOUT)},
        }
    return section
