"""The quality gate's thresholds: every limit a synthetic set must stay within, configurable and reported."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sca_tf.errors import ScaInputError, reject_unknown_keys

KMER_SIZES = (1, 2, 3, 4, 5, 6)


@dataclasses.dataclass(frozen=True)
class QualityThresholds:
    """The gates a synthetic set must pass to be used for augmentation (all configurable, all in the report).

    Attributes:
        kmer_k: k at which the k-mer gate is applied.
        max_kmer_jsd_ratio: JSD(synthetic, held-out positives) / JSD(shuffled positives, held-out positives)
            at ``kmer_k``: the synthetic spectrum must be this much closer than a composition-matched shuffle.
        max_gc_ks, max_cpg_ks: largest KS statistic of GC fraction / CpG o/e vs held-out positives.
        max_floor_ratio: the k-mer, GC and CpG gates also pass up to this multiple of the training positives' own
            figure against the held-out positives (the sampling floor at this many held-out sequences).
        copy_identity: identity to a training sequence at or above which a synthetic sequence counts as a copy.
        max_copy_fraction: largest share of copies allowed.
        max_discriminator_auroc: largest cross-validated AUROC of the real-vs-synthetic classifier.
        max_motif_mad_ratio: mean absolute difference of per-motif hit rates vs held-out positives, relative to the
            same figure for the training positives (the sampling floor at this many sequences).
        max_planted_rate_difference: largest absolute difference of a planted motif's hit rate vs the training
            positives (simulated data only).
        motif_relative_score: relative PWM score of a motif hit (0.85 = 85 % of the way from worst to best).
        motif_sequences: sequences per set scanned for motifs (a seeded subsample; scanning is the slow part).
    """

    kmer_k: int = 6
    max_kmer_jsd_ratio: float = 0.5
    max_gc_ks: float = 0.15
    max_cpg_ks: float = 0.15
    max_floor_ratio: float = 1.5
    copy_identity: float = 0.95
    max_copy_fraction: float = 0.01
    max_discriminator_auroc: float = 0.75
    max_motif_mad_ratio: float = 1.5
    max_planted_rate_difference: float = 0.10
    motif_relative_score: float = 0.85
    motif_sequences: int = 250

    def __post_init__(self) -> None:
        if self.kmer_k not in KMER_SIZES:
            raise ScaInputError(f"quality threshold kmer_k: expected one of {KMER_SIZES}, got {self.kmer_k!r}")
        for field in ("max_gc_ks", "max_cpg_ks", "copy_identity", "max_copy_fraction", "max_discriminator_auroc",
                      "max_planted_rate_difference", "motif_relative_score"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ScaInputError(f"quality threshold {field}: expected a number in [0, 1], got {value!r}")
        for field in ("max_kmer_jsd_ratio", "max_floor_ratio", "max_motif_mad_ratio"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ScaInputError(f"quality threshold {field}: expected a number > 0, got {value!r}")
        sequences = self.motif_sequences
        if isinstance(sequences, bool) or not isinstance(sequences, int) or sequences < 2:
            raise ScaInputError(f"quality threshold motif_sequences: expected an integer >= 2, got {sequences!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, where: str = "thresholds") -> QualityThresholds:
        """Thresholds from a mapping (e.g. a JSON config); unknown names raise ``ScaInputError`` listing the known."""
        known = sorted(field.name for field in dataclasses.fields(cls))
        reject_unknown_keys(values, known, f"{where}: unknown threshold(s)", expected="expected any of")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
