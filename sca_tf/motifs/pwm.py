"""Position frequency / weight matrices: log-odds, scanning one-hot DNA, comparing two motifs.

Matrices are ``[width, 4]`` in ``A, C, G, T`` order, like the one-hot input. A hit's *relative score* is its
log-odds score scaled to [0, 1] between the matrix's worst and best possible scores (JASPAR's convention).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sca_tf.sequence import ALPHABET

BACKGROUND = 0.25
PSEUDOCOUNT = 0.8
_ALPHABET = np.array(list(ALPHABET))


def frequencies(counts: np.ndarray, pseudocount: float = PSEUDOCOUNT) -> np.ndarray:
    """Counts ``[width, 4]`` -> frequencies, with ``pseudocount`` spread evenly over the four bases."""
    counts = np.asarray(counts, np.float64) + pseudocount / 4
    return counts / counts.sum(axis=1, keepdims=True)


def log_odds(pfm: np.ndarray) -> np.ndarray:
    """log2(frequency / 0.25) of a frequency matrix (zero frequencies floored at 1e-3)."""
    return np.log2(np.maximum(np.asarray(pfm, np.float64), 1e-3) / BACKGROUND)


def reverse_complement(matrix: np.ndarray) -> np.ndarray:
    """The matrix read on the other strand (positions reversed, A<->T and C<->G swapped)."""
    return np.asarray(matrix)[::-1, ::-1]


def information_content(pfm: np.ndarray) -> np.ndarray:
    """Bits per position (2 - entropy)."""
    pfm = np.asarray(pfm, np.float64)
    return 2 + np.sum(pfm * np.log2(np.maximum(pfm, 1e-12)), axis=1)


def consensus(pfm: np.ndarray) -> str:
    """Most frequent base per position; lower case where it has less than half the mass."""
    pfm = np.asarray(pfm)
    letters = _ALPHABET[pfm.argmax(axis=1)]
    return "".join(letter if top >= 0.5 else letter.lower() for letter, top in zip(letters, pfm.max(axis=1)))


def trim(pfm: np.ndarray, min_bits: float = 0.3) -> np.ndarray:
    """Drop edge positions carrying less than ``min_bits`` of information (at least one position is kept)."""
    informative = np.flatnonzero(information_content(pfm) >= min_bits)
    if informative.size == 0:
        return np.asarray(pfm)[:1]
    return np.asarray(pfm)[informative[0]:informative[-1] + 1]


def relative_scores(regions: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Relative score ``[n, positions, 2]`` of matrix ``weights`` at every start of ``regions`` ``[n, length, 4]``,
    forward (``[..., 0]``) and reverse-complement (``[..., 1]``) strand. Regions shorter than the matrix give
    zero positions."""
    return scan_matrices(regions, [weights])[..., 0]


def scan_matrices(regions: np.ndarray, matrices: Sequence[np.ndarray]) -> np.ndarray:
    """Relative scores ``[n, positions, 2, len(matrices)]`` of equally wide log-odds ``matrices``.

    ``positions = length - width + 1``; the strand axis holds forward then reverse complement. One matrix
    multiplication scores every start of every region against every matrix.
    """
    stacked = np.stack([np.asarray(matrix, np.float64) for matrix in matrices])  # [k, width, 4]
    width = stacked.shape[1]
    regions = np.asarray(regions, np.float32)
    if regions.shape[1] < width:
        return np.zeros((len(regions), 0, 2, len(stacked)), np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(regions, width, axis=1)  # [n, positions, 4, width]
    windows = windows.transpose(0, 1, 3, 2).reshape(len(regions), -1, width * 4)
    both = np.concatenate([stacked, stacked[:, ::-1, ::-1]])  # forward, then reverse complement
    low = both.min(axis=2).sum(axis=1).astype(np.float32)
    span = np.maximum(both.max(axis=2).sum(axis=1) - both.min(axis=2).sum(axis=1), 1e-9).astype(np.float32)
    raw = windows @ both.reshape(len(both), -1).T.astype(np.float32)  # [n, positions, 2k]
    relative = (raw - low) / span
    return relative.reshape(len(regions), -1, 2, len(stacked))


def best_hits(regions: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per region: best relative score, its start and its strand (``0`` forward, ``1`` reverse complement)."""
    scores = relative_scores(regions, weights)
    flat = scores.reshape(len(regions), -1)
    best = flat.argmax(axis=1)
    return flat[np.arange(len(regions)), best], best // 2, best % 2


def similarity(query: np.ndarray, target: np.ndarray, min_overlap: int = 5) -> tuple[float, int, str]:
    """How well frequency matrix ``target`` matches ``query``: (score, offset, strand).

    Each aligned column scores ``1 - euclidean distance / sqrt(2)`` (1 for identical columns, 0 for columns
    certain of different bases); the score is their sum divided by the query's width, maximised over offsets
    (``target``'s start relative to ``query``'s) and both strands of ``target``. So an identical matrix scores 1,
    and a target covering only part of the query, or matching it loosely, scores less. Alignments overlapping
    fewer than ``min(min_overlap, widths)`` columns are not considered.
    """
    query = np.asarray(query, np.float64)
    best = (-np.inf, 0, "+")
    for strand, candidate in (("+", np.asarray(target, np.float64)), ("-", reverse_complement(target))):
        need = min(min_overlap, len(query), len(candidate))
        for offset in range(need - len(candidate), len(query) - need + 1):
            first, last = max(0, offset), min(len(query), offset + len(candidate))
            distance = np.linalg.norm(query[first:last] - candidate[first - offset:last - offset], axis=1)
            score = float(np.sum(1 - distance / np.sqrt(2)) / len(query))
            if score > best[0]:
                best = (score, offset, strand)
    return best
