"""Tiny classifiers and random one-hot DNA the model tests share, import as ``models.classifier_data``."""

from __future__ import annotations

import keras
import numpy as np

from sca_tf.models import build_model

LENGTH = 64

TINY_HPARAMS = {
    "cnn": {"filters": (4, 8), "kernel_sizes": (5, 3), "pool_size": 2, "dense_units": (6,)},
    "cnn_lstm": {"filters": (4,), "kernel_sizes": (5,), "pool_size": 4, "lstm_units": 3, "dense_units": (6,)},
    "transformer": {"tower_filters": (4,), "tower_kernel_sizes": (5,), "d_model": 8, "num_layers": 1, "num_heads": 2,
                    "ff_dim": 8, "dense_units": (6,)},
}

BASES = np.eye(4, dtype="float32")



def one_hot(rng: np.random.Generator, n: int, length: int = LENGTH) -> np.ndarray:
    return BASES[rng.integers(0, 4, (n, length))]


def tiny(name: str, **overrides: object) -> keras.Model:
    return build_model(name, LENGTH, **{**TINY_HPARAMS[name], **overrides})
