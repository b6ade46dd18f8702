"""Metrics of the ``direction`` target (softmax over not_de / up / down) with percentile-bootstrap intervals.

``macro_auroc`` is the one-vs-rest AUROC averaged over the three classes; ``auprc_<class>`` each class's average
precision against the rest; ``up_vs_down_auroc`` ranks the DE genes only, by P(up) / (P(up) + P(down)), so it
says whether a model tells the direction apart once a gene is DE; ``de_auroc`` scores 1 - P(not_de) for DE.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.metrics import resampled_intervals
from sca_tf.schema import DIRECTION_CLASSES, DOWN, NOT_DE, UP

DIRECTION_METRICS = ("macro_auroc", *(f"auprc_{name}" for name in DIRECTION_CLASSES), "up_vs_down_auroc",
                     "de_auroc")
_UP, _DOWN, _NOT_DE = (DIRECTION_CLASSES.index(name) for name in (UP, DOWN, NOT_DE))


def direction_metrics(classes: Any, probabilities: Any) -> dict[str, float]:
    """:data:`DIRECTION_METRICS` of class codes ``[n]`` (0-2) and probabilities ``[n, 3]``; NaN where undefined."""
    classes, probabilities = _check(classes, probabilities)
    present = np.unique(classes)
    values = {"macro_auroc": float("nan")}
    if present.size == len(DIRECTION_CLASSES):
        values["macro_auroc"] = float(np.mean([roc_auc_score(classes == k, probabilities[:, k])
                                               for k in range(len(DIRECTION_CLASSES))]))
    for k, name in enumerate(DIRECTION_CLASSES):
        values[f"auprc_{name}"] = (float(average_precision_score(classes == k, probabilities[:, k]))
                                   if k in present else float("nan"))
    de = classes != _NOT_DE
    up_share = probabilities[de, _UP] / np.maximum(probabilities[de, _UP] + probabilities[de, _DOWN], 1e-12)
    values["up_vs_down_auroc"] = _auroc(classes[de] == _UP, up_share)
    values["de_auroc"] = _auroc(de, 1.0 - probabilities[:, _NOT_DE])
    return values


def direction_intervals(classes: Any, probabilities: Any, n_resamples: int = 1000, confidence: float = 0.95,
                        seed: int = 0) -> dict[str, tuple[float, float]]:
    """Percentile-bootstrap intervals of :data:`DIRECTION_METRICS`, resampling genes with replacement."""
    classes, probabilities = _check(classes, probabilities)
    return resampled_intervals(lambda index: direction_metrics(classes[index], probabilities[index]), classes.size,
                               DIRECTION_METRICS, n_resamples, confidence, seed)


def _auroc(labels: np.ndarray, scores: np.ndarray) -> float:
    return float(roc_auc_score(labels, scores)) if np.unique(labels).size == 2 else float("nan")


def _check(classes: Any, probabilities: Any) -> tuple[np.ndarray, np.ndarray]:
    classes = np.asarray(classes, dtype=np.int64).ravel()
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (classes.size, len(DIRECTION_CLASSES)):
        raise ScaInputError(f"direction scores: expected [{classes.size}, {len(DIRECTION_CLASSES)}] probabilities, "
                            f"got {list(probabilities.shape)}")
    if classes.size and (classes.min() < 0 or classes.max() >= len(DIRECTION_CLASSES)):
        raise ScaInputError(f"direction classes must be 0-{len(DIRECTION_CLASSES) - 1} ({', '.join(DIRECTION_CLASSES)})")
    return classes, probabilities
