"""Helpers the explain tests share: one-hot DNA strings and random DNA (import as ``explain.explain_data``)."""

from __future__ import annotations

import numpy as np

from sca_tf.data.encoding import one_hot
from sca_tf.sequence import encode_bases


def encode(sequences: list[str]) -> np.ndarray:
    return one_hot(np.stack([encode_bases(sequence) for sequence in sequences])).numpy()


def random_dna(rng: np.random.Generator, n: int, length: int) -> list[str]:
    return ["".join(row) for row in rng.choice(list("ACGT"), size=(n, length))]
