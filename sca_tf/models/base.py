"""Shared skeleton of the sca-tf classifiers: one-hot DNA in, probability of differential expression out.

Every classifier is a functional Keras model built in its constructor from plain hyperparameters, so
``get_config`` is just those hyperparameters and ``from_config`` rebuilds the same graph. All classifiers share
the input (``[batch, length, 4]`` one-hot A, C, G, T; N is all zeros), the head (dense ReLU layers ending in the
layer named :data:`FEATURE_LAYER`, dropout, one sigmoid unit) and the validation of their arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.checks import choice, positive_int
from sca_tf.models.layers import FusedBatchNormalization1D
from sca_tf.schema import DE_TARGET, DIRECTION_CLASSES, DIRECTION_TARGET, LOG2FC_TARGET, TARGETS
from sca_tf.sequence import ALPHABET

FEATURE_LAYER = "features"
OUTPUT_LAYER = "probability"
INPUT_NAME = "one_hot"


class SequenceClassifier(keras.Model):
    """Base class: a functional model whose config is the hyperparameters it was built from.

    Subclasses set :attr:`model_name` (the registry name) and call :meth:`_finish` with their graph.
    """

    model_name: ClassVar[str]

    def _finish(self, inputs: keras.KerasTensor, outputs: keras.KerasTensor, hparams: dict[str, Any],
                name: str | None, **kwargs: Any) -> None:
        super().__init__(inputs=inputs, outputs=outputs, name=name or self.model_name, **kwargs)
        self._hparams = hparams

    @property
    def hparams(self) -> dict[str, Any]:
        """The constructor arguments (JSON-ready: tuples as lists), ``input_length`` included."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self._hparams.items()}

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, **self.hparams}


def model_target(model: keras.Model) -> str:
    """What ``model`` predicts (one of :data:`~sca_tf.schema.TARGETS`): an sca-tf classifier's ``target``
    hyperparameter; for another Keras model (e.g. a fold ensemble of ``de`` models) ``direction`` if it outputs one
    probability per class, else ``de``."""
    if isinstance(model, SequenceClassifier):
        return model.hparams["target"]
    return DIRECTION_TARGET if int(model.outputs[0].shape[-1]) == len(DIRECTION_CLASSES) else DE_TARGET


def one_hot_input(input_length: int) -> keras.KerasTensor:
    """The shared model input: float32 one-hot DNA of shape ``[batch, input_length, 4]``."""
    return keras.Input(shape=(positive_int("input_length", input_length), len(ALPHABET)), name=INPUT_NAME)


def conv_block(x: keras.KerasTensor, filters: int, kernel_size: int, pool_size: int, index: int) -> keras.KerasTensor:
    """Conv1D along the sequence -> batch norm (the fused kernel in training) -> ReLU -> max-pool; layers named
    ``conv_<index>`` etc."""
    x = keras.layers.Conv1D(filters, kernel_size, padding="same", use_bias=False, name=f"conv_{index}")(x)
    x = FusedBatchNormalization1D(name=f"batch_norm_{index}")(x)
    x = keras.layers.ReLU(name=f"relu_{index}")(x)
    if pool_size > 1:
        x = keras.layers.MaxPooling1D(pool_size, name=f"pool_{index}")(x)
    return x


def conv_tower(inputs: keras.KerasTensor, filters: Sequence[int], kernel_sizes: Sequence[int],
               pool_size: int) -> keras.KerasTensor:
    """One :func:`conv_block` per filter count (blocks numbered from 1), after checking the input survives the
    pooling; the motif-finding front of the CNN, the CNN-LSTM and the transformer."""
    check_pooled_length(int(inputs.shape[1]), pool_size, len(filters))
    x = inputs
    for index, (width, kernel) in enumerate(zip(filters, kernel_sizes), start=1):
        x = conv_block(x, width, kernel, pool_size, index)
    return x


def check_pooled_length(input_length: int, pool_size: int, n_blocks: int) -> None:
    """Raise ``ScaInputError`` if ``n_blocks`` max-pools of ``pool_size`` would shrink the input to nothing."""
    if input_length < pool_size**n_blocks:
        raise ScaInputError(
            f"input_length {input_length} is too short for {n_blocks} max-pool(s) of size {pool_size}: "
            f"need at least {pool_size**n_blocks} bases; use fewer blocks or a smaller pool_size"
        )


def classifier_head(x: keras.KerasTensor, dense_units: Sequence[int], dropout: float,
                    target: str = DE_TARGET) -> keras.KerasTensor:
    """Dense ReLU layers (the last one named :data:`FEATURE_LAYER`), dropout and a float32 output: one sigmoid
    unit for the ``de`` target, a softmax over :data:`~sca_tf.schema.DIRECTION_CLASSES` for ``direction``, one
    linear unit (the predicted log2 fold change) for ``log2fc``."""
    for index, units in enumerate(dense_units, start=1):
        last = index == len(dense_units)
        x = keras.layers.Dense(units, activation="relu", name=FEATURE_LAYER if last else f"dense_{index}")(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    target = choice("target", target, TARGETS)
    if target == DIRECTION_TARGET:
        return keras.layers.Dense(len(DIRECTION_CLASSES), activation="softmax", dtype="float32", name=OUTPUT_LAYER)(x)
    if target == LOG2FC_TARGET:
        return keras.layers.Dense(1, dtype="float32", name=OUTPUT_LAYER)(x)
    return keras.layers.Dense(1, activation="sigmoid", dtype="float32", name=OUTPUT_LAYER)(x)
