"""The NaN guard stops training at the first non-finite loss and says where."""

from __future__ import annotations

import numpy as np
import pytest
from models.classifier_data import one_hot, tiny

from sca_tf.training.nan_guard import NaNLossGuard, NonFiniteLossError
from sca_tf.training.recipe import compile_classifier


def test_nan_loss_stops_training_with_epoch_and_batch() -> None:
    rng = np.random.default_rng(4)
    x, y = one_hot(rng, 32), rng.integers(0, 2, 32).astype("float32")
    y[20] = np.nan  # third batch of 8 (a NaN base is silently zeroed by ReLU/max-pool, a NaN label is not)
    model = compile_classifier(tiny("cnn"))
    with pytest.raises(NonFiniteLossError, match=r"loss became nan at epoch 1, batch 3: check the inputs"):
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, callbacks=[NaNLossGuard()], verbose=0)
    assert model.stop_training
