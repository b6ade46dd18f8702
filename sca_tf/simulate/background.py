"""Background DNA: strand-symmetric first-order Markov chains with a chosen GC and CpG o/e, and soft-masking."""

from __future__ import annotations

import math

import numpy as np

from sca_tf.errors import ScaInputError


def dinucleotide_chain(gc: float, cpg_oe: float) -> tuple[np.ndarray, np.ndarray]:
    """Stationary base frequencies and 4x4 transition matrix (A, C, G, T) with the given GC and CpG o/e.

    Starting from independent bases, CpG loses ``(1 - cpg_oe) * pC * pG`` of dinucleotide mass, CpA and TpG
    gain it and TpA loses it, which keeps every row and column sum (hence the base composition) unchanged and
    the chain strand-symmetric.

    >>> frequencies, transitions = dinucleotide_chain(0.4, 0.2)
    >>> round(float(frequencies @ transitions[:, 2] / frequencies[2]), 6)  # G is still 20 % of bases
    1.0
    """
    a, c, g, t = range(4)
    frequencies = np.array([(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2])
    joint = np.outer(frequencies, frequencies)
    shift = (1 - cpg_oe) * frequencies[c] * frequencies[g]
    joint[c, g] -= shift
    joint[c, a] += shift
    joint[t, g] += shift
    joint[t, a] -= shift
    if (joint < 0).any():
        raise ScaInputError(f"GC {gc} with CpG o/e {cpg_oe} needs a negative dinucleotide frequency")
    return frequencies, joint / frequencies[:, None]


def sample_markov(
    rng: np.random.Generator, gc: float, cpg_oe: float, length: int, row_length: int = 4096
) -> np.ndarray:
    """``length`` base codes (0-3 = A, C, G, T) from the chain of :func:`dinucleotide_chain`.

    Rows of ``row_length`` bases are drawn side by side, one column at a time, so the Python loop runs
    ``row_length`` times whatever the length; each row restarts from the stationary distribution.
    """
    frequencies, transitions = dinucleotide_chain(gc, cpg_oe)
    n_rows = max(1, math.ceil(length / row_length))
    cumulative = np.cumsum(transitions, axis=1)[:, :3]
    out = np.empty((n_rows, row_length), dtype=np.uint8)
    state = (rng.random(n_rows)[:, None] >= np.cumsum(frequencies)[:3]).sum(axis=1).astype(np.uint8)
    out[:, 0] = state
    for column in range(1, row_length):
        state = (rng.random(n_rows)[:, None] >= cumulative[state]).sum(axis=1).astype(np.uint8)
        out[:, column] = state
    return out.ravel()[:length]


def soft_mask(length: int, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of repeat-like stretches (100-1500 bp) covering about ``fraction`` of ``length``."""
    mean_length = 800
    n_repeats = int(round(fraction * length / mean_length))
    starts = rng.integers(0, length, n_repeats)
    ends = np.minimum(starts + rng.integers(100, 1501, n_repeats), length)
    depth = np.zeros(length + 1, dtype=np.int32)
    np.add.at(depth, starts, 1)
    np.add.at(depth, ends, -1)
    return np.cumsum(depth[:-1]) > 0
