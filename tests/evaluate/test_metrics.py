"""Metrics against scikit-learn, validation-chosen thresholds and bootstrap CIs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.metrics import (
    bootstrap_intervals,
    confusion_counts,
    evaluate_scores,
    max_f1_threshold,
    metrics_at_threshold,
)

LABELS = np.array([0, 0, 1, 1, 1, 0, 1, 0])
SCORES = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.6])


def test_metrics_match_hand_counts_and_scikit_learn() -> None:
    metrics = metrics_at_threshold(LABELS, SCORES, threshold=0.5)
    predicted = (SCORES >= 0.5).astype(int)

    assert confusion_counts(LABELS, SCORES, 0.5) == {"tp": 3, "fp": 1, "tn": 3, "fn": 1}
    assert metrics["accuracy"] == 0.75 == accuracy_score(LABELS, predicted)
    assert metrics["precision"] == 0.75 == precision_score(LABELS, predicted)
    assert metrics["recall"] == 0.75 == recall_score(LABELS, predicted)
    assert metrics["f1"] == pytest.approx(f1_score(LABELS, predicted))
    assert metrics["auroc"] == pytest.approx(14 / 16) == roc_auc_score(LABELS, SCORES)
    assert metrics["auprc"] == pytest.approx(average_precision_score(LABELS, SCORES))


@pytest.mark.parametrize("seed", range(5))
def test_ranking_metrics_equal_scikit_learn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 300)
    scores = rng.integers(0, 7, 300) / 6  # many ties
    metrics = metrics_at_threshold(labels, scores, 0.5)
    assert metrics["auroc"] == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert metrics["auprc"] == pytest.approx(average_precision_score(labels, scores), abs=1e-12)


def test_undefined_metrics_are_nan_not_zero() -> None:
    metrics = metrics_at_threshold([0, 0, 1], [0.1, 0.2, 0.3], threshold=0.9)
    assert np.isnan(metrics["precision"])
    assert metrics["recall"] == 0.0
    assert np.isnan(metrics_at_threshold([0, 0], [0.1, 0.2], 0.5)["auroc"])


def test_threshold_maximises_f1_on_validation() -> None:
    labels, scores = np.array([0, 1, 1, 0, 1]), np.array([0.2, 0.3, 0.6, 0.7, 0.9])
    threshold, f1 = max_f1_threshold(labels, scores)
    assert threshold == 0.3
    assert f1 == pytest.approx(6 / 7)

    rng = np.random.default_rng(0)
    labels, scores = rng.integers(0, 2, 200), rng.random(200)
    threshold, f1 = max_f1_threshold(labels, scores)
    brute_force = max(f1_score(labels, scores >= t) for t in np.unique(scores))
    assert f1 == pytest.approx(brute_force)
    assert f1_score(labels, scores >= threshold) == pytest.approx(brute_force)


def test_test_split_is_scored_at_the_validation_threshold() -> None:
    validation_labels, validation_scores = [0, 1, 1, 0, 1], [0.2, 0.3, 0.6, 0.7, 0.9]
    test_labels, test_scores = [0, 0, 1, 1], [0.1, 0.25, 0.28, 0.95]  # best test threshold would be 0.28
    evaluation = evaluate_scores("m", validation_labels, validation_scores, test_labels, test_scores, n_resamples=50)
    assert evaluation.threshold == 0.3
    assert evaluation.metrics == metrics_at_threshold(test_labels, test_scores, 0.3)
    assert evaluation.confusion == {"tp": 1, "fp": 0, "tn": 2, "fn": 1}
    assert evaluation.prevalence == 0.5


def test_threshold_needs_positive_validation_labels() -> None:
    with pytest.raises(ScaInputError, match="no positive"):
        max_f1_threshold([0, 0, 0], [0.1, 0.5, 0.9])


@pytest.mark.parametrize(
    ("labels", "scores", "message"),
    [([0, 2, 1], [0.1, 0.2, 0.3], "must be 0 .* or 1"), ([0, 1], [0.1], "2 labels but 1 scores"),
     ([0, 1], [0.1, np.nan], "NaN or infinite")],
)
def test_bad_labels_or_scores_are_rejected(labels: list, scores: list, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        metrics_at_threshold(labels, scores, 0.5)


def simulated_scores(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.3).astype(int)
    return labels, labels * 1.0 + rng.normal(0, 0.8, n)


def test_bootstrap_intervals_contain_estimate_and_narrow_with_more_data() -> None:
    small, large = simulated_scores(200, 1), simulated_scores(5000, 2)
    small_ci = bootstrap_intervals(*small, threshold=0.5, n_resamples=300, seed=0)
    large_ci = bootstrap_intervals(*large, threshold=0.5, n_resamples=300, seed=0)
    point = metrics_at_threshold(*small, threshold=0.5)
    for name, (low, high) in small_ci.items():
        assert low <= point[name] <= high, name
        large_low, large_high = large_ci[name]
        assert large_high - large_low < (high - low) / 2, name


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    labels, scores = simulated_scores(300, 3)
    first = bootstrap_intervals(labels, scores, 0.5, n_resamples=200, seed=11)
    assert bootstrap_intervals(labels, scores, 0.5, n_resamples=200, seed=11) == first
    assert bootstrap_intervals(labels, scores, 0.5, n_resamples=200, seed=12) != first
