"""Custom Keras layers shared by the sca-tf models (registered, so saved models reload without custom_objects)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from sca_tf.models.checks import dropout_rate, non_negative_int, positive_int


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
        self.k = positive_int("k", k)

    def call(self, inputs: Any) -> Any:
        by_channel = ops.transpose(inputs, (0, 2, 1))  # [batch, channels, length]
        largest, _ = ops.top_k(by_channel, k=self.k, sorted=True)
        return ops.reshape(largest, (-1, ops.shape(inputs)[-1] * self.k))

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (input_shape[0], None if input_shape[-1] is None else input_shape[-1] * self.k)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "k": self.k}


@keras.saving.register_keras_serializable(package="sca_tf")
class LearnedPositionalEmbedding(keras.layers.Layer):
    """Add a trained vector per position to a ``[batch, tokens, depth]`` input of a fixed token count.

    Motif sites sit at preferred offsets from the TSS, so a learned table can say "near the core promoter" directly.

    >>> import numpy as np
    >>> tuple(LearnedPositionalEmbedding()(np.zeros((2, 5, 8), "float32")).shape)
    (2, 5, 8)
    """

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if input_shape[-2] is None:
            raise ValueError("LearnedPositionalEmbedding needs a fixed token count")
        self.embedding = self.add_weight(name="embedding", shape=tuple(input_shape[-2:]),
                                         initializer=keras.initializers.RandomNormal(stddev=0.02))

    def call(self, inputs: Any) -> Any:
        return inputs + ops.cast(self.embedding, inputs.dtype)[None]

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape


@keras.saving.register_keras_serializable(package="sca_tf")
class AttentionPooling1D(keras.layers.Layer):
    """Pool ``[batch, tokens, depth]`` to ``[batch, heads * depth]`` by softmax-weighted sums over the tokens.

    Each of ``heads`` learned scores picks the tokens that matter, so a few motif tokens are not averaged away
    over hundreds of background ones (global average pooling) and more than one site can count (max pooling).

    >>> import numpy as np
    >>> tuple(AttentionPooling1D(heads=2)(np.ones((3, 7, 4), "float32")).shape)
    (3, 8)
    """

    def __init__(self, heads: int = 4, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heads = positive_int("heads", heads)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.score = keras.layers.Dense(self.heads, name="score")
        self.score.build(input_shape)

    def call(self, inputs: Any) -> Any:
        weights = ops.softmax(ops.cast(self.score(inputs), "float32"), axis=1)  # [batch, tokens, heads]
        pooled = ops.einsum("bth,btd->bhd", ops.cast(weights, inputs.dtype), inputs)
        return ops.reshape(pooled, (-1, self.heads * ops.shape(inputs)[-1]))

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (input_shape[0], None if input_shape[-1] is None else input_shape[-1] * self.heads)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "heads": self.heads}


@keras.saving.register_keras_serializable(package="sca_tf")
class LayerScale(keras.layers.Layer):
    """Multiply a residual branch by a learned per-channel scale that starts at ``init`` (Touvron et al., 2021).

    Started small, an encoder layer begins as (nearly) the identity, so the conv tower's motif matches reach the
    pooling unchanged, and attention and feed-forward blocks join in as training finds them useful.

    >>> import numpy as np
    >>> round(float(LayerScale(0.1)(np.ones((1, 2, 3), "float32"))[0, 0, 0]), 6)
    0.1
    """

    def __init__(self, init: float = 1e-2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not init > 0:
            raise ValueError(f"init must be > 0, got {init!r}")
        self.init = float(init)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],),
                                     initializer=keras.initializers.Constant(self.init))

    def call(self, inputs: Any) -> Any:
        return inputs * ops.cast(self.scale, inputs.dtype)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "init": self.init}


@keras.saving.register_keras_serializable(package="sca_tf")
class FusedBatchNormalization1D(keras.layers.BatchNormalization):
    """``keras.layers.BatchNormalization`` over the channels of ``[batch, length, channels]`` whose training step
    runs TensorFlow's fused kernel (``FusedBatchNormV3``, oneDNN on CPU) instead of Keras' separate moments and
    normalisation ops.

    Same weights, same moving-statistics update and the same inference path as the Keras layer; only the batch
    statistics and their gradient are computed in one pass. On a 2-core AVX-512 CPU it is ~4x faster on a
    ``[256, 2000, 128]`` activation (142 vs 572 ms forward + backward), which made batch normalisation, not the
    convolutions, most of a CNN training step. Other configurations (masks, renorm, another axis or rank) take
    the Keras path, as do synchronised (cross-replica) statistics.

    >>> import numpy as np
    >>> layer = FusedBatchNormalization1D()
    >>> y = layer(np.random.default_rng(0).normal(3.0, 2.0, (4, 50, 8)).astype("float32"), training=True)
    >>> bool(abs(float(ops.mean(y))) < 1e-5), bool(abs(float(ops.std(y)) - 1) < 1e-2)
    (True, True)
    """

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        fused = (training and self.trainable and mask is None and not self.renorm and not self.synchronized
                 and self.axis in (-1, 2)
                 and len(inputs.shape) == 3 and self.center and self.scale and keras.backend.backend() == "tensorflow")
        if not fused:
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        x = tf.expand_dims(inputs, 2)  # NHWC with W = 1; float32 or bfloat16 in, statistics in float32
        y, mean, unbiased_variance = tf.compat.v1.nn.fused_batch_norm(
            x, tf.cast(self.gamma, "float32"), tf.cast(self.beta, "float32"),
            epsilon=max(self.epsilon, 1.001e-5), is_training=True)[:3]
        count = tf.cast(tf.shape(x)[0] * tf.shape(x)[1], "float32")
        variance = unbiased_variance * (count - 1.0) / count  # the kernel returns n / (n - 1) x the batch variance
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        return tf.cast(tf.squeeze(y, 2), self.compute_dtype)


@keras.saving.register_keras_serializable(package="sca_tf")
class ByteMaskDropout(keras.layers.Layer):
    """Dropout whose keep mask comes from random bytes: one 32-bit random draw decides four entries.

    ``keras.layers.Dropout`` draws a float for every entry; over the ``[batch, heads, tokens, tokens]`` attention
    weights of the default transformer (250 tokens) that draw and its mask were ~40 % of a CPU training step.
    Here an entry is kept when its random byte is at least ``round(rate * 256)``, so the rate is the nearest
    multiple of 1/256 (``effective_rate``: 0.1 -> 26/256 = 0.1016) and the kept entries are scaled by
    ``1 / (1 - effective_rate)``. A quarter of the random bits, and a mask of bytes: ~3.4x cheaper on a
    ``[64, 4, 250, 250]`` bfloat16 tensor (67 vs 224 ms on one core). Inference passes the input through.

    >>> import numpy as np
    >>> ByteMaskDropout(0.1).effective_rate
    0.1015625
    >>> y = ByteMaskDropout(0.5, seed=1)(np.ones((1000, 100), "float32"), training=True)
    >>> round(float(np.mean(np.asarray(y) == 0)), 1), float(np.max(y))
    (0.5, 2.0)
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = dropout_rate("rate", rate)
        self.seed = seed
        self.threshold = round(self.rate * 256)
        if self.threshold > 0:  # as keras.layers.Dropout: no generator (no draw from the global seed) when idle
            self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    @property
    def effective_rate(self) -> float:
        """The share of entries dropped: ``rate`` rounded to a multiple of 1/256."""
        return self.threshold / 256

    def next_seed(self) -> Any:
        """A fresh ``[2]`` int32 stateless seed from the layer's generator (TensorFlow backend)."""
        import tensorflow as tf

        return tf.cast(tf.math.floormod(self.seed_generator.next(), 2**31 - 1), tf.int32)

    def drop(self, inputs: Any, seed: Any) -> Any:
        """``inputs`` with the entries whose random byte (from the stateless ``seed``) is under the threshold
        zeroed and the rest scaled by ``1 / (1 - effective_rate)`` (TensorFlow backend)."""
        import tensorflow as tf

        size = tf.size(inputs)
        words = tf.random.stateless_uniform([(size + 3) // 4], seed, minval=None, maxval=None, dtype=tf.uint32)
        random_bytes = tf.reshape(tf.bitcast(words, tf.uint8), [-1])[:size]
        keep = tf.reshape(random_bytes, tf.shape(inputs)) >= tf.constant(self.threshold, tf.uint8)
        scale = tf.cast(1.0 / (1.0 - self.effective_rate), inputs.dtype)
        return tf.where(keep, inputs * scale, tf.zeros_like(inputs))

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.threshold == 0:
            return inputs
        if keras.backend.backend() != "tensorflow":
            return keras.random.dropout(inputs, self.effective_rate, seed=self.seed_generator)
        return self.drop(inputs, self.next_seed())

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


#: Attention weights computed at once by :class:`ByteDropoutAttention`, in bytes (see its ``chunk_bytes``).
ATTENTION_CHUNK_BYTES = 8 * 2**20


@keras.saving.register_keras_serializable(package="sca_tf")
class ByteDropoutAttention(keras.layers.MultiHeadAttention):
    """``MultiHeadAttention`` whose attention-weight dropout (one draw per query-key pair, as the parent's) takes
    its mask from :class:`ByteMaskDropout` (the rate rounded to a multiple of 1/256), and whose attention runs in
    slices of the batch whose weights fit in the CPU's cache.

    Stock attention computes the ``[batch, heads, queries, keys]`` scores, softmax, dropout and weighted sum one
    op at a time over the whole batch: 256 MB of float32 weights a layer for the default transformer (batch 256,
    4 heads, 250 tokens), each op streaming them through memory. Here the batch is cut into slices of at most
    ``chunk_bytes`` of weights (8 MiB: 8 samples of the default in float32, 16 in bfloat16) and each slice's ops
    follow one another while its weights are in cache. A prototype took a default-transformer training step
    (batch 256, 2 kb, float32) from 9.1 s whole to 5.4 s on a 2-core AVX2 CPU; on an AVX-512 one the gain was
    0-5 % (bfloat16 164 vs 157 and 146 vs 149 sequences/s in two runs, float32 121 vs 118). The result is the
    same attention (each sample's rows are untouched by the cut); every slice draws its own dropout mask.
    Slicing needs a known batch size (training batches are fixed: ``drop_remainder``), rank-3 inputs, no
    attention mask and no returned scores; otherwise, or with ``chunk_bytes=0``, the layer computes as its
    parent does.

    >>> import numpy as np
    >>> layer = ByteDropoutAttention(num_heads=2, key_dim=4, dropout=0.1)
    >>> tuple(layer(np.ones((1, 6, 8), "float32"), np.ones((1, 6, 8), "float32"), training=True).shape)
    (1, 6, 8)
    """

    def __init__(self, num_heads: int, key_dim: int, chunk_bytes: int = ATTENTION_CHUNK_BYTES, **kwargs: Any) -> None:
        super().__init__(num_heads, key_dim, **kwargs)
        self.chunk_bytes = non_negative_int("chunk_bytes", chunk_bytes)

    def _build_attention(self, rank: int) -> None:
        super()._build_attention(rank)
        self._dropout_layer = ByteMaskDropout(self._dropout, seed=self.seed, dtype=self.dtype_policy)

    def score_bias(self, queries: int, keys: int) -> Any:
        """What is added to the scaled ``[batch, heads, queries, keys]`` scores before the softmax (None: nothing)."""
        return None

    def batch_slices(self, query: Any, key: Any) -> list[int] | None:
        """The sizes of the batch slices attention runs in, or None where it runs as the parent's."""
        batch, queries, keys = query.shape[0], query.shape[1], key.shape[1]
        if (self.chunk_bytes == 0 or keras.backend.backend() != "tensorflow" or len(query.shape) != 4
                or self._attention_axes != (1,) or None in (batch, queries, keys)):
            return None
        import tensorflow as tf

        sample_bytes = self._num_heads * queries * keys * tf.as_dtype(query.dtype).size
        per_slice = max(1, self.chunk_bytes // sample_bytes)
        if per_slice >= batch:
            return None
        return [per_slice] * (batch // per_slice) + ([batch % per_slice] if batch % per_slice else [])

    def _compute_attention(self, query: Any, key: Any, value: Any, attention_mask: Any = None, training: Any = None,
                           return_attention_scores: bool = False, use_causal_mask: bool = False) -> tuple[Any, Any]:
        bias = self.score_bias(ops.shape(query)[1], ops.shape(key)[1])
        slices = self.batch_slices(query, key)
        if slices is not None and attention_mask is None and not return_attention_scores and not use_causal_mask:
            return self._sliced_attention(query, key, value, bias, slices, training), None
        if bias is None:
            return super()._compute_attention(query, key, value, attention_mask, training, return_attention_scores,
                                              use_causal_mask)
        if use_causal_mask:  # only a direct caller passes it: Keras' call folds it into attention_mask for us
            causal = self._compute_causal_mask(query, value)
            attention_mask = causal if attention_mask is None else ops.logical_and(ops.cast(attention_mask, "bool"),
                                                                                   causal)
        query = ops.multiply(query, ops.cast(self._inverse_sqrt_key_dim, query.dtype))
        scores = ops.einsum(self._dot_product_equation, key, query)  # [batch, heads, queries, keys]
        scores = self._masked_softmax(scores + ops.cast(bias, scores.dtype), attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self._dropout > 0.0 else scores
        return ops.einsum(self._combine_equation, dropped, value), scores

    def _sliced_attention(self, query: Any, key: Any, value: Any, bias: Any, slices: list[int], training: Any) -> Any:
        """Attention over ``[batch, tokens, heads, width]`` projections, one batch slice at a time."""
        import tensorflow as tf

        to_heads = [0, 2, 1, 3]  # [batch, tokens, heads, width] <-> [batch, heads, tokens, width]
        query = tf.transpose(query * tf.cast(self._inverse_sqrt_key_dim, query.dtype), to_heads)
        key, value = tf.transpose(key, to_heads), tf.transpose(value, to_heads)
        dropout = bool(training) and self._dropout_layer.threshold > 0
        seed = self._dropout_layer.next_seed() if dropout else None
        outputs = []
        for index, (q, k, v) in enumerate(zip(tf.split(query, slices), tf.split(key, slices), tf.split(value, slices),
                                              strict=True)):
            scores = tf.matmul(q, k, transpose_b=True)
            weights = self._softmax(scores if bias is None else scores + tf.cast(bias, scores.dtype))
            if dropout:
                weights = self._dropout_layer.drop(weights, tf.random.experimental.stateless_fold_in(seed, index))
            outputs.append(tf.matmul(weights, v))
        return tf.transpose(tf.concat(outputs, 0), to_heads)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "chunk_bytes": self.chunk_bytes}


@keras.saving.register_keras_serializable(package="sca_tf")
class KeyDropoutAttention(keras.layers.MultiHeadAttention):
    """``MultiHeadAttention`` whose attention dropout drops whole keys: one mask per sample, head and key, shared
    by every query (``noise_shape = [batch, heads, 1, keys]``), instead of one draw per query-key pair.

    Keras draws a uniform number for every entry of the ``[batch, heads, queries, keys]`` attention weights; at
    250 tokens that draw was ~30 % of a CPU training step of the default transformer. A key's weight is dropped
    (and the rest rescaled) for all queries at once here, as DropKey-style regularisation does, for
    ``queries``-times fewer random numbers. Inference is unchanged (no dropout).

    >>> import numpy as np
    >>> layer = KeyDropoutAttention(num_heads=2, key_dim=4, dropout=0.5)
    >>> tuple(layer(np.ones((1, 6, 8), "float32"), np.ones((1, 6, 8), "float32")).shape)
    (1, 6, 8)
    """

    def _build_attention(self, rank: int) -> None:
        super()._build_attention(rank)
        if rank != 4:  # the projected [batch, tokens, heads, width] of a [batch, tokens, width] input
            raise ValueError(f"KeyDropoutAttention takes [batch, tokens, width] inputs, got rank {rank - 1}")
        self._dropout_layer = keras.layers.Dropout(rate=self._dropout, noise_shape=(None, None, 1, None),
                                                   dtype=self.dtype_policy, seed=self.seed)


@keras.saving.register_keras_serializable(package="sca_tf")
class RelativePositionAttention(ByteDropoutAttention):
    """``MultiHeadAttention`` whose scores get a learned bias per head and query-key distance (Shaw et al. 2018;
    T5's bias without its log buckets): ``score[b, h, i, j] = q_i . k_j / sqrt(d) + bias[h, clip(j - i, -D, D)]``.

    A head can thus learn "look 3 tokens downstream" wherever the query sits, which absolute positions only teach
    position by position: the layer is equivariant to shifting the sequence (up to the edges and the clipping at
    ``max_distance`` = D tokens). The bias starts at zero, so an untrained layer is plain attention. Attention over
    ``[batch, tokens, width]`` inputs (a causal or other attention mask applies after the bias); dropout and batch
    slices as the parent's.

    >>> import numpy as np
    >>> layer = RelativePositionAttention(num_heads=2, key_dim=4, max_distance=3)
    >>> tuple(layer(np.ones((1, 6, 8), "float32"), np.ones((1, 6, 8), "float32")).shape)
    (1, 6, 8)
    """

    def __init__(self, num_heads: int, key_dim: int, max_distance: int = 32, **kwargs: Any) -> None:
        super().__init__(num_heads, key_dim, **kwargs)
        self.max_distance = positive_int("max_distance", max_distance)

    def build(self, query_shape: Any, value_shape: Any, key_shape: Any = None) -> None:
        super().build(query_shape, value_shape, key_shape)
        if len(query_shape) != 3:
            raise ValueError(f"RelativePositionAttention takes [batch, tokens, width] inputs, got {query_shape}")
        self.relative_bias = self.add_weight(name="relative_bias", shape=(self._num_heads, 2 * self.max_distance + 1),
                                             initializer="zeros", dtype=self.variable_dtype)

    def score_bias(self, queries: int, keys: int) -> Any:
        """The ``[heads, queries, keys]`` learned bias of every query-key pair, by distance."""
        offsets = ops.arange(keys)[None, :] - ops.arange(queries)[:, None]
        index = ops.clip(offsets, -self.max_distance, self.max_distance) + self.max_distance
        return ops.take(self.relative_bias, index, axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_distance": self.max_distance}
