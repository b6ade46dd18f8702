"""Optimiser, loss and metrics for the classifiers, with the paper's training defaults."""

from __future__ import annotations

import dataclasses

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.losses import WeightedBinaryCrossentropy

CHECKPOINT_MONITOR = "val_auprc"
"""Metric a ``ModelCheckpoint`` / ``EarlyStopping`` should watch (``mode="max"``): AUPRC on validation."""


@dataclasses.dataclass(frozen=True)
class TrainingDefaults:
    """How a classifier is trained; the defaults are the paper's (batch 256, 20 epochs, Adam 1e-3, BCE)."""

    batch_size: int = 256
    epochs: int = 20
    learning_rate: float = 1e-3
    clipnorm: float | None = None
    cosine_decay: bool = False
    class_weighted_loss: bool = False


def training_defaults(model_name: str) -> TrainingDefaults:
    """The paper's defaults, plus clipping at norm 1.0, cosine decay and a class-weighted loss for the transformer."""
    if model_name == "transformer":
        return TrainingDefaults(clipnorm=1.0, cosine_decay=True, class_weighted_loss=True)
    return TrainingDefaults()


def classifier_metrics() -> list[keras.metrics.Metric]:
    """Accuracy, precision and recall at 0.5, AUROC and AUPRC (named ``auroc`` / ``auprc`` in the logs)."""
    return [
        keras.metrics.BinaryAccuracy(name="accuracy"),
        keras.metrics.Precision(name="precision"),
        keras.metrics.Recall(name="recall"),
        keras.metrics.AUC(curve="ROC", num_thresholds=500, name="auroc"),
        keras.metrics.AUC(curve="PR", num_thresholds=500, name="auprc"),
    ]


def compile_classifier(
    model: keras.Model,
    *,
    learning_rate: float = 1e-3,
    clipnorm: float | None = None,
    decay_steps: int | None = None,
    positive_weight: float | None = None,
) -> keras.Model:
    """Compile ``model`` with Adam and (weighted) binary cross-entropy; return it.

    Args:
        learning_rate: Adam's (initial) learning rate.
        clipnorm: clip each gradient to this L2 norm (the transformer uses 1.0).
        decay_steps: if given, decay the learning rate to zero over this many steps along a cosine
            (usually ``epochs * steps_per_epoch``).
        positive_weight: if given, weight positive examples by it (see :class:`WeightedBinaryCrossentropy`).

    XLA is left off: on CPU it halves throughput (see docs/measured-facts.md).
    """
    if not learning_rate > 0:
        raise ScaInputError(f"learning_rate: expected a positive number, got {learning_rate!r}")
    schedule: float | keras.optimizers.schedules.LearningRateSchedule = learning_rate
    if decay_steps is not None:
        if decay_steps < 1:
            raise ScaInputError(f"decay_steps: expected a positive number of steps, got {decay_steps!r}")
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=int(decay_steps))
    if positive_weight is None:
        loss: keras.losses.Loss = keras.losses.BinaryCrossentropy(name="binary_crossentropy")
    else:
        loss = WeightedBinaryCrossentropy(positive_weight)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule, clipnorm=clipnorm),
        loss=loss,
        metrics=classifier_metrics(),
        jit_compile=False,
    )
    return model
