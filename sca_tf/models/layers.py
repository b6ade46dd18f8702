"""Custom Keras layers shared by the sca-tf models (registered, so saved models reload without custom_objects)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="sca_tf")
class SinusoidalPositionalEncoding(keras.layers.Layer):
    """Add the fixed sine/cosine position signal of Vaswani et al. (2017) to a ``[batch, tokens, depth]`` input.

    Even channels carry ``sin(position / max_wavelength ** (2i / depth))`` and odd channels the matching cosine,
    so any token count works without retraining and nothing is learned.

    >>> import numpy as np
    >>> layer = SinusoidalPositionalEncoding()
    >>> tuple(layer(np.zeros((2, 5, 8), "float32")).shape)
    (2, 5, 8)
    """

    def __init__(self, max_wavelength: float = 10_000.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if max_wavelength <= 1:
            raise ValueError(f"max_wavelength must be > 1, got {max_wavelength}")
        self.max_wavelength = float(max_wavelength)
        self.supports_masking = True

    def call(self, inputs: Any) -> Any:
        length, depth = ops.shape(inputs)[-2], ops.shape(inputs)[-1]
        positions = ops.cast(ops.arange(length), "float32")
        channels = ops.arange(depth)
        exponents = ops.cast(2 * (channels // 2), "float32") / ops.cast(depth, "float32")
        inverse_timescales = ops.power(1.0 / self.max_wavelength, exponents)
        angles = positions[:, None] * inverse_timescales[None, :]
        is_cosine = ops.cast(channels % 2, "float32")
        encoding = ops.sin(angles) * (1.0 - is_cosine) + ops.cos(angles) * is_cosine
        return inputs + ops.cast(encoding, inputs.dtype)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_wavelength": self.max_wavelength}


@keras.saving.register_keras_serializable(package="sca_tf")
class TopKPooling1D(keras.layers.Layer):
    """k-max pooling (Kalchbrenner et al., 2014): the ``k`` largest values of each channel over the sequence.

    ``[batch, length, channels]`` becomes ``[batch, k * channels]`` (per channel, values in descending order).
    Unlike global max pooling it sees how many strong matches a filter has, so a model can count motif copies;
    unlike global average pooling the count is not diluted by the length of the sequence.

    >>> import numpy as np
    >>> x = np.array([[[1.0, 0.0], [5.0, 2.0], [3.0, 9.0]]], "float32")
    >>> TopKPooling1D(k=2)(x).numpy().tolist()
    [[5.0, 3.0, 9.0, 2.0]]
    """

    def __init__(self, k: int = 4, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if int(k) != k or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        self.k = int(k)

    def call(self, inputs: Any) -> Any:
        by_channel = ops.transpose(inputs, (0, 2, 1))  # [batch, channels, length]
        largest, _ = ops.top_k(by_channel, k=self.k, sorted=True)
        return ops.reshape(largest, (-1, ops.shape(inputs)[-1] * self.k))

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (input_shape[0], None if input_shape[-1] is None else input_shape[-1] * self.k)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "k": self.k}
