"""Threshold choice, metrics at a threshold and bootstrap confidence intervals for binary DE predictions.

The protocol: a decision threshold is chosen on the validation split (maximum F1), then applied once to the
test split, where every metric is reported at the natural prevalence with a percentile-bootstrap interval.
A score at or above the threshold predicts "DE" (scikit-learn's convention).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve

from sca_tf.errors import ScaInputError

METRIC_NAMES = ("accuracy", "precision", "recall", "f1", "auroc", "auprc")
"""Metrics reported for every model, in the paper's column order (AUC = AUROC) followed by AUPRC."""

MODEL_KINDS = ("model", "baseline", "confounder")


@dataclasses.dataclass(frozen=True)
class ModelEvaluation:
    """One row of the results table: a model's test metrics at the threshold chosen on validation.

    ``kind`` is ``model`` (a trained sequence model), ``baseline`` (a simple sequence baseline) or
    ``confounder`` (a non-sequence predictor such as expression level, shown for scale only).
    ``test_labels`` / ``test_scores`` are kept to draw ROC and PR curves; they are not part of :meth:`to_dict`.
    """

    name: str
    kind: str
    threshold: float
    metrics: Mapping[str, float]
    intervals: Mapping[str, tuple[float, float]]
    confusion: Mapping[str, int]
    prevalence: float
    n_test: int
    validation_f1: float
    bootstrap: Mapping[str, Any]
    test_labels: np.ndarray = dataclasses.field(repr=False)
    test_scores: np.ndarray = dataclasses.field(repr=False)
    note: str = ""
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (NaN becomes ``None``)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "note": self.note,
            "threshold": _finite_or_none(self.threshold),
            "validation_f1": _finite_or_none(self.validation_f1),
            "metrics": {key: _finite_or_none(value) for key, value in self.metrics.items()},
            "ci": {key: [_finite_or_none(low), _finite_or_none(high)] for key, (low, high) in self.intervals.items()},
            "confusion_matrix": dict(self.confusion),
            "prevalence": self.prevalence,
            "n_test": self.n_test,
            "bootstrap": dict(self.bootstrap),
            "details": dict(self.details),
        }


def prevalence(labels: Any) -> float:
    """Fraction of positive (DE) labels."""
    labels = as_binary_labels(labels, "labels")
    return float(labels.mean()) if labels.size else float("nan")


