"""Seeding, and TensorFlow's op determinism for runs that must repeat to the last bit (``--deterministic``).

``keras.utils.set_random_seed`` seeds Python, NumPy and TensorFlow; that fixes initial weights, shuffling and
balancing, but TensorFlow's multi-threaded CPU kernels may still sum in a different order from run to run, so
one seed gave CNN test AUROC 0.822 and 0.830. ``deterministic=True`` also calls
``tf.config.experimental.enable_op_determinism()``, which picks deterministic kernels (and makes the ones
without a deterministic version raise), at a cost in speed measured by ``benchmarks/determinism.py``. It is
process-wide and stays on once set.
"""

from __future__ import annotations

import logging

import keras
import tensorflow as tf

logger = logging.getLogger(__name__)


def set_seeds(seed: int, *, deterministic: bool = False) -> None:
    """Seed Python, NumPy and TensorFlow with ``seed``; with ``deterministic``, turn on op determinism too."""
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
        logger.info("TensorFlow op determinism on (seed %d): same seed, same weights and metrics", seed)
