"""Convolutional stem followed by a bidirectional LSTM (DanQ-style)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.base import SequenceClassifier, classifier_head, conv_tower, one_hot_input
from sca_tf.models.checks import choice, dropout_rate, positive_int, positive_ints
from sca_tf.models.layers import TopKPooling1D
from sca_tf.schema import TARGETS

CNN_LSTM_POOLINGS = ("top_k", "global_max")


@keras.saving.register_keras_serializable(package="sca_tf")
class CNNLSTMClassifier(SequenceClassifier):
    """Conv1D blocks shorten the sequence, a bidirectional LSTM reads it, global max-pooling summarises it.

    The defaults (128/k15, pool 10 -> 200 steps, BiLSTM 32 beside the conv matches, top-k pooling, dense 32)
    find the motifs with one wide convolution and count them, as the CNN does; with 128/k15 -> 64/k5, pool 5,
    BiLSTM 32 and global max pooling alone the validation AUROC stayed at 0.46-0.56 for 7 epochs on the
    simulated default. The paper's DanQ-style layout (64/k15 -> 128/k11, pool 4 -> 125 steps, BiLSTM 64,
    global max, dense 64) is ``preset = "paper"``.

    Args:
        input_length: promoter length in bases.
        filters: filters per convolution block.
        kernel_sizes: kernel width per block (same length as ``filters``).
        pool_size: max-pool width after each block (2 kb -> 200 LSTM steps with the defaults).
        lstm_units: units per LSTM direction.
        skip: concatenate the conv tower's matches with the LSTM outputs before pooling, so the motif matches
            reach the head even while the LSTM is still untrained.
        pooling: ``top_k`` (the ``top_k`` largest values per channel, layer-normalised, as in the CNN) or
            ``global_max``.
        top_k: steps kept per channel by ``top_k`` pooling.
        dense_units: widths of the dense ReLU layers; the last is the feature layer.
        dropout: dropout rate after the LSTM and before the output.

    >>> model = CNNLSTMClassifier(input_length=64, filters=(4,), kernel_sizes=(5,), lstm_units=4, dense_units=(8,))
    >>> tuple(model.output.shape)
    (None, 1)
    """

    model_name = "cnn_lstm"

    def __init__(
        self,
        input_length: int,
        filters: Sequence[int] = (128,),
        kernel_sizes: Sequence[int] = (15,),
        pool_size: int = 10,
        lstm_units: int = 32,
        skip: bool = True,
        pooling: str = "top_k",
        top_k: int = 4,
        dense_units: Sequence[int] = (32,),
        dropout: float = 0.2,
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
            "lstm_units": positive_int("lstm_units", lstm_units),
            "skip": bool(skip),
            "pooling": choice("pooling", pooling, CNN_LSTM_POOLINGS),
            "top_k": positive_int("top_k", top_k),
            "dense_units": positive_ints("dense_units", dense_units),
            "dropout": dropout_rate("dropout", dropout),
            "target": choice("target", target, TARGETS),
        }
        inputs = one_hot_input(input_length)
        matches = conv_tower(inputs, filters, hparams["kernel_sizes"], hparams["pool_size"])
        x = keras.layers.Bidirectional(
            keras.layers.LSTM(hparams["lstm_units"], return_sequences=True), name="bilstm"
        )(matches)
        if hparams["skip"]:
            x = keras.layers.Concatenate(name="matches_and_lstm")([matches, x])
        if pooling == "top_k":
            if int(x.shape[1]) < hparams["top_k"]:
                raise ScaInputError(f"top_k {hparams['top_k']} is more than the {int(x.shape[1])} LSTM steps; "
                                    "use a smaller top_k or pool_size")
            x = TopKPooling1D(hparams["top_k"], name="top_k")(x)
            x = keras.layers.LayerNormalization(name="top_k_norm")(x)
        else:
            x = keras.layers.GlobalMaxPooling1D(name="global_max")(x)
        if hparams["dropout"] > 0:
            x = keras.layers.Dropout(hparams["dropout"], name="lstm_dropout")(x)
        outputs = classifier_head(x, hparams["dense_units"], hparams["dropout"], hparams["target"])
        self._finish(inputs, outputs, hparams, name, **kwargs)
