"""Planted sites: which motif copies each gene carries, where in its promoter, on which strand, with what bases."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sca_tf.motifs.planted import DOWN_MOTIF, PLANTED_MOTIFS, UP_MOTIF, PlantedMotif
from sca_tf.sequence import decode_bases, reverse_complement
from sca_tf.simulate.config import SimulationConfig


@dataclass(frozen=True)
class Site:
    """One planted motif instance: ``site`` in motif orientation, its 5'-most transcript offset and strand."""

    motif: PlantedMotif
    offset: int
    strand: str
    site: str

    @property
    def transcript_sequence(self) -> str:
        """The site as read 5'->3' on the gene's strand."""
        return self.site if self.strand == "+" else reverse_complement(self.site)


def _sample_site(motif: PlantedMotif, config: SimulationConfig, rng: np.random.Generator) -> str:
    """A site drawn position by position from the PFM, redrawn until its relative score is high enough."""
    cumulative = np.cumsum(np.asarray(motif.pfm), axis=1)[:, :3]
    while True:
        codes = (rng.random(motif.width)[:, None] >= cumulative).sum(axis=1)
        site = decode_bases(codes)
        if motif.relative_score(site) >= config.min_site_relative_score:
            return site


def _draw_offset(motif: PlantedMotif, config: SimulationConfig, rng: np.random.Generator) -> int:
    """5'-most offset of a site: mostly inside ``core_window``, otherwise anywhere in the promoter."""
    if rng.random() < config.fraction_sites_in_core:
        low, high = config.core_window[0], config.core_window[1] - motif.width
    else:
        low, high = -config.promoter_length, -motif.width
    return int(rng.integers(low, high + 1))


#: Share of not-DE promoters that carry both planted motifs far apart under the ``pair`` grammar.
SPLIT_PAIR_RATE = 0.5


def _site(motif: PlantedMotif, offset: int, config: SimulationConfig, rng: np.random.Generator) -> Site:
    return Site(motif, offset, "+" if rng.random() < 0.5 else "-", _sample_site(motif, config, rng))


def _plan_pair(status: str, config: SimulationConfig, rng: np.random.Generator) -> list[Site]:
    """``pair`` grammar: both motifs ``pair_spacing`` apart (DE), far apart (some not-DE) or absent."""
    first, second = PLANTED_MOTIFS if rng.random() < 0.5 else PLANTED_MOTIFS[::-1]
    de = status in ("up", "down")
    if not de and rng.random() >= SPLIT_PAIR_RATE:
        return []
    low, high = config.pair_spacing
    while True:
        offset = _draw_offset(first, config, rng)
        if de:
            second_offset = offset + first.width + int(rng.integers(low, high + 1))
        else:
            second_offset = int(rng.integers(-config.promoter_length, -second.width + 1))
            if abs(second_offset - offset) < 2 * high + first.width + second.width:
                continue
        if second_offset <= -second.width:
            return sorted([_site(first, offset, config, rng), _site(second, second_offset, config, rng)],
                          key=lambda site: site.offset)


def plan_sites(genes: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> list[list[Site]]:
    """Sites per gene, none off-edge: under the ``copies`` grammar class motif copies for DE genes and independent
    decoys for not-DE genes; under ``pair`` see :func:`_plan_pair`."""
    plan: list[list[Site]] = []
    for status, off_edge in zip(genes["status"], genes["off_edge"], strict=True):
        if config.grammar == "pair":
            plan.append([] if off_edge else _plan_pair(status, config, rng))
            continue
        wanted: list[PlantedMotif] = []
        if status in ("up", "down") and not off_edge:
            copies = int(rng.integers(config.motif_copies[0], config.motif_copies[1] + 1))
            wanted = [UP_MOTIF if status == "up" else DOWN_MOTIF] * copies
        elif not off_edge:
            wanted = [motif for motif in PLANTED_MOTIFS if rng.random() < config.decoy_rate]
        sites: list[Site] = []
        for motif in wanted:
            offset = _draw_offset(motif, config, rng)
            while any(offset < other.offset + other.motif.width and other.offset < offset + motif.width
                      for other in sites):
                offset = _draw_offset(motif, config, rng)
            sites.append(_site(motif, offset, config, rng))
        plan.append(sorted(sites, key=lambda site: site.offset))
    return plan
