"""Training callbacks that turn silent failures into clear errors."""

from __future__ import annotations

import math
from typing import Any

import keras

from sca_tf.errors import ScaTrainingError


class NonFiniteLossError(ScaTrainingError):
    """The training loss became NaN or infinite (a training failure, not bad input)."""


class NaNLossGuard(keras.callbacks.Callback):
    """Stop training at the first batch whose loss is NaN or infinite and raise :class:`NonFiniteLossError`.

    Unlike ``keras.callbacks.TerminateOnNaN``, which stops quietly and lets a broken model be saved, this raises
    an error naming the epoch and batch, the current learning rate and the usual causes.
    """

    def __init__(self) -> None:
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        self.model.stop_training = True
        learning_rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        raise NonFiniteLossError(
            f"training loss became {float(loss)} at epoch {self._epoch + 1}, batch {batch + 1}: check the inputs "
            f"for NaN or infinite values, or lower the learning rate (currently {learning_rate:g}) or clip gradients"
        )
