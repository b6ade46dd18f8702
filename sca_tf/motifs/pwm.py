"""Position frequency / weight matrices: the one log-odds, relative scores, consensus, trimming, similarity.

Matrices are ``[width, 4]`` in ``A, C, G, T`` order, like the one-hot input. Counts become frequencies in one
place (:func:`frequencies`, JASPAR's pseudocount of 0.8 spread over the bases); frequencies become log-odds in
one place (:func:`log_odds`, against a uniform background). A site's *relative score* is its log-odds score
scaled to [0, 1] between the matrix's worst and best possible scores (JASPAR's convention).

>>> motif = Motif("m1", "toy", "", "", frequencies(10 * np.eye(4)[[0, 1, 2]]))
>>> round(relative_score(motif.log_odds, np.array([0, 1, 2])), 6), consensus(motif.pfm)
(1.0, 'ACG')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from sca_tf.errors import ScaInputError
from sca_tf.sequence import ALPHABET, reverse_complement_one_hot

BACKGROUND = 0.25
PSEUDOCOUNT = 0.8
_ZERO_FREQUENCY = 1e-3  # stands in for an exact zero (a matrix given without pseudocounts): a finite log-odds
_ALPHABET = np.array(list(ALPHABET))


@dataclass(frozen=True)
class Motif:
    """A named frequency matrix ``pfm`` ``[width, 4]`` (A, C, G, T), with the TF class and family JASPAR gives it
    (empty for motifs from elsewhere)."""

    matrix_id: str
    name: str
    tf_class: str
    tf_family: str
    pfm: np.ndarray

    @property
    def width(self) -> int:
        return len(self.pfm)

    @functools.cached_property
    def log_odds(self) -> np.ndarray:
        """The matrix it is scanned with: :func:`log_odds` of :attr:`pfm`."""
        return log_odds(self.pfm)


def frequencies(counts: np.ndarray, pseudocount: float = PSEUDOCOUNT) -> np.ndarray:
    """Counts ``[width, 4]`` -> frequencies, with ``pseudocount`` spread evenly over the four bases."""
    counts = np.asarray(counts, np.float64) + pseudocount / 4
    return counts / counts.sum(axis=1, keepdims=True)


def motif_from_counts(matrix_id: str, name: str, counts: np.ndarray) -> Motif:
    """A :class:`Motif` from non-negative counts ``[width, 4]`` (see :func:`frequencies`)."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[1] != 4 or counts.shape[0] == 0 or (counts < 0).any():
        raise ScaInputError(f"motif {matrix_id}: expected non-negative counts of shape [width, 4], got {counts.shape}")
    if (counts.sum(axis=1) <= 0).any():
        raise ScaInputError(f"motif {matrix_id}: a position has no counts")
    return Motif(matrix_id, name, "", "", frequencies(counts))


def log_odds(pfm: np.ndarray) -> np.ndarray:
    """log2(frequency / 0.25) of a frequency matrix, as JASPAR scores it.

    Frequencies made from counts (:func:`frequencies`) are used as they are, however small the pseudocount left
    them; only an exact zero, as in a matrix given without pseudocounts, is taken as 1e-3.
    """
    pfm = np.asarray(pfm, np.float64)
    return np.log2(np.where(pfm > 0, pfm, _ZERO_FREQUENCY) / BACKGROUND)


def score_range(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Worst and best possible score of log-odds ``weights`` ``[..., width, 4]``."""
    weights = np.asarray(weights)
    return weights.min(axis=-1).sum(axis=-1), weights.max(axis=-1).sum(axis=-1)


def relative_score(weights: np.ndarray, codes: np.ndarray) -> float:
    """Relative score of one site given as base codes ``[width]`` (``0..3``) under log-odds ``weights``."""
    weights = np.asarray(weights)
    low, high = score_range(weights)
    score = weights[np.arange(len(weights)), codes].sum()
    return float((score - low) / (high - low))


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


def similarity(query: np.ndarray, target: np.ndarray, min_overlap: int = 5) -> tuple[float, int, str]:
    """How well frequency matrix ``target`` matches ``query``: (score, offset, strand).

    Each aligned column scores ``1 - euclidean distance / sqrt(2)`` (1 for identical columns, 0 for columns
    certain of different bases); the score is their sum divided by the query's width, maximised over offsets
    (``target``'s start relative to ``query``'s) and both strands of ``target``. So an identical matrix scores 1,
    and a target covering only part of the query, or matching it loosely, scores less. Alignments overlapping
    fewer than ``min(min_overlap, widths)`` columns are not considered.
    """
    query = np.asarray(query, np.float64)
    target = np.asarray(target, np.float64)
    best = (-np.inf, 0, "+")
    for strand, candidate in (("+", target), ("-", reverse_complement_one_hot(target))):
        need = min(min_overlap, len(query), len(candidate))
        for offset in range(need - len(candidate), len(query) - need + 1):
            first, last = max(0, offset), min(len(query), offset + len(candidate))
            distance = np.linalg.norm(query[first:last] - candidate[first - offset:last - offset], axis=1)
            score = float(np.sum(1 - distance / np.sqrt(2)) / len(query))
            if score > best[0]:
                best = (score, offset, strand)
    return best
