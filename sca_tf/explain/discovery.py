"""De novo motifs from high-attribution windows: enriched k-mer seeds refined into frequency matrices.

A simplified STREME-like loop, enough to recover the few strong motifs a promoter model relies on:

1. count, for every k-mer (a k-mer and its reverse complement count as one), the foreground and background
   windows that contain it, and take the most enriched one (one-sided hypergeometric test) as a seed;
2. turn the seed into a matrix (flanked by uniform columns), then repeatedly align the best hit of every
   foreground window (both strands, relative score >= ``min_relative_score``) and average those sites;
3. trim uninformative edges, count the windows of either set holding a hit, set those windows aside, repeat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import hypergeom

from sca_tf.explain.windows import window_regions
from sca_tf.motifs import pwm
from sca_tf.motifs.scan import best_hits, is_hit
from sca_tf.sequence import ALPHABET, reverse_complement, reverse_complement_one_hot

_SEED_MATCH = 0.85  # a seed base's frequency in the initial matrix (one mismatch still reaches 0.8)


@dataclass(frozen=True)
class DiscoveredMotif:
    """A motif found in the foreground windows of ``group``, with how often it occurs in either window set."""

    group: str
    seed: str
    seed_pvalue: float
    pfm: np.ndarray
    n_sites: int
    foreground_hits: int
    foreground_windows: int
    background_hits: int
    background_windows: int

    @property
    def consensus(self) -> str:
        return pwm.consensus(self.pfm)


def discover_motifs(
    one_hot: np.ndarray,
    sequences: Sequence[str],
    foreground: pd.DataFrame,
    background: pd.DataFrame,
    *,
    group: str,
    k: int = 6,
    n_motifs: int = 3,
    flank: int = 5,
    min_sites: int = 5,
    max_pvalue: float = 1e-3,
    min_relative_score: float = 0.8,
    refinements: int = 3,
) -> list[DiscoveredMotif]:
    """Up to ``n_motifs`` motifs enriched in the ``foreground`` windows relative to the ``background`` ones.

    ``one_hot`` ``[n, length, 4]`` and ``sequences`` are the promoters; the window tables come from
    :func:`sca_tf.explain.windows.top_windows`. Stops early when no k-mer seed reaches ``max_pvalue`` with at
    least ``min_sites`` foreground windows.
    """
    fg_regions, bg_regions = window_regions(one_hot, foreground, flank), window_regions(one_hot, background, flank)
    fg_kmers, bg_kmers = _window_kmers(sequences, foreground, k), _window_kmers(sequences, background, k)
    fg_active, bg_active = np.ones(len(foreground), bool), np.ones(len(background), bool)
    motifs: list[DiscoveredMotif] = []
    while len(motifs) < n_motifs:
        seed = _best_seed(fg_kmers, bg_kmers, fg_active, bg_active, min_sites)
        if seed is None or seed[1] > max_pvalue:
            break
        matrix = _seed_matrix(seed[0], flank)
        for _ in range(refinements):
            sites = _aligned_sites(fg_regions[fg_active], matrix, min_relative_score)
            if len(sites) < min_sites:
                break
            matrix = pwm.frequencies(sites.sum(axis=0))
        matrix = pwm.trim(matrix)
        weights = pwm.log_odds(matrix)
        fg_hit = is_hit(best_hits(fg_regions, weights)[0], min_relative_score, weights)
        bg_hit = is_hit(best_hits(bg_regions, weights)[0], min_relative_score, weights)
        motifs.append(DiscoveredMotif(
            group=group, seed=seed[0], seed_pvalue=seed[1], pfm=matrix,
            n_sites=int((fg_hit & fg_active).sum()),
            foreground_hits=int(fg_hit.sum()), foreground_windows=len(foreground),
            background_hits=int(bg_hit.sum()), background_windows=len(background),
        ))
        fg_active &= ~fg_hit
        bg_active &= ~bg_hit
    return motifs


def _canonical(kmer: str) -> str:
    return min(kmer, reverse_complement(kmer))


def _window_kmers(sequences: Sequence[str], windows: pd.DataFrame, k: int) -> list[set[str]]:
    """The canonical k-mers without ``N`` present in each window."""
    found = []
    for index, start, end in windows[["sequence_index", "start", "end"]].itertuples(index=False):
        text = sequences[index][start:end]
        found.append({_canonical(text[i:i + k]) for i in range(len(text) - k + 1) if "N" not in text[i:i + k]})
    return found


def _best_seed(fg_kmers: list[set[str]], bg_kmers: list[set[str]], fg_active: np.ndarray, bg_active: np.ndarray,
               min_sites: int) -> tuple[str, float] | None:
    fg_counts = Counter(kmer for kmers, active in zip(fg_kmers, fg_active) if active for kmer in kmers)
    bg_counts = Counter(kmer for kmers, active in zip(bg_kmers, bg_active) if active for kmer in kmers)
    candidates = [kmer for kmer, count in fg_counts.items() if count >= min_sites]
    if not candidates:
        return None
    in_fg = np.array([fg_counts[kmer] for kmer in candidates])
    in_bg = np.array([bg_counts[kmer] for kmer in candidates])
    n_fg, n_bg = int(fg_active.sum()), int(bg_active.sum())
    pvalues = hypergeom.sf(in_fg - 1, n_fg + n_bg, in_fg + in_bg, n_fg)
    best = int(np.lexsort((-in_fg, pvalues))[0])  # smallest p-value, then most foreground windows
    return candidates[best], float(pvalues[best])


def _seed_matrix(seed: str, flank: int) -> np.ndarray:
    core = np.full((len(seed), 4), (1 - _SEED_MATCH) / 3)
    core[np.arange(len(seed)), [ALPHABET.index(base) for base in seed]] = _SEED_MATCH
    uniform = np.full((flank, 4), 0.25)
    return np.concatenate([uniform, core, uniform])


def _aligned_sites(regions: np.ndarray, matrix: np.ndarray, min_relative_score: float) -> np.ndarray:
    """One-hot ``[sites, width, 4]`` of each region's best hit, read on the matrix's strand."""
    width = len(matrix)
    weights = pwm.log_odds(matrix)
    score, start, strand = best_hits(regions, weights)
    keep = np.flatnonzero(is_hit(score, min_relative_score, weights))
    sites = np.stack([regions[i, start[i]:start[i] + width] for i in keep]) if keep.size else np.zeros((0, width, 4))
    reverse = strand[keep] == 1
    sites[reverse] = reverse_complement_one_hot(sites[reverse])
    return sites