def max_f1_threshold(labels: Any, scores: Any) -> tuple[float, float]:
    """The score threshold with the highest F1 on (validation) ``labels``, and that F1.

    Candidates are the distinct scores; among equally good thresholds the lowest wins.
    """
    labels, scores = _check_pair(labels, scores, "validation")
    if not labels.any():
        raise ScaInputError("validation split has no positive (DE) labels: cannot choose a threshold by F1")
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    precision, recall = precision[:-1], recall[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    best = int(np.argmax(f1))
    return float(thresholds[best]), float(f1[best])


def confusion_counts(labels: Any, scores: Any, threshold: float) -> dict[str, int]:
    """True/false positives and negatives when ``scores >= threshold`` predicts DE."""
    labels, scores = _check_pair(labels, scores, "scored")
    predicted = scores >= threshold
    actual = labels.astype(bool)
    return {
        "tp": int(np.count_nonzero(predicted & actual)),
        "fp": int(np.count_nonzero(predicted & ~actual)),
        "tn": int(np.count_nonzero(~predicted & ~actual)),
        "fn": int(np.count_nonzero(~predicted & actual)),
    }


def metrics_at_threshold(labels: Any, scores: Any, threshold: float) -> dict[str, float]:
    """Accuracy, precision, recall and F1 at ``threshold``, and the threshold-free AUROC and AUPRC.

    AUPRC is average precision (the step-wise area, no interpolation). Undefined values are NaN: precision with
    no predicted positives, recall/AUROC/AUPRC without positive labels, AUROC with a single class.
    """
    labels, scores = _check_pair(labels, scores, "scored")
    return _metrics(labels, scores, threshold)


def bootstrap_intervals(
    labels: Any,
    scores: Any,
    threshold: float,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """Percentile-bootstrap intervals of :data:`METRIC_NAMES`, resampling examples with replacement.

    The threshold stays fixed (it was chosen on validation). Resamples where a metric is undefined are left
    out of that metric's interval. The same ``seed`` gives the same intervals.
    """
    labels, scores = _check_pair(labels, scores, "scored")
    return resampled_intervals(lambda index: _metrics(labels[index], scores[index], threshold), labels.size,
                               METRIC_NAMES, n_resamples, confidence, seed)


def resampled_intervals(
    metrics_of: Callable[[np.ndarray], Mapping[str, float]],
    n: int,
    names: Sequence[str],
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """Percentile-bootstrap intervals of ``names``: ``metrics_of(index)`` on ``n_resamples`` draws of ``n`` indices
    with replacement; NaN draws (undefined metrics) are left out of that metric's interval."""
    if n_resamples < 2:
        raise ScaInputError(f"n_resamples: expected at least 2 bootstrap resamples, got {n_resamples}")
    if not 0 < confidence < 1:
        raise ScaInputError(f"confidence: expected a level strictly between 0 and 1, got {confidence}")
    rng = np.random.default_rng(seed)
    draws = np.empty((n_resamples, len(names)))
    for row in range(n_resamples):
        values = metrics_of(rng.integers(0, n, n))
        draws[row] = [values[name] for name in names]
    tail = 100 * (1 - confidence) / 2
    intervals = {}
    for column, name in enumerate(names):
        defined = draws[:, column][~np.isnan(draws[:, column])]
        low, high = np.percentile(defined, [tail, 100 - tail]) if defined.size else (np.nan, np.nan)
        intervals[name] = (float(low), float(high))
    return intervals


def evaluate_scores(
    name: str,
    validation_labels: Any,
    validation_scores: Any,
    test_labels: Any,
    test_scores: Any,
    *,
    kind: str = "model",
    note: str = "",
    details: Mapping[str, Any] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> ModelEvaluation:
    """Choose the max-F1 threshold on validation, apply it to test, and collect metrics, CIs and counts."""
    if kind not in MODEL_KINDS:
        raise ScaInputError(f"{name}: kind must be one of {', '.join(MODEL_KINDS)}, got {kind!r}")
    validation = _check_pair(validation_labels, validation_scores, f"{name} validation")
    threshold, validation_f1 = max_f1_threshold(*validation)
    labels, scores = _check_pair(test_labels, test_scores, f"{name} test")
    return ModelEvaluation(
        name=name,
        kind=kind,
        threshold=threshold,
        metrics=_metrics(labels, scores, threshold),
        intervals=bootstrap_intervals(labels, scores, threshold, n_resamples, confidence, seed),
        confusion=confusion_counts(labels, scores, threshold),
        prevalence=prevalence(labels),
        n_test=int(labels.size),
        validation_f1=validation_f1,
        bootstrap={"n_resamples": n_resamples, "confidence": confidence, "seed": seed, "method": "percentile"},
        test_labels=labels,
        test_scores=scores,
        note=note,
        details=dict(details or {}),
    )


def _metrics(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float]:
    predicted = scores >= threshold
    actual = labels.astype(bool)
    tp = np.count_nonzero(predicted & actual)
    fp = np.count_nonzero(predicted & ~actual)
    fn = np.count_nonzero(~predicted & actual)
    auroc, auprc = _ranking_metrics(labels, scores)
    return {
        "accuracy": float(np.count_nonzero(predicted == actual) / labels.size),
        "precision": float(tp / (tp + fp)) if tp + fp else float("nan"),
        "recall": float(tp / (tp + fn)) if tp + fn else float("nan"),
        "f1": float(2 * tp / (2 * tp + fp + fn)) if tp + fp + fn else float("nan"),
        "auroc": auroc,
        "auprc": auprc,
    }


def _ranking_metrics(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """AUROC (trapezoidal) and average precision from one sort; equal to scikit-learn's, ties included.

    Written out because the bootstrap calls it thousands of times and scikit-learn's input checks dominate.
    """
    order = np.argsort(-scores, kind="stable")
    ranked_scores, ranked_labels = scores[order], labels[order]
    group_ends = np.r_[np.flatnonzero(np.diff(ranked_scores)), ranked_scores.size - 1]
    true_positives = np.cumsum(ranked_labels, dtype=np.int64)[group_ends]
    false_positives = group_ends + 1 - true_positives
    n_positive, n_negative = true_positives[-1], false_positives[-1]
    if n_positive == 0:
        return float("nan"), float("nan")
    recall = np.r_[0.0, true_positives / n_positive]
    average_precision = float(np.sum(np.diff(recall) * true_positives / (group_ends + 1)))
    if n_negative == 0:
        return float("nan"), average_precision
    auroc = float(np.trapezoid(recall, np.r_[0.0, false_positives / n_negative]))
    return auroc, average_precision


def as_binary_labels(labels: Any, what: str) -> np.ndarray:
    """``labels`` as a flat int8 array of 0/1; ``ScaInputError`` naming ``what`` and the first bad value."""
    array = np.asarray(labels).ravel()
    if array.size and not np.isin(array, (0, 1)).all():
        bad = array[~np.isin(array, (0, 1))][0].item()
        raise ScaInputError(f"{what}: labels must be 0 (not DE) or 1 (DE), found {bad!r}")
    return array.astype(np.int8)


def _check_pair(labels: Any, scores: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    labels = as_binary_labels(labels, f"{what} labels")
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if labels.size != scores.size:
        raise ScaInputError(f"{what}: {labels.size} labels but {scores.size} scores")
    if labels.size == 0:
        raise ScaInputError(f"{what}: no examples to score")
    if not np.isfinite(scores).all():
        raise ScaInputError(f"{what}: {np.count_nonzero(~np.isfinite(scores))} scores are NaN or infinite")
    return labels, scores


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
