"""Direction-target metrics: macro AUROC, per-class AUPRC, up-vs-down AUROC among DE genes, bootstrap CIs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.direction import DIRECTION_METRICS, direction_intervals, direction_metrics


def _scores(classes: np.ndarray, strength: float, seed: int = 0) -> np.ndarray:
    logits = np.random.default_rng(seed).normal(size=(classes.size, 3)) + strength * np.eye(3)[classes]
    return np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


def test_perfect_and_random_scores() -> None:
    classes = np.repeat([0, 1, 2], [80, 10, 10])
    perfect = direction_metrics(classes, np.eye(3)[classes])
    assert all(perfect[name] == pytest.approx(1.0) for name in DIRECTION_METRICS)
    random = direction_metrics(classes, _scores(classes, 0.0))
    assert 0.3 < random["macro_auroc"] < 0.7 and 0.3 < random["up_vs_down_auroc"] < 0.7


def test_up_vs_down_ranks_only_the_de_genes() -> None:
    classes = np.repeat([0, 1, 2], [50, 20, 20])
    probabilities = _scores(classes, 2.0, seed=3)
    de = classes > 0
    share = probabilities[de, 1] / (probabilities[de, 1] + probabilities[de, 2])
    values = direction_metrics(classes, probabilities)
    assert values["up_vs_down_auroc"] == pytest.approx(roc_auc_score(classes[de] == 1, share))
    assert values["de_auroc"] == pytest.approx(roc_auc_score(de, 1 - probabilities[:, 0]))
    swapped = probabilities[:, [0, 2, 1]]  # up and down exchanged: the direction is read backwards
    assert direction_metrics(classes, swapped)["up_vs_down_auroc"] == pytest.approx(1 - values["up_vs_down_auroc"])


def test_intervals_hold_the_point_estimate_and_are_seeded() -> None:
    classes = np.repeat([0, 1, 2], [60, 15, 15])
    probabilities = _scores(classes, 1.5, seed=4)
    intervals = direction_intervals(classes, probabilities, n_resamples=100, seed=2)
    values = direction_metrics(classes, probabilities)
    for name in DIRECTION_METRICS:
        low, high = intervals[name]
        assert low <= values[name] <= high, name
    assert intervals == direction_intervals(classes, probabilities, n_resamples=100, seed=2)


def test_wrong_shapes_are_one_clear_error() -> None:
    with pytest.raises(ScaInputError, match=r"expected \[4, 3\] probabilities, got \[4, 2\]"):
        direction_metrics([0, 1, 2, 0], np.zeros((4, 2)))
    with pytest.raises(ScaInputError, match="direction classes must be 0-2"):
        direction_metrics([0, 1, 3], np.zeros((3, 3)))
