"""Training throughput of sca-tf's models (our pipeline + model + compile) beside plain hand-written Keras ones.

The models are the paper's architectures (``preset = "paper"``, :mod:`sca_tf.models.presets`), which the plain
references below rebuild layer for layer.

Each model trains on the same random 2 kb promoters at batch 256 for the same number of steps, in one process,
alternating runs; each reference is the same architecture written with bare Keras layers (same parameter count,
same optimizer settings and logged metrics) and fed from a plain in-memory ``tf.data`` one-hot dataset. Each
sca-tf model runs at ``--precision`` (default: training's default, ``TrainConfig.precision``; ``auto`` resolves as
training resolves it) and at float32; the reference is always float32. The ratio is sca-tf at ``--precision`` over
the reference (goal >= 1.6 with bfloat16); the float32 ratio >= 1.0 means our wrappers add no overhead.

    python benchmarks/training_throughput.py [--models cnn,cnn_lstm,transformer] [--steps 20] [--repeats 3]
                                             [--precision float32]
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
from sca_tf.training import TrainConfig
from sca_tf.training.precision import PRECISIONS, precision_policy, resolve_precision
from sca_tf.training.recipe import classifier_metrics, compile_classifier, recipe_for


def _conv_pool_blocks(x: keras.KerasTensor, blocks: tuple[tuple[int, int], ...]) -> keras.KerasTensor:
    """(filters, kernel) blocks of bias-free Conv1D -> batch norm -> ReLU -> max-pool 4, in bare Keras."""
    for filters, kernel in blocks:
        x = keras.layers.Conv1D(filters, kernel, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPooling1D(4)(x)
    return x


def _dense_head(x: keras.KerasTensor, dropout: float) -> keras.KerasTensor:
    """Dropout -> dense 64 ReLU -> dropout -> sigmoid, in bare Keras."""
    x = keras.layers.Dense(64, activation="relu")(keras.layers.Dropout(dropout)(x))
    return keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dropout(dropout)(x))


def reference_cnn(length: int) -> keras.Model:
    """The paper-preset sca-tf CNN (64/k15 -> 128/k11 -> 256/k8, pool 4, dense 64) in bare Keras."""
    inputs = keras.Input((length, 4))
    x = _conv_pool_blocks(inputs, ((64, 15), (128, 11), (256, 8)))
    model = keras.Model(inputs, _dense_head(keras.layers.Flatten()(x), 0.2))
    # The same metrics as sca-tf logs, so the comparison measures the pipeline and wrappers, not metric cost.
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=classifier_metrics())
    return model


def reference_cnn_lstm(length: int) -> keras.Model:
    """The paper-preset sca-tf CNN-LSTM (64/k15 -> 128/k11, pool 4, BiLSTM 64, global max, dense 64) in bare Keras."""
    inputs = keras.Input((length, 4))
    x = _conv_pool_blocks(inputs, ((64, 15), (128, 11)))
    x = keras.layers.Bidirectional(keras.layers.LSTM(64, return_sequences=True))(x)
    model = keras.Model(inputs, _dense_head(keras.layers.GlobalMaxPooling1D()(x), 0.2))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=classifier_metrics())
    return model


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
    x = keras.layers.Dense(64, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dropout(0.1)(x)))
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0), loss="binary_crossentropy",
                  metrics=classifier_metrics())
    return model


def _seconds(model: keras.Model, dataset: tf.data.Dataset, steps: int) -> float:
    model.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)  # build, trace, warm caches
    began = time.perf_counter()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="cnn,cnn_lstm,transformer")
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
    references = {"cnn": lambda: reference_cnn(args.length), "cnn_lstm": lambda: reference_cnn_lstm(args.length),
                  "transformer": lambda: reference_transformer(args.length, decay_steps)}

    policy = resolve_precision(args.precision)
    print(f"batch {batch}, {args.length} bp, {args.steps} steps per run, best of {args.repeats} (alternating runs); "
          f"--precision {args.precision} -> {policy}")
    print(f"{'model':<14}{'params':>12}{policy + ' seq/s':>22}{'float32 seq/s':>15}{'plain Keras f32 seq/s':>23}"
          f"{'ratio':>7}{'f32 ratio':>11}")
    for name in args.models.split(","):
        # As sca-tf trains it: with the model's recipe (the transformer's clipping at norm 1.0 and cosine decay).
        ours_models = {}
        for run_policy in (policy, "float32"):
            with precision_policy(run_policy):
                model = build_model(name, args.length, **preset_hparams(name, "paper"))
                ours_models[run_policy] = compile_classifier(model, recipe_for(name, preset="paper"),
                                                             total_steps=decay_steps)
        plain_model = references[name]()
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
        print(f"{name:<14}{params:>12,}{best:>22.1f}{best_f32:>15.1f}{reference:>23.1f}"
              f"{best / reference:>7.2f}{best_f32 / reference:>11.2f}", flush=True)


if __name__ == "__main__":
    main()
