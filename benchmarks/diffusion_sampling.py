"""Diffusion speed on this machine: DDPM vs DDIM sampling (sequences/s) and denoiser training throughput.

Training is timed twice on the same random one-hot data: sca-tf's :class:`DiffusionModel` (noise and timesteps
drawn inside its ``train_step``) and a plain Keras reference — the same denoiser written inline with the
functional API and stock layers, trained by ``compile(loss="mse")`` + ``fit`` on ``((x_t, time features), noise)``
pairs that a ``tf.data`` map prepares. Both networks have the same layers and parameter count (checked), so the
ratio is the cost of sca-tf's training step. Sizes default to what a 2-core CPU runs in about a minute::

    python benchmarks/diffusion_sampling.py [--length 200] [--channels 32] [--timesteps 1000] [--ddim-steps 50]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from sca_tf.models.generative.denoiser import SinusoidalTimeEmbedding
from sca_tf.models.generative.diffusion import DiffusionModel, build_diffusion_model
from sca_tf.sequence import one_hot


def reference_denoiser(length: int, channels: int, dilations: list[int], kernel_size: int, groups: int,
                       time_dim: int) -> keras.Model:
    """The same network as ``Denoiser(position_encoding=False)`` from stock Keras layers (functional API)."""
    noisy = keras.Input((length, 4), name="noisy")
    time_features = keras.Input((time_dim,), name="time_features")  # the sinusoid, computed in tf.data
    embedding = keras.layers.Dense(4 * time_dim, activation="silu")(time_features)
    embedding = keras.layers.Dense(time_dim)(embedding)
    embedding = keras.layers.Activation("silu")(embedding)
    x = keras.layers.Conv1D(channels, 1)(noisy)
    for dilation in dilations:
        h = keras.layers.GroupNormalization(groups)(x)
        h = keras.layers.Activation("silu")(h)
        h = keras.layers.Conv1D(channels, kernel_size, padding="same", dilation_rate=dilation)(h)
        h = keras.layers.GroupNormalization(groups)(h)
        scale = keras.layers.Reshape((1, channels))(keras.layers.Dense(channels)(embedding))
        shift = keras.layers.Reshape((1, channels))(keras.layers.Dense(channels)(embedding))
        h = keras.layers.Add()([h, keras.layers.Multiply()([h, scale]), shift])  # h * (1 + scale) + shift
        h = keras.layers.Activation("silu")(h)
        h = keras.layers.Conv1D(channels, kernel_size, padding="same", dilation_rate=dilation)(h)
        x = keras.layers.Add()([x, h])
    x = keras.layers.GroupNormalization(groups)(x)
    x = keras.layers.Activation("silu")(x)
    noise = keras.layers.Conv1D(4, 1, kernel_initializer="zeros")(x)
    return keras.Model([noisy, time_features], noise, name="reference_denoiser")


def one_hot_data(n: int, length: int, seed: int) -> np.ndarray:
    return one_hot(np.random.default_rng(seed).integers(0, 4, (n, length)))


def time_training(model: keras.Model, data: tf.data.Dataset, steps: int, batch_size: int) -> float:
    """Sequences/s of ``fit`` over ``steps`` batches, after one warm-up epoch (tracing excluded)."""
    model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
    began = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    return steps * batch_size / (time.perf_counter() - began)


def time_sampling(model: DiffusionModel, n: int, batch_size: int, **options: Any) -> float:
    """Sequences/s of ``generate`` (one untimed call of one sequence first, to trace the denoiser)."""
    model.generate(1, seed=0, batch_size=1, **options)
    began = time.perf_counter()
    model.generate(n, seed=1, batch_size=batch_size, **options)
    return n / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--dilations", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--kernel-size", type=int, default=9)
    parser.add_argument("--groups", type=int, default=8)
    parser.add_argument("--time-dim", type=int, default=32)
    parser.add_argument("--timesteps", type=int, default=1000)
    parser.add_argument("--ddim-steps", type=int, default=50)
    parser.add_argument("--samples", type=int, default=16, help="sequences generated per sampler")
    parser.add_argument("--sample-batch", type=int, default=16)
    parser.add_argument("--train-steps", type=int, default=30)
    parser.add_argument("--train-batch", type=int, default=32)
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)

    architecture = {"channels": args.channels, "dilations": tuple(args.dilations), "kernel_size": args.kernel_size,
                    "groups": args.groups, "time_embedding_dim": args.time_dim, "position_encoding": False}
    ours = build_diffusion_model(args.length, timesteps=args.timesteps, **architecture)
    ours.compile(optimizer=keras.optimizers.Adam(2e-4), jit_compile=False)
    reference = reference_denoiser(args.length, args.channels, args.dilations, args.kernel_size, args.groups,
                                   args.time_dim)
    reference.compile(optimizer=keras.optimizers.Adam(2e-4), loss="mse", jit_compile=False)
    if ours.denoiser.count_params() != reference.count_params():
        raise SystemExit(f"parameter counts differ: {ours.denoiser.count_params()} vs {reference.count_params()}")

    one_hot = one_hot_data(4 * args.train_batch, args.length, seed=0)
    ours_data = tf.data.Dataset.from_tensor_slices(one_hot).repeat().batch(args.train_batch).prefetch(2)
    alphas_bar = tf.constant(ours.schedule.alphas_bar, tf.float32)
    sinusoid = SinusoidalTimeEmbedding(args.time_dim)

    def noised(x0: tf.Tensor) -> tuple[tuple[tf.Tensor, tf.Tensor], tf.Tensor]:
        t = tf.random.uniform([tf.shape(x0)[0]], 0, args.timesteps, dtype=tf.int32)
        noise = tf.random.normal(tf.shape(x0))
        signal = tf.gather(alphas_bar, t)[:, None, None]
        x_t = tf.sqrt(signal) * (2.0 * x0 - 1.0) + tf.sqrt(1.0 - signal) * noise
        return (x_t, sinusoid(t)), noise

    reference_data = ours_data.map(noised).prefetch(2)
    figures: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "tensorflow": tf.__version__, "keras": keras.__version__},
        "settings": {**vars(args), "parameters": ours.denoiser.count_params()},
        "train_seq_per_s": {"sca_tf": time_training(ours, ours_data, args.train_steps, args.train_batch),
                            "plain_keras": time_training(reference, reference_data, args.train_steps,
                                                         args.train_batch)},
        "sample_seq_per_s": {
            f"ddpm_{args.timesteps}_steps": time_sampling(ours, args.samples, args.sample_batch, sampler="ddpm"),
            f"ddim_{args.ddim_steps}_steps": time_sampling(ours, args.samples, args.sample_batch, sampler="ddim",
                                                           steps=args.ddim_steps),
        },
    }
    train, sample = figures["train_seq_per_s"], figures["sample_seq_per_s"]
    print(f"denoiser: {figures['settings']['parameters']:,} parameters, length {args.length}, "
          f"{os.cpu_count()} CPUs, TF {tf.__version__}")
    print(f"training  sca-tf DiffusionModel {train['sca_tf']:8.1f} seq/s | plain Keras reference "
          f"{train['plain_keras']:8.1f} seq/s | ratio {train['sca_tf'] / train['plain_keras']:.2f}")
    (ddpm_name, ddpm), (ddim_name, ddim) = sample.items()
    print(f"sampling  {ddpm_name} {ddpm:8.2f} seq/s | {ddim_name} {ddim:8.2f} seq/s | DDIM speed-up {ddim / ddpm:.1f}x")
    if args.output:
        from sca_tf.io import write_json

        write_json(args.output, figures)


if __name__ == "__main__":
    main()
