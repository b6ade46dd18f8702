"""A Wasserstein GAN with gradient penalty (WGAN-GP, Gulrajani et al. 2017) for one-hot promoter DNA.

The generator maps a Gaussian latent vector to per-position base probabilities (softmax over ``A, C, G, T``);
the critic scores one-hot sequences; real sequences are one-hot ``{0, 1}``, generated ones are the softmax
outputs, as in Killoran et al. (2017). Decoding is the shared argmax of :mod:`sca_tf.models.generative.base`, so
the channel order of generation and decoding cannot drift apart (the paper's decoder swapped C and G).

>>> gan = build_gan(64, latent_dim=8, channels=8)
>>> gan.compile()
>>> gan.fit(one_hot_positives, epochs=1)  # doctest: +SKIP
>>> gan.generate(4, seed=0)  # doctest: +SKIP

This is a measured baseline for the diffusion model: see ``sca-tf assess-synthetic`` for how the two compare.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from sca_tf.errors import ScaInputError
from sca_tf.models.checks import positive_int
from sca_tf.models.generative.base import (
    N_BASES,
    SequenceGenerator,
    check_positive,
    replica_mean_scale,
    replica_step_seeds,
)


def _check_halvings(sequence_length: int, n_layers: int) -> None:
    if sequence_length % (2**n_layers):
        raise ScaInputError(
            f"sequence_length {sequence_length} must be divisible by 2**{n_layers} = {2**n_layers} "
            f"({n_layers} up-sampling layers); choose another number of layers"
        )


class _HparamModel(keras.Model):
    """A functional model whose config is the hyperparameters it was built from."""

    _hparams: dict[str, Any]

    @property
    def sequence_length(self) -> int:
        return self._hparams["sequence_length"]

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, **self._hparams}


@keras.saving.register_keras_serializable(package="sca_tf")
class Generator(_HparamModel):
    """Latent ``[B, latent_dim]`` -> base probabilities ``[B, L, 4]`` (softmax over ``A, C, G, T``).

    Dense -> reshape to ``L / 2**n_layers`` positions -> ``n_layers`` x (up-sample x2, Conv1D, batch norm, ReLU)
    -> 1x1 Conv1D to 4 channels -> softmax.
    """

    def __init__(self, sequence_length: int, latent_dim: int = 64, channels: int = 64, n_layers: int = 2,
                 kernel_size: int = 9, name: str | None = None, **kwargs: Any) -> None:
        hparams = {
            "sequence_length": positive_int("sequence_length", sequence_length),
            "latent_dim": positive_int("latent_dim", latent_dim),
            "channels": positive_int("channels", channels),
            "n_layers": positive_int("n_layers", n_layers),
            "kernel_size": positive_int("kernel_size", kernel_size),
        }
        _check_halvings(sequence_length, n_layers)
        start = sequence_length // 2**n_layers
        latent = keras.Input(shape=(latent_dim,), name="latent")
        x = keras.layers.Dense(start * channels, name="project")(latent)
        x = keras.layers.Reshape((start, channels), name="to_positions")(x)
        for index in range(1, n_layers + 1):
            x = keras.layers.UpSampling1D(2, name=f"upsample_{index}")(x)
            x = keras.layers.Conv1D(channels, kernel_size, padding="same", name=f"conv_{index}")(x)
            x = keras.layers.BatchNormalization(name=f"batch_norm_{index}")(x)
            x = keras.layers.ReLU(name=f"relu_{index}")(x)
        x = keras.layers.Conv1D(N_BASES, 1, name="base_logits")(x)
        probabilities = keras.layers.Softmax(axis=-1, dtype="float32", name="base_probabilities")(x)
        super().__init__(inputs=latent, outputs=probabilities, name=name or "generator", **kwargs)
        self._hparams = hparams

    @property
    def latent_dim(self) -> int:
        return self._hparams["latent_dim"]


@keras.saving.register_keras_serializable(package="sca_tf")
class Critic(_HparamModel):
    """One-hot or soft sequences ``[B, L, 4]`` -> an unbounded realness score ``[B, 1]`` (no batch norm: GP)."""

    def __init__(self, sequence_length: int, channels: int = 64, n_layers: int = 2, kernel_size: int = 9,
                 name: str | None = None, **kwargs: Any) -> None:
        hparams = {
            "sequence_length": positive_int("sequence_length", sequence_length),
            "channels": positive_int("channels", channels),
            "n_layers": positive_int("n_layers", n_layers),
            "kernel_size": positive_int("kernel_size", kernel_size),
        }
        _check_halvings(sequence_length, n_layers)
        sequences = keras.Input(shape=(sequence_length, N_BASES), name="one_hot")
        x = sequences
        for index in range(1, n_layers + 1):
            x = keras.layers.Conv1D(channels, kernel_size, strides=2, padding="same", name=f"conv_{index}")(x)
            x = keras.layers.LeakyReLU(0.2, name=f"leaky_relu_{index}")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        score = keras.layers.Dense(1, dtype="float32", name="score")(x)
        super().__init__(inputs=sequences, outputs=score, name=name or "critic", **kwargs)
        self._hparams = hparams


@keras.saving.register_keras_serializable(package="sca_tf")
class PromoterGAN(SequenceGenerator):
    """A :class:`Generator` and a :class:`Critic` trained as a WGAN-GP through ``model.fit``.

    ``fit`` takes one-hot ``{0, 1}`` sequences (labels, if any, are ignored). Each step updates the critic
    ``critic_steps`` times on the batch (Wasserstein loss + ``gradient_penalty`` x the squared deviation of the
    critic's gradient norm from 1 on random interpolates) and the generator once; the logs show ``critic_loss``,
    ``generator_loss`` and ``wasserstein`` (the critic's estimate of the distance, which should shrink).
    Compile with :meth:`compile` (Adam 1e-4, betas 0.5/0.9 by default, as in the WGAN-GP paper).
    """

    def __init__(self, generator: Generator | dict[str, Any], critic: Critic | dict[str, Any], *,
                 critic_steps: int = 5, gradient_penalty: float = 10.0, seed: int = 0, name: str = "gan",
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if isinstance(generator, dict):
            generator = keras.saving.deserialize_keras_object(generator)
        if isinstance(critic, dict):
            critic = keras.saving.deserialize_keras_object(critic)
        if not isinstance(generator, Generator) or not isinstance(critic, Critic):
            raise ScaInputError(
                f"expected a Generator and a Critic, got {type(generator).__name__} and {type(critic).__name__}"
            )
        if generator.sequence_length != critic.sequence_length:
            raise ScaInputError(
                f"generator makes {generator.sequence_length}-base sequences but the critic reads "
                f"{critic.sequence_length}-base ones"
            )
        self.generator = generator
        self.critic = critic
        self.critic_steps = check_positive("critic_steps", critic_steps)
        if not gradient_penalty >= 0:
            raise ScaInputError(f"gradient_penalty: expected a number >= 0, got {gradient_penalty!r}")
        self.gradient_penalty = float(gradient_penalty)
        self.seed = int(seed)
        self._init_counter()
        self.critic_optimizer: keras.optimizers.Optimizer | None = None
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in ("critic_loss", "generator_loss", "wasserstein")}
        self._generate_fn: Any = None
        self.built = True

    @property
    def sequence_length(self) -> int:
        return self.generator.sequence_length

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self.trackers.values())

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "critic": keras.saving.serialize_keras_object(self.critic),
            "critic_steps": self.critic_steps,
            "gradient_penalty": self.gradient_penalty,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> PromoterGAN:
        return cls(**config)

    def get_compile_config(self) -> None:
        """Not saved: two optimisers do not fit Keras' single-optimiser compile config; reload with ``compile``."""

    def compile(self, generator_optimizer: keras.optimizers.Optimizer | None = None,
                critic_optimizer: keras.optimizers.Optimizer | None = None, **kwargs: Any) -> None:
        """Set the two optimisers (call inside ``strategy.scope()`` when distributing).

        Each is built here on the weights it updates, so that ``BackupAndRestore`` restores both of them on resume
        (an unbuilt optimiser would be built there on all the model's weights and no longer match the backup).
        """
        generator_optimizer = generator_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
        self.critic_optimizer = critic_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
        generator_optimizer.build(self.generator.trainable_variables)
        self.critic_optimizer.build(self.critic.trainable_variables)
        super().compile(optimizer=generator_optimizer, jit_compile=False, **kwargs)

    def call(self, latent: Any, training: bool = False) -> Any:
        return self.generator(latent, training=training)

    def train_step(self, data: Any) -> dict[str, tf.Tensor]:
        real, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        real = tf.cast(real, tf.float32)
        batch = tf.shape(real)[0]
        seeds = replica_step_seeds(self.seed, self.optimizer.iterations, 2 * self.critic_steps + 1)
        scale = replica_mean_scale()
        for step in range(self.critic_steps):
            latent = tf.random.stateless_normal([batch, self.generator.latent_dim], seeds[2 * step])
            mix = tf.random.stateless_uniform([batch, 1, 1], seeds[2 * step + 1])
            fake = self.generator(latent, training=True)
            with tf.GradientTape() as tape:
                distance = tf.reduce_mean(self.critic(real, training=True)) - tf.reduce_mean(
                    self.critic(fake, training=True)
                )
                penalty = self._gradient_penalty(mix * real + (1.0 - mix) * fake)
                critic_loss = -distance + self.gradient_penalty * penalty
                scaled_loss = critic_loss * scale
            weights = self.critic.trainable_weights
            self.critic_optimizer.apply_gradients(zip(tape.gradient(scaled_loss, weights), weights))
        latent = tf.random.stateless_normal([batch, self.generator.latent_dim], seeds[-1])
        with tf.GradientTape() as tape:
            generator_loss = -tf.reduce_mean(self.critic(self.generator(latent, training=True), training=True))
            scaled_loss = generator_loss * scale
        weights = self.generator.trainable_weights
        self.optimizer.apply_gradients(zip(tape.gradient(scaled_loss, weights), weights))
        self.trained_steps.assign_add(1)
        for name, value in (("critic_loss", critic_loss), ("generator_loss", generator_loss),
                            ("wasserstein", distance)):
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _gradient_penalty(self, interpolates: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            tape.watch(interpolates)
            scores = self.critic(interpolates, training=True)
        gradients = tape.gradient(scores, interpolates)
        norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=[1, 2]) + 1e-12)
        return tf.reduce_mean(tf.square(norms - 1.0))

    def sample_one_hot(self, n: int, *, seed: int = 0, condition: str | None = None, batch_size: int = 64,
                       progress: bool = False) -> np.ndarray:
        """Base probabilities ``[n, length, 4]`` from ``n`` seeded latent draws (the GAN is unconditional)."""
        self.check_request(n, batch_size, condition)
        if self._generate_fn is None:
            self._generate_fn = tf.function(lambda z: self.generator(z, training=False), reduce_retracing=True)
        latent = np.random.default_rng(seed).standard_normal((n, self.generator.latent_dim)).astype(np.float32)
        starts = range(0, n, batch_size)
        return np.concatenate([
            self._generate_fn(latent[start : start + batch_size]).numpy()
            for start in tqdm(starts, desc="GAN sampling", unit="batch", disable=not progress)
        ])


def build_gan(sequence_length: int, *, latent_dim: int = 64, channels: int = 64, n_layers: int = 2,
              kernel_size: int = 9, critic_steps: int = 5, gradient_penalty: float = 10.0,
              seed: int = 0) -> PromoterGAN:
    """A :class:`PromoterGAN` with a fresh generator and critic of matching width and depth."""
    generator = Generator(sequence_length, latent_dim=latent_dim, channels=channels, n_layers=n_layers,
                          kernel_size=kernel_size)
    critic = Critic(sequence_length, channels=channels, n_layers=n_layers, kernel_size=kernel_size)
    return PromoterGAN(generator, critic, critic_steps=critic_steps, gradient_penalty=gradient_penalty, seed=seed)
