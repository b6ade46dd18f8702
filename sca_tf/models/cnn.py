"""VGG-like convolutional baseline with 1-D convolutions along the sequence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.base import SequenceClassifier, classifier_head, conv_tower, one_hot_input
from sca_tf.models.checks import choice, dropout_rate, positive_int, positive_ints
from sca_tf.models.layers import TopKPooling1D
from sca_tf.schema import TARGETS

CNN_POOLINGS = ("flatten", "global_max", "global_average", "top_k")


@keras.saving.register_keras_serializable(package="sca_tf")
class CNNClassifier(SequenceClassifier):
    """Blocks of Conv1D + batch norm + ReLU + max-pool, then dense ReLU layers and a sigmoid output.

    The paper's baseline used 2x2 2-D convolutions over the ``length x 4`` one-hot image, which mixes bases
    across the one-hot axis; here each convolution slides along the sequence and sees all four base channels,
    as in DeepSEA or Basset. The defaults are the measured recipe: one wide convolution (128/k15, pool 4) with
    k-max pooling (the 4 strongest matches of each filter, so the head can count motif copies) and dense 32; the
    paper's flatten CNN (64/k15 -> 128/k11 -> 256/k8, pool 4, flatten, dense 64: 865,921 parameters at 2 kb) is
    ``preset = "paper"`` (:mod:`sca_tf.models.presets`).

    Args:
        input_length: promoter length in bases.
        filters: filters per convolution block.
        kernel_sizes: kernel width per block (same length as ``filters``).
        pool_size: max-pool width after each block.
        dense_units: widths of the dense ReLU layers; the last is the feature layer.
        dropout: dropout rate before the dense layers and before the output.
        pooling: how the last block becomes a vector: ``flatten`` (position-aware, as in VGG),
            ``global_max``, ``global_average`` or ``top_k`` (k-max pooling: the ``top_k`` strongest
            positions of each filter, so the head can count motif copies; layer-normalised, because these
            non-negative, strongly correlated values otherwise let one large step silence every ReLU of the
            dense head, which was seen with class weights and downsampling).
        top_k: positions kept per filter by ``top_k`` pooling (ignored by the other poolings).

    >>> model = CNNClassifier(input_length=64, filters=(4,), kernel_sizes=(5,), dense_units=(8,))
    >>> tuple(model.output.shape)
    (None, 1)
    """

    model_name = "cnn"

    def __init__(
        self,
        input_length: int,
        filters: Sequence[int] = (128,),
        kernel_sizes: Sequence[int] = (15,),
        pool_size: int = 4,
        dense_units: Sequence[int] = (32,),
        dropout: float = 0.2,
        pooling: str = "top_k",
        top_k: int = 4,
        target: str = "de",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        filters = positive_ints("filters", filters)
        hparams = {
            "input_length": positive_int("input_length", input_length),
            "filters": filters,
            "kernel_sizes": positive_ints("kernel_sizes", kernel_sizes, length=len(filters)),
            "pool_size": positive_int("pool_size", pool_size),
            "dense_units": positive_ints("dense_units", dense_units),
            "dropout": dropout_rate("dropout", dropout),
            "target": choice("target", target, TARGETS),
            "pooling": choice("pooling", pooling, CNN_POOLINGS),
            "top_k": positive_int("top_k", top_k),
        }
        inputs = one_hot_input(input_length)
        x = conv_tower(inputs, filters, hparams["kernel_sizes"], hparams["pool_size"])
        pooled_length = int(x.shape[1])
        if pooling == "top_k" and pooled_length < hparams["top_k"]:
            raise ScaInputError(
                f"top_k {hparams['top_k']} is more than the {pooled_length} positions left after "
                f"{len(filters)} max-pool(s) of size {hparams['pool_size']}; use a smaller top_k or pool_size"
            )
        if pooling == "flatten":
            x = keras.layers.Flatten(name="flatten")(x)
        elif pooling == "top_k":
            x = TopKPooling1D(hparams["top_k"], name="top_k")(x)
            x = keras.layers.LayerNormalization(name="top_k_norm")(x)
        elif pooling == "global_max":
            x = keras.layers.GlobalMaxPooling1D(name="global_max")(x)
        else:
            x = keras.layers.GlobalAveragePooling1D(name="global_average")(x)
        if hparams["dropout"] > 0:
            x = keras.layers.Dropout(hparams["dropout"], name="conv_dropout")(x)
        outputs = classifier_head(x, hparams["dense_units"], hparams["dropout"], hparams["target"])
        self._finish(inputs, outputs, hparams, name, **kwargs)
