"""Plain-string DNA helpers shared by the promoter, simulation and evaluation stages."""

from __future__ import annotations

_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def reverse_complement(sequence: str) -> str:
    """Return the reverse complement of an ACGTN string (case preserved).

    >>> reverse_complement("AACGTN")
    'NACGTT'
    """
    return sequence.translate(_COMPLEMENT)[::-1]


def gc_fraction(sequence: str) -> float:
    """Fraction of G or C among the non-N bases (0.0 for an all-N sequence)."""
    upper = sequence.upper()
    called = len(upper) - upper.count("N")
    if called == 0:
        return 0.0
    return (upper.count("G") + upper.count("C")) / called


def cpg_observed_expected(sequence: str) -> float:
    """CpG observed/expected ratio (Gardiner-Garden & Frommer): ``n_CG * length / (n_C * n_G)``.

    Returns 0.0 where the sequence has no C or no G.
    """
    upper = sequence.upper()
    n_c, n_g = upper.count("C"), upper.count("G")
    if n_c == 0 or n_g == 0:
        return 0.0
    return upper.count("CG") * len(upper) / (n_c * n_g)


def n_fraction(sequence: str) -> float:
    """Fraction of bases that are N (any case)."""
    if not sequence:
        return 0.0
    return sequence.upper().count("N") / len(sequence)
