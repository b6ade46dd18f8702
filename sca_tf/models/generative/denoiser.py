"""The diffusion model's network: a residual 1-D CNN that reads a noisy one-hot sequence and its timestep.

>>> denoiser = Denoiser(32, channels=8, dilations=(1,), groups=2, time_embedding_dim=8)
>>> tuple(denoiser([np.zeros((2, 32, 4)), np.array([0, 5])]).shape)
(2, 32, 4)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.checks import dropout_rate, non_negative_int, positive_int, positive_ints
from sca_tf.models.generative.base import N_BASES
from sca_tf.models.layers import SinusoidalPositionalEncoding


@keras.saving.register_keras_serializable(package="sca_tf")
class SinusoidalTimeEmbedding(keras.layers.Layer):
    """Integer timesteps ``[batch]`` -> ``[batch, dim]`` sines and cosines of geometrically spaced frequencies.

    >>> tuple(SinusoidalTimeEmbedding(8)(np.array([0, 999])).shape)
    (2, 8)
    """

    def __init__(self, dim: int, max_period: float = 10_000.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if positive_int("time_embedding_dim", dim) % 2:
            raise ScaInputError(f"hyperparameter 'time_embedding_dim': expected an even number, got {dim}")
        self.dim = dim
        self.max_period = float(max_period)

    def call(self, timesteps: Any) -> Any:
        half = self.dim // 2
        frequencies = keras.ops.exp(
            -math.log(self.max_period) * keras.ops.arange(half, dtype="float32") / float(half)
        )
        angles = keras.ops.cast(timesteps, "float32")[:, None] * frequencies[None, :]
        return keras.ops.concatenate([keras.ops.sin(angles), keras.ops.cos(angles)], axis=-1)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (input_shape[0], self.dim)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dim": self.dim, "max_period": self.max_period}


@keras.saving.register_keras_serializable(package="sca_tf")
class FeatureWiseAffine(keras.layers.Layer):
    """``features * (1 + scale) + shift`` with ``scale, shift`` per sample and channel (FiLM; "scale-shift norm").

    Inputs: ``[features [B, L, C], scale_shift [B, 2C]]``; the first ``C`` values of ``scale_shift`` are the scale.

    >>> tuple(FeatureWiseAffine()([np.ones((2, 5, 3)), np.zeros((2, 6))]).shape)
    (2, 5, 3)
    """

    def call(self, inputs: Sequence[Any]) -> Any:
        features, scale_shift = inputs
        scale, shift = keras.ops.split(scale_shift, 2, axis=-1)
        return features * (1.0 + scale[:, None, :]) + shift[:, None, :]

    def compute_output_shape(self, input_shapes: Sequence[tuple[int | None, ...]]) -> tuple[int | None, ...]:
        return tuple(input_shapes[0])


class DenoiserNetwork(keras.Model):
    """What every denoising network shares: ``[noisy [B, L, 4], timestep [B]] (+ class [B]) (+ previous estimate
    [B, L, 4]) -> [B, L, 4]`` built
    by :func:`conditioning_inputs` and :func:`output_head`, its constructor arguments as ``hparams``."""

    def _finish(self, inputs: list[Any], outputs: Any, hparams: dict[str, Any], name: str | None,
                default_name: str, **kwargs: Any) -> None:
        super().__init__(inputs=inputs, outputs=outputs, name=name or default_name, **kwargs)
        self._hparams = hparams

    @property
    def sequence_length(self) -> int:
        return self._hparams["sequence_length"]

    @property
    def n_classes(self) -> int:
        return self._hparams["n_classes"]

    @property
    def self_conditioning(self) -> bool:
        """Whether the network also reads its previous clean-sequence estimate (see :func:`conditioning_inputs`)."""
        return self._hparams["self_conditioning"]

    @property
    def hparams(self) -> dict[str, Any]:
        """The constructor arguments, JSON-ready."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self._hparams.items()}

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, **self.hparams}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DenoiserNetwork:
        # networks saved before self-conditioning existed read only the noisy bases
        return cls(**{"self_conditioning": False, **config})


