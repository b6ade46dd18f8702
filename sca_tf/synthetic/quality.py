"""Quality gate for generated promoters: are they like real positives, new, and usable for augmentation?

:func:`assess` compares a synthetic set with the real training positives (what the generator saw) and with
held-out real positives (what it should generalise to), and puts every figure beside reference points that give
it a scale:

* **k-mer spectra** (k = 1..6): Jensen-Shannon divergence (bits) of the pooled k-mer frequencies. References:
  the real training positives themselves (sampling floor), the real positives with each sequence's bases
  shuffled (composition kept, order destroyed) and real held-out negatives (the other class).
* **composition**: GC fraction and CpG observed/expected per sequence; two-sample Kolmogorov-Smirnov statistic.

The k-mer, GC and CpG gates have an absolute limit and a sampling floor: a set also passes when it is within
``max_floor_ratio`` of the training positives' own figure against the same held-out positives. With few held-out
positives (e.g. 32 of 300 bp) the figures of real positives themselves exceed the absolute limits (KS noise
alone is ~0.2), and a gate that rejects real data measures the held-out set's size, not the generator.
* **memorisation**: each synthetic sequence's highest position-by-position identity to any training sequence
  (ungapped; all sequences share the window, so a copied promoter would sit at the same offsets). Reference:
  the same figure for held-out real positives.
* **discriminability**: cross-validated AUROC of a small logistic-regression classifier (k-mer frequencies up to
  k = 4, GC and CpG o/e, GC in 10 bins along the sequence) trained to tell synthetic from held-out real
  positives (0.5: indistinguishable). Reference: training vs held-out real positives.
* **motif content**: share of sequences with a JASPAR (CORE vertebrates) motif hit, per motif; mean absolute
  difference (MAD) between synthetic and held-out positives. Reference: training vs held-out positives, the
  sampling floor; the gate is the ratio of the two.
* **planted motifs** (simulated data, optional): hit rates of the motifs planted by ``sca-tf simulate`` in the
  synthetic set vs the training positives.

Each gate in :class:`QualityThresholds` gives ``passed`` true or false; a synthetic set is meant for augmentation
only when every check passes (``report["passed"]``).

>>> report = assess(synthetic, train_pos, heldout_pos, heldout_neg, QualityThresholds())  # doctest: +SKIP
>>> write_quality_report(report, "out/quality")  # doctest: +SKIP

The gate's parts: :mod:`~sca_tf.synthetic.thresholds`, :mod:`~sca_tf.synthetic.composition` (k-mers, GC, CpG),
:mod:`~sca_tf.synthetic.memorisation` (copies, discriminability), :mod:`~sca_tf.synthetic.motif_content` and
:mod:`~sca_tf.synthetic.report` (``quality.json`` and plots).

>>> report = assess(synthetic, train_pos, heldout_pos, heldout_neg, QualityThresholds())  # doctest: +SKIP
>>> write_quality_report(report, "out/quality")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from sca_tf.motifs.pwm import Motif
from sca_tf.synthetic.composition import composition_section, kmer_section, shuffle_sequences
from sca_tf.synthetic.memorisation import discriminability_section, memorisation_section
from sca_tf.synthetic.motif_content import motif_section, planted_section
from sca_tf.synthetic.report import write_quality_report
from sca_tf.synthetic.sets import HELDOUT, NEGATIVES, SHUFFLED, SYNTHETIC, TRAIN, common_length, subsample
from sca_tf.synthetic.thresholds import KMER_SIZES, QualityThresholds

__all__ = ["QualityThresholds", "assess", "write_quality_report"]


def assess(
    synthetic: Sequence[str],
    train_positives: Sequence[str],
    heldout_positives: Sequence[str],
    heldout_negatives: Sequence[str],
    thresholds: QualityThresholds | None = None,
    *,
    motifs: Sequence[Motif] | None = None,
    planted_motifs: Sequence[Motif] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Compare ``synthetic`` with the real sets and apply ``thresholds``; return the JSON-ready report.

    All sets must be non-empty ``ACGTN`` strings of one length. ``motifs`` defaults to JASPAR CORE vertebrates of
    the pinned :data:`~sca_tf.motifs.jaspar.JASPAR_RELEASE` (pyjaspar); ``planted_motifs`` (e.g.
    :func:`sca_tf.motifs.planted.planted_motifs` on data from ``sca-tf simulate``) adds the planted-rate check.
    ``seed`` fixes every subsample, shuffle and CV split.
    """
    thresholds = thresholds or QualityThresholds()
    sets = {SYNTHETIC: list(synthetic), TRAIN: list(train_positives), HELDOUT: list(heldout_positives),
            NEGATIVES: list(heldout_negatives)}
    length = common_length(sets)
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    size = len(sets[SYNTHETIC])
    matched = {name: subsample(values, size, rng) for name, values in sets.items() if name != SYNTHETIC}
    matched[SHUFFLED] = shuffle_sequences(matched[TRAIN], seed)
    matched[SYNTHETIC] = sets[SYNTHETIC]

    report: dict[str, Any] = {
        "sizes": {name: len(values) for name, values in sets.items()},
        "sequence_length": length,
        "seed": seed,
        "thresholds": thresholds.to_dict(),
        "kmer_jsd": kmer_section(matched, shuffled_heldout=shuffle_sequences(matched[HELDOUT], seed + 1)),
        "composition": composition_section(sets, matched[SHUFFLED]),
        "memorisation": memorisation_section(sets, thresholds.copy_identity),
        "discriminability": discriminability_section(sets, seed),
    }
    report["motifs"] = motif_section(sets, motifs, thresholds, rng)
    if planted_motifs:
        report["planted_motifs"] = planted_section(sets, planted_motifs, thresholds)
    report["checks"] = _checks(report, thresholds)
    report["passed"] = all(check["passed"] for check in report["checks"])
    report["seconds"] = round(time.perf_counter() - began, 2)
    return report


