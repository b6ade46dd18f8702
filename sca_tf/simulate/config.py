"""The simulation's every knob, :class:`SimulationConfig`, validated on construction (``ScaInputError`` names the
field)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sca_tf.errors import ScaInputError
from sca_tf.motifs.planted import PLANTED_MOTIFS
from sca_tf.simulate.background import dinucleotide_chain


def _fail(name: str, expected: str, value: Any) -> None:
    raise ScaInputError(f"SimulationConfig.{name}: expected {expected}, got {value!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _require_int(config: SimulationConfig, name: str, low: int, high: int | None = None) -> None:
    value = getattr(config, name)
    if not _is_int(value) or value < low or (high is not None and value > high):
        _fail(name, f"an integer in [{low}, {high if high is not None else 'inf'}]", value)


def _require_number(config: SimulationConfig, name: str, low: float, high: float) -> None:
    value = getattr(config, name)
    if not _is_number(value) or not low <= value <= high:
        _fail(name, f"a number in [{low}, {high}]", value)


def _require_range(config: SimulationConfig, name: str, kind: type, low: float, high: float) -> None:
    """A (low, high) pair of ``kind`` with ``low <= first <= second <= high``."""
    value = getattr(config, name)
    check = _is_int if kind is int else _is_number
    if (
        not isinstance(value, tuple) or len(value) != 2 or not all(check(item) for item in value)
        or not low <= value[0] <= value[1] <= high
    ):
        _fail(name, f"a ({kind.__name__} low, {kind.__name__} high) tuple with {low} <= low <= high <= {high}", value)


def _require_pair(config: SimulationConfig, name: str, first: tuple[float, float], second: tuple[float, float]) -> None:
    """A 2-tuple of numbers whose items lie in the ``first`` and ``second`` bounds."""
    value = getattr(config, name)
    if (
        not isinstance(value, tuple) or len(value) != 2 or not all(_is_number(item) for item in value)
        or not first[0] <= value[0] <= first[1] or not second[0] <= value[1] <= second[1]
    ):
        _fail(name, f"a tuple with first item in {list(first)} and second in {list(second)}", value)


def _chain_is_valid(gc: float, cpg_oe: float) -> bool:
    if not (_is_number(gc) and _is_number(cpg_oe)):
        return False
    try:
        dinucleotide_chain(gc, cpg_oe)
    except ScaInputError:
        return False
    return True


GRAMMARS = ("copies", "pair")


@dataclass(frozen=True)
class SimulationConfig:
    """Every knob of the simulation; validated on construction (``ScaInputError`` names the field).

    Offsets are relative to the TSS in transcript orientation: -1 is the base just upstream of the first
    transcribed base, and the promoter spans ``-promoter_length .. -1``.

    ``grammar`` says what makes a promoter DE: ``copies`` (the default: ``motif_copies`` sites of the class motif;
    not-DE promoters carry single decoys at ``decoy_rate``) or ``pair`` (one site of each planted motif with
    ``pair_spacing`` bases between them; half the not-DE promoters carry the same two sites at least
    ``2 * pair_spacing[1]`` bases apart, so k-mer counts cannot tell the classes apart and only the spacing can).
    """

    seed: int = 0
    n_chromosomes: int = 4
    n_genes: int = 3000
    n_is: int = 4
    n_c: int = 4
    fraction_up: float = 0.08
    fraction_down: float = 0.08
    fraction_all_zero: float = 0.08
    fraction_lncrna: float = 0.2
    promoter_length: int = 2000
    grammar: str = "copies"
    pair_spacing: tuple[int, int] = (10, 40)
    motif_copies: tuple[int, int] = (2, 4)
    core_window: tuple[int, int] = (-300, -50)
    fraction_sites_in_core: float = 0.75
    decoy_rate: float = 0.05
    min_site_relative_score: float = 0.9
    cpg_island_fraction_protein_coding: float = 0.6
    cpg_island_fraction_lncrna: float = 0.2
    cpg_island_length: tuple[int, int] = (500, 1000)
    background_gc: float = 0.40
    background_cpg_oe: float = 0.22
    island_gc: float = 0.63
    island_cpg_oe: float = 0.8
    gene_body_length: tuple[int, int] = (300, 3000)
    intergenic_length: tuple[int, int] = (200, 1200)
    n_gaps: int = 6
    gap_length: tuple[int, int] = (1000, 10000)
    soft_mask_fraction: float = 0.15
    log10_base_mean: tuple[float, float] = (1.6, 1.0)
    up_log2fc: tuple[float, float] = (2.5, 4.0)
    not_de_log2fc_sd: float = 0.3
    dispersion_trend: tuple[float, float] = (1.0, 0.1)
    dispersion_scatter: float = 0.4
    size_factor_range: tuple[float, float] = (0.7, 1.4)
    fasta_line_width: int = 60

    def __post_init__(self) -> None:
        _require_int(self, "seed", 0)
        _require_int(self, "n_chromosomes", 3, 99)
        _require_int(self, "n_genes", 25 * self.n_chromosomes)
        _require_int(self, "n_is", 2)
        _require_int(self, "n_c", 2)
        for name in ("fraction_up", "fraction_down", "fraction_all_zero", "fraction_lncrna", "decoy_rate",
                     "fraction_sites_in_core", "min_site_relative_score", "cpg_island_fraction_protein_coding",
                     "cpg_island_fraction_lncrna"):
            _require_number(self, name, 0.0, 1.0)
        if self.fraction_up + self.fraction_down + self.fraction_all_zero > 0.9:
            _fail("fraction_up + fraction_down + fraction_all_zero", "a sum <= 0.9 (not-DE genes must remain)",
                  self.fraction_up + self.fraction_down + self.fraction_all_zero)
        _require_int(self, "promoter_length", 400, 20_000)
        widest = max(motif.width for motif in PLANTED_MOTIFS)
        if self.grammar not in GRAMMARS:
            _fail("grammar", f"one of {', '.join(GRAMMARS)}", self.grammar)
        _require_range(self, "pair_spacing", int, 0, self.promoter_length // 8)
        _require_range(self, "motif_copies", int, 1, 10)
        _require_range(self, "core_window", int, -self.promoter_length, -1)
        if self.core_window[1] - self.core_window[0] < widest * self.motif_copies[1] * 2:
            _fail("core_window", f"room for {self.motif_copies[1]} non-overlapping sites of {widest} bp",
                  self.core_window)
        _require_range(self, "cpg_island_length", int, 100, self.promoter_length)
        for name in ("background_gc", "island_gc"):
            _require_number(self, name, 0.2, 0.8)
        for name in ("background_cpg_oe", "island_cpg_oe"):
            _require_number(self, name, 0.05, 1.2)
        for gc_name, oe_name in (("background_gc", "background_cpg_oe"), ("island_gc", "island_cpg_oe")):
            if not _chain_is_valid(getattr(self, gc_name), getattr(self, oe_name)):
                _fail(f"{gc_name}/{oe_name}", "a GC and CpG o/e pair a dinucleotide Markov chain can reach",
                      (getattr(self, gc_name), getattr(self, oe_name)))
        _require_range(self, "gene_body_length", int, 100, 1_000_000)
        _require_range(self, "intergenic_length", int, 50, 1_000_000)
        _require_int(self, "n_gaps", 0, 10_000)
        _require_range(self, "gap_length", int, 1, 1_000_000)
        _require_number(self, "soft_mask_fraction", 0.0, 0.9)
        _require_pair(self, "log10_base_mean", (-1.0, 6.0), (0.0, 3.0))
        _require_range(self, "up_log2fc", float, 0.1, 15.0)
        _require_number(self, "not_de_log2fc_sd", 0.0, 1.0)
        _require_pair(self, "dispersion_trend", (0.0, 100.0), (1e-4, 10.0))
        _require_number(self, "dispersion_scatter", 0.0, 3.0)
        _require_range(self, "size_factor_range", float, 0.01, 100.0)
        _require_int(self, "fasta_line_width", 10, 10_000)

    @property
    def chromosome_names(self) -> tuple[str, ...]:
        """``chrS1`` .. ``chrS<n>``."""
        return tuple(f"chrS{index + 1}" for index in range(self.n_chromosomes))
