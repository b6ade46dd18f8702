"""Class-imbalance strategies for the training split only, applied after the split.

A strategy fixes how many negatives, positives and synthetic positives one training epoch holds
(:func:`composition`); :func:`epoch_order` then draws, for epoch ``e``, which examples those are and in what order,
as indices into the training arrays: a fresh subset of negatives, fresh repeats of positives and a fresh shuffle
every epoch, all from stateless random ops seeded with ``(seed, e)``, so the same seed gives the same epochs.
Validation and test never pass through here and stay at their natural prevalence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from sca_tf.errors import ScaInputError

BALANCE_STRATEGIES = ("none", "class_weight", "downsample", "oversample", "synthetic")


@dataclass(frozen=True)
class EpochComposition:
    """How many examples of each kind one training epoch holds."""

    negatives: int
    positives: int
    synthetic: int = 0

    @property
    def size(self) -> int:
        """Examples per epoch."""
        return self.negatives + self.positives + self.synthetic

    @property
    def prevalence(self) -> float:
        """Share of positives (real and synthetic) in the epoch."""
        return (self.positives + self.synthetic) / self.size


def class_weights(n_negative: int, n_positive: int) -> dict[int, float]:
    """Keras ``class_weight`` that gives both classes the same total weight: ``n / (2 n_class)``."""
    total = n_negative + n_positive
    return {0: total / (2.0 * n_negative), 1: total / (2.0 * n_positive)}


def composition(
    strategy: str,
    n_negative: int,
    n_positive: int,
    *,
    target_ratio: float,
    n_synthetic_available: int = 0,
    synthetic_ratio: float = 1.0,
) -> EpochComposition:
    """Epoch sizes for ``strategy``; ``target_ratio`` is positives per negative after down/oversampling.

    ``synthetic`` adds exactly ``round(synthetic_ratio * n_positive)`` synthetic positives per epoch (drawn afresh
    each epoch from the ``n_synthetic_available`` approved ones); a set too small for that ratio is refused rather
    than silently giving a lower ratio than the one asked for.
    """
    if strategy not in BALANCE_STRATEGIES:
        raise ScaInputError(f"balance {strategy!r} is not one of {', '.join(BALANCE_STRATEGIES)}")
    if strategy == "downsample":
        return EpochComposition(min(n_negative, max(1, round(n_positive / target_ratio))), n_positive)
    if strategy == "oversample":
        return EpochComposition(n_negative, max(n_positive, round(target_ratio * n_negative)))
    if strategy == "synthetic":
        wanted = max(1, round(synthetic_ratio * n_positive))
        if wanted > n_synthetic_available:
            raise ScaInputError(
                f"synthetic_ratio {synthetic_ratio:g} x {n_positive} real training positives needs {wanted} synthetic "
                f"sequences, but the approved set holds {n_synthetic_available}; generate more or lower the ratio"
            )
        return EpochComposition(n_negative, n_positive, wanted)
    return EpochComposition(n_negative, n_positive)


@dataclass(frozen=True)
class EpochPools:
    """Indices (into the training arrays) of the negatives, the real positives and the synthetic positives."""

    negatives: np.ndarray
    positives: np.ndarray
    synthetic: np.ndarray

    @classmethod
    def from_labels(cls, labels: np.ndarray, n_synthetic: int = 0) -> EpochPools:
        """Pools of ``labels`` (0/1) followed by ``n_synthetic`` synthetic positives appended to the arrays."""
        labels = np.asarray(labels)
        return cls(
            negatives=np.flatnonzero(labels == 0).astype(np.int64),
            positives=np.flatnonzero(labels == 1).astype(np.int64),
            synthetic=np.arange(len(labels), len(labels) + n_synthetic, dtype=np.int64),
        )


def epoch_order(pools: EpochPools, sizes: EpochComposition, epoch: tf.Tensor, seed: int) -> tf.Tensor:
    """Indices of the examples of training epoch ``epoch``, shuffled: ``sizes.size`` int64 values."""
    parts = [
        _draw(pools.negatives, sizes.negatives, tf.stack([np.int64(seed), epoch])),
        _draw(pools.positives, sizes.positives, tf.stack([np.int64(seed + 1), epoch])),
    ]
    if sizes.synthetic:
        parts.append(_draw(pools.synthetic, sizes.synthetic, tf.stack([np.int64(seed + 2), epoch])))
    chosen = tf.concat(parts, axis=0)
    return tf.gather(chosen, _permutation(sizes.size, tf.stack([np.int64(seed + 3), epoch])))


def _draw(pool: np.ndarray, count: int, seed: tf.Tensor) -> tf.Tensor:
    """``count`` members of ``pool`` in random order: a random subset, or whole random permutations repeated."""
    rounds = math.ceil(count / len(pool))
    keys = tf.random.stateless_uniform([rounds, len(pool)], seed=seed)
    return tf.gather(tf.constant(pool), tf.reshape(tf.argsort(keys, axis=1), [-1])[:count])


def _permutation(size: int, seed: tf.Tensor) -> tf.Tensor:
    return tf.argsort(tf.random.stateless_uniform([size], seed=seed))