def _checks(report: dict[str, Any], thresholds: QualityThresholds) -> list[dict[str, Any]]:
    k_index = KMER_SIZES.index(thresholds.kmer_k)
    jsd = report["kmer_jsd"]["vs_heldout_positives"]
    motif_mad = report["motifs"]["mad_vs_heldout_positives"]
    shuffled_jsd = jsd[SHUFFLED][k_index]
    ks = {feature: report["composition"][feature]["ks_vs_heldout_positives"] for feature in ("gc", "cpg_oe")}
    factor = thresholds.max_floor_ratio
    checks = [
        _floored_check(f"kmer_jsd_ratio_k{thresholds.kmer_k}", _ratio(jsd[SYNTHETIC][k_index], shuffled_jsd),
                       thresholds.max_kmer_jsd_ratio, _ratio(jsd[TRAIN][k_index], shuffled_jsd), factor,
                       "k-mer JSD to held-out positives, relative to a composition-matched shuffle"),
        _floored_check("gc_ks", ks["gc"][SYNTHETIC]["statistic"], thresholds.max_gc_ks, ks["gc"][TRAIN]["statistic"],
                       factor, "KS statistic of GC fraction vs held-out positives"),
        _floored_check("cpg_oe_ks", ks["cpg_oe"][SYNTHETIC]["statistic"], thresholds.max_cpg_ks,
                       ks["cpg_oe"][TRAIN]["statistic"], factor, "KS statistic of CpG o/e vs held-out positives"),
        _check("copy_fraction", report["memorisation"]["synthetic"]["copy_fraction"], thresholds.max_copy_fraction,
               f"share of synthetic sequences >= {thresholds.copy_identity:.0%} identical to a training sequence"),
        _check("discriminator_auroc", report["discriminability"]["synthetic_vs_heldout_positives"],
               thresholds.max_discriminator_auroc, "AUROC of a real-vs-synthetic classifier (0.5 = indistinguishable)"),
        _check("motif_mad_ratio", _ratio(motif_mad[SYNTHETIC], motif_mad[TRAIN]), thresholds.max_motif_mad_ratio,
               "per-motif hit-rate difference to held-out positives, relative to the training positives' difference"),
    ]
    for motif in report.get("planted_motifs", {}).get("per_motif", []):
        checks.append(_check(f"planted_{motif['name']}_rate_difference", abs(motif["difference_vs_train"]),
                             thresholds.max_planted_rate_difference,
                             f"|hit rate of planted motif {motif['name']} - its rate in training positives|"))
    return checks


def _ratio(value: float, reference: float) -> float:
    """``value / reference``; 0 when both are 0, infinite when only the reference is."""
    if reference > 0:
        return value / reference
    return 0.0 if value == 0 else math.inf


def _check(name: str, value: float, threshold: float, description: str) -> dict[str, Any]:
    return {"name": name, "value": float(value), "threshold": float(threshold), "passed": bool(value <= threshold),
            "description": description}


def _floored_check(name: str, value: float, absolute: float, floor: float, factor: float,
                   description: str) -> dict[str, Any]:
    """A check whose limit is the larger of ``absolute`` and ``factor`` x the real training positives' ``floor``."""
    check = _check(name, value, max(absolute, factor * floor),
                   f"{description} (limit: the larger of {absolute:g} and {factor:g} x the training positives' "
                   f"own figure)")
    return {**check, "absolute_threshold": float(absolute), "training_positives_value": float(floor)}
