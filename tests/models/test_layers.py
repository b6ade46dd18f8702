"""Custom layers: top-k pooling, sinusoidal and learned positions, attention pooling."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from sca_tf.models import AttentionPooling1D, LearnedPositionalEmbedding, SinusoidalPositionalEncoding, TopKPooling1D


def test_top_k_pooling_keeps_the_largest_values_of_each_channel_in_order() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 20, 5)).astype("float32")
    pooled = keras.ops.convert_to_numpy(TopKPooling1D(k=3)(x)).reshape(3, 5, 3)
    np.testing.assert_array_equal(pooled, -np.sort(-x.transpose(0, 2, 1), axis=-1)[..., :3])
    with pytest.raises(ValueError, match="positive integer"):
        TopKPooling1D(k=0)



def test_sinusoidal_positional_encoding_matches_the_formula() -> None:
    depth, length = 6, 7
    layer = SinusoidalPositionalEncoding(max_wavelength=100.0)
    encoded = keras.ops.convert_to_numpy(layer(np.ones((2, length, depth), "float32")))
    position = np.arange(length)[:, None]
    angle = position / 100.0 ** (2 * (np.arange(depth) // 2) / depth)
    expected = 1 + np.where(np.arange(depth) % 2 == 0, np.sin(angle), np.cos(angle))
    np.testing.assert_allclose(encoded[1], expected, atol=1e-5)
    assert SinusoidalPositionalEncoding.from_config(layer.get_config()).max_wavelength == 100.0
    assert math.isclose(encoded[0, 0, 1], 2.0)


def test_learned_positions_add_one_trained_vector_per_token() -> None:
    layer = LearnedPositionalEmbedding()
    x = np.zeros((2, 5, 3), "float32")
    out = keras.ops.convert_to_numpy(layer(x))
    table = keras.ops.convert_to_numpy(layer.embedding)
    assert table.shape == (5, 3) and len(layer.trainable_weights) == 1
    np.testing.assert_allclose(out, np.broadcast_to(table, (2, 5, 3)))
    with pytest.raises(ValueError, match="fixed token count"):
        LearnedPositionalEmbedding()(keras.Input((None, 3)))


def test_attention_pooling_picks_the_tokens_its_scores_favour() -> None:
    layer = AttentionPooling1D(heads=2)
    x = np.random.default_rng(0).normal(size=(3, 6, 4)).astype("float32")
    layer(x)
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in layer.score.weights)
    scores = x @ kernel + bias
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    expected = np.einsum("bth,btd->bhd", weights, x).reshape(3, 8)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-6)
    assert AttentionPooling1D.from_config(layer.get_config()).heads == 2
    with pytest.raises(ValueError, match="positive integer"):
        AttentionPooling1D(heads=0)