def conditioning_inputs(sequence_length: int, time_embedding_dim: int, n_classes: int,
                        self_conditioning: bool = False) -> tuple[list[Any], Any, Any]:
    """The network's inputs, the per-base features its first layer reads, and the embedding every block is
    conditioned on.

    Inputs: the noisy one-hot, the timestep, the class label when ``n_classes``, and with ``self_conditioning``
    the previous clean-sequence estimate (signed one-hot ``[B, L, 4]``, zeros for none; Chen et al. 2023), which
    is concatenated to the noisy bases. The embedding: sinusoidal time -> 2-layer MLP, plus a learned class
    embedding (index ``n_classes`` = no class), then SiLU.
    """
    noisy = keras.Input(shape=(sequence_length, N_BASES), name="noisy")
    timestep = keras.Input(shape=(), dtype="int32", name="timestep")
    inputs = [noisy, timestep]
    embedding = SinusoidalTimeEmbedding(time_embedding_dim, name="time_sinusoid")(timestep)
    embedding = keras.layers.Dense(4 * time_embedding_dim, activation="silu", name="time_dense_1")(embedding)
    embedding = keras.layers.Dense(time_embedding_dim, name="time_dense_2")(embedding)
    if n_classes:
        label = keras.Input(shape=(), dtype="int32", name="class_label")
        inputs.append(label)
        class_embedding = keras.layers.Embedding(n_classes + 1, time_embedding_dim, name="class_embedding")(label)
        embedding = keras.layers.Add(name="time_plus_class")([embedding, class_embedding])
    bases = noisy
    if self_conditioning:
        estimate = keras.Input(shape=(sequence_length, N_BASES), name="previous_estimate")
        inputs.append(estimate)
        bases = keras.layers.Concatenate(name="noisy_and_estimate")([noisy, estimate])
    return inputs, bases, keras.layers.Activation("silu", name="embedding_silu")(embedding)


def output_head(x: Any, groups: int) -> Any:
    """GroupNorm -> SiLU -> a zero-initialised float32 1x1 Conv1D to the 4 base channels."""
    x = keras.layers.GroupNormalization(groups, name="output_norm")(x)
    x = keras.layers.Activation("silu", name="output_silu")(x)
    return keras.layers.Conv1D(N_BASES, 1, kernel_initializer="zeros", dtype="float32", name="noise")(x)


def block_hparams(kernel_size: int, groups: int, time_embedding_dim: int, n_classes: int, position_encoding: bool,
                  dropout: float, self_conditioning: bool = False) -> dict[str, Any]:
    """The checked settings every denoiser's blocks and conditioning share, by name."""
    return {
        "kernel_size": positive_int("kernel_size", kernel_size),
        "groups": positive_int("groups", groups),
        "time_embedding_dim": positive_int("time_embedding_dim", time_embedding_dim),
        "n_classes": non_negative_int("n_classes", n_classes),
        "position_encoding": bool(position_encoding),
        "dropout": dropout_rate("dropout", dropout),
        "self_conditioning": bool(self_conditioning),
    }


def check_groups(channels: Sequence[int], groups: int) -> None:
    """Every width must be divisible by the GroupNorm ``groups``."""
    for width in channels:
        if width % groups:
            raise ScaInputError(f"hyperparameter 'channels' ({width}) must be divisible by 'groups' ({groups})")


