"""Training metrics of the ``direction`` and ``log2fc`` targets, registered with Keras so saved models reload with
them. Each target logs ``auroc`` / ``auprc`` of its DE call, so checkpoints and early stopping watch the same
quantity (validation AUPRC of DE) whatever the target.

The ``log2fc`` target's labels are ``[batch, 2]``: the log2 fold change, then the DE label (0/1).
"""

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


@keras.saving.register_keras_serializable(package="sca_tf")
class AbsoluteLog2FCAUC(keras.metrics.AUC):
    """AUC of the predicted effect size ``|log2FC|`` against DE, for labels ``(log2fc, de)``.

    ``|x| / (1 + |x|)`` maps the effect size into [0, 1) for the AUC's thresholds; it is monotone, so the ranking
    (and hence the AUC, up to threshold resolution) is that of ``|x|``.
    """

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        size = ops.abs(ops.reshape(ops.cast(y_pred, "float32"), (-1,)))
        return super().update_state(y_true[:, 1], size / (1.0 + size), sample_weight=sample_weight)


@keras.saving.register_keras_serializable(package="sca_tf")
class Log2FCPearson(keras.metrics.Metric):
    """Pearson correlation of predicted and true log2 fold change over every example seen (not a mean of batch
    correlations, as ``keras.metrics.PearsonCorrelation`` gives), for labels ``(log2fc, de)``.

    >>> metric = Log2FCPearson()
    >>> metric.update_state([[1.0, 1], [2.0, 0]], [[0.5], [0.7]]); metric.update_state([[3.0, 1]], [[0.9]])
    >>> round(float(metric.result()), 4)
    1.0
    """

    def __init__(self, name: str = "pearson", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self._sums = {key: self.add_weight(name=key, shape=(), initializer="zeros", dtype="float64")
                      for key in ("n", "x", "y", "xx", "yy", "xy")}

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        x = ops.cast(ops.reshape(y_pred, (-1,)), "float64")
        y = ops.cast(y_true[:, 0], "float64")
        for key, value in (("n", ops.ones_like(x)), ("x", x), ("y", y), ("xx", x * x), ("yy", y * y), ("xy", x * y)):
            self._sums[key].assign_add(ops.sum(value))

    def result(self) -> Any:
        s = {key: variable.value for key, variable in self._sums.items()}
        n = ops.maximum(s["n"], 1.0)
        covariance = s["xy"] / n - s["x"] * s["y"] / n**2
        variances = (s["xx"] / n - (s["x"] / n) ** 2) * (s["yy"] / n - (s["y"] / n) ** 2)
        return ops.cast(ops.where(variances > 0, covariance / ops.sqrt(ops.maximum(variances, 1e-300)), 0.0),
                        "float32")

    def reset_state(self) -> None:
        for variable in self._sums.values():
            variable.assign(ops.zeros((), "float64"))
