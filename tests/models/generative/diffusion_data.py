"""Small diffusion models for the tests of sca_tf.models.generative: a tiny untrained one and a trained toy one."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from sca_tf.models.generative.base import one_hot_sequences
from sca_tf.models.generative.diffusion import DiffusionModel, build_diffusion_model

UP_SEQUENCE = "ACGTTGCAAGGCTTAC"
DOWN_SEQUENCE = "TTGACCAGTAGGCATC"
TINY = {"channels": 8, "dilations": (1,), "kernel_size": 3, "groups": 2, "time_embedding_dim": 8}


def identity(sequences: list[str], reference: str) -> np.ndarray:
    ref = np.frombuffer(reference.encode(), dtype=np.uint8)
    return np.array([np.mean(np.frombuffer(s.encode(), dtype=np.uint8) == ref) for s in sequences])


def tiny_model(length: int = 16, **overrides: object) -> DiffusionModel:
    settings = {"schedule": "cosine", "timesteps": 50, **TINY, **overrides}
    return build_diffusion_model(length, **settings)


def train_toy_model(steps: int, **overrides: object) -> DiffusionModel:
    """A conditional denoiser trained on two fixed 16-mers: "up" is always one, "down" always the other."""
    keras.utils.set_random_seed(1)
    model = build_diffusion_model(16, schedule="cosine", timesteps=100, channels=32, dilations=(1, 2),
                                  kernel_size=5, groups=4, time_embedding_dim=32, class_names=("up", "down"),
                                  **overrides)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    one_hot = one_hot_sequences([UP_SEQUENCE, DOWN_SEQUENCE] * 64)
    labels = np.array([0, 1] * 64, dtype=np.int32)
    data = tf.data.Dataset.from_tensor_slices((one_hot, labels)).shuffle(128, seed=0).repeat().batch(32)
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return model
