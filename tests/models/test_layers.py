"""Custom layers: top-k pooling, sinusoidal and learned positions, attention pooling, fused batch norm, byte-mask
and key dropout, relative-position attention."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from sca_tf.models import AttentionPooling1D, LearnedPositionalEmbedding, SinusoidalPositionalEncoding, TopKPooling1D
from sca_tf.models.layers import (
    ByteDropoutAttention,
    ByteMaskDropout,
    FusedBatchNormalization1D,
    KeyDropoutAttention,
    RelativePositionAttention,
)


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


def _batch_norms(x: np.ndarray) -> tuple[keras.layers.Layer, keras.layers.Layer]:
    """A Keras ``BatchNormalization`` and a ``FusedBatchNormalization1D`` with the same random weights."""
    rng = np.random.default_rng(3)
    stock, fused = keras.layers.BatchNormalization(), FusedBatchNormalization1D()
    for layer in (stock, fused):
        layer.build(x.shape)
    gamma, beta = rng.normal(size=x.shape[-1]).astype("float32"), rng.normal(size=x.shape[-1]).astype("float32")
    for layer in (stock, fused):
        layer.gamma.assign(gamma)
        layer.beta.assign(beta)
    return stock, fused


def test_fused_batch_norm_trains_and_infers_as_keras_batch_norm() -> None:
    rng = np.random.default_rng(4)
    x = tf.Variable(rng.normal(3.0, 2.0, (8, 100, 16)).astype("float32"))
    upstream = tf.constant(rng.normal(size=(8, 100, 16)).astype("float32"))
    stock, fused = _batch_norms(x.numpy())
    with tf.GradientTape(persistent=True) as tape:
        outputs = [layer(x, training=True) for layer in (stock, fused)]
        losses = [tf.reduce_sum(y * upstream) for y in outputs]
    np.testing.assert_allclose(outputs[1], outputs[0], atol=1e-5)
    stock_grads, fused_grads = (tape.gradient(loss, [x, layer.gamma, layer.beta])
                                for loss, layer in zip(losses, (stock, fused)))
    for ours, theirs in zip(fused_grads, stock_grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(fused.moving_mean, stock.moving_mean, atol=1e-6)
    np.testing.assert_allclose(fused.moving_variance, stock.moving_variance, rtol=1e-5)  # biased, as Keras keeps it
    np.testing.assert_allclose(fused(x, training=False), stock(x, training=False), atol=1e-5)
    graph = tf.function(lambda t: fused(t, training=True)).get_concrete_function(x).graph
    assert "FusedBatchNormV3" in {op.type for op in graph.get_operations()}  # not the Keras fallback


def test_fused_batch_norm_under_mixed_bfloat16_returns_bfloat16_close_to_float32() -> None:
    x = np.random.default_rng(5).normal(1.0, 3.0, (4, 64, 8)).astype("float32")
    _, reference = _batch_norms(x)
    expected = reference(x, training=True).numpy()
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        layer = FusedBatchNormalization1D()
        layer.build(x.shape)
        layer.gamma.assign(reference.gamma)
        layer.beta.assign(reference.beta)
        y = layer(tf.cast(x, tf.bfloat16), training=True)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    assert y.dtype == tf.bfloat16 and layer.moving_mean.dtype == "float32"
    np.testing.assert_allclose(tf.cast(y, tf.float32), expected, atol=0.05 * np.abs(expected).max())


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_byte_mask_dropout_drops_its_rounded_rate_independently_and_keeps_the_mean(dtype: str) -> None:
    layer = ByteMaskDropout(0.3, seed=5)
    assert layer.effective_rate == 77 / 256
    x = tf.cast(tf.random.stateless_uniform((64, 4, 25, 250), seed=(1, 2), minval=0.5, maxval=1.5), dtype)
    y = tf.cast(layer(x, training=True), "float32").numpy()
    x = tf.cast(x, "float32").numpy()
    dropped = y == 0
    sigma = math.sqrt(0.3 * 0.7 / dropped.size)
    assert abs(dropped.mean() - 77 / 256) < 5 * sigma
    np.testing.assert_allclose(y[~dropped], x[~dropped] * 256 / 179, rtol=0.01 if dtype == "bfloat16" else 1e-6)
    flat = dropped.reshape(-1, 4).astype("float64")  # the four entries that share one 32-bit draw
    correlations = np.corrcoef(flat, rowvar=False)[np.triu_indices(4, 1)]
    assert np.abs(correlations).max() < 0.01
    along_keys = np.corrcoef(dropped[..., :-1].ravel(), dropped[..., 1:].ravel())[0, 1]
    assert abs(along_keys) < 0.01
    assert abs(y.mean() / x.mean() - 1) < 0.01  # expectation preserved


def test_byte_mask_dropout_is_seeded_fresh_per_call_and_idle_at_inference() -> None:
    x = np.ones((8, 33), "float32")  # 264 entries: not a multiple of four
    first = ByteMaskDropout(0.5, seed=7)
    masks = [keras.ops.convert_to_numpy(first(x, training=True)) == 0 for _ in range(2)]
    again = keras.ops.convert_to_numpy(ByteMaskDropout(0.5, seed=7)(x, training=True)) == 0
    np.testing.assert_array_equal(masks[0], again)  # same seed, same first mask
    assert (masks[0] != masks[1]).mean() > 0.3  # the next call draws a new one
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(first(x, training=False)), x)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(ByteMaskDropout(0.001)(x, training=True)), x)  # rounds to 0
    for rate in (1.0, -0.1, True):
        with pytest.raises(ValueError, match="rate"):
            ByteMaskDropout(rate)


def test_idle_byte_dropout_draws_no_seed_so_a_seeded_model_starts_as_with_stock_attention() -> None:
    """Without dropout the layer takes nothing from the global seed, as keras.layers.Dropout: the same seed gives
    the same initial weights (and so the same training run) as stock MultiHeadAttention."""
    def initial_weights(attention: type) -> list[np.ndarray]:
        keras.utils.set_random_seed(0)
        inputs = keras.Input((6, 8))
        x = attention(num_heads=2, key_dim=4, dropout=0.0)(inputs, inputs)
        return keras.Model(inputs, keras.layers.Dense(3)(x)).get_weights()

    for ours, stock in zip(initial_weights(ByteDropoutAttention), initial_weights(keras.layers.MultiHeadAttention),
                           strict=True):
        np.testing.assert_array_equal(ours, stock)


def test_byte_dropout_attention_drops_single_weights_and_matches_stock_attention_at_inference(tmp_path) -> None:
    inputs = keras.Input((12, 8))
    model = keras.Model(inputs, ByteDropoutAttention(num_heads=2, key_dim=4, dropout=0.5, seed=3)(inputs, inputs))
    layer = model.layers[-1]
    weights = keras.ops.softmax(keras.random.normal((8, 2, 12, 12), seed=1), axis=-1)
    dropped = keras.ops.convert_to_numpy(layer._dropout_layer(weights, training=True)) == 0
    assert 0.45 < dropped.mean() < 0.55
    assert (dropped != dropped[:, :, :1, :]).any()  # not one mask per key, as KeyDropoutAttention
    tokens = np.random.default_rng(0).normal(size=(8, 12, 8)).astype("float32")
    stock = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    stock(tokens, tokens)
    stock.set_weights(layer.get_weights())
    np.testing.assert_allclose(model.predict(tokens, verbose=0), keras.ops.convert_to_numpy(stock(tokens, tokens)),
                               rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[-1]._dropout_layer, ByteMaskDropout)
    np.testing.assert_allclose(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0), rtol=1e-6)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(tokens, training=True) ** 2)
    gradients = tape.gradient(loss, model.trainable_weights)
    assert all(g is not None and np.isfinite(g.numpy()).all() for g in gradients)


def test_key_dropout_drops_whole_keys_for_every_query_and_nothing_at_inference() -> None:
    layer = KeyDropoutAttention(num_heads=2, key_dim=4, dropout=0.5, seed=3)
    tokens = np.random.default_rng(0).normal(size=(8, 12, 8)).astype("float32")
    layer(tokens, tokens)  # build
    weights = keras.ops.softmax(keras.random.normal((8, 2, 12, 12), seed=1), axis=-1)
    dropped = keras.ops.convert_to_numpy(layer._dropout_layer(weights, training=True)) == 0
    np.testing.assert_array_equal(dropped, np.broadcast_to(dropped[:, :, :1, :], dropped.shape))  # same mask per query
    assert 0.4 < dropped[:, :, 0, :].mean() < 0.6  # about half the keys of each (sample, head)
    stock = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    stock(tokens, tokens)
    stock.set_weights(layer.get_weights())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(tokens, tokens)),
                               keras.ops.convert_to_numpy(stock(tokens, tokens)), rtol=1e-5, atol=1e-6)
    trained = keras.ops.convert_to_numpy(layer(tokens, tokens, training=True))
    assert np.abs(trained - keras.ops.convert_to_numpy(stock(tokens, tokens))).max() > 1e-3


def test_relative_position_attention_starts_as_plain_attention() -> None:
    tokens = np.random.default_rng(1).normal(size=(3, 10, 8)).astype("float32")
    layer = RelativePositionAttention(num_heads=2, key_dim=4, max_distance=3)
    layer(tokens, tokens)
    stock = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    stock(tokens, tokens)
    stock.set_weights([weight for weight in layer.get_weights() if weight.shape != (2, 7)])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(tokens, tokens)),
                               keras.ops.convert_to_numpy(stock(tokens, tokens)), rtol=1e-5, atol=1e-6)


def test_relative_position_bias_points_every_query_at_the_same_offset_and_clips_far_ones() -> None:
    tokens = np.random.default_rng(2).normal(size=(2, 12, 8)).astype("float32")
    layer = RelativePositionAttention(num_heads=2, key_dim=4, max_distance=3)
    layer(tokens, tokens)
    for dense in (layer.query_dense, layer.key_dense):  # no content term: the scores are the bias alone
        dense.kernel.assign(np.zeros(dense.kernel.shape, "float32"))
        dense.bias.assign(np.zeros(dense.bias.shape, "float32"))
    bias = np.zeros((2, 7), "float32")
    bias[0, 3 + 2] = 20.0  # head 0: two tokens downstream
    bias[1, 0] = 20.0  # head 1: three or more tokens upstream (clipped)
    layer.relative_bias.assign(bias)
    _, scores = layer(tokens, tokens, return_attention_scores=True)
    scores = keras.ops.convert_to_numpy(scores)
    queries = np.arange(10)
    np.testing.assert_array_equal(scores[:, 0, queries].argmax(-1), np.broadcast_to(queries + 2, (2, 10)))
    far_upstream = scores[0, 1, 11, :9]  # keys 0-8 are all >= 3 tokens upstream of query 11: one shared bias
    np.testing.assert_allclose(far_upstream, np.full(9, 1 / 9), atol=1e-6)


def test_relative_position_attention_round_trips_through_a_saved_model(tmp_path) -> None:
    inputs = keras.Input((9, 8))
    outputs = RelativePositionAttention(num_heads=2, key_dim=4, max_distance=4, dropout=0.1)(inputs, inputs)
    model = keras.Model(inputs, outputs)
    layer = model.layers[-1]
    layer.relative_bias.assign(np.random.default_rng(3).normal(size=(2, 9)).astype("float32"))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.layers[-1].max_distance == 4
    tokens = np.random.default_rng(4).normal(size=(2, 9, 8)).astype("float32")
    np.testing.assert_allclose(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0), rtol=1e-5)
    with pytest.raises(ValueError, match="max_distance"):
        RelativePositionAttention(num_heads=2, key_dim=4, max_distance=0)


def _attention_pair(attention: type, slice_bytes: int, **settings) -> tuple[keras.layers.Layer, keras.layers.Layer]:
    """The same attention weights twice: sliced into batch slices of ``slice_bytes`` of weights, and whole."""
    tokens = np.zeros((8, 12, 8), "float32")
    sliced, whole = attention(chunk_bytes=slice_bytes, **settings), attention(chunk_bytes=0, **settings)
    sliced(tokens, tokens)
    whole(tokens, tokens)
    weights = [np.random.default_rng(index).normal(size=w.shape).astype("float32")
               for index, w in enumerate(sliced.get_weights())]
    sliced.set_weights(weights)
    whole.set_weights(weights)
    return sliced, whole


@pytest.mark.parametrize("attention", [ByteDropoutAttention, RelativePositionAttention])
def test_attention_in_batch_slices_equals_whole_batch_attention_with_its_gradients(attention: type) -> None:
    sample_bytes = 2 * 12 * 12 * 4  # heads x queries x keys float32 weights
    sliced, whole = _attention_pair(attention, 3 * sample_bytes, num_heads=2, key_dim=4, dropout=0.0)
    projected = np.zeros((8, 12, 2, 4), "float32")
    assert sliced.batch_slices(projected, projected) == [3, 3, 2]  # a short last slice
    assert whole.batch_slices(projected, projected) is None
    assert sliced.batch_slices(projected[:3], projected[:3]) is None  # the batch fits in one slice
    tokens = tf.constant(np.random.default_rng(9).normal(size=(8, 12, 8)).astype("float32"))
    results = []
    for layer in (sliced, whole):
        with tf.GradientTape() as tape:
            tape.watch(tokens)
            outputs = layer(tokens, tokens, training=True)
            loss = tf.reduce_sum(outputs * tf.sin(outputs))
        gradients = tape.gradient(loss, [tokens, *layer.trainable_weights])
        results.append([outputs, *gradients])
    for ours, reference in zip(*results, strict=True):
        np.testing.assert_allclose(ours.numpy(), reference.numpy(), rtol=1e-4, atol=1e-5)


def test_attention_slices_draw_their_own_dropout_masks_and_none_at_inference() -> None:
    layer = ByteDropoutAttention(num_heads=2, key_dim=4, dropout=0.5, seed=4, chunk_bytes=3 * 2 * 12 * 12 * 4)
    tokens = np.zeros((8, 12, 8), "float32")
    layer(tokens, tokens)
    query = key = tf.zeros((8, 12, 2, 4))  # equal scores: every weight is 1/12
    value = tf.tile(tf.eye(12)[None, :, None, :], [8, 1, 2, 1])  # key j's value is the unit vector j
    slices = layer.batch_slices(query, key)
    assert slices == [3, 3, 2]

    def weights(training: bool) -> np.ndarray:  # [batch, queries, heads, keys]: the (dropped) weights themselves
        return layer._sliced_attention(query, key, value, None, slices, training=training).numpy()

    np.testing.assert_allclose(weights(False), 1 / 12, rtol=1e-6)
    first, second = weights(True), weights(True)
    dropped = first == 0
    assert abs(dropped.mean() - 0.5) < 5 * math.sqrt(0.25 / dropped.size)
    np.testing.assert_allclose(first[~dropped], 2 / 12, rtol=1e-6)
    assert (dropped[0] != dropped[3]).mean() > 0.3  # the first samples of two slices: not one mask repeated
    assert ((second == 0) != dropped).mean() > 0.3  # a fresh mask each call
    assert ((second[:3] == 0) != dropped[3:6]).mean() > 0.3  # nor one call's slice 0 the last call's slice 1


def test_attention_runs_whole_where_the_batch_is_unknown_and_keeps_its_slice_size_in_its_config() -> None:
    layer = ByteDropoutAttention(num_heads=2, key_dim=4, chunk_bytes=1000)
    inputs = keras.Input((12, 8))
    model = keras.Model(inputs, layer(inputs, inputs))
    unknown_batch = keras.KerasTensor((None, 12, 2, 4))
    assert layer.batch_slices(unknown_batch, unknown_batch) is None
    tokens = np.random.default_rng(5).normal(size=(5, 12, 8)).astype("float32")
    assert model.predict(tokens, verbose=0).shape == (5, 12, 8)
    assert ByteDropoutAttention.from_config(layer.get_config()).chunk_bytes == 1000
    for chunk_bytes in (-1, 1.5, True):
        with pytest.raises(ValueError, match="chunk_bytes"):
            ByteDropoutAttention(num_heads=2, key_dim=4, chunk_bytes=chunk_bytes)


def test_relative_position_attention_keeps_a_causal_mask_after_its_bias() -> None:
    tokens = np.random.default_rng(6).normal(size=(2, 7, 8)).astype("float32")
    layer = RelativePositionAttention(num_heads=2, key_dim=4, max_distance=3)
    layer(tokens, tokens)
    bias = np.zeros((2, 7), "float32")
    bias[:, 3 + 3] = 30.0  # every head pulled three tokens ahead: a causal mask must still forbid it
    layer.relative_bias.assign(bias)
    _, scores = layer(tokens, tokens, use_causal_mask=True, return_attention_scores=True)
    scores = keras.ops.convert_to_numpy(scores)
    np.testing.assert_array_equal(scores[..., np.triu_indices(7, 1)[0], np.triu_indices(7, 1)[1]], 0)
    projected = [keras.ops.reshape(dense(tokens), (2, 7, 2, 4)) for dense in (layer.query_dense, layer.key_dense,
                                                                              layer.value_dense)]
    _, direct = layer._compute_attention(*projected, use_causal_mask=True)  # the flag itself, not a mask
    np.testing.assert_allclose(keras.ops.convert_to_numpy(direct), scores, rtol=1e-5, atol=1e-7)
