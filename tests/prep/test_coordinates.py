"""The coordinate conventions of sca_tf.prep.coordinates, checked against hand-computed windows."""

from __future__ import annotations

import doctest

import pytest

from sca_tf import sequence
from sca_tf.prep import assemblies, coordinates
from sca_tf.prep.coordinates import promoter_window, tss_from_span


@pytest.mark.parametrize("module", [coordinates, sequence, assemblies])
def test_docstring_examples_hold(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_tss_is_strand_aware() -> None:
    assert tss_from_span(1_000, 5_000, "+") == 1_000
    assert tss_from_span(1_000, 5_000, "-") == 5_000
    with pytest.raises(ValueError, match="strand"):
        tss_from_span(1, 2, ".")


def test_plus_window_ends_just_before_the_tss() -> None:
    genome = "".join("ACGT"[i % 4] for i in range(100))
    start, end = promoter_window(tss=51, strand="+", upstream=5, downstream=0)
    assert (start, end) == (45, 50)
    # 1-based bases 46..50, the five bases before base 51 (the TSS).
    assert genome[start:end] == genome[45:50]


def test_minus_window_starts_just_after_the_tss() -> None:
    start, end = promoter_window(tss=51, strand="-", upstream=5, downstream=0)
    # 1-based bases 52..56: upstream of a minus-strand TSS lies at higher coordinates.
    assert (start, end) == (51, 56)


def test_downstream_includes_the_tss_base_on_both_strands() -> None:
    assert promoter_window(51, "+", upstream=0, downstream=1) == (50, 51)
    assert promoter_window(51, "-", upstream=0, downstream=1) == (50, 51)
    assert promoter_window(51, "+", upstream=3, downstream=2) == (47, 52)
    assert promoter_window(51, "-", upstream=3, downstream=2) == (49, 54)


@pytest.mark.parametrize("upstream, downstream", [(-1, 0), (0, -1), (0, 0)])
def test_invalid_window_is_refused(upstream: int, downstream: int) -> None:
    with pytest.raises(ValueError):
        promoter_window(100, "+", upstream, downstream)
