"""The training recipe of each classifier: optimizer, learning-rate schedule, clipping, loss with its class weight
and metrics, stated once and taken by ``compile``, the keras-tuner hypermodel and the multi-worker loop alike.

Each model has one ``default`` recipe, used for real and simulated data alike, and the paper's as ``paper``:

>>> recipe_for("cnn").batch_size, recipe_for("cnn", preset="paper").batch_size
(64, 256)
>>> recipe = recipe_for("transformer", preset="paper")
>>> recipe.clipnorm, recipe.cosine_decay, recipe.class_weighted_loss
(1.0, True, True)
>>> recipe.positive_weight(prevalence=0.2, class_weighted_epoch=False)
4.0
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models import AbsoluteLog2FCAUC, DEProbabilityAUC, Log2FCPearson
from sca_tf.models.losses import Log2FCHuber, WeightedBinaryCrossentropy
from sca_tf.models.presets import check_preset
from sca_tf.schema import DE_TARGET, DIRECTION_TARGET, LOG2FC_TARGET
from sca_tf.training.learning_rate import learning_rate_schedule

CHECKPOINT_MONITOR = "val_auprc"
"""Metric a ``ModelCheckpoint`` / ``EarlyStopping`` should watch (``mode="max"``): AUPRC of the DE call on
validation, for every target (see :func:`classifier_metrics`)."""


@dataclasses.dataclass(frozen=True)
class TrainingRecipe:
    """How a classifier is trained; the field defaults are the paper's (batch 256, 20 epochs, Adam 1e-3, BCE).

    ``cosine_decay`` decays the learning rate to zero along a cosine over the run's steps; ``class_weighted_loss``
    weights the positive class by ``n_negative / n_positive`` of the training epoch (see :meth:`positive_weight`);
    ``rc_augment`` trains on random reverse complements; ``patience`` epochs without a better validation AUPRC
    stop training.
    """

    batch_size: int = 256
    epochs: int = 20
    learning_rate: float = 1e-3
    clipnorm: float | None = None
    cosine_decay: bool = False
    class_weighted_loss: bool = False
    rc_augment: bool = False
    patience: int = 5

    def __post_init__(self) -> None:
        if not self.learning_rate > 0:
            raise ScaInputError(f"learning_rate: expected a positive number, got {self.learning_rate!r}")

    def optimizer(self, total_steps: int | None = None) -> keras.optimizers.Optimizer:
        """Adam at :attr:`learning_rate` with :attr:`clipnorm`; cosine decay over ``total_steps`` when the recipe
        asks for it (``total_steps`` is then required, usually ``epochs * steps_per_epoch``)."""
        schedule = learning_rate_schedule(self.learning_rate, cosine_decay=self.cosine_decay, total_steps=total_steps)
        return keras.optimizers.Adam(learning_rate=schedule, clipnorm=self.clipnorm)

    def positive_weight(self, prevalence: float, class_weighted_epoch: bool) -> float | None:
        """Weight of the positive class in the loss, or ``None`` for plain binary cross-entropy.

        Only a recipe with :attr:`class_weighted_loss` weights the loss, and only where the training epoch is still
        imbalanced: not when the epoch already carries class weights (``--balance class_weight``) or was resampled
        to at least half positives.
        """
        if not self.class_weighted_loss or class_weighted_epoch or not 0 < prevalence < 0.5:
            return None
        return (1 - prevalence) / prevalence

    @staticmethod
    def loss(positive_weight: float | None = None, reduction: str | None = "sum_over_batch_size") -> keras.losses.Loss:
        """(Weighted) binary cross-entropy; ``reduction=None`` gives per-example losses for a custom loop."""
        if positive_weight is None:
            return keras.losses.BinaryCrossentropy(name="binary_crossentropy", reduction=reduction)
        return WeightedBinaryCrossentropy(positive_weight, reduction=reduction)


#: The default recipe of every classifier, on real and simulated data alike, chosen on the validation split of
#: the simulated default's development seed (1): batches of 64 (a few thousand promoters give 8 steps of 256 an
#: epoch; chr20's ~700 training promoters fewer than 3), Adam 2e-3, reverse-complement augmentation, patience 10.
#: The transformer adds clipping at norm 1.0. The CNN-LSTM trains up to 40 epochs: its validation AUPRC was still
#: rising at 20 (best 0.876 at epoch 16 of 20; 0.902 at epoch 23 with 40, early-stopped at 34; Adam 4e-3 for
#: 20 epochs: 0.838).
DEFAULT_RECIPE = TrainingRecipe(batch_size=64, learning_rate=2e-3, rc_augment=True, patience=10)
DEFAULT_RECIPES = {"transformer": dataclasses.replace(DEFAULT_RECIPE, clipnorm=1.0),
                   "cnn_lstm": dataclasses.replace(DEFAULT_RECIPE, epochs=40)}

#: The paper's recipes: its plain Adam/BCE, plus clipping at norm 1.0, cosine decay and a class-weighted loss
#: for the transformer.
PAPER_RECIPES = {"transformer": TrainingRecipe(clipnorm=1.0, cosine_decay=True, class_weighted_loss=True)}


def recipe_for(model_name: str, learning_rate: float | None = None, preset: str = "default") -> TrainingRecipe:
    """The recipe of ``model_name`` under ``preset`` (``default`` or ``paper``, see :mod:`sca_tf.models.presets`);
    ``learning_rate`` overrides the recipe's."""
    if check_preset(preset) == "paper":
        recipe = PAPER_RECIPES.get(model_name, TrainingRecipe())
    else:
        recipe = DEFAULT_RECIPES.get(model_name, DEFAULT_RECIPE)
    return recipe if learning_rate is None else dataclasses.replace(recipe, learning_rate=learning_rate)


