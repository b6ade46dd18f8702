"""Training metrics of the ``direction`` target, registered with Keras so saved models reload with them."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="sca_tf")
class DEProbabilityAUC(keras.metrics.AUC):
    """AUC of P(DE) = 1 - P(not_de) against DE (status up or down) for a softmax over (not_de, up, down).

    It keeps the logs' ``auroc`` / ``auprc`` meaning the same for both targets, so checkpoints and early stopping
    watch validation AUPRC of the DE call either way.
    """

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        de = ops.cast(ops.reshape(y_true, (-1,)) > 0, "float32")
        return super().update_state(de, 1.0 - y_pred[:, 0], sample_weight=sample_weight)
