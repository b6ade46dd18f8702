"""The class-weighted binary cross-entropy."""

from __future__ import annotations

import numpy as np
import pytest

from sca_tf.models import WeightedBinaryCrossentropy


def test_weighted_loss_scales_positive_terms_only() -> None:
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]], dtype="float32")
    y_pred = np.array([[0.9], [0.2], [0.4], [0.7]], dtype="float32")
    per_example = -(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)).ravel()
    expected = np.mean(per_example * np.where(y_true.ravel() == 1, 3.0, 1.0))
    loss = WeightedBinaryCrossentropy(positive_weight=3.0)
    assert float(loss(y_true, y_pred)) == pytest.approx(expected, rel=1e-5)
    assert float(WeightedBinaryCrossentropy(1.0)(y_true, y_pred)) == pytest.approx(per_example.mean(), rel=1e-5)
    assert WeightedBinaryCrossentropy.from_config(loss.get_config()).positive_weight == 3.0
