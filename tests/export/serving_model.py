"""The seeded example model the export tests and the documented REST examples share.

Import it as ``export.serving_model``; the fixtures that export it once for the whole folder are in conftest.py.
"""

from __future__ import annotations

import keras
import numpy as np

from sca_tf.data.encoding import one_hot
from sca_tf.models import build_model
from sca_tf.sequence import encode_bases

EXAMPLE_LENGTH, EXAMPLE_SEED = 2000, 7


def example_model() -> keras.Model:
    """The seeded, untrained CNN whose outputs the documented REST examples show."""
    keras.utils.set_random_seed(EXAMPLE_SEED)
    # Flatten pooling: every position reaches the output, so any substitution moves it (top-k pooling, the
    # default, ignores a base outside each filter's 4 strongest matches).
    return build_model("cnn", EXAMPLE_LENGTH, filters=(8,), kernel_sizes=(9,), dense_units=(8,), dropout=0.0,
                       pooling="flatten")


def encode(sequences: list[str]) -> np.ndarray:
    return one_hot(np.stack([encode_bases(sequence.upper()) for sequence in sequences])).numpy()
