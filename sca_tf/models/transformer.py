"""Transformer encoder over a shortened token sequence: a conv tower finds motifs, attention relates them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.base import SequenceClassifier, classifier_head, conv_tower, one_hot_input
from sca_tf.models.checks import choice, dropout_rate, non_negative_int, positive_int, positive_ints
from sca_tf.models.layers import (
    AttentionPooling1D,
    ByteDropoutAttention,
    KeyDropoutAttention,
    LayerScale,
    LearnedPositionalEmbedding,
    RelativePositionAttention,
    SinusoidalPositionalEncoding,
    TopKPooling1D,
)
from sca_tf.schema import TARGETS

TRANSFORMER_STEMS = ("tower", "conv", "patch")
TRANSFORMER_POSITIONS = ("learned", "sinusoidal", "none")
TRANSFORMER_POOLINGS = ("top_k", "attention", "max", "average")
#: What attention dropout drops: whole keys (one mask per sample, head and key; :class:`KeyDropoutAttention`)
#: or single attention weights (one draw per query-key pair, as ``keras.layers.MultiHeadAttention``, from random
#: bytes: :class:`ByteDropoutAttention`).
ATTENTION_DROPOUT_UNITS = ("keys", "weights")


@keras.saving.register_keras_serializable(package="sca_tf")
class TransformerClassifier(SequenceClassifier):
    """Stem -> positions -> pre-norm encoder layers -> pooling -> dense head.

    The default (as Basenji/Enformer do) lets convolutions find motifs before attention relates them: the
    ``tower`` stem is the CNN's :func:`~sca_tf.models.base.conv_tower` (one 128/k15 conv, batch norm, ReLU and a
    max-pool of 8: 2 kb -> 250 tokens; its filters are the tokens' channels when ``d_model`` matches, otherwise a
    dense projection); learned positions (sites sit at preferred offsets from the TSS); 2 pre-norm layers x 4
    heads whose branches start at a small :class:`LayerScale`, so training starts from the tower's motif matches;
    and top-k pooling as in the CNN, so a few motif tokens are counted, not averaged away over 250. The other stems
    turn ``input_length`` bases into ``ceil(input_length / stride)`` tokens directly:

    - ``conv``: a ReLU Conv1D of width ``stem_kernel_size`` and step ``stride`` (overlapping windows);
    - ``patch``: a linear projection of non-overlapping ``stride``-base patches (ViT-style).

    The paper's model (conv stem, sinusoidal positions, 3 layers x 8 heads, average pooling, dense 64) is
    ``preset = "paper"`` (:mod:`sca_tf.models.presets`); ``num_layers=0`` is the same model without attention.

    Args:
        input_length: promoter length in bases.
        stem: ``tower``, ``conv`` or ``patch``.
        tower_filters: filters per ``tower`` block.
        tower_kernel_sizes: kernel width per ``tower`` block (same length as ``tower_filters``).
        pool_size: max-pool width after each ``tower`` block.
        stride: bases per token of the ``conv`` and ``patch`` stems.
        stem_kernel_size: width of the ``conv`` stem's kernel.
        positions: absolute positions added to the tokens: ``learned`` (one trained vector per token),
            ``sinusoidal`` (fixed) or ``none`` (the model then sees only content and, with ``relative_distance``,
            distances: it is the same wherever along the promoter a pattern sits).
        relative_distance: > 0: every attention score also gets a learned bias per head and query-key distance
            in tokens, clipped at this many (:class:`~sca_tf.models.layers.RelativePositionAttention`), so a head
            can learn a spacing between two sites wherever they sit; 0: content and absolute positions only.
            Needs ``attention_dropout_unit = "weights"``.
        d_model: token width.
        num_layers: encoder layers (0: no attention).
        num_heads: attention heads per layer (must divide ``d_model``).
        ff_dim: hidden width of each layer's feed-forward block.
        layer_scale: starting scale of each attention and feed-forward branch (:class:`LayerScale`; 0: none), so
            the layers start near the identity and the tower's motif matches reach the pooling intact.
        pooling: ``top_k`` (the ``top_k`` largest values of each channel, layer-normalised, as in the CNN: a
            count of strong sites), ``attention`` (learned softmax weights over tokens), ``max`` or ``average``.
        top_k: tokens kept per channel by ``top_k`` pooling.
        dense_units: widths of the dense ReLU layers; the last is the feature layer.
        dropout: dropout rate of the embeddings, of each encoder branch's output and before the output.
        attention_dropout: dropout rate of the attention weights (``[batch, heads, tokens, tokens]``); on the
            development seed's validation split 0.1 reached AUPRC 0.923 against 0.861 without.
        attention_dropout_unit: ``weights`` (one draw per attention weight, as stock Keras, but from random
            bytes: :class:`~sca_tf.models.layers.ByteDropoutAttention`, the rate rounded to 1/256) or ``keys``
            (:class:`~sca_tf.models.layers.KeyDropoutAttention`: a dropped key is dropped for every query, so the
            mask is ``tokens``-times smaller to draw; against Keras' float mask ~1.2x the training throughput,
            but development-seed validation AUPRC 0.894 against 0.923).

    >>> model = TransformerClassifier(input_length=64, tower_filters=(8,), tower_kernel_sizes=(5,), d_model=8,
    ...                               num_layers=1, num_heads=2, ff_dim=8, dense_units=(4,))
    >>> tuple(model.output.shape)
    (None, 1)
    """

    model_name = "transformer"

    def __init__(
        self,
        input_length: int,
        stem: str = "tower",
        tower_filters: Sequence[int] = (128,),
        tower_kernel_sizes: Sequence[int] = (15,),
        pool_size: int = 8,
        stride: int = 8,
        stem_kernel_size: int = 15,
        positions: str = "learned",
        relative_distance: int = 0,
        d_model: int = 128,
        num_layers: int = 2,
        num_heads: int = 4,
        ff_dim: int = 128,
        layer_scale: float = 1e-2,
        pooling: str = "top_k",
        top_k: int = 4,
        dense_units: Sequence[int] = (32,),
        dropout: float = 0.1,
        attention_dropout: float = 0.1,
        attention_dropout_unit: str = "weights",
        target: str = "de",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        tower_filters = positive_ints("tower_filters", tower_filters)
        hparams = {
            "input_length": positive_int("input_length", input_length),
            "stem": choice("stem", stem, TRANSFORMER_STEMS),
            "tower_filters": tower_filters,
            "tower_kernel_sizes": positive_ints("tower_kernel_sizes", tower_kernel_sizes, length=len(tower_filters)),
            "pool_size": positive_int("pool_size", pool_size),
            "stride": positive_int("stride", stride),
            "stem_kernel_size": positive_int("stem_kernel_size", stem_kernel_size),
            "positions": choice("positions", positions, TRANSFORMER_POSITIONS),
            "relative_distance": non_negative_int("relative_distance", relative_distance),
            "d_model": positive_int("d_model", d_model),
            "num_layers": non_negative_int("num_layers", num_layers),
            "num_heads": positive_int("num_heads", num_heads),
            "ff_dim": positive_int("ff_dim", ff_dim),
            "layer_scale": _layer_scale(layer_scale),
            "pooling": choice("pooling", pooling, TRANSFORMER_POOLINGS),
            "top_k": positive_int("top_k", top_k),
            "dense_units": positive_ints("dense_units", dense_units),
            "dropout": dropout_rate("dropout", dropout),
            "attention_dropout": dropout_rate("attention_dropout", attention_dropout),
            "attention_dropout_unit": choice("attention_dropout_unit", attention_dropout_unit,
                                             ATTENTION_DROPOUT_UNITS),
            "target": choice("target", target, TARGETS),
        }
        if hparams["relative_distance"] and hparams["attention_dropout_unit"] != "weights":
            raise ScaInputError("hyperparameter 'relative_distance' needs attention_dropout_unit = 'weights', got "
                                f"{attention_dropout_unit!r}")
        if d_model % num_heads:
            raise ScaInputError(f"hyperparameter 'num_heads': must divide d_model={d_model}, got {num_heads}")
        inputs = one_hot_input(input_length)
        x = _stem(inputs, hparams)
        if pooling == "top_k" and int(x.shape[1]) < hparams["top_k"]:
            raise ScaInputError(f"top_k {hparams['top_k']} is more than the {int(x.shape[1])} tokens the stem leaves; "
                                "use a smaller top_k or a shorter stem")
        if positions == "learned":
            x = LearnedPositionalEmbedding(name="positional_embedding")(x)
        elif positions == "sinusoidal":
            x = SinusoidalPositionalEncoding(name="positional_encoding")(x)
        x = keras.layers.Dropout(hparams["dropout"], name="embedding_dropout")(x)
        for index in range(1, num_layers + 1):
            x = encoder_layer(x, num_heads, ff_dim, hparams["dropout"], index, hparams["layer_scale"],
                              hparams["attention_dropout"], hparams["attention_dropout_unit"],
                              hparams["relative_distance"])
        x = _pool(x, hparams)
        outputs = classifier_head(x, hparams["dense_units"], hparams["dropout"], hparams["target"])
        self._finish(inputs, outputs, hparams, name, **kwargs)


def _layer_scale(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ScaInputError(f"hyperparameter 'layer_scale': expected a number in [0, 1) (0: none), got {value!r}")
    return float(value)


def _pool(x: keras.KerasTensor, hparams: dict[str, Any]) -> keras.KerasTensor:
    """Tokens -> one vector. ``top_k`` is normalised after pooling (a per-token norm first would level motif and
    background tokens); the others follow the usual final pre-norm ``LayerNormalization``."""
    if hparams["pooling"] == "top_k":
        x = TopKPooling1D(hparams["top_k"], name="top_k")(x)
        return keras.layers.LayerNormalization(name="top_k_norm")(x)
    x = keras.layers.LayerNormalization(epsilon=1e-6, name="final_norm")(x)
    if hparams["pooling"] == "attention":
        return AttentionPooling1D(hparams["num_heads"], name="attention_pool")(x)
    if hparams["pooling"] == "max":
        return keras.layers.GlobalMaxPooling1D(name="global_max")(x)
    return keras.layers.GlobalAveragePooling1D(name="global_average")(x)


def _stem(inputs: keras.KerasTensor, hparams: dict[str, Any]) -> keras.KerasTensor:
    """Bases -> tokens of width ``d_model``; the last layer is named ``stem``."""
    d_model, stride = hparams["d_model"], hparams["stride"]
    if hparams["stem"] == "tower":
        x = conv_tower(inputs, hparams["tower_filters"], hparams["tower_kernel_sizes"], hparams["pool_size"])
        if hparams["tower_filters"][-1] == d_model:  # the filters' own matches are the tokens, as the CNN pools them
            return keras.layers.Identity(name="stem")(x)
        return keras.layers.Dense(d_model, name="stem")(x)
    if hparams["stem"] == "conv":
        return keras.layers.Conv1D(d_model, hparams["stem_kernel_size"], strides=stride, padding="same",
                                   activation="relu", name="stem")(inputs)
    return keras.layers.Conv1D(d_model, stride, strides=stride, padding="same", name="stem")(inputs)


def encoder_layer(x: keras.KerasTensor, num_heads: int, ff_dim: int, dropout: float, index: int,
                  layer_scale: float = 0.0, attention_dropout: float = 0.0,
                  attention_dropout_unit: str = "weights", relative_distance: int = 0) -> keras.KerasTensor:
    """One pre-norm encoder layer: ``x + MHA(LN(x))`` then ``x + FFN(LN(x))``, each branch scaled by a
    :class:`LayerScale` starting at ``layer_scale`` when it is > 0; attention dropout over
    ``attention_dropout_unit`` (:data:`ATTENTION_DROPOUT_UNITS`); a learned distance bias clipped at
    ``relative_distance`` tokens when it is > 0; layers named ``encoder_<index>_*``."""
    d_model = x.shape[-1]
    prefix = f"encoder_{index}"
    attended = keras.layers.LayerNormalization(epsilon=1e-6, name=f"{prefix}_attention_norm")(x)
    settings: dict[str, Any] = {"dropout": attention_dropout, "name": f"{prefix}_attention"}
    if relative_distance:
        attention = RelativePositionAttention
        settings["max_distance"] = relative_distance
    else:
        attention = KeyDropoutAttention if attention_dropout_unit == "keys" else ByteDropoutAttention
    attended = attention(num_heads, d_model // num_heads, **settings)(attended, attended)
    attended = keras.layers.Dropout(dropout, name=f"{prefix}_attention_dropout")(attended)
    if layer_scale > 0:
        attended = LayerScale(layer_scale, name=f"{prefix}_attention_scale")(attended)
    x = keras.layers.Add(name=f"{prefix}_attention_residual")([x, attended])
    hidden = keras.layers.LayerNormalization(epsilon=1e-6, name=f"{prefix}_ffn_norm")(x)
    hidden = keras.layers.Dense(ff_dim, activation="gelu", name=f"{prefix}_ffn_hidden")(hidden)
    hidden = keras.layers.Dense(d_model, name=f"{prefix}_ffn_output")(hidden)
    hidden = keras.layers.Dropout(dropout, name=f"{prefix}_ffn_dropout")(hidden)
    if layer_scale > 0:
        hidden = LayerScale(layer_scale, name=f"{prefix}_ffn_scale")(hidden)
    return keras.layers.Add(name=f"{prefix}_ffn_residual")([x, hidden])
