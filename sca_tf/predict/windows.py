"""Variants in promoter windows: which windows a variant falls in, its index there, and the ALT window.

Coordinates follow :mod:`sca_tf.prep.coordinates`: windows are 0-based half-open genomic ``[start, end)``, read
5'->3' on the gene's strand. A (trimmed) variant replaces the genomic bases ``[a, b)`` by ``alt`` (``a == b`` for an
insertion between bases ``a - 1`` and ``a``); it falls in a window when ``start < b`` and ``a < end`` (an
insertion: strictly inside). ``window_index`` is the 0-based position, in the 5'->3' promoter string, of the
variant's 5'-most base (for an insertion, of the first promoter base 3' of it).

**Indel policy**: the window stays anchored at the TSS and keeps its length. The allele is applied on the plus
strand of the genome, then the window is cut back to ``L`` bases from the TSS side: a deletion pulls in genome
bases at the far (5') end, an insertion pushes the 5'-most bases out. An indel that spans the window's TSS-side
edge is not scored (``flag = indel_crosses_tss``); one whose fill would run off the contig neither
(``flag = contig_edge``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sca_tf.sequence import reverse_complement


@dataclass(frozen=True)
class PromoterWindows:
    """Windows of one contig sorted by ``start``; ``rows`` index the promoter table."""

    starts: np.ndarray
    ends: np.ndarray
    rows: np.ndarray
    length: int

    def overlapping(self, a: int, b: int) -> np.ndarray:
        """Promoter-table rows of the windows the variant ``[a, b)`` falls in."""
        first = np.searchsorted(self.starts, a - self.length, side="left")
        last = np.searchsorted(self.starts, b, side="left")
        candidates = np.arange(first, last)
        inside = (self.starts[candidates] < b) & (self.ends[candidates] > a)
        if a == b:
            inside &= self.starts[candidates] < a
        return self.rows[candidates[inside]]


def windows_by_contig(chroms: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> dict[str, PromoterWindows]:
    """:class:`PromoterWindows` per contig of equal-length windows (``ends - starts`` all the same)."""
    result = {}
    for contig in np.unique(chroms):
        rows = np.flatnonzero(chroms == contig)
        rows = rows[np.argsort(starts[rows], kind="stable")]
        result[str(contig)] = PromoterWindows(starts[rows], ends[rows], rows, int(ends[rows[0]] - starts[rows[0]]))
    return result


def window_index(start: int, end: int, minus: bool, a: int, b: int) -> int:
    """0-based index in the 5'->3' promoter string of the variant ``[a, b)`` (see the module docstring)."""
    if minus:
        return end - a if a == b else max(end - b, 0)
    return max(a - start, 0)


def alt_window(context: str, context_start: int, start: int, end: int, minus: bool, a: int, b: int,
               alt: str) -> tuple[str | None, str]:
    """``(ALT promoter 5'->3', flag)`` of a window given its plus-strand genome ``context`` (which begins at
    ``context_start`` and holds the window with some flank); ``(None, reason)`` where the policy forbids it."""
    length = end - start
    edited = context[:a - context_start] + alt + context[b - context_start:]
    shift = len(alt) - (b - a)
    if minus:
        if shift and a < start < b:
            return None, "indel_crosses_tss"
        first = start - context_start
        window = edited[first:first + length]
    else:
        if shift and a < end < b:
            return None, "indel_crosses_tss"
        stop = end - context_start + shift
        window = edited[stop - length:stop] if stop >= length else ""
    if len(window) != length:
        return None, "contig_edge"
    return (reverse_complement(window) if minus else window), ""
