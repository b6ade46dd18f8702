"""Training throughput of sca-tf's CNN (our pipeline + model + compile) beside a plain hand-written Keras CNN.

Both train on the same random 2 kb promoters at batch 256 for the same number of steps, in one process,
alternating runs; the reference is the same architecture written with bare Keras layers and fed from a
plain in-memory ``tf.data`` one-hot dataset. A ratio >= 1.0 means our pipeline and wrappers add no overhead.
The other models' own throughput is printed too.

    python benchmarks/training_throughput.py [--steps 20] [--repeats 3] [--length 2000]
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np
import tensorflow as tf

from sca_tf.models import build_model, compile_classifier
from sca_tf.models.compile import classifier_metrics
from sca_tf.pipelines import PipelineConfig, make_datasets


def reference_cnn(length: int) -> keras.Model:
    """The default sca-tf CNN (64/k15 -> 128/k11 -> 256/k8, pool 4, dense 64) in bare Keras."""
    inputs = keras.Input((length, 4))
    x = inputs
    for filters, kernel in ((64, 15), (128, 11), (256, 8)):
        x = keras.layers.Conv1D(filters, kernel, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPooling1D(4)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.2)(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    x = keras.layers.Dropout(0.2)(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    # The same metrics as sca-tf logs, so the comparison measures the pipeline and wrappers, not metric cost.
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=classifier_metrics())
    return model


def _seconds(model: keras.Model, dataset: tf.data.Dataset, steps: int) -> float:
    model.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)  # build, trace, warm caches
    began = time.perf_counter()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--length", type=int, default=2000)
    parser.add_argument("--genes", type=int, default=4096)
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

    ours_model = compile_classifier(build_model("cnn", args.length))
    plain_model = reference_cnn(args.length)
    assert ours_model.count_params() == plain_model.count_params(), "reference differs from the sca-tf CNN"
    ours, plain = [], []
    for _ in range(args.repeats):  # alternate so machine load hits both alike
        ours.append(args.steps * batch / _seconds(ours_model, ours_data, args.steps))
        plain.append(args.steps * batch / _seconds(plain_model, plain_data, args.steps))
    print(f"CNN ({ours_model.count_params():,} params), batch {batch}, {args.length} bp, {args.steps} steps, "
          f"best of {args.repeats}")
    print(f"{'':<32}{'seq/s':>10}")
    print(f"{'sca-tf pipeline + CNN':<32}{max(ours):>10.1f}")
    print(f"{'plain Keras reference CNN':<32}{max(plain):>10.1f}")
    print(f"ratio sca-tf / reference: {max(ours) / max(plain):.2f}")
    for name in ("cnn_lstm", "transformer"):
        model = compile_classifier(build_model(name, args.length))
        rate = args.steps * batch / _seconds(model, ours_data, args.steps)
        print(f"{'sca-tf pipeline + ' + name:<32}{rate:>10.1f}  ({model.count_params():,} params)")


if __name__ == "__main__":
    main()
