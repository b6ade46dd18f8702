"""Scanning one-hot DNA with log-odds matrices: relative scores, best hits, hit counts, hit rates of many motifs.

:func:`scan_matrices` is the one scanner: one matrix product scores every start of every region against every
matrix of one width, on both strands, as relative scores. The quality gate's hit rates (:func:`scan_motifs`),
explain's enrichment (:func:`hit_counts`) and motif discovery (:func:`best_hits`) are all read from it. A *hit*
is a window whose relative score reaches the threshold on either strand.

>>> from sca_tf.motifs.jaspar import load_jaspar  # doctest: +SKIP
>>> scan = scan_motifs(sequences, load_jaspar(), relative_score=0.85)  # doctest: +SKIP
>>> scan.hit_fraction[:3]                         # share of sequences with >= 1 hit, per motif  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sca_tf.errors import ScaInputError
from sca_tf.motifs.pwm import Motif, score_range
from sca_tf.sequence import codes_of, one_hot, reverse_complement_one_hot

#: Slack, in bits of log-odds score, below a threshold that still counts as a hit: a site scoring exactly the
#: threshold is not lost to the float32 rounding of the scores.
SCORE_TOLERANCE = 1e-5


def scan_matrices(regions: np.ndarray, matrices: Sequence[np.ndarray]) -> np.ndarray:
    """Relative scores ``[n, positions, 2, len(matrices)]`` of equally wide log-odds ``matrices``.

    ``regions`` is one-hot ``[n, length, 4]`` (``N`` a row of zeros); ``positions = length - width + 1`` (none
    where the regions are shorter than the matrices); the strand axis holds forward then reverse complement.
    """
    stacked = np.stack([np.asarray(matrix, np.float64) for matrix in matrices])  # [k, width, 4]
    width = stacked.shape[1]
    regions = np.asarray(regions, np.float32)
    if regions.shape[1] < width:
        return np.zeros((len(regions), 0, 2, len(stacked)), np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(regions, width, axis=1)  # [n, positions, 4, width]
    windows = windows.transpose(0, 1, 3, 2).reshape(len(regions), -1, width * 4)
    both = np.concatenate([stacked, reverse_complement_one_hot(stacked)])  # forward, then reverse complement
    low, high = score_range(both)
    span = np.maximum(high - low, 1e-9).astype(np.float32)
    raw = windows @ both.reshape(len(both), -1).T.astype(np.float32)  # [n, positions, 2k]
    relative = (raw - low.astype(np.float32)) / span
    return relative.reshape(len(regions), -1, 2, len(stacked))


def relative_scores(regions: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Relative scores ``[n, positions, 2]`` of one log-odds matrix (see :func:`scan_matrices`)."""
    return scan_matrices(regions, [weights])[..., 0]


def best_hits(regions: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per region: best relative score, its start and its strand (``0`` forward, ``1`` reverse complement)."""
    flat = relative_scores(regions, weights).reshape(len(regions), -1)
    best = flat.argmax(axis=1)
    return flat[np.arange(len(regions)), best], best // 2, best % 2


def is_hit(scores: np.ndarray, min_relative_score: float, weights: np.ndarray) -> np.ndarray:
    """Whether relative ``scores`` reach ``min_relative_score`` (within :data:`SCORE_TOLERANCE`).

    ``weights`` is the log-odds matrix scored, or ``[k, width, 4]`` for scores whose last axis holds k matrices.
    """
    low, high = score_range(weights)
    return np.asarray(scores) >= min_relative_score - SCORE_TOLERANCE / np.maximum(high - low, 1e-9)


def hit_counts(regions: np.ndarray, motifs: Sequence[Motif], min_relative_score: float,
               chunk_size: int = 64) -> np.ndarray:
    """``[n_regions, n_motifs]``: the starts at which each motif hits each region, on either strand (a
    palindrome hitting both strands at one start counts once). Motifs longer than the regions never hit."""
    counts = np.zeros((len(regions), len(motifs)), np.int64)
    by_width: dict[int, list[int]] = {}
    for index, motif in enumerate(motifs):
        by_width.setdefault(motif.width, []).append(index)
    for members in by_width.values():
        weights = np.stack([motifs[i].log_odds for i in members])
        for start in range(0, len(regions), chunk_size):
            scores = scan_matrices(regions[start:start + chunk_size], weights).max(axis=2)  # [chunk, positions, k]
            counts[start:start + chunk_size, members] = is_hit(scores, min_relative_score, weights).sum(axis=1)
    return counts


@dataclass(frozen=True)
class MotifScan:
    """Per motif: share of sequences with at least one hit, and hits per kilobase (either strand)."""

    matrix_ids: list[str]
    names: list[str]
    hit_fraction: np.ndarray
    hits_per_kb: np.ndarray


def scan_motifs(sequences: Sequence[str], motifs: Sequence[Motif], *, relative_score: float = 0.85,
                chunk_size: int = 32) -> MotifScan:
    """Scan both strands of equal-length sequences with every motif (``N`` and other letters match nothing)."""
    if not 0 < relative_score <= 1:
        raise ScaInputError(f"relative_score: expected a number in (0, 1], got {relative_score}")
    if len(sequences) == 0 or not motifs:
        raise ScaInputError("motif scan needs at least one sequence and one matrix")
    length = len(sequences[0])
    if any(len(sequence) != length for sequence in sequences):
        raise ScaInputError("motif scan: sequences must all have the same length")
    longer = next((motif for motif in motifs if motif.width > length), None)
    if longer is not None:
        raise ScaInputError(f"motif {longer.matrix_id} ({longer.width} bp) is longer than the sequences ({length})")
    regions = one_hot(codes_of("".join(sequences), unknown_as_n=True).reshape(len(sequences), -1))
    counts = hit_counts(regions, motifs, relative_score, chunk_size)
    return MotifScan(
        matrix_ids=[motif.matrix_id for motif in motifs],
        names=[motif.name for motif in motifs],
        hit_fraction=(counts > 0).mean(axis=0),
        hits_per_kb=counts.sum(axis=0) / (len(sequences) * length / 1000.0),
    )
