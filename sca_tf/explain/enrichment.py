"""Which JASPAR motifs sit in the high-attribution windows of predicted up / down genes more than of not-DE genes.

A gene *carries* a motif when any of its top windows (with ``flank`` bases either side) holds a hit of relative
score >= ``min_relative_score`` on either strand. For each tested group the table gives a one-sided
hypergeometric (Fisher) p-value for carrying the motif more often than the background group, the odds ratio
(with 0.5 added to each cell) and Benjamini-Hochberg q-values within the group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, hypergeom

from sca_tf.errors import ScaInputError
from sca_tf.motifs import pwm
from sca_tf.motifs.pwm import Motif
from sca_tf.motifs.scan import hit_counts
from sca_tf.schema import DE_STATUSES, NOT_DE

ENRICHMENT_COLUMNS = (
    "group", "rank", "matrix_id", "name", "tf_class", "tf_family", "consensus", "genes_with_hit", "genes",
    "background_with_hit", "background_genes", "fraction", "background_fraction", "odds_ratio", "pvalue", "qvalue",
)


def gene_motif_hits(
    regions: np.ndarray, gene_of_region: np.ndarray, n_genes: int, motifs: Sequence[Motif],
    min_relative_score: float = 0.85,
) -> np.ndarray:
    """``[n_genes, n_motifs]``: whether any region of the gene holds a hit of each motif.

    ``regions`` ``[n_regions, length, 4]`` are the windows with their flanks, ``gene_of_region`` the gene index of
    each (see :func:`sca_tf.motifs.scan.hit_counts`; motifs longer than the regions never hit).
    """
    hits = np.zeros((n_genes, len(motifs)), bool)
    np.logical_or.at(hits, gene_of_region, hit_counts(regions, motifs, min_relative_score) > 0)
    return hits


def motif_enrichment(
    hits: np.ndarray, groups: np.ndarray, motifs: Sequence[Motif], *,
    tested: Sequence[str] = DE_STATUSES, background: str = NOT_DE,
) -> pd.DataFrame:
    """The enrichment table (columns :data:`ENRICHMENT_COLUMNS`), best motifs first within each group."""
    groups = np.asarray(groups)
    in_background = groups == background
    if not in_background.any():
        raise ScaInputError(f"no {background!r} genes to compare with: cannot test motif enrichment")
    frames = []
    for group in tested:
        in_group = groups == group
        if not in_group.any():
            continue
        a, n1 = hits[in_group].sum(axis=0), int(in_group.sum())
        b, n0 = hits[in_background].sum(axis=0), int(in_background.sum())
        pvalues = hypergeom.sf(a - 1, n1 + n0, a + b, n1)
        frame = pd.DataFrame({
            "group": group,
            "matrix_id": [motif.matrix_id for motif in motifs],
            "name": [motif.name for motif in motifs],
            "tf_class": [motif.tf_class for motif in motifs],
            "tf_family": [motif.tf_family for motif in motifs],
            "consensus": [pwm.consensus(motif.pfm) for motif in motifs],
            "genes_with_hit": a, "genes": n1, "background_with_hit": b, "background_genes": n0,
            "fraction": a / n1, "background_fraction": b / n0,
            "odds_ratio": (a + 0.5) * (n0 - b + 0.5) / ((n1 - a + 0.5) * (b + 0.5)),
            "pvalue": pvalues, "qvalue": false_discovery_control(pvalues),
        })
        frame = frame.sort_values(["pvalue", "odds_ratio"], ascending=[True, False], ignore_index=True)
        frames.append(frame.assign(rank=np.arange(1, len(frame) + 1)))
    if not frames:
        raise ScaInputError(f"none of the groups {', '.join(tested)} has a gene: nothing to test")
    return pd.concat(frames, ignore_index=True)[list(ENRICHMENT_COLUMNS)]
