"""A 1-D U-Net denoiser: its cost grows slowly with length because most of its work runs on a shortened sequence.

>>> import numpy as np
>>> denoiser = UNetDenoiser(64, patch_size=2, channels=(8, 16), down_factors=(4,), bottleneck_dilations=(1, 2),
...                         groups=2, time_embedding_dim=8)
>>> tuple(denoiser([np.zeros((2, 64, 4)), np.array([0, 5])]).shape)
(2, 64, 4)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.checks import non_negative_int, positive_int, positive_ints
from sca_tf.models.generative.denoiser import (
    DenoiserNetwork,
    block_hparams,
    check_groups,
    conditioning_inputs,
    output_head,
    residual_block,
)
from sca_tf.models.layers import ByteDropoutAttention, SinusoidalPositionalEncoding


@keras.saving.register_keras_serializable(package="sca_tf")
class UNetDenoiser(DenoiserNetwork):
    """Denoises a noisy one-hot sequence through a 1-D U-Net: ``[noisy [B, L, 4], timestep [B]] (+ class [B])
    (+ previous estimate [B, L, 4]) -> [B, L, 4]`` (noise or clean-base logits, as for
    :class:`~sca_tf.models.generative.denoiser.Denoiser`).

    A Conv1D of width and step ``patch_size`` cuts the bases into patches of ``channels[0]`` features (as a
    vision transformer does; plus the sinusoidal position signal); each level runs
    ``blocks`` residual blocks (GroupNorm, SiLU, Conv1D, FiLM from the time and class embedding, as the flat
    denoiser's) and keeps its output as a skip, then a strided Conv1D shortens the sequence by that level's
    ``down_factors`` entry and widens it to the next level's channels. The coarsest level runs one residual block
    per ``bottleneck_dilations`` entry, which gives the long-range view, then, with ``bottleneck_attention_heads``,
    one self-attention block (GroupNorm -> multi-head self-attention over all coarse positions -> added to its
    input; as the attention at the low resolutions of Ho et al. 2020's U-Net): every position sees the whole
    sequence at once, e.g. whether a site is already there anywhere. The way up mirrors it: a transposed
    Conv1D lengthens and narrows, the skip is concatenated, ``blocks`` residual blocks follow; with patches, a
    transposed Conv1D turns each patch back into ``patch_size`` bases. A sequence whose length is not a multiple
    of ``patch_size`` times the product of ``down_factors`` is zero-padded on the right inside the network and
    cropped back.

    The defaults keep a narrow level at every base (2 kb -> 2,000 x 32 -> 500 x 64 -> 250 x 128; dilations 1-8
    of width 9 see ~1.9 kb) and dropout 0.1 in every block: on the simulated default's 290 training positives
    the same network on patches of 4 bases (500 x 64 -> 250 x 128; 0.30 s a step against the default's 0.55)
    left the background's CpG depletion and the per-promoter GC spread further from the real ones (README), and
    without dropout its validation loss rose sooner.

    Args:
        sequence_length: bases per sequence.
        patch_size: bases per position of the finest level (1: every base).
        channels: width of each level, finest first (each divisible by ``groups``).
        down_factors: shortening between consecutive levels (one fewer than ``channels``).
        blocks: residual blocks per level on the way down and again on the way up.
        bottleneck_dilations: one residual block per value at the coarsest level, its convolutions dilated by it.
        bottleneck_attention_heads: heads of the self-attention block after them (0: none); each head
            ``channels[-1] // heads`` wide.
        kernel_size: convolution width.
        groups: GroupNorm groups.
        time_embedding_dim: width of the time (and class) embedding; even.
        n_classes: classes the model can be conditioned on (0: unconditional).
        position_encoding: add the sinusoidal position signal after the input projection.
        dropout: dropout rate inside each residual block.
        self_conditioning: also read the previous clean-sequence estimate
            (:func:`~sca_tf.models.generative.denoiser.conditioning_inputs`).
    """

    def __init__(
        self,
        sequence_length: int,
        patch_size: int = 1,
        channels: Sequence[int] = (32, 64, 128),
        down_factors: Sequence[int] = (4, 2),
        blocks: int = 1,
        bottleneck_dilations: Sequence[int] = (1, 2, 4, 8),
        bottleneck_attention_heads: int = 0,
        kernel_size: int = 9,
        groups: int = 8,
        time_embedding_dim: int = 128,
        n_classes: int = 0,
        position_encoding: bool = True,
        dropout: float = 0.1,
        self_conditioning: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        channels = positive_ints("channels", channels)
        hparams = {
            "sequence_length": positive_int("sequence_length", sequence_length),
            "patch_size": positive_int("patch_size", patch_size),
            "channels": channels,
            "down_factors": positive_ints("down_factors", down_factors, length=len(channels) - 1)
            if len(channels) > 1 else _no_factors(down_factors),
            "blocks": non_negative_int("blocks", blocks),
            "bottleneck_dilations": positive_ints("bottleneck_dilations", bottleneck_dilations),
            "bottleneck_attention_heads": _attention_heads(bottleneck_attention_heads, channels[-1]),
            **block_hparams(kernel_size, groups, time_embedding_dim, n_classes, position_encoding, dropout,
                            self_conditioning),
        }
        check_groups(channels, groups)
        inputs, x, embedding = conditioning_inputs(sequence_length, time_embedding_dim, n_classes,
                                                   self_conditioning)
        multiple = patch_size * math.prod(hparams["down_factors"])
        padded_length = multiple * math.ceil(sequence_length / multiple)
        if padded_length > sequence_length:
            x = keras.layers.ZeroPadding1D((0, padded_length - sequence_length), name="pad")(x)
        x = keras.layers.Conv1D(channels[0], patch_size, strides=patch_size, name="patch_embedding")(x)
        if position_encoding:
            x = SinusoidalPositionalEncoding(name="position_encoding")(x)

        def blocks_at(x: Any, level: int, side: str) -> Any:
            for index in range(1, hparams["blocks"] + 1):
                x = residual_block(x, embedding, channels[level], kernel_size, 1, groups, dropout,
                                   f"{side}_{level}_block_{index}")
            return x

        skips = []
        for level, factor in enumerate(hparams["down_factors"]):
            x = blocks_at(x, level, "down")
            skips.append(x)
            x = keras.layers.Conv1D(channels[level + 1], factor, strides=factor, name=f"down_{level}_shorten")(x)
        for index, dilation in enumerate(hparams["bottleneck_dilations"], start=1):
            x = residual_block(x, embedding, channels[-1], kernel_size, dilation, groups, dropout,
                               f"bottleneck_block_{index}")
        if hparams["bottleneck_attention_heads"]:
            x = attention_block(x, hparams["bottleneck_attention_heads"], groups, dropout, "bottleneck_attention")
        for level in reversed(range(len(hparams["down_factors"]))):
            factor = hparams["down_factors"][level]
            x = keras.layers.Conv1DTranspose(channels[level], factor, strides=factor, name=f"up_{level}_lengthen")(x)
            x = keras.layers.Concatenate(name=f"up_{level}_skip")([x, skips[level]])
            x = blocks_at(x, level, "up") if hparams["blocks"] else keras.layers.Conv1D(
                channels[level], 1, name=f"up_{level}_merge")(x)
        if patch_size > 1:
            x = keras.layers.Conv1DTranspose(channels[0], patch_size, strides=patch_size, name="unpatch")(x)
        if padded_length > sequence_length:
            x = keras.layers.Cropping1D((0, padded_length - sequence_length), name="crop")(x)
        self._finish(inputs, output_head(x, groups), hparams, name, "unet_denoiser", **kwargs)


def attention_block(x: Any, heads: int, groups: int, dropout: float, prefix: str) -> Any:
    """GroupNorm -> multi-head self-attention (``heads`` of ``width // heads``; the transformer's
    :class:`~sca_tf.models.layers.ByteDropoutAttention`, whose attention-weight dropout is the cheap one on a CPU)
    -> added to the input; layers named ``<prefix>_*``."""
    width = int(x.shape[-1])
    h = keras.layers.GroupNormalization(groups, name=f"{prefix}_norm")(x)
    h = ByteDropoutAttention(heads, width // heads, dropout=dropout, name=f"{prefix}_heads")(h, h)
    return keras.layers.Add(name=f"{prefix}_residual")([x, h])


def _attention_heads(heads: int, width: int) -> int:
    heads = non_negative_int("bottleneck_attention_heads", heads)
    if heads and width % heads:
        raise ScaInputError(f"hyperparameter 'bottleneck_attention_heads' ({heads}) must divide the coarsest "
                            f"level's channels ({width})")
    return heads


def _no_factors(down_factors: Sequence[int]) -> tuple[int, ...]:
    if len(tuple(down_factors)):
        raise ScaInputError(f"hyperparameter 'down_factors': a one-level U-Net shortens nothing, got "
                            f"{list(down_factors)}")
    return ()
