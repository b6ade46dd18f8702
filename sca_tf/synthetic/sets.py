"""The sets the quality gate compares, and the small statistics its sections share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import ks_2samp

from sca_tf.errors import ScaInputError

SYNTHETIC, TRAIN, HELDOUT, NEGATIVES, SHUFFLED = (
    "synthetic", "train_positives", "heldout_positives", "heldout_negatives", "shuffled_positives",
)


def common_length(sets: Mapping[str, Sequence[str]]) -> int:
    """The one length of every sequence of every (non-empty) set; ``ScaInputError`` naming the first of each."""
    lengths: dict[int, str] = {}
    for name, sequences in sets.items():
        if len(sequences) == 0:
            raise ScaInputError(f"{name}: no sequences")
        for index, sequence in enumerate(sequences, start=1):
            lengths.setdefault(len(sequence), f"{name} sequence {index}")
    if len(lengths) > 1:
        described = ", ".join(f"{length} bases ({where})" for length, where in lengths.items())
        raise ScaInputError(f"all sequences must have one length to be compared; found {described}")
    return next(iter(lengths))


def subsample(sequences: Sequence[str], size: int, rng: np.random.Generator) -> list[str]:
    """At most ``size`` of ``sequences``, drawn without replacement by ``rng``, in their original order."""
    if len(sequences) <= size:
        return list(sequences)
    return [sequences[i] for i in np.sort(rng.choice(len(sequences), size, replace=False))]


def summary(values: np.ndarray) -> dict[str, float]:
    """Mean, SD, median, 95th percentile and maximum."""
    return {"mean": float(np.mean(values)), "sd": float(np.std(values)), "median": float(np.median(values)),
            "p95": float(np.percentile(values, 95)), "max": float(np.max(values))}


def ks_test(first: np.ndarray, second: np.ndarray) -> dict[str, float]:
    """Two-sample Kolmogorov-Smirnov statistic and p-value."""
    result = ks_2samp(first, second)
    return {"statistic": float(result.statistic), "pvalue": float(result.pvalue)}


def pearson(first: np.ndarray, second: np.ndarray) -> float | None:
    """Pearson correlation, ``None`` where either side is constant."""
    if np.std(first) == 0 or np.std(second) == 0:
        return None
    return float(np.corrcoef(first, second)[0, 1])


def rounded(values: np.ndarray) -> list[float]:
    """Values rounded to 4 decimals, for the JSON report."""
    return [round(float(value), 4) for value in values]
