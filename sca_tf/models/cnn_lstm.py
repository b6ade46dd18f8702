"""Convolutional stem followed by a bidirectional LSTM (DanQ-style)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from sca_tf.models.base import (
    SequenceClassifier,
    classifier_head,
    conv_tower,
    dropout_rate,
    one_hot_input,
    positive_int,
    positive_ints,
)


@keras.saving.register_keras_serializable(package="sca_tf")
class CNNLSTMClassifier(SequenceClassifier):
    """Conv1D blocks shorten the sequence, a bidirectional LSTM reads it, global max-pooling summarises it.

    The defaults (128/k15 -> 64/k5, pool 5 -> 80 steps, BiLSTM 32, dense 32) find the motifs with a wide first
    convolution, as the CNN does, and keep the LSTM short enough for CPUs; the paper's DanQ-style layout
    (64/k15 -> 128/k11, pool 4 -> 125 steps, BiLSTM 64, dense 64) is ``preset = "paper"``.

    Args:
        input_length: promoter length in bases.
        filters: filters per convolution block.
        kernel_sizes: kernel width per block (same length as ``filters``).
        pool_size: max-pool width after each block (2 kb -> 80 LSTM steps with the defaults).
        lstm_units: units per LSTM direction.
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
        filters: Sequence[int] = (128, 64),
        kernel_sizes: Sequence[int] = (15, 5),
        pool_size: int = 5,
        lstm_units: int = 32,
        dense_units: Sequence[int] = (32,),
        dropout: float = 0.2,
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
            "dense_units": positive_ints("dense_units", dense_units),
            "dropout": dropout_rate("dropout", dropout),
        }
        inputs = one_hot_input(input_length)
        x = conv_tower(inputs, filters, hparams["kernel_sizes"], hparams["pool_size"])
        x = keras.layers.Bidirectional(
            keras.layers.LSTM(hparams["lstm_units"], return_sequences=True), name="bilstm"
        )(x)
        x = keras.layers.GlobalMaxPooling1D(name="global_max")(x)
        if hparams["dropout"] > 0:
            x = keras.layers.Dropout(hparams["dropout"], name="lstm_dropout")(x)
        outputs = classifier_head(x, hparams["dense_units"], hparams["dropout"])
        self._finish(inputs, outputs, hparams, name, **kwargs)
