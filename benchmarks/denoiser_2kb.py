"""The 2 kb denoisers side by side: training step time and DDIM sampling rate, U-Net vs the flat residual CNN.

Each network is a conditional (up/down) categorical-x0 ``DiffusionModel`` as ``sca-tf train-generator`` builds it,
timed on the same random 2 kb one-hot data in one process, round-robin over ``--repeats`` rounds (best round
quoted):

* ``unet, self-conditioning``: ``sca-tf train-generator``'s default network (the U-Net reading its previous clean
  estimate; half of the training steps run an extra forward pass) at ``auto``, sampled at ``auto`` (``sca-tf
  generate``'s default) and at float32;
* ``unet``: the default U-Net without self-conditioning at the default precision (``auto``: bfloat16 on a bf16
  CPU), and at float32;
* ``unet on patches of 4``: the former default (no level at every base: 500 x 64 -> 250 x 128), ``auto``;
* ``residual 96x5``: the flat denoiser of the 300 bp recipe that passed the gate (96 channels, dilations 1-16),
  float32, as trained before the U-Net;
* ``residual 128x4``: the flat denoiser's constructor defaults (128 channels, dilations 1-8), float32, the model
  behind the earlier 2 kb sampling figure (5.6 seq/s).

Sampling is DDIM with ``--ddim-steps`` steps at ``sca-tf generate``'s eta and guidance (two denoiser calls a step),
``--sample-batch`` sequences a batch, the sampler ``sca-tf generate`` runs; a 300 bp run of the 96x5 network gives
the per-step reference the issue names (a 2 kb step should cost about what a 300 bp step did)::

    python benchmarks/denoiser_2kb.py [--repeats 2] [--train-steps 10] [--samples 64]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from sca_tf.models.generative.diffusion import DiffusionModel, build_diffusion_model
from sca_tf.models.generative.sampling import DEFAULT_ETA, DEFAULT_GUIDANCE
from sca_tf.precision import precision_policy, resolve_precision

FLAT_96 = {"denoiser": "residual", "channels": 96, "dilations": (1, 2, 4, 8, 16)}
FLAT_128 = {"denoiser": "residual"}
PATCHED_UNET = {"denoiser": "unet", "patch_size": 4, "channels": (64, 128), "down_factors": (2,)}


def build(length: int, policy: str, architecture: dict[str, Any]) -> DiffusionModel:
    with precision_policy(policy):
        model = build_diffusion_model(length, class_names=("up", "down"), parameterization="categorical_x0",
                                      **architecture)
        model.compile(optimizer=keras.optimizers.Adam(1e-3, clipnorm=1.0, use_ema=True, ema_momentum=0.998),
                      jit_compile=False)
    return model


def train_ms(model: DiffusionModel, length: int, batch: int, steps: int) -> float:
    """Milliseconds per training step (after a 2-step warm-up that traces the step)."""
    rng = np.random.default_rng(0)
    one_hot = tf.one_hot(rng.integers(0, 4, (4 * batch, length)), 4)
    labels = rng.integers(0, 2, 4 * batch).astype("int32")
    data = tf.data.Dataset.from_tensor_slices((one_hot, labels)).repeat().batch(batch).prefetch(2)
    model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
    began = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    return 1000 * (time.perf_counter() - began) / steps


def sample_rate(model: DiffusionModel, n: int, batch: int, steps: int) -> float:
    """Sequences/s of DDIM at ``sca-tf generate``'s default eta and guidance (condition up) after an untimed call
    that traces the network."""
    options = {"sampler": "ddim", "steps": steps, "eta": DEFAULT_ETA, "guidance": DEFAULT_GUIDANCE, "condition": "up"}
    model.generate(batch, seed=0, batch_size=batch, **{**options, "steps": 2})
    began = time.perf_counter()
    model.generate(n, seed=1, batch_size=batch, **options)
    return n / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--train-steps", type=int, default=10)
    parser.add_argument("--train-batch", type=int, default=32)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--sample-batch", type=int, default=64)
    parser.add_argument("--ddim-steps", type=int, default=50)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    auto = resolve_precision("auto")
    self_conditioned = {"denoiser": "unet", "self_conditioning": True}
    candidates: dict[str, Callable[[], tuple[DiffusionModel, int]]] = {
        f"unet, self-conditioning ({auto})": lambda: (build(args.length, auto, self_conditioned), args.length),
        "unet, self-conditioning (float32)": lambda: (build(args.length, "float32", self_conditioned), args.length),
        f"unet ({auto})": lambda: (build(args.length, auto, {"denoiser": "unet"}), args.length),
        "unet (float32)": lambda: (build(args.length, "float32", {"denoiser": "unet"}), args.length),
        f"unet on patches of 4 ({auto})": lambda: (build(args.length, auto, PATCHED_UNET), args.length),
        "residual 96x5 (float32)": lambda: (build(args.length, "float32", FLAT_96), args.length),
        "residual 128x4 (float32)": lambda: (build(args.length, "float32", FLAT_128), args.length),
        "residual 96x5 at 300 bp (float32)": lambda: (build(300, "float32", FLAT_96), 300),
    }
    models = {name: make() for name, make in candidates.items()}
    best: dict[str, dict[str, float]] = {name: {"train_ms": float("inf"), "seq_per_s": 0.0} for name in models}
    for _ in range(args.repeats):
        for name, (model, length) in models.items():
            best[name]["train_ms"] = min(best[name]["train_ms"], train_ms(model, length, args.train_batch,
                                                                          args.train_steps))
            best[name]["seq_per_s"] = max(best[name]["seq_per_s"], sample_rate(model, args.samples,
                                                                               args.sample_batch, args.ddim_steps))
    flat = best["residual 128x4 (float32)"]["seq_per_s"]
    print(f"batch {args.train_batch} training, DDIM {args.ddim_steps} steps eta {DEFAULT_ETA} guidance "
          f"{DEFAULT_GUIDANCE}, best of {args.repeats}")
    for name, (model, length) in models.items():
        figures = best[name]
        print(f"{name:36s} {model.denoiser.count_params():>9,} params  train {figures['train_ms']:7.0f} ms/step  "
              f"sampling {figures['seq_per_s']:6.2f} seq/s ({figures['seq_per_s'] / flat:.2f}x residual 128x4)")


if __name__ == "__main__":
    main()
