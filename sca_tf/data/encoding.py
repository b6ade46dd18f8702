"""TensorFlow side of the DNA codec (:mod:`sca_tf.sequence`): one-hot and reverse complement in the graph.

On disk (the ``sca_promoters`` TFDS dataset) a promoter is a ``uint8`` vector of the codec's base codes; models see
a float one-hot ``[length, 4]`` made on the fly here, so the dense float form is never stored.
"""

from __future__ import annotations

import tensorflow as tf

from sca_tf.sequence import ALPHABET, COMPLEMENT_CODES


def one_hot(codes: tf.Tensor) -> tf.Tensor:
    """One-hot ``[..., length, 4]`` float32 in ``A, C, G, T`` order from base codes; ``N`` (code 4) gives zeros."""
    return tf.one_hot(tf.cast(codes, tf.int32), depth=len(ALPHABET), dtype=tf.float32)


def reverse_complement_one_hot(encoded: tf.Tensor) -> tf.Tensor:
    """Reverse complement of a one-hot ``[..., length, 4]``: flip the length axis and the ``ACGT`` channels."""
    return tf.reverse(encoded, axis=[-2, -1])


def reverse_complement_codes(codes: tf.Tensor) -> tf.Tensor:
    """Reverse complement of base codes ``[..., length]`` (complement each code, then reverse the length axis)."""
    return tf.reverse(tf.gather(tf.constant(COMPLEMENT_CODES), tf.cast(codes, tf.int32)), axis=[-1])
