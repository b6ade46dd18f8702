"""Transformer encoder over a shortened token sequence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.base import (
    SequenceClassifier,
    choice,
    classifier_head,
    dropout_rate,
    one_hot_input,
    positive_int,
    positive_ints,
)
from sca_tf.models.layers import SinusoidalPositionalEncoding
from sca_tf.schema import TARGETS

TRANSFORMER_STEMS = ("conv", "patch")


@keras.saving.register_keras_serializable(package="sca_tf")
class TransformerClassifier(SequenceClassifier):
    """Stem -> sinusoidal positions -> pre-norm encoder layers -> global average pool -> dense head.

    The stem turns ``input_length`` bases into ``ceil(input_length / stride)`` tokens of width ``d_model``
    (2 kb -> 250 tokens with the default stride 8), keeping attention affordable on a CPU:

    - ``conv``: a ReLU Conv1D of width ``stem_kernel_size`` and step ``stride`` (overlapping windows);
    - ``patch``: a linear projection of non-overlapping ``stride``-base patches (ViT-style).

    Train it with the transformer defaults of :func:`sca_tf.models.training_defaults` (class-weighted loss,
    gradient clipping at norm 1.0, cosine learning-rate decay).

    Args:
        input_length: promoter length in bases.
        stem: ``conv`` or ``patch``.
        stride: bases per token.
        stem_kernel_size: width of the ``conv`` stem's kernel (ignored by ``patch``).
        d_model: token width.
        num_layers: encoder layers.
        num_heads: attention heads per layer (must divide ``d_model``).
        ff_dim: hidden width of each layer's feed-forward block.
        dense_units: widths of the dense ReLU layers; the last is the feature layer.
        dropout: dropout rate inside the encoder and before the output.

    >>> model = TransformerClassifier(input_length=64, d_model=8, num_layers=1, num_heads=2, ff_dim=8,
    ...                               dense_units=(4,))
    >>> tuple(model.output.shape)
    (None, 1)
    """

    model_name = "transformer"

    def __init__(
        self,
        input_length: int,
        stem: str = "conv",
        stride: int = 8,
        stem_kernel_size: int = 15,
        d_model: int = 64,
        num_layers: int = 3,
        num_heads: int = 8,
        ff_dim: int = 128,
        dense_units: Sequence[int] = (64,),
        dropout: float = 0.1,
        target: str = "de",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        hparams = {
            "input_length": positive_int("input_length", input_length),
            "stem": choice("stem", stem, TRANSFORMER_STEMS),
            "stride": positive_int("stride", stride),
            "stem_kernel_size": positive_int("stem_kernel_size", stem_kernel_size),
            "d_model": positive_int("d_model", d_model),
            "num_layers": positive_int("num_layers", num_layers),
            "num_heads": positive_int("num_heads", num_heads),
            "ff_dim": positive_int("ff_dim", ff_dim),
            "dense_units": positive_ints("dense_units", dense_units),
            "dropout": dropout_rate("dropout", dropout),
            "target": choice("target", target, TARGETS),
        }
        if d_model % num_heads:
            raise ScaInputError(f"hyperparameter 'num_heads': must divide d_model={d_model}, got {num_heads}")
        inputs = one_hot_input(input_length)
        if stem == "conv":
            x = keras.layers.Conv1D(d_model, stem_kernel_size, strides=stride, padding="same", activation="relu",
                                    name="stem")(inputs)
        else:
            x = keras.layers.Conv1D(d_model, stride, strides=stride, padding="same", name="stem")(inputs)
        x = SinusoidalPositionalEncoding(name="positional_encoding")(x)
        x = keras.layers.Dropout(hparams["dropout"], name="embedding_dropout")(x)
        for index in range(1, num_layers + 1):
            x = encoder_layer(x, num_heads, ff_dim, hparams["dropout"], index)
        x = keras.layers.LayerNormalization(epsilon=1e-6, name="final_norm")(x)
        x = keras.layers.GlobalAveragePooling1D(name="global_average")(x)
        outputs = classifier_head(x, hparams["dense_units"], hparams["dropout"], hparams["target"])
        self._finish(inputs, outputs, hparams, name, **kwargs)


def encoder_layer(x: keras.KerasTensor, num_heads: int, ff_dim: int, dropout: float, index: int) -> keras.KerasTensor:
    """One pre-norm encoder layer: ``x + MHA(LN(x))`` then ``x + FFN(LN(x))``; layers named ``encoder_<index>_*``."""
    d_model = x.shape[-1]
    prefix = f"encoder_{index}"
    attended = keras.layers.LayerNormalization(epsilon=1e-6, name=f"{prefix}_attention_norm")(x)
    attended = keras.layers.MultiHeadAttention(num_heads, d_model // num_heads, dropout=dropout,
                                               name=f"{prefix}_attention")(attended, attended)
    attended = keras.layers.Dropout(dropout, name=f"{prefix}_attention_dropout")(attended)
    x = keras.layers.Add(name=f"{prefix}_attention_residual")([x, attended])
    hidden = keras.layers.LayerNormalization(epsilon=1e-6, name=f"{prefix}_ffn_norm")(x)
    hidden = keras.layers.Dense(ff_dim, activation="gelu", name=f"{prefix}_ffn_hidden")(hidden)
    hidden = keras.layers.Dense(d_model, name=f"{prefix}_ffn_output")(hidden)
    hidden = keras.layers.Dropout(dropout, name=f"{prefix}_ffn_dropout")(hidden)
    return keras.layers.Add(name=f"{prefix}_ffn_residual")([x, hidden])
