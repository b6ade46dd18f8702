"""Training throughput of sca-tf's models (our pipeline + model + compile) beside plain hand-written Keras ones.

Two sets of models: each classifier's ``default`` architecture (what ``sca-tf run`` trains) and the paper's
(``preset = "paper"``, :mod:`sca_tf.models.presets`); the plain references below rebuild each layer for layer
with stock Keras layers (``BatchNormalization``, ``MultiHeadAttention``; a ``Lambda`` for top-k pooling and two
one-weight layers for learned positions and layer scale, which Keras lacks).

Each model trains on the same random 2 kb promoters at batch 256 for the same number of steps, in one process,
alternating runs; each reference has the same parameter count, optimizer settings and logged metrics and is fed
from a plain in-memory ``tf.data`` one-hot dataset. Each sca-tf model runs at ``--precision`` (default:
training's default, ``TrainConfig.precision``; ``auto`` resolves as training resolves it) and at float32; the
reference is always float32. The ratio is sca-tf at ``--precision`` over the reference (goal >= 1.6 for the CNN
and the transformer); the float32 ratio says what the model code alone (e.g. the fused batch norm) buys.

    python benchmarks/training_throughput.py [--models cnn,cnn_lstm,transformer] [--presets default,paper]
                                             [--steps 20] [--repeats 3] [--precision float32]
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np
import tensorflow as tf

from sca_tf.data import PipelineConfig, make_datasets
from sca_tf.models import build_model
from sca_tf.models.presets import preset_hparams
from sca_tf.precision import PRECISIONS, precision_policy, resolve_precision
from sca_tf.training import TrainConfig
from sca_tf.training.recipe import classifier_metrics, compile_classifier, recipe_for


def _conv_pool_blocks(x: keras.KerasTensor, blocks: tuple[tuple[int, int], ...], pool: int = 4) -> keras.KerasTensor:
    """(filters, kernel) blocks of bias-free Conv1D -> batch norm -> ReLU -> max-pool, in bare Keras."""
    for filters, kernel in blocks:
        x = keras.layers.Conv1D(filters, kernel, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPooling1D(pool)(x)
    return x


def _dense_head(x: keras.KerasTensor, dropout: float, units: int = 64, dropout_first: bool = True) -> keras.KerasTensor:
    """(Dropout ->) dense ``units`` ReLU -> dropout -> sigmoid, in bare Keras."""
    x = keras.layers.Dense(units, activation="relu")(keras.layers.Dropout(dropout)(x) if dropout_first else x)
    return keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dropout(dropout)(x))


class _AddWeight(keras.layers.Layer):
    """``x + w`` with one trained ``[tokens, width]`` weight (learned positions)."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=tuple(input_shape[-2:]), initializer="random_normal")

    def call(self, x):
        return x + keras.ops.cast(self.w, x.dtype)


class _Scale(keras.layers.Layer):
    """``x * s`` with one trained ``[width]`` weight starting at ``value`` (layer scale)."""

    def __init__(self, value, **kwargs):
        super().__init__(**kwargs)
        self.value = value

    def build(self, input_shape):
        self.s = self.add_weight(shape=(input_shape[-1],), initializer=keras.initializers.Constant(self.value))

    def call(self, x):
        return x * keras.ops.cast(self.s, x.dtype)


def _top_k(x: keras.KerasTensor, k: int) -> keras.KerasTensor:
    """The ``k`` largest values of each channel, then layer norm, in bare Keras."""
    width = int(x.shape[-1])
    x = keras.layers.Lambda(lambda t: keras.ops.reshape(
        keras.ops.top_k(keras.ops.transpose(t, (0, 2, 1)), k=k)[0], (-1, width * k)))(x)
    return keras.layers.LayerNormalization()(x)


def _compiled(model: keras.Model, learning_rate: float, clipnorm: float | None = None,
              decay_steps: int | None = None) -> keras.Model:
    # The same metrics as sca-tf logs, so the comparison measures the pipeline and wrappers, not metric cost.
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps) if decay_steps else learning_rate
    model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=clipnorm), loss="binary_crossentropy",
                  metrics=classifier_metrics())
    return model


