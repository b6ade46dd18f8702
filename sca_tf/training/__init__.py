"""Training: ``model.fit`` under a ``tf.distribute`` strategy, callbacks, and keras-tuner search.

>>> from sca_tf.training import TrainConfig, train_classifier     # doctest: +SKIP
>>> result = train_classifier(builder, TrainConfig(model="cnn", epochs=20), "runs/cnn")  # doctest: +SKIP
"""

from sca_tf.training.callbacks import ValidationCurves, predict_with_labels
from sca_tf.training.classifier import (
    MultiWorkerResult,
    TrainConfig,
    TrainResult,
    train,
    train_classifier,
    train_classifier_multi_worker,
)
from sca_tf.training.strategy import configure_cpu_replicas, make_strategy

__all__ = [
    "MultiWorkerResult",
    "TrainConfig",
    "TrainResult",
    "ValidationCurves",
    "configure_cpu_replicas",
    "make_strategy",
    "predict_with_labels",
    "train",
    "train_classifier",
    "train_classifier_multi_worker",
]
