"""Denoising diffusion (DDPM, Ho et al. 2020) over one-hot promoter DNA, with DDPM and DDIM samplers.

One-hot DNA ``[batch, length, 4]`` (``A, C, G, T``) is scaled to ``[-1, 1]`` and noised along a
:class:`NoiseSchedule`; a convolutional :class:`Denoiser` predicts the added noise from the noisy sequence and the
timestep, trained with a mean-squared error. Generation starts from Gaussian noise and denoises step by step,
either ancestrally over all ``T`` steps (DDPM) or deterministically over a few (DDIM, Song et al. 2021, ``eta=0``);
the result is decoded by argmax to ``ACGT``.

``parameterization="categorical_x0"`` reads the same 4 output channels as logits of the clean base instead of
noise and trains them with cross-entropy; the sampler then steps towards the expected clean sequence
``2 * softmax(logits) - 1``. DNA is categorical, and this puts the training signal where a base is decided
rather than spreading it over the noise of every channel (Dieleman et al. 2022; Austin et al. 2021).

>>> model = build_diffusion_model(64, channels=16, dilations=(1, 2), groups=4, timesteps=100)
>>> model.compile(optimizer=keras.optimizers.Adam(2e-4))
>>> model.fit(one_hot_positives, epochs=1)  # doctest: +SKIP   (one-hot {0, 1}; labels only if conditional)
>>> model.generate(8, sampler="ddim", steps=20, seed=0)  # doctest: +SKIP
['ACGT...', ...]

:class:`DiffusionModel` trains through ``model.fit`` (its ``train_step`` draws the timesteps and the noise), so
``tf.distribute`` strategies, TensorBoard and checkpoints work as for every other sca-tf model. With
``class_names`` (e.g. ``("up", "down")``) the denoiser is conditioned on the class through a learned embedding
added to the time embedding; the class is dropped to a "no class" token with probability ``condition_dropout``
during training, so the same model also samples unconditionally.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from scipy.special import softmax
from tqdm.auto import tqdm

from sca_tf.errors import ScaInputError
from sca_tf.models.base import dropout_rate, positive_int, positive_ints
from sca_tf.models.generative.encoding import (
    SequenceGenerator,
    check_positive,
    replica_mean_scale,
    replica_step_seeds,
)
from sca_tf.models.layers import SinusoidalPositionalEncoding

SCHEDULES = ("linear", "cosine")
SAMPLERS = ("ddpm", "ddim")
#: What the denoiser's 4 output channels mean: the added noise (Ho et al. 2020, MSE loss) or the logits of the
#: clean base at every position (categorical ``x0``, cross-entropy loss; Dieleman et al. 2022, "CDCD").
PARAMETERIZATIONS = ("epsilon", "categorical_x0")
DEFAULT_DDIM_STEPS = 50
N_BASES = 4
_MAX_BETA = 0.999


@dataclasses.dataclass(frozen=True)
class NoiseSchedule:
    """The forward-process variances ``beta_t`` for ``t = 0 .. timesteps - 1``.

    ``linear``: ``beta`` rises linearly from ``beta_start`` to ``beta_end`` (the paper's 1e-4 -> 0.02 over
    ``T = 1000``). ``cosine`` (Nichol & Dhariwal 2021): ``alpha_bar(t) = cos²(((t / T) + s) / (1 + s) · π/2)``
    normalised to 1 at ``t = 0``, with ``beta`` capped at 0.999; it destroys information more evenly over time.

    >>> schedule = NoiseSchedule("linear", timesteps=1000)
    >>> round(float(schedule.alphas_bar[-1]), 5)
    4e-05
    """

    kind: str = "linear"
    timesteps: int = 1000
    beta_start: float = 1e-4
    beta_end: float = 0.02
    cosine_offset: float = 0.008

    def __post_init__(self) -> None:
        if self.kind not in SCHEDULES:
            raise ScaInputError(f"noise schedule {self.kind!r}: expected one of {', '.join(SCHEDULES)}")
        if isinstance(self.timesteps, bool) or not isinstance(self.timesteps, int) or self.timesteps < 2:
            raise ScaInputError(f"noise schedule: timesteps must be an integer >= 2, got {self.timesteps!r}")
        if not 0 < self.beta_start < self.beta_end < 1:
            raise ScaInputError(
                f"noise schedule: need 0 < beta_start < beta_end < 1, got {self.beta_start} and {self.beta_end}"
            )
        if not self.cosine_offset > 0:
            raise ScaInputError(f"noise schedule: cosine_offset must be > 0, got {self.cosine_offset}")

    @functools.cached_property
    def betas(self) -> np.ndarray:
        """``beta_t`` (float64, ``[timesteps]``)."""
        if self.kind == "linear":
            return np.linspace(self.beta_start, self.beta_end, self.timesteps, dtype=np.float64)
        fraction = np.arange(self.timesteps + 1, dtype=np.float64) / self.timesteps
        cumulative = np.cos((fraction + self.cosine_offset) / (1 + self.cosine_offset) * math.pi / 2) ** 2
        cumulative /= cumulative[0]
        return np.clip(1.0 - cumulative[1:] / cumulative[:-1], 0.0, _MAX_BETA)

    @functools.cached_property
    def alphas_bar(self) -> np.ndarray:
        """``alpha_bar_t = prod_{s <= t} (1 - beta_s)``: the signal fraction left at step ``t`` (decreasing)."""
        return np.cumprod(1.0 - self.betas)

    def to_config(self) -> dict[str, Any]:
        """JSON-ready fields (``NoiseSchedule(**config)`` rebuilds it)."""
        return dataclasses.asdict(self)


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
class Denoiser(keras.Model):
    """Denoises a noisy one-hot sequence: ``[noisy [B, L, 4], timestep [B]] (+ class [B]) -> [B, L, 4]``.

    The 4 output channels are the predicted noise or, for a ``categorical_x0`` :class:`DiffusionModel`, the
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

    >>> denoiser = Denoiser(32, channels=8, dilations=(1,), groups=2, time_embedding_dim=8)
    >>> tuple(denoiser([np.zeros((2, 32, 4)), np.array([0, 5])]).shape)
    (2, 32, 4)
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
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        hparams = {
            "sequence_length": positive_int("sequence_length", sequence_length),
            "channels": positive_int("channels", channels),
            "dilations": positive_ints("dilations", dilations),
            "kernel_size": positive_int("kernel_size", kernel_size),
            "groups": positive_int("groups", groups),
            "time_embedding_dim": positive_int("time_embedding_dim", time_embedding_dim),
            "n_classes": _non_negative_int("n_classes", n_classes),
            "position_encoding": bool(position_encoding),
            "dropout": dropout_rate("dropout", dropout),
        }
        if channels % groups:
            raise ScaInputError(f"hyperparameter 'channels' ({channels}) must be divisible by 'groups' ({groups})")
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
        embedding = keras.layers.Activation("silu", name="embedding_silu")(embedding)
        x = keras.layers.Conv1D(channels, 1, name="input_projection")(noisy)
        if position_encoding:
            x = SinusoidalPositionalEncoding(name="position_encoding")(x)
        for index, dilation in enumerate(hparams["dilations"], start=1):
            x = _residual_block(x, embedding, channels, kernel_size, dilation, groups, dropout, index)
        x = keras.layers.GroupNormalization(groups, name="output_norm")(x)
        x = keras.layers.Activation("silu", name="output_silu")(x)
        noise = keras.layers.Conv1D(N_BASES, 1, kernel_initializer="zeros", dtype="float32", name="noise")(x)
        super().__init__(inputs=inputs, outputs=noise, name=name or "denoiser", **kwargs)
        self._hparams = hparams

    @property
    def sequence_length(self) -> int:
        return self._hparams["sequence_length"]

    @property
    def n_classes(self) -> int:
        return self._hparams["n_classes"]

    @property
    def hparams(self) -> dict[str, Any]:
        """The constructor arguments, JSON-ready."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self._hparams.items()}

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, **self.hparams}


def _residual_block(x: Any, embedding: Any, channels: int, kernel_size: int, dilation: int, groups: int,
                    dropout: float, index: int) -> Any:
    prefix = f"block_{index}"
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
    return keras.layers.Add(name=f"{prefix}_residual")([x, h])


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


@keras.saving.register_keras_serializable(package="sca_tf")
class DiffusionModel(SequenceGenerator):
    """A :class:`Denoiser` with its :class:`NoiseSchedule`: trains with ``fit`` and generates with DDPM or DDIM.

    ``fit`` takes one-hot ``{0, 1}`` sequences ``[batch, length, 4]`` (the project's pipelines' format), alone or
    with integer class labels (indices into ``class_names``) for a conditional model; an unconditional model
    ignores labels, so a ``(one_hot, label)`` pipeline of positives can be used as is. Compile with an
    optimiser only: the loss (MSE between true and predicted noise) is built in and logged as ``loss``.

    Args:
        denoiser: the noise-prediction network (``n_classes`` must equal ``len(class_names)``).
        schedule: the forward process (default: the paper's linear 1e-4 -> 0.02 over 1000 steps).
        class_names: names of the conditioning classes, e.g. ``("up", "down")``.
        condition_dropout: probability of training on the "no class" token instead of the label.
        seed: seed of the timesteps and noise drawn in ``train_step`` (with the step number and replica).
        parameterization: ``epsilon`` (the denoiser predicts the noise; MSE) or ``categorical_x0`` (it predicts
            logits of the clean base; cross-entropy). See :data:`PARAMETERIZATIONS`.
    """

    def __init__(
        self,
        denoiser: Denoiser | dict[str, Any],
        schedule: NoiseSchedule | dict[str, Any] | None = None,
        *,
        class_names: Sequence[str] = (),
        condition_dropout: float = 0.1,
        seed: int = 0,
        parameterization: str = "epsilon",
        name: str = "diffusion",
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        if parameterization not in PARAMETERIZATIONS:
            raise ScaInputError(
                f"parameterization {parameterization!r}: expected one of {', '.join(PARAMETERIZATIONS)}"
            )
        self.parameterization = parameterization
        if isinstance(denoiser, dict):
            denoiser = keras.saving.deserialize_keras_object(denoiser)
        if not isinstance(denoiser, Denoiser):
            raise ScaInputError(f"denoiser: expected a Denoiser, got {type(denoiser).__name__}")
        if isinstance(schedule, dict):
            schedule = NoiseSchedule(**schedule)
        self.denoiser = denoiser
        self.schedule = schedule or NoiseSchedule()
        self._class_names = tuple(str(label) for label in class_names)
        if len(self._class_names) != denoiser.n_classes or len(set(self._class_names)) != len(self._class_names):
            raise ScaInputError(
                f"class_names {list(self._class_names)}: expected {denoiser.n_classes} distinct name(s), one per "
                "class the denoiser was built for"
            )
        self.condition_dropout = dropout_rate("condition_dropout", condition_dropout)
        self.seed = int(seed)
        self._init_counter()
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self._denoise_fn: Any = None
        self.built = True

    # ------------------------------------------------------------------ properties and config
    @property
    def sequence_length(self) -> int:
        return self.denoiser.sequence_length

    @property
    def class_names(self) -> tuple[str, ...]:
        return self._class_names

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [self.loss_tracker]

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "trainable": self.trainable,
            "denoiser": keras.saving.serialize_keras_object(self.denoiser),
            "schedule": self.schedule.to_config(),
            "class_names": list(self._class_names),
            "condition_dropout": self.condition_dropout,
            "seed": self.seed,
            "parameterization": self.parameterization,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DiffusionModel:
        return cls(**config)

    def call(self, inputs: Any, training: bool = False) -> Any:
        return self.denoiser(inputs, training=training)

    # ------------------------------------------------------------------ forward process and loss
    def q_sample(self, x0: Any, timesteps: Any, noise: Any) -> tf.Tensor:
        """Noised ``x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise`` of signed one-hot ``x0``."""
        alphas_bar = tf.constant(self.schedule.alphas_bar, dtype=tf.float32)
        signal = tf.gather(alphas_bar, tf.cast(timesteps, tf.int32))[:, None, None]
        return tf.sqrt(signal) * tf.cast(x0, tf.float32) + tf.sqrt(1.0 - signal) * tf.cast(noise, tf.float32)

    def denoising_loss(self, one_hot: Any, timesteps: Any, noise: Any, labels: Any = None,
                       training: bool = False) -> tf.Tensor:
        """The training loss of the denoiser's output on ``q_sample`` of ``one_hot``.

        ``epsilon``: mean squared error between ``noise`` and the prediction. ``categorical_x0``: mean
        cross-entropy between the clean bases and the predicted logits. ``one_hot`` is ``{0, 1}`` and is scaled to
        ``[-1, 1]`` here; ``labels`` are class indices (``len(class_names)`` = no class) for a conditional model.
        """
        x0 = 2.0 * tf.cast(one_hot, tf.float32) - 1.0
        noisy = self.q_sample(x0, timesteps, noise)
        predicted = self.denoiser(self._inputs(noisy, timesteps, labels), training=training)
        if self.parameterization == "categorical_x0":
            return tf.reduce_mean(
                tf.nn.softmax_cross_entropy_with_logits(labels=tf.cast(one_hot, tf.float32), logits=predicted)
            )
        return tf.reduce_mean(tf.square(tf.cast(noise, tf.float32) - predicted))

    def train_step(self, data: Any) -> dict[str, tf.Tensor]:
        one_hot, labels = self._unpack(data)
        seeds = replica_step_seeds(self.seed, self.optimizer.iterations, 3)
        timesteps, noise = self._draw(one_hot, seeds[0], seeds[1])
        if labels is not None and self.condition_dropout > 0:
            dropped = tf.random.stateless_uniform(tf.shape(labels), seeds[2]) < self.condition_dropout
            labels = tf.where(dropped, tf.cast(len(self._class_names), labels.dtype), labels)
        with tf.GradientTape() as tape:
            loss = self.denoising_loss(one_hot, timesteps, noise, labels, training=True)
            scaled_loss = loss * replica_mean_scale()
        weights = self.denoiser.trainable_weights
        self.optimizer.apply_gradients(zip(tape.gradient(scaled_loss, weights), weights))
        self.trained_steps.assign_add(1)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data: Any) -> dict[str, tf.Tensor]:
        one_hot, labels = self._unpack(data)
        seeds = replica_step_seeds(self.seed, -1, 2)  # the same draws every evaluation
        timesteps, noise = self._draw(one_hot, seeds[0], seeds[1])
        self.loss_tracker.update_state(self.denoising_loss(one_hot, timesteps, noise, labels, training=False))
        return {"loss": self.loss_tracker.result()}

    def _unpack(self, data: Any) -> tuple[tf.Tensor, tf.Tensor | None]:
        one_hot, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if not self._class_names:
            return one_hot, None
        if labels is None:
            raise ScaInputError(
                f"conditional diffusion model (classes {', '.join(self._class_names)}) needs (one_hot, label) batches"
            )
        return one_hot, tf.reshape(tf.cast(labels, tf.int32), [-1])

    def _draw(self, one_hot: tf.Tensor, time_seed: tf.Tensor, noise_seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        batch = tf.shape(one_hot)[0]
        timesteps = tf.random.stateless_uniform(
            [batch], time_seed, minval=0, maxval=self.schedule.timesteps, dtype=tf.int32
        )
        noise = tf.random.stateless_normal(tf.shape(one_hot), noise_seed)
        return timesteps, noise

    def _inputs(self, noisy: Any, timesteps: Any, labels: Any) -> list[Any]:
        inputs = [noisy, tf.cast(timesteps, tf.int32)]
        if self._class_names:
            if labels is None:
                labels = tf.fill([tf.shape(noisy)[0]], len(self._class_names))
            inputs.append(tf.cast(labels, tf.int32))
        return inputs

    # ------------------------------------------------------------------ sampling
    def predict_start(self, noisy: np.ndarray, timestep: int, noise: np.ndarray) -> np.ndarray:
        """Invert :meth:`q_sample` at step ``timestep``: the ``x0`` that ``noise`` would have come from."""
        signal = self.schedule.alphas_bar[timestep]
        return ((noisy - math.sqrt(1.0 - signal) * noise) / math.sqrt(signal)).astype(np.float32)

    def sample_one_hot(self, n: int, *, seed: int = 0, condition: str | None = None, batch_size: int = 64,
                       progress: bool = False, sampler: str = "ddim", steps: int | None = None,
                       eta: float = 0.0, guidance: float = 1.0) -> np.ndarray:
        """Signed one-hot scores ``[n, length, 4]`` in ``[-1, 1]`` from ``sampler`` (``ddpm`` or ``ddim``).

        ``ddpm``: ancestral sampling over all ``T`` steps (``steps`` must be ``None`` or ``T``). ``ddim``: ``steps``
        evenly spaced steps (default 50, or ``T`` if smaller); ``eta = 0`` is deterministic given the starting
        noise, ``eta = 1`` approaches ancestral sampling. The same ``seed`` (and ``batch_size``) gives the same
        sequences. ``guidance`` (with a ``condition``): classifier-free guidance weight (Ho & Salimans 2022), the
        output ``uncond + guidance * (cond - uncond)`` (noise, or logits for ``categorical_x0``); 1 is plain
        conditional sampling, > 1 sharpens the class.
        """
        check_positive("n", n)
        check_positive("batch_size", batch_size)
        self.check_condition(condition)
        plan = self._sampling_plan(sampler, steps, eta)
        label = self._condition_index(condition)
        guidance = self._check_guidance(guidance, condition)
        rng = np.random.default_rng(seed)
        batches = [min(batch_size, n - start) for start in range(0, n, batch_size)]
        with tqdm(total=len(batches) * len(plan), desc=f"{sampler} sampling", unit="step", disable=not progress) as bar:
            return np.concatenate([self._sample_batch(size, rng, sampler, plan, eta, label, guidance, bar)
                                   for size in batches])

    def _check_guidance(self, guidance: float, condition: str | None) -> float:
        if isinstance(guidance, bool) or not isinstance(guidance, (int, float)) or not guidance >= 0:
            raise ScaInputError(f"guidance: expected a number >= 0, got {guidance!r}")
        if guidance != 1 and (condition is None or self.condition_dropout == 0):
            raise ScaInputError(
                "guidance other than 1 needs a condition and a model trained with condition dropout (it mixes the "
                "conditional and the unconditional noise predictions)"
            )
        return float(guidance)

    def _sampling_plan(self, sampler: str, steps: int | None, eta: float) -> np.ndarray:
        total = self.schedule.timesteps
        if sampler not in SAMPLERS:
            raise ScaInputError(f"sampler {sampler!r}: expected one of {', '.join(SAMPLERS)}")
        if not (isinstance(eta, (int, float)) and 0 <= eta <= 1):
            raise ScaInputError(f"eta: expected a number in [0, 1], got {eta!r}")
        if sampler == "ddpm":
            if steps not in (None, total):
                raise ScaInputError(
                    f"ancestral DDPM sampling runs all {total} steps, got steps={steps}; use sampler='ddim' "
                    "(eta=1 for a stochastic sampler) to take fewer steps"
                )
            return np.arange(total)
        steps = min(DEFAULT_DDIM_STEPS, total) if steps is None else check_positive("steps", steps)
        if steps > total:
            raise ScaInputError(f"steps: DDIM takes at most the {total} training timesteps, got {steps}")
        return np.unique(np.linspace(0, total - 1, min(steps, total)).round().astype(np.int64))

    def _condition_index(self, condition: str | None) -> int | None:
        if not self._class_names:
            return None
        if condition is None:
            if self.condition_dropout == 0:
                raise ScaInputError(
                    f"model {self.name!r} was trained without condition dropout, so it cannot sample without a "
                    f"class: give condition as one of {', '.join(self._class_names)}"
                )
            return len(self._class_names)
        return self._class_names.index(condition)

    def _sample_batch(self, size: int, rng: np.random.Generator, sampler: str, plan: np.ndarray, eta: float,
                      label: int | None, guidance: float, bar: tqdm) -> np.ndarray:
        shape = (size, self.sequence_length, N_BASES)
        labels = None if label is None else np.full(size, label, dtype=np.int32)
        x = rng.standard_normal(shape).astype(np.float32)
        alphas_bar = self.schedule.alphas_bar
        for index in range(len(plan) - 1, -1, -1):
            t = int(plan[index])
            output = self._denoise(x, t, labels)
            if guidance != 1:
                unconditional = self._denoise(x, t, np.full(size, len(self._class_names), dtype=np.int32))
                output = unconditional + guidance * (output - unconditional)
            x0 = self._clean_estimate(x, t, output)
            previous = alphas_bar[plan[index - 1]] if index > 0 else 1.0
            if sampler == "ddpm":
                x = self._ddpm_step(x, x0, t, rng)
            else:
                x = self._ddim_step(x, x0, alphas_bar[t], previous, eta, rng)
            bar.update()
        return x

    def _ddpm_step(self, x: np.ndarray, x0: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
        """One ancestral step: the Gaussian posterior ``q(x_{t-1} | x_t, x0)`` at the predicted (clipped) ``x0``."""
        betas, alphas_bar = self.schedule.betas, self.schedule.alphas_bar
        previous = alphas_bar[t - 1] if t > 0 else 1.0
        mean = (betas[t] * math.sqrt(previous) / (1 - alphas_bar[t])) * x0 + (
            (1 - previous) * math.sqrt(1 - betas[t]) / (1 - alphas_bar[t])
        ) * x
        if t == 0:
            return mean.astype(np.float32)
        variance = betas[t] * (1 - previous) / (1 - alphas_bar[t])
        return (mean + math.sqrt(variance) * rng.standard_normal(x.shape)).astype(np.float32)

    @staticmethod
    def _ddim_step(x: np.ndarray, x0: np.ndarray, current: float, previous: float, eta: float,
                   rng: np.random.Generator) -> np.ndarray:
        """One DDIM step from ``alpha_bar = current`` to ``previous`` (Song et al. 2021, eq. 12)."""
        noise = (x - math.sqrt(current) * x0) / math.sqrt(1 - current)  # consistent with the clipped x0
        sigma = eta * math.sqrt((1 - previous) / (1 - current) * (1 - current / previous))
        x = math.sqrt(previous) * x0 + math.sqrt(max(1 - previous - sigma**2, 0.0)) * noise
        if sigma > 0:
            x = x + sigma * rng.standard_normal(x.shape)
        return x.astype(np.float32)

    def _clean_estimate(self, noisy: np.ndarray, timestep: int, output: np.ndarray) -> np.ndarray:
        """The signed one-hot ``x0`` in ``[-1, 1]`` that the denoiser's ``output`` points to."""
        if self.parameterization == "categorical_x0":
            return (2.0 * softmax(output, axis=-1) - 1.0).astype(np.float32)
        return np.clip(self.predict_start(noisy, timestep, output), -1.0, 1.0)

    def _denoise(self, noisy: np.ndarray, timestep: int, labels: np.ndarray | None) -> np.ndarray:
        """The denoiser's raw output (noise or clean-base logits) at ``timestep``."""
        if self._denoise_fn is None:
            self._denoise_fn = tf.function(lambda inputs: self.denoiser(inputs, training=False), reduce_retracing=True)
        timesteps = np.full(noisy.shape[0], timestep, dtype=np.int32)
        inputs = [noisy, timesteps] if labels is None else [noisy, timesteps, labels]
        return self._denoise_fn(inputs).numpy()


def build_diffusion_model(
    sequence_length: int,
    *,
    schedule: str = "linear",
    timesteps: int = 1000,
    beta_start: float = 1e-4,
    beta_end: float = 0.02,
    class_names: Sequence[str] = (),
    condition_dropout: float = 0.1,
    seed: int = 0,
    parameterization: str = "epsilon",
    **denoiser_hparams: Any,
) -> DiffusionModel:
    """A :class:`DiffusionModel` with a fresh :class:`Denoiser` (``denoiser_hparams`` go to it)."""
    denoiser = Denoiser(sequence_length, n_classes=len(class_names), **denoiser_hparams)
    noise_schedule = NoiseSchedule(schedule, timesteps=timesteps, beta_start=beta_start, beta_end=beta_end)
    return DiffusionModel(denoiser, noise_schedule, class_names=class_names, condition_dropout=condition_dropout,
                          seed=seed, parameterization=parameterization)


def _non_negative_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScaInputError(f"hyperparameter {name!r}: expected an integer >= 0, got {value!r}")
    return value
