"""Metrics of the ``log2fc`` target (a regression of DESeq2's log2 fold change) with percentile-bootstrap intervals.

``pearson`` / ``spearman`` correlate predicted and measured log2FC over the testable genes; ``abs_de_auroc`` /
``abs_de_auprc`` rank the genes by the predicted effect size ``|log2FC|`` against the DE call, so a regression is
comparable with the classifiers on the study's question; ``sign_agreement`` is the share of DE genes whose predicted
sign is the measured direction.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import average_precision_score, roc_auc_score

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.metrics import resampled_intervals

LOG2FC_METRICS = ("pearson", "spearman", "abs_de_auroc", "abs_de_auprc", "sign_agreement")


def log2fc_metrics(log2fc: Any, de: Any, predicted: Any) -> dict[str, float]:
    """:data:`LOG2FC_METRICS` of measured ``log2fc`` ``[n]``, DE labels ``[n]`` and predictions ``[n]``; NaN where
    undefined (a constant prediction has no correlation; one class has no AUROC).

    >>> metrics = log2fc_metrics([-3.0, -0.1, 0.2, 2.5], [1, 0, 0, 1], [-2.0, 0.1, 0.0, 1.0])
    >>> round(metrics["spearman"], 6), metrics["abs_de_auroc"], metrics["sign_agreement"]
    (0.8, 1.0, 1.0)
    """
    log2fc, de, predicted = _check(log2fc, de, predicted)
    constant = np.ptp(predicted) == 0 or np.ptp(log2fc) == 0
    both = np.unique(de).size == 2
    size = np.abs(predicted)
    return {
        "pearson": float("nan") if constant else float(pearsonr(log2fc, predicted).statistic),
        "spearman": float("nan") if constant else float(spearmanr(log2fc, predicted).statistic),
        "abs_de_auroc": float(roc_auc_score(de, size)) if both else float("nan"),
        "abs_de_auprc": float(average_precision_score(de, size)) if both else float("nan"),
        "sign_agreement": float(np.mean(np.sign(predicted[de == 1]) == np.sign(log2fc[de == 1])))
        if de.any() else float("nan"),
    }


def log2fc_intervals(log2fc: Any, de: Any, predicted: Any, n_resamples: int = 1000, confidence: float = 0.95,
                     seed: int = 0) -> dict[str, tuple[float, float]]:
    """Percentile-bootstrap intervals of :data:`LOG2FC_METRICS`, resampling genes with replacement."""
    log2fc, de, predicted = _check(log2fc, de, predicted)
    return resampled_intervals(lambda index: log2fc_metrics(log2fc[index], de[index], predicted[index]), de.size,
                               LOG2FC_METRICS, n_resamples, confidence, seed)


def _check(log2fc: Any, de: Any, predicted: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrays = [np.asarray(values, dtype=np.float64).ravel() for values in (log2fc, de, predicted)]
    if len({array.size for array in arrays}) != 1:
        raise ScaInputError(f"log2fc scores: log2fc, DE labels and predictions differ in length "
                            f"({', '.join(str(array.size) for array in arrays)})")
    if not all(np.isfinite(array).all() for array in arrays):
        raise ScaInputError("log2fc scores: every measured fold change, DE label and prediction must be finite")
    return arrays[0], arrays[1].astype(np.int64), arrays[2]