def reference_default_cnn(length: int) -> keras.Model:
    """The default sca-tf CNN (128/k15, pool 4, top-4 pooling, dense 32) in bare Keras."""
    inputs = keras.Input((length, 4))
    x = _top_k(_conv_pool_blocks(inputs, ((128, 15),)), 4)
    return _compiled(keras.Model(inputs, _dense_head(x, 0.2, units=32)), 2e-3)


def reference_default_cnn_lstm(length: int) -> keras.Model:
    """The default sca-tf CNN-LSTM (128/k15, pool 10, BiLSTM 32 beside the matches, top-4, dense 32) in bare Keras."""
    inputs = keras.Input((length, 4))
    matches = _conv_pool_blocks(inputs, ((128, 15),), pool=10)
    x = keras.layers.Bidirectional(keras.layers.LSTM(32, return_sequences=True))(matches)
    x = _top_k(keras.layers.Concatenate()([matches, x]), 4)
    return _compiled(keras.Model(inputs, _dense_head(x, 0.2, units=32)), 2e-3)


def reference_default_transformer(length: int) -> keras.Model:
    """The default sca-tf transformer (128/k15 tower, pool 8 -> 250 tokens, learned positions, 2 pre-norm layers
    of 4 heads with layer scale 0.01, top-4 pooling, dense 32) in bare Keras; clipping at norm 1.0."""
    inputs = keras.Input((length, 4))
    x = keras.layers.Dropout(0.1)(_AddWeight()(_conv_pool_blocks(inputs, ((128, 15),), pool=8)))
    for _ in range(2):
        attended = keras.layers.LayerNormalization(epsilon=1e-6)(x)
        attended = keras.layers.MultiHeadAttention(4, 32, dropout=0.1)(attended, attended)
        x = x + _Scale(1e-2)(keras.layers.Dropout(0.1)(attended))
        hidden = keras.layers.Dense(128, activation="gelu")(keras.layers.LayerNormalization(epsilon=1e-6)(x))
        x = x + _Scale(1e-2)(keras.layers.Dropout(0.1)(keras.layers.Dense(128)(hidden)))
    return _compiled(keras.Model(inputs, _dense_head(_top_k(x, 4), 0.1, units=32, dropout_first=False)), 2e-3,
                     clipnorm=1.0)


def reference_cnn(length: int) -> keras.Model:
    """The paper-preset sca-tf CNN (64/k15 -> 128/k11 -> 256/k8, pool 4, dense 64) in bare Keras."""
    inputs = keras.Input((length, 4))
    x = _conv_pool_blocks(inputs, ((64, 15), (128, 11), (256, 8)))
    return _compiled(keras.Model(inputs, _dense_head(keras.layers.Flatten()(x), 0.2)), 1e-3)


def reference_cnn_lstm(length: int) -> keras.Model:
    """The paper-preset sca-tf CNN-LSTM (64/k15 -> 128/k11, pool 4, BiLSTM 64, global max, dense 64) in bare Keras."""
    inputs = keras.Input((length, 4))
    x = _conv_pool_blocks(inputs, ((64, 15), (128, 11)))
    x = keras.layers.Bidirectional(keras.layers.LSTM(64, return_sequences=True))(x)
    return _compiled(keras.Model(inputs, _dense_head(keras.layers.GlobalMaxPooling1D()(x), 0.2)), 1e-3)