def classifier_metrics(target: str = DE_TARGET) -> list[keras.metrics.Metric]:
    """Accuracy, precision and recall at 0.5, AUROC and AUPRC (named ``auroc`` / ``auprc`` in the logs); for the
    ``direction`` target the class accuracy and the AUROC / AUPRC of P(DE) = 1 - P(not_de); for ``log2fc`` the
    Pearson correlation (``pearson``) and the AUROC / AUPRC of the predicted ``|log2FC|`` for DE."""
    if target == DIRECTION_TARGET:
        return [
            keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
            DEProbabilityAUC(curve="ROC", num_thresholds=500, name="auroc"),
            DEProbabilityAUC(curve="PR", num_thresholds=500, name="auprc"),
        ]
    if target == LOG2FC_TARGET:
        return [
            Log2FCPearson(name="pearson"),
            AbsoluteLog2FCAUC(curve="ROC", num_thresholds=500, name="auroc"),
            AbsoluteLog2FCAUC(curve="PR", num_thresholds=500, name="auprc"),
        ]
    return [
        keras.metrics.BinaryAccuracy(name="accuracy"),
        keras.metrics.Precision(name="precision"),
        keras.metrics.Recall(name="recall"),
        keras.metrics.AUC(curve="ROC", num_thresholds=500, name="auroc"),
        keras.metrics.AUC(curve="PR", num_thresholds=500, name="auprc"),
    ]


def compile_classifier(
    model: keras.Model,
    recipe: TrainingRecipe = TrainingRecipe(),
    *,
    total_steps: int | None = None,
    positive_weight: float | None = None,
    target: str = DE_TARGET,
) -> keras.Model:
    """Compile ``model`` with ``recipe``'s optimizer and loss and :func:`classifier_metrics`; return it.

    The ``direction`` target takes sparse categorical cross-entropy over (not_de, up, down), unweighted; ``log2fc``
    the Huber loss of the fold change (:class:`~sca_tf.models.losses.Log2FCHuber`).

    XLA is left off: on CPU it halves throughput (see docs/measured-facts.md).
    """
    model.compile(
        optimizer=recipe.optimizer(total_steps),
        loss=target_loss(recipe, target, positive_weight),
        metrics=classifier_metrics(target),
        jit_compile=False,
    )
    return model


def target_loss(recipe: TrainingRecipe, target: str, positive_weight: float | None = None) -> keras.losses.Loss:
    """The loss of ``target``: the recipe's (weighted) BCE for ``de``, categorical cross-entropy for ``direction``,
    Huber for ``log2fc``."""
    if target == DIRECTION_TARGET:
        return keras.losses.SparseCategoricalCrossentropy()
    if target == LOG2FC_TARGET:
        return Log2FCHuber()
    return recipe.loss(positive_weight)


def describe(recipe: TrainingRecipe, positive_weight: float | None) -> dict[str, Any]:
    """The recipe and the resolved positive weight, for a run's ``config.json``."""
    return {**dataclasses.asdict(recipe), "positive_weight": positive_weight}
