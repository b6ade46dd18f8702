"""Score base-code sequences with a trained Keras model: batched through tf.data, one-hot encoded on the fly."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from sca_tf.data.encoding import one_hot


def predict_codes(model: keras.Model, codes: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Model outputs for base-code sequences ``[n, length]``; ``[n]`` for a 1-unit output."""
    batches = tf.data.Dataset.from_tensor_slices(codes).batch(batch_size).map(one_hot)
    outputs = model.predict(batches, verbose=0)
    return outputs.reshape(len(codes)) if outputs.shape[-1] == 1 else outputs
