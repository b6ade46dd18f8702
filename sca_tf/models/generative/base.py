"""What every sca-tf generative model shares: the one-hot codec, a trained-steps counter and ``generate``.

Generative models work on one-hot DNA ``[batch, length, 4]`` with channels in ``A, C, G, T`` order, the order
fixed by the codec :mod:`sca_tf.sequence` for the whole project. :func:`one_hot_sequences` and
:func:`decode_one_hot` are the only way in and out, so a model can never decode with another channel order
than the one it was trained with (the paper's GAN decoder swapped C and G).

>>> decode_one_hot(one_hot_sequences(["ACGT", "GGCA"]))
['ACGT', 'GGCA']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from sca_tf.errors import ScaInputError
from sca_tf.sequence import ALPHABET, decode_bases, encode_many, one_hot

#: One-hot channels per position (``A, C, G, T``).
N_BASES = len(ALPHABET)


def one_hot_sequences(sequences: Sequence[str], *, where: str = "sequences") -> np.ndarray:
    """``[n, length, 4]`` float32 one-hot (``A, C, G, T``; ``N`` = zeros) of equal-length upper-case sequences.

    Raises ``ScaInputError`` naming the sequence for an empty list, unequal lengths or letters outside ``ACGTN``.
    """
    return one_hot(encode_many(sequences, where=where))


def decode_one_hot(values: Any) -> list[str]:
    """Decode ``[n, length, 4]`` scores (one-hot, probabilities or denoised values) by argmax to ``ACGT`` strings.

    Ties go to the earlier channel; every position decodes to one of ``A, C, G, T`` (never ``N``).
    """
    values = np.asarray(values)
    if values.ndim != 3 or values.shape[-1] != N_BASES:
        raise ScaInputError(f"expected scores of shape [n, length, {N_BASES}], got {list(values.shape)}")
    codes = values.argmax(axis=-1)
    return [decode_bases(row) for row in codes]


class SequenceGenerator(keras.Model):
    """Base class of the generative models: fixed sequence length, a ``trained_steps`` counter and ``generate``.

    ``trained_steps`` is a non-trainable weight saved with the model and incremented by every training step,
    so a checkpoint that was never trained can be refused before it produces noise.
    Subclasses implement :meth:`sample_one_hot`.
    """

    def _init_counter(self) -> None:
        self.trained_steps = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False, name="trained_steps",
            aggregation="only_first_replica",
        )

    @property
    def sequence_length(self) -> int:
        """Bases per generated sequence."""
        raise NotImplementedError

    @property
    def class_names(self) -> tuple[str, ...]:
        """Names of the classes the model can be conditioned on (empty: unconditional)."""
        return ()

    @property
    def steps_trained(self) -> int:
        """How many optimisation steps the weights have seen."""
        return int(keras.ops.convert_to_numpy(self.trained_steps))

    def sample_one_hot(self, n: int, *, seed: int = 0, condition: str | None = None, batch_size: int = 64,
                       progress: bool = False, **options: Any) -> np.ndarray:
        """``[n, sequence_length, 4]`` float scores whose argmax is the generated base."""
        raise NotImplementedError

    def generate(self, n: int, *, seed: int = 0, condition: str | None = None, batch_size: int = 64,
                 progress: bool = False, **options: Any) -> list[str]:
        """``n`` generated ``ACGT`` sequences of :attr:`sequence_length` bases (``options`` go to the sampler)."""
        self.check_request(n, batch_size, condition)
        return decode_one_hot(
            self.sample_one_hot(n, seed=seed, condition=condition, batch_size=batch_size, progress=progress,
                                **options)
        )

    def check_request(self, n: Any, batch_size: Any, condition: str | None) -> None:
        """Refuse a bad ``n`` or ``batch_size``, or a condition the model does not know (any, if unconditional)."""
        check_count(n)
        check_positive("batch_size", batch_size)
        if condition is None:
            return
        if not self.class_names:
            raise ScaInputError(f"condition {condition!r} given, but model {self.name!r} is unconditional")
        if condition not in self.class_names:
            raise ScaInputError(
                f"condition {condition!r} is not one of the model's classes ({', '.join(self.class_names)})"
            )


def check_count(n: Any) -> int:
    """``n`` if it is a positive integer number of sequences; ``ScaInputError`` otherwise."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise ScaInputError(f"number of sequences to generate must be a positive integer, got {n!r}")
    return int(n)


def check_positive(name: str, value: Any) -> int:
    """``value`` if it is a positive integer; ``ScaInputError`` naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ScaInputError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def replica_step_seeds(seed: int, step: Any, count: int) -> tf.Tensor:
    """``count`` stateless-RNG seeds ``[count, 2]`` for one training step, distinct per step and per replica.

    Under a ``tf.distribute`` strategy each replica draws its own noise for its share of the batch, and a rerun
    with the same ``seed`` draws the same numbers.
    """
    context = tf.distribute.get_replica_context()
    replica = context.replica_id_in_sync_group if context is not None else 0
    base = tf.stack([tf.cast(step, tf.int64) + seed * 1_000_003, tf.cast(replica, tf.int64)])
    return tf.random.experimental.stateless_split(base, count)


def replica_mean_scale() -> float:
    """Factor that turns a per-replica mean loss into its share of the global mean (gradients are summed)."""
    return 1.0 / tf.distribute.get_strategy().num_replicas_in_sync
