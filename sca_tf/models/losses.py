"""Losses of the classifiers, registered with Keras so saved models reload with them."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from sca_tf.errors import ScaInputError


@keras.saving.register_keras_serializable(package="sca_tf")
class WeightedBinaryCrossentropy(keras.losses.Loss):
    """Binary cross-entropy whose positive-class terms are multiplied by ``positive_weight``.

    With ``positive_weight = n_negative / n_positive`` (see ``TrainingRecipe.positive_weight`` in
    :mod:`sca_tf.training.recipe`) both classes contribute equally to the loss although the data stay at their
    natural prevalence.
    """

    def __init__(self, positive_weight: float = 1.0, name: str = "weighted_binary_crossentropy", **kwargs: Any):
        super().__init__(name=name, **kwargs)
        if not positive_weight > 0:
            raise ScaInputError(f"positive_weight: expected a positive number, got {positive_weight!r}")
        self.positive_weight = float(positive_weight)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_true = ops.reshape(ops.cast(y_true, y_pred.dtype), ops.shape(y_pred))
        per_element = ops.binary_crossentropy(y_true, y_pred)
        weights = 1.0 + (self.positive_weight - 1.0) * y_true
        return ops.mean(per_element * weights, axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "positive_weight": self.positive_weight}


@keras.saving.register_keras_serializable(package="sca_tf")
class Log2FCHuber(keras.losses.Loss):
    """Huber loss of the predicted log2 fold change, for the ``log2fc`` target's labels ``(log2fc, de)``: quadratic
    within ``delta`` of the truth, linear beyond, so a few genes with extreme fold changes do not dominate."""

    def __init__(self, delta: float = 1.0, name: str = "log2fc_huber", **kwargs: Any):
        super().__init__(name=name, **kwargs)
        if not delta > 0:
            raise ScaInputError(f"delta: expected a positive number, got {delta!r}")
        self.delta = float(delta)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return keras.losses.huber(ops.cast(y_true[:, :1], y_pred.dtype), y_pred, delta=self.delta)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "delta": self.delta}