def reference_transformer(length: int, decay_steps: int) -> keras.Model:
    """The paper-preset sca-tf transformer (conv stem k15/8, sine positions, 3 pre-norm layers of 8 heads) in bare Keras.

    Compiled like sca-tf compiles it: Adam with cosine decay and gradient clipping at norm 1.0.
    """
    d_model, tokens = 64, -(-length // 8)
    inputs = keras.Input((length, 4))
    x = keras.layers.Conv1D(d_model, 15, strides=8, padding="same", activation="relu")(inputs)
    position, channel = np.arange(tokens)[:, None], np.arange(d_model)[None, :]
    angles = position / 10_000.0 ** ((2 * (channel // 2)) / d_model)
    x = x + np.where(channel % 2, np.cos(angles), np.sin(angles)).astype("float32")
    x = keras.layers.Dropout(0.1)(x)
    for _ in range(3):
        attended = keras.layers.LayerNormalization(epsilon=1e-6)(x)
        attended = keras.layers.MultiHeadAttention(8, d_model // 8, dropout=0.1)(attended, attended)
        x = x + keras.layers.Dropout(0.1)(attended)
        hidden = keras.layers.LayerNormalization(epsilon=1e-6)(x)
        hidden = keras.layers.Dense(128, activation="gelu")(hidden)
        x = x + keras.layers.Dropout(0.1)(keras.layers.Dense(d_model)(hidden))
    x = keras.layers.GlobalAveragePooling1D()(keras.layers.LayerNormalization(epsilon=1e-6)(x))
    return _compiled(keras.Model(inputs, _dense_head(x, 0.1, dropout_first=False)), 1e-3, clipnorm=1.0,
                     decay_steps=decay_steps)


def _seconds(model: keras.Model, dataset: tf.data.Dataset, steps: int) -> float:
    model.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)  # build, trace, warm caches
    began = time.perf_counter()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="cnn,cnn_lstm,transformer")
    parser.add_argument("--presets", default="default,paper")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--length", type=int, default=2000)
    parser.add_argument("--genes", type=int, default=4096)
    parser.add_argument("--precision", choices=PRECISIONS, default=TrainConfig.precision,
                        help="dtype policy of the sca-tf runs")
    args = parser.parse_args()
    batch, rng = 256, np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(args.genes, args.length), dtype=np.uint8)
    labels = (rng.random(args.genes) < 0.15).astype(np.int64)
    labels[:2] = [0, 1]
    splits = {split: tf.data.Dataset.from_tensor_slices({"sequence": codes, "label": labels})
              for split in ("train", "validation", "test")}
    ours_data = make_datasets(splits, PipelineConfig(batch_size=batch)).train
    one_hot = tf.one_hot(codes, 4, dtype=tf.float32)
    plain_data = (tf.data.Dataset.from_tensor_slices((one_hot, labels.astype(np.float32)))
                  .shuffle(args.genes, seed=0).repeat().batch(batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE))
    decay_steps = args.steps * (args.repeats + 1)
    references = {
        ("cnn", "default"): lambda: reference_default_cnn(args.length),
        ("cnn_lstm", "default"): lambda: reference_default_cnn_lstm(args.length),
        ("transformer", "default"): lambda: reference_default_transformer(args.length),
        ("cnn", "paper"): lambda: reference_cnn(args.length),
        ("cnn_lstm", "paper"): lambda: reference_cnn_lstm(args.length),
        ("transformer", "paper"): lambda: reference_transformer(args.length, decay_steps),
    }

    policy = resolve_precision(args.precision)
    print(f"batch {batch}, {args.length} bp, {args.steps} steps per run, best of {args.repeats} (alternating runs); "
          f"--precision {args.precision} -> {policy}")
    print(f"{'model':<22}{'params':>12}{policy + ' seq/s':>22}{'float32 seq/s':>15}{'plain Keras f32 seq/s':>23}"
          f"{'ratio':>7}{'f32 ratio':>11}")
    for preset, name in ((preset, name) for preset in args.presets.split(",") for name in args.models.split(",")):
        # As sca-tf trains it: with the model's recipe (the transformer's clipping and the paper's cosine decay).
        ours_models = {}
        for run_policy in (policy, "float32"):
            with precision_policy(run_policy):
                model = build_model(name, args.length, **preset_hparams(name, preset))
                ours_models[run_policy] = compile_classifier(model, recipe_for(name, preset=preset),
                                                             total_steps=decay_steps)
        plain_model = references[name, preset]()
        params = plain_model.count_params()
        assert all(model.count_params() == params for model in ours_models.values()), \
            f"reference differs from the sca-tf {name}"
        ours: dict[str, list[float]] = {run_policy: [] for run_policy in ours_models}
        plain = []
        for _ in range(args.repeats):  # alternate so machine load hits all alike
            for run_policy, model in ours_models.items():
                ours[run_policy].append(args.steps * batch / _seconds(model, ours_data, args.steps))
            plain.append(args.steps * batch / _seconds(plain_model, plain_data, args.steps))
        best, best_f32, reference = max(ours[policy]), max(ours["float32"]), max(plain)
        print(f"{f'{name} ({preset})':<22}{params:>12,}{best:>22.1f}{best_f32:>15.1f}{reference:>23.1f}"
              f"{best / reference:>7.2f}{best_f32 / reference:>11.2f}", flush=True)


if __name__ == "__main__":
    main()
