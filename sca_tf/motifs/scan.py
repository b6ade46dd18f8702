"""Position-weight-matrix scanning of many motifs over many sequences, with JASPAR matrices from pyjaspar.

A hit is a window whose log-odds score (uniform background) reaches ``relative_score`` of the way from the
matrix's worst to its best possible score (JASPAR's "relative score"), on either strand. Scanning is one matrix
product per motif width: every window of every sequence against every motif of that width at once.

>>> matrices = jaspar_matrices()                       # JASPAR CORE vertebrates, latest versions  # doctest: +SKIP
>>> scan = scan_motifs(sequences, matrices, relative_score=0.85)  # doctest: +SKIP
>>> scan.hit_fraction[:3]                              # share of sequences with >= 1 hit, per motif  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from sca_tf.errors import ScaInputError
from sca_tf.sequence import ALPHABET, codes_of, one_hot


@dataclass(frozen=True)
class ScoringMatrix:
    """A motif as log2-odds ``[width, 4]`` (rows are positions, columns ``A, C, G, T``)."""

    matrix_id: str
    name: str
    log_odds: np.ndarray

    @property
    def width(self) -> int:
        return int(self.log_odds.shape[0])

    def threshold(self, relative_score: float) -> float:
        """Absolute score at ``relative_score`` between the lowest and the highest possible score."""
        low, high = self.log_odds.min(axis=1).sum(), self.log_odds.max(axis=1).sum()
        return float(low + relative_score * (high - low))


def matrix_from_counts(matrix_id: str, name: str, counts: np.ndarray, pseudocount: float = 0.8) -> ScoringMatrix:
    """Log2-odds against a uniform background from counts (or frequencies) ``[width, 4]``.

    ``pseudocount`` is spread evenly over the four bases (and scaled to the column total for frequencies).
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[1] != 4 or counts.shape[0] == 0 or (counts < 0).any():
        raise ScaInputError(f"motif {matrix_id}: expected non-negative counts of shape [width, 4], got {counts.shape}")
    totals = counts.sum(axis=1, keepdims=True)
    if (totals <= 0).any():
        raise ScaInputError(f"motif {matrix_id}: a position has no counts")
    scale = np.where(totals <= 1.0 + 1e-9, 100.0, 1.0)  # frequencies: treat as 100 observations
    adjusted = counts * scale + pseudocount / 4
    frequencies = adjusted / adjusted.sum(axis=1, keepdims=True)
    return ScoringMatrix(matrix_id, name, np.log2(frequencies / 0.25).astype(np.float32))


@functools.lru_cache(maxsize=4)
def _jaspar(collection: str, tax_group: str, release: str | None) -> tuple[str, tuple[ScoringMatrix, ...]]:
    from pyjaspar import jaspardb  # noqa: PLC0415 - optional heavy import, only for the motif check

    database = jaspardb(release=release) if release else jaspardb()
    motifs = database.fetch_motifs(collection=collection, tax_group=[tax_group])
    if not motifs:
        raise ScaInputError(f"JASPAR {database.release}: no {collection} motifs for tax group {tax_group!r}")
    matrices = tuple(
        matrix_from_counts(motif.matrix_id, motif.name, np.array([motif.counts[base] for base in ALPHABET]).T)
        for motif in motifs
    )
    return database.release, matrices


def jaspar_matrices(collection: str = "CORE", tax_group: str = "vertebrates",
                    release: str | None = None) -> list[ScoringMatrix]:
    """Latest-version JASPAR matrices of ``collection`` / ``tax_group`` from pyjaspar's bundled database (offline)."""
    return list(_jaspar(collection, tax_group, release)[1])


def jaspar_release(release: str | None = None) -> str:
    """Name of the JASPAR release pyjaspar serves (its newest unless ``release`` is given)."""
    return _jaspar("CORE", "vertebrates", release)[0]


@dataclass(frozen=True)
class MotifScan:
    """Per motif: share of sequences with at least one hit, and hits per kilobase (either strand)."""

    matrix_ids: list[str]
    names: list[str]
    hit_fraction: np.ndarray
    hits_per_kb: np.ndarray


def scan_motifs(sequences: Sequence[str], matrices: Sequence[ScoringMatrix], *, relative_score: float = 0.85,
                chunk_size: int = 32) -> MotifScan:
    """Scan both strands of equal-length sequences with every matrix (positions with ``N`` score low)."""
    if not 0 < relative_score <= 1:
        raise ScaInputError(f"relative_score: expected a number in (0, 1], got {relative_score}")
    if len(sequences) == 0 or not matrices:
        raise ScaInputError("motif scan needs at least one sequence and one matrix")
    length = len(sequences[0])
    if any(len(sequence) != length for sequence in sequences):
        raise ScaInputError("motif scan: sequences must all have the same length")
    has_hit = np.zeros(len(matrices))
    hits = np.zeros(len(matrices))
    for width, members in _by_width(matrices, length).items():
        kernel = np.concatenate(
            [np.stack([m.log_odds.T.ravel() for m in (matrices[i] for i in members)], axis=1),
             np.stack([m.log_odds[::-1, ::-1].T.ravel() for m in (matrices[i] for i in members)], axis=1)],
            axis=1,
        )  # [4 * width, 2 * motifs]: forward, then reverse-complement matrices
        thresholds = np.array([matrices[i].threshold(relative_score) for i in members]) - 1e-5
        for start in range(0, len(sequences), chunk_size):
            one_hot = _one_hot(sequences[start : start + chunk_size])
            windows = sliding_window_view(one_hot, width, axis=1)  # [n, positions, 4, width]
            scores = windows.reshape(-1, 4 * width) @ kernel
            scores = scores.reshape(one_hot.shape[0], -1, 2, len(members)).max(axis=2)
            above = scores >= thresholds
            has_hit[members] += above.any(axis=1).sum(axis=0)
            hits[members] += above.sum(axis=(0, 1))
    return MotifScan(
        matrix_ids=[m.matrix_id for m in matrices],
        names=[m.name for m in matrices],
        hit_fraction=has_hit / len(sequences),
        hits_per_kb=hits / (len(sequences) * length / 1000.0),
    )


def _by_width(matrices: Sequence[ScoringMatrix], length: int) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for index, matrix in enumerate(matrices):
        if matrix.width > length:
            raise ScaInputError(f"motif {matrix.matrix_id} ({matrix.width} bp) is longer than the sequences ({length})")
        groups.setdefault(matrix.width, []).append(index)
    return groups


def _one_hot(sequences: Sequence[str]) -> np.ndarray:
    return one_hot(codes_of("".join(sequences), unknown_as_n=True).reshape(len(sequences), -1))


def planted_matrices() -> list[ScoringMatrix]:
    """The motifs ``sca-tf simulate`` plants (CREB1-like "up", NF-kB-like "down"), as scoring matrices."""
    from sca_tf.simulate import PLANTED_MOTIFS  # noqa: PLC0415 - keeps simulate's imports off the default path

    return [matrix_from_counts(f"planted_{motif.marks}", motif.name, np.asarray(motif.pfm)) for motif in PLANTED_MOTIFS]