@keras.saving.register_keras_serializable(package="sca_tf")
class Denoiser(DenoiserNetwork):
    """Denoises a noisy one-hot sequence: ``[noisy [B, L, 4], timestep [B]] (+ class [B]) (+ previous estimate
    [B, L, 4]) -> [B, L, 4]``.

    The 4 output channels are the predicted noise or, for a ``categorical_x0`` ``DiffusionModel``, the
    logits of the clean base (the network is the same; the model's loss decides what it learns).

    A 1x1 Conv1D projects the 4 base channels to ``channels``; a fixed sinusoidal position signal is added
    (``position_encoding``), because promoter features sit at fixed distances from the TSS; then one residual
    block per entry of ``dilations``: GroupNorm -> SiLU -> dilated Conv1D -> GroupNorm -> scale and shift per
    channel from the time embedding (FiLM, as in Nichol & Dhariwal 2021) -> SiLU -> dilated Conv1D, added to the
    block input; finally GroupNorm -> SiLU -> a zero-initialised 1x1 Conv1D back to 4 channels. The time
    embedding (sinusoidal, then a 2-layer MLP) reaches every block; with ``n_classes > 0`` a learned class
    embedding (index ``n_classes`` = no class) is added to it.

    Args:
        sequence_length: bases per sequence.
        channels: width of every convolution (divisible by ``groups``).
        dilations: one residual block per value, its convolutions dilated by it.
        kernel_size: convolution width.
        groups: GroupNorm groups.
        time_embedding_dim: width of the time (and class) embedding; even.
        n_classes: classes the model can be conditioned on (0: unconditional).
        position_encoding: add the sinusoidal position signal after the input projection.
        dropout: dropout rate inside each block, before its second convolution.
        self_conditioning: also read the previous clean-sequence estimate (:func:`conditioning_inputs`).
    """

    def __init__(
        self,
        sequence_length: int,
        channels: int = 128,
        dilations: Sequence[int] = (1, 2, 4, 8),
        kernel_size: int = 9,
        groups: int = 8,
        time_embedding_dim: int = 128,
        n_classes: int = 0,
        position_encoding: bool = True,
        dropout: float = 0.0,
        self_conditioning: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        hparams = {
            "sequence_length": positive_int("sequence_length", sequence_length),
            "channels": positive_int("channels", channels),
            "dilations": positive_ints("dilations", dilations),
            **block_hparams(kernel_size, groups, time_embedding_dim, n_classes, position_encoding, dropout,
                            self_conditioning),
        }
        check_groups((channels,), groups)
        inputs, bases, embedding = conditioning_inputs(sequence_length, time_embedding_dim, n_classes,
                                                       self_conditioning)
        x = keras.layers.Conv1D(channels, 1, name="input_projection")(bases)
        if position_encoding:
            x = SinusoidalPositionalEncoding(name="position_encoding")(x)
        for index, dilation in enumerate(hparams["dilations"], start=1):
            x = residual_block(x, embedding, channels, kernel_size, dilation, groups, dropout, f"block_{index}")
        self._finish(inputs, output_head(x, groups), hparams, name, "denoiser", **kwargs)


def residual_block(x: Any, embedding: Any, channels: int, kernel_size: int, dilation: int, groups: int,
                   dropout: float, prefix: str) -> Any:
    """GroupNorm -> SiLU -> dilated Conv1D -> GroupNorm -> FiLM from ``embedding`` -> SiLU (-> dropout) -> dilated
    Conv1D, added to the input (through a 1x1 Conv1D when the input has another width); layers named
    ``<prefix>_*``."""
    h = keras.layers.GroupNormalization(groups, name=f"{prefix}_norm_1")(x)
    h = keras.layers.Activation("silu", name=f"{prefix}_silu_1")(h)
    h = keras.layers.Conv1D(channels, kernel_size, padding="same", dilation_rate=dilation, name=f"{prefix}_conv_1")(h)
    h = keras.layers.GroupNormalization(groups, name=f"{prefix}_norm_2")(h)
    scale_shift = keras.layers.Dense(2 * channels, name=f"{prefix}_time")(embedding)
    h = FeatureWiseAffine(name=f"{prefix}_time_affine")([h, scale_shift])
    h = keras.layers.Activation("silu", name=f"{prefix}_silu_2")(h)
    if dropout:
        h = keras.layers.Dropout(dropout, name=f"{prefix}_dropout")(h)
    h = keras.layers.Conv1D(channels, kernel_size, padding="same", dilation_rate=dilation, name=f"{prefix}_conv_2")(h)
    if int(x.shape[-1]) != channels:
        x = keras.layers.Conv1D(channels, 1, name=f"{prefix}_skip")(x)
    return keras.layers.Add(name=f"{prefix}_residual")([x, h])
