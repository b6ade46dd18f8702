"""The gate's motif checks: JASPAR hit rates per motif, and the planted motifs' hit rates on simulated data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sca_tf.motifs.jaspar import JASPAR_RELEASE, load_jaspar
from sca_tf.motifs.pwm import Motif
from sca_tf.motifs.scan import scan_motifs
from sca_tf.synthetic.sets import HELDOUT, NEGATIVES, SYNTHETIC, TRAIN, pearson, subsample
from sca_tf.synthetic.thresholds import QualityThresholds


def motif_section(sets: dict[str, list[str]], motifs: Sequence[Motif] | None,
                  thresholds: QualityThresholds, rng: np.random.Generator) -> dict[str, Any]:
    """Per-motif hit rates of a seeded subsample of every set; ``motifs`` defaults to JASPAR CORE vertebrates of
    the pinned release, recorded as ``jaspar_release`` (``None`` for other motifs)."""
    source, release = "custom", None
    if motifs is None:
        motifs, release = load_jaspar(JASPAR_RELEASE), JASPAR_RELEASE
        source = f"{release} CORE vertebrates (pyjaspar)"
    rates = {}
    for name, sequences in sets.items():
        sample = subsample(sequences, thresholds.motif_sequences, rng)
        rates[name] = scan_motifs(sample, motifs, relative_score=thresholds.motif_relative_score).hit_fraction
    synthetic, heldout = rates[SYNTHETIC], rates[HELDOUT]
    return {
        "source": source,
        "jaspar_release": release,
        "relative_score": thresholds.motif_relative_score,
        "n_motifs": len(motifs),
        "sequences_scanned_per_set": {name: min(len(s), thresholds.motif_sequences) for name, s in sets.items()},
        "mad_vs_heldout_positives": {name: float(np.mean(np.abs(rates[name] - heldout)))
                                     for name in (SYNTHETIC, TRAIN, NEGATIVES)},
        "pearson_vs_heldout_positives": {name: pearson(rates[name], heldout)
                                         for name in (SYNTHETIC, TRAIN, NEGATIVES)},
        "per_motif": [
            {"matrix_id": motif.matrix_id, "name": motif.name,
             **{name: round(float(values[i]), 4) for name, values in rates.items()}}
            for i, motif in enumerate(motifs)
        ],
        "largest_differences": [
            {"matrix_id": motifs[i].matrix_id, "name": motifs[i].name, "synthetic": float(synthetic[i]),
             "heldout_positives": float(heldout[i])}
            for i in np.argsort(-np.abs(synthetic - heldout))[:10]
        ],
    }


def planted_section(sets: dict[str, list[str]], planted: Sequence[Motif],
                    thresholds: QualityThresholds) -> dict[str, Any]:
    """Hit rates of the planted motifs in every whole set, and the synthetic set's difference to the training one."""
    scans = {name: scan_motifs(sets[name], planted, relative_score=thresholds.motif_relative_score).hit_fraction
             for name in (SYNTHETIC, TRAIN, HELDOUT, NEGATIVES)}
    return {
        "relative_score": thresholds.motif_relative_score,
        "per_motif": [
            {"matrix_id": motif.matrix_id, "name": motif.name,
             **{name: float(scans[name][i]) for name in scans},
             "difference_vs_train": float(scans[SYNTHETIC][i] - scans[TRAIN][i])}
            for i, motif in enumerate(planted)
        ],
    }
