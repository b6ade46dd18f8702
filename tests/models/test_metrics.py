"""Training metrics of the direction and log2fc targets against sklearn / scipy on the same numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import pearsonr
from sklearn.metrics import average_precision_score, roc_auc_score

from sca_tf.models import AbsoluteLog2FCAUC, DEProbabilityAUC, Log2FCHuber, Log2FCPearson


def test_de_probability_auc_matches_sklearn_on_p_de() -> None:
    rng = np.random.default_rng(0)
    classes = rng.integers(0, 3, 200)
    logits = rng.normal(size=(200, 3)) + 1.5 * np.eye(3)[classes]
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    de = classes > 0
    roc = DEProbabilityAUC(curve="ROC", num_thresholds=2000)
    roc.update_state(classes.astype("float32"), probabilities.astype("float32"))
    assert float(roc.result()) == pytest.approx(roc_auc_score(de, 1 - probabilities[:, 0]), abs=2e-3)
    pr = DEProbabilityAUC(curve="PR", num_thresholds=2000)
    pr.update_state(classes.astype("float32"), probabilities.astype("float32"))
    assert float(pr.result()) == pytest.approx(average_precision_score(de, 1 - probabilities[:, 0]), abs=2e-2)
    assert DEProbabilityAUC.from_config(roc.get_config()).curve == roc.curve


def log2fc_labels(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(log2fc, de)`` labels and a noisy prediction of the fold change."""
    log2fc = rng.normal(scale=2.0, size=n)
    de = (np.abs(log2fc) > 2).astype(float)
    return np.stack([log2fc, de], axis=1).astype("float32"), (log2fc + rng.normal(size=n)).astype("float32")[:, None]


def test_log2fc_pearson_pools_every_batch_seen() -> None:
    labels, predicted = log2fc_labels(np.random.default_rng(0), 300)
    metric = Log2FCPearson()
    for start in range(0, 300, 64):  # uneven batches: a mean of batch correlations would differ
        metric.update_state(labels[start:start + 64], predicted[start:start + 64])
    assert float(metric.result()) == pytest.approx(pearsonr(labels[:, 0], predicted[:, 0]).statistic, abs=1e-5)
    metric.reset_state()
    metric.update_state(labels[:5], np.zeros((5, 1), "float32"))
    assert float(metric.result()) == 0.0  # a constant prediction has no correlation, not NaN


def test_absolute_log2fc_auc_ranks_the_predicted_effect_size() -> None:
    labels, predicted = log2fc_labels(np.random.default_rng(1), 400)
    roc = AbsoluteLog2FCAUC(curve="ROC", num_thresholds=2000)
    roc.update_state(labels, predicted)
    assert float(roc.result()) == pytest.approx(roc_auc_score(labels[:, 1], np.abs(predicted[:, 0])), abs=5e-3)
    assert float(roc.result()) > 0.8  # a sign error (ranking the signed value) would give ~0.5
    roc.reset_state()
    roc.update_state(labels, -predicted)
    assert float(roc.result()) > 0.8


def test_log2fc_huber_is_quadratic_near_the_truth_and_linear_far() -> None:
    loss = Log2FCHuber(delta=1.0)
    labels = np.array([[1.0, 0.0], [1.0, 1.0]], "float32")
    assert float(loss(labels, np.array([[1.5], [1.5]], "float32"))) == pytest.approx(0.125)
    assert float(loss(labels[:1], np.array([[5.0]], "float32"))) == pytest.approx(3.5)
    assert Log2FCHuber.from_config(Log2FCHuber(delta=2.0).get_config()).delta == 2.0
