"""Denoising diffusion (DDPM, Ho et al. 2020) over one-hot promoter DNA: the model that trains with ``fit``.

One-hot DNA ``[batch, length, 4]`` (``A, C, G, T``) is scaled to ``[-1, 1]`` and noised along a
:class:`~sca_tf.models.generative.schedule.NoiseSchedule`; a convolutional
:class:`~sca_tf.models.generative.denoiser.Denoiser` predicts the added noise from the noisy sequence and the
timestep, trained with a mean-squared error. Generation (:mod:`sca_tf.models.generative.sampling`) starts from
Gaussian noise and denoises step by step, ancestrally (DDPM) or deterministically over a few steps (DDIM); the
result is decoded by argmax to ``ACGT``.

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

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from sca_tf.errors import ScaInputError
from sca_tf.models.checks import dropout_rate
from sca_tf.models.generative.base import SequenceGenerator, replica_mean_scale, replica_step_seeds
from sca_tf.models.generative.denoiser import Denoiser, DenoiserNetwork
from sca_tf.models.generative.sampling import (
    DEFAULT_GUIDANCE_INTERVAL,
    ReverseProcess,
    check_guidance,
    check_guidance_interval,
    check_temperature,
    sampling_plan,
)
from sca_tf.models.generative.schedule import NoiseSchedule
from sca_tf.models.generative.unet import UNetDenoiser

#: What the denoiser's 4 output channels mean: the added noise (Ho et al. 2020, MSE loss) or the logits of the
#: clean base at every position (categorical ``x0``, cross-entropy loss; Dieleman et al. 2022, "CDCD").
PARAMETERIZATIONS = ("epsilon", "categorical_x0")

#: The denoising networks: the flat dilated residual CNN (:class:`Denoiser`) and the 1-D U-Net
#: (:class:`~sca_tf.models.generative.unet.UNetDenoiser`), whose cost grows slowly with the sequence length.
DENOISERS: dict[str, type[DenoiserNetwork]] = {"residual": Denoiser, "unet": UNetDenoiser}


def check_parameterization(parameterization: str) -> str:
    """``parameterization`` if it is one of :data:`PARAMETERIZATIONS`; ``ScaInputError`` listing them otherwise."""
    if parameterization not in PARAMETERIZATIONS:
        raise ScaInputError(f"parameterization {parameterization!r}: expected one of {', '.join(PARAMETERIZATIONS)}")
    return parameterization


def check_denoiser(name: str) -> type[DenoiserNetwork]:
    """The network class called ``name`` in :data:`DENOISERS`; ``ScaInputError`` listing them otherwise."""
    if name not in DENOISERS:
        raise ScaInputError(f"denoiser {name!r}: expected one of {', '.join(DENOISERS)}")
    return DENOISERS[name]


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
        denoiser: DenoiserNetwork | dict[str, Any],
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
        self.parameterization = check_parameterization(parameterization)
        if isinstance(denoiser, dict):
            denoiser = keras.saving.deserialize_keras_object(denoiser)
        if not isinstance(denoiser, DenoiserNetwork):
            raise ScaInputError(f"denoiser: expected a Denoiser or UNetDenoiser, got {type(denoiser).__name__}")
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
        signal = self._signal_at(timesteps)
        return tf.sqrt(signal) * tf.cast(x0, tf.float32) + tf.sqrt(1.0 - signal) * tf.cast(noise, tf.float32)

    def _signal_at(self, timesteps: Any) -> tf.Tensor:
        """``alpha_bar`` at each sample's timestep, shaped ``[batch, 1, 1]`` to scale its sequence."""
        alphas_bar = tf.constant(self.schedule.alphas_bar, dtype=tf.float32)
        return tf.gather(alphas_bar, tf.cast(timesteps, tf.int32))[:, None, None]

    def denoising_loss(self, one_hot: Any, timesteps: Any, noise: Any, labels: Any = None,
                       training: bool = False, self_condition: Any = False) -> tf.Tensor:
        """The training loss of the denoiser's output on ``q_sample`` of ``one_hot``.

        ``epsilon``: mean squared error between ``noise`` and the prediction. ``categorical_x0``: mean
        cross-entropy between the clean bases and the predicted logits. ``one_hot`` is ``{0, 1}`` and is scaled to
        ``[-1, 1]`` here; ``labels`` are class indices (``len(class_names)`` = no class) for a conditional model.
        ``self_condition`` (a bool or a boolean scalar tensor; self-conditioning networks only): first denoise
        without an estimate and feed that clean estimate, without its gradient, to the pass the loss is taken
        on (Chen et al. 2023); otherwise the estimate input is zeros.
        """
        x0 = 2.0 * tf.cast(one_hot, tf.float32) - 1.0
        noisy = self.q_sample(x0, timesteps, noise)
        estimate = None
        if self.denoiser.self_conditioning:
            def first_pass() -> tf.Tensor:
                output = self.denoiser(self._inputs(noisy, timesteps, labels), training=training)
                return tf.stop_gradient(self._clean_estimate_tensor(noisy, timesteps, output))

            estimate = tf.cond(tf.convert_to_tensor(self_condition), first_pass, lambda: tf.zeros_like(noisy))
        predicted = self.denoiser(self._inputs(noisy, timesteps, labels, estimate), training=training)
        if self.parameterization == "categorical_x0":
            return tf.reduce_mean(
                tf.nn.softmax_cross_entropy_with_logits(labels=tf.cast(one_hot, tf.float32), logits=predicted)
            )
        return tf.reduce_mean(tf.square(tf.cast(noise, tf.float32) - predicted))

    def train_step(self, data: Any) -> dict[str, tf.Tensor]:
        one_hot, labels = self._unpack(data)
        self_conditioning = self.denoiser.self_conditioning
        seeds = replica_step_seeds(self.seed, self.optimizer.iterations, 4 if self_conditioning else 3)
        timesteps, noise = self._draw(one_hot, seeds[0], seeds[1])
        if labels is not None and self.condition_dropout > 0:
            dropped = tf.random.stateless_uniform(tf.shape(labels), seeds[2]) < self.condition_dropout
            labels = tf.where(dropped, tf.cast(len(self._class_names), labels.dtype), labels)
        # self-conditioning: half of the steps learn to refine an estimate, the others to start from none
        self_condition = self_conditioning and tf.random.stateless_uniform([], seeds[-1]) < 0.5
        with tf.GradientTape() as tape:
            loss = self.denoising_loss(one_hot, timesteps, noise, labels, training=True,
                                       self_condition=self_condition)
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
        # a self-conditioning network is scored as the sampler uses it: with its own estimate
        self.loss_tracker.update_state(self.denoising_loss(one_hot, timesteps, noise, labels, training=False,
                                                           self_condition=True))
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

    def _inputs(self, noisy: Any, timesteps: Any, labels: Any, estimate: Any = None) -> list[Any]:
        inputs = [noisy, tf.cast(timesteps, tf.int32)]
        if self._class_names:
            if labels is None:
                labels = tf.fill([tf.shape(noisy)[0]], len(self._class_names))
            inputs.append(tf.cast(labels, tf.int32))
        if self.denoiser.self_conditioning:
            inputs.append(tf.zeros_like(noisy) if estimate is None else estimate)
        return inputs

    def _clean_estimate_tensor(self, noisy: tf.Tensor, timesteps: tf.Tensor, output: tf.Tensor) -> tf.Tensor:
        """The signed one-hot ``x0`` in ``[-1, 1]`` that the denoiser's ``output`` points to, for a batch with a
        timestep each (in the training graph; :meth:`_clean_estimate` is the sampler's numpy view of it)."""
        if self.parameterization == "categorical_x0":
            return 2.0 * tf.nn.softmax(tf.cast(output, tf.float32), axis=-1) - 1.0
        signal = self._signal_at(timesteps)
        start = (noisy - tf.sqrt(1.0 - signal) * tf.cast(output, tf.float32)) / tf.sqrt(signal)
        return tf.clip_by_value(start, -1.0, 1.0)

    # ------------------------------------------------------------------ sampling
    def sample_one_hot(self, n: int, *, seed: int = 0, condition: str | None = None, batch_size: int = 64,
                       progress: bool = False, sampler: str = "ddim", steps: int | None = None,
                       eta: float = 0.0, guidance: float = 1.0,
                       guidance_interval: tuple[float, float] = DEFAULT_GUIDANCE_INTERVAL,
                       temperature: float = 1.0) -> np.ndarray:
        """Signed one-hot scores ``[n, length, 4]`` in ``[-1, 1]`` from ``sampler`` (``ddpm`` or ``ddim``).

        ``ddpm``: ancestral sampling over all ``T`` steps (``steps`` must be ``None`` or ``T``). ``ddim``: ``steps``
        evenly spaced steps (default 50, or ``T`` if smaller); ``eta = 0`` is deterministic given the starting
        noise, ``eta = 1`` approaches ancestral sampling. The same ``seed`` (and ``batch_size``) gives the same
        sequences. ``guidance`` (with a ``condition``): classifier-free guidance weight (Ho & Salimans 2022), the
        output ``uncond + guidance * (cond - uncond)`` (noise, or logits for ``categorical_x0``); 1 is plain
        conditional sampling, > 1 sharpens the class; ``guidance_interval``: the fractions of the schedule
        (``0`` clean, ``1`` noise) where it applies, one network call a step elsewhere. ``temperature``
        (``categorical_x0`` only): the clean-base logits are divided by it, < 1 sharpens them.
        """
        self.check_request(n, batch_size, condition)
        plan = sampling_plan(self.schedule.timesteps, sampler, steps, eta)
        label = self._condition_index(condition)
        guidance = check_guidance(guidance, condition, self.condition_dropout)
        process = ReverseProcess(self.schedule, self._denoise, self._clean_estimate, sampler, plan, eta=eta,
                                 self_conditioning=self.denoiser.self_conditioning, label=label,
                                 no_class=len(self._class_names), guidance=guidance,
                                 guidance_interval=check_guidance_interval(guidance_interval),
                                 temperature=check_temperature(temperature, self.parameterization))
        return process.sample(n, self.sequence_length, seed=seed, batch_size=batch_size, progress=progress)

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

    def _clean_estimate(self, noisy: np.ndarray, timestep: int, output: np.ndarray) -> np.ndarray:
        """:meth:`_clean_estimate_tensor` at one ``timestep`` for the whole batch, on numpy arrays."""
        timesteps = np.full(noisy.shape[0], timestep, dtype=np.int32)
        return self._clean_estimate_tensor(tf.constant(noisy, tf.float32), timesteps, tf.constant(output)).numpy()

    def _denoise(self, noisy: np.ndarray, timestep: int, labels: np.ndarray | None,
                 estimate: np.ndarray | None) -> np.ndarray:
        """The denoiser's raw output (noise or clean-base logits) at ``timestep``; ``estimate`` is the previous
        clean estimate of a self-conditioning network (``None``: none yet, or a network without the input)."""
        if self._denoise_fn is None:
            self._denoise_fn = tf.function(lambda inputs: self.denoiser(inputs, training=False), reduce_retracing=True)
        timesteps = np.full(noisy.shape[0], timestep, dtype=np.int32)
        return self._denoise_fn(self._inputs(noisy, timesteps, labels, estimate)).numpy()


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
    denoiser: str = "residual",
    **denoiser_hparams: Any,
) -> DiffusionModel:
    """A :class:`DiffusionModel` with a fresh ``denoiser`` network (a :data:`DENOISERS` name;
    ``denoiser_hparams`` go to it)."""
    network = check_denoiser(denoiser)(sequence_length, n_classes=len(class_names), **denoiser_hparams)
    noise_schedule = NoiseSchedule(schedule, timesteps=timesteps, beta_start=beta_start, beta_end=beta_end)
    return DiffusionModel(network, noise_schedule, class_names=class_names, condition_dropout=condition_dropout,
                          seed=seed, parameterization=parameterization)
