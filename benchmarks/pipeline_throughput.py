"""Input pipeline throughput vs CNN training throughput on this machine (goal: pipeline >= 20x training).

Reads a built ``sca_promoters`` config (``--data-dir`` / ``--name``), or builds a stand-in of ``--n-genes``
random 2 kb promoters (10 % DE) when none is given, and prints for several pipeline settings the sequences per
second that the training pipeline delivers to a no-op consumer (first pass from disk and later cached passes),
then the sequences per second of ``fit`` on the paper-sized CNN (64/k15 -> 128/k11 -> 256/k8, pool 4, dense 64).

    python benchmarks/pipeline_throughput.py [--data-dir DIR --name sca_promoters/CONFIG] [--batch-size 256]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
import tensorflow_datasets as tfds
from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder  # noqa: F401  (registers the builder)

from sca_tf.data import PipelineConfig, make_datasets
from sca_tf.data.build import build_dataset

SETTINGS = {
    "plain": PipelineConfig(),
    "rc_augment": PipelineConfig(rc_augment=True),
    "downsample+rc": PipelineConfig(balance="downsample", rc_augment=True),
    "oversample+rc": PipelineConfig(balance="oversample", rc_augment=True),
}


def stand_in_dataset(data_dir: Path, n_genes: int, length: int = 2000) -> str:
    """Build a random-sequence ``sca_promoters`` config of ``n_genes`` genes on 4 chromosomes; returns its name."""
    rng = np.random.default_rng(0)
    inputs = data_dir / "inputs"
    inputs.mkdir(parents=True)
    gene_ids = [f"ENSG{i:011d}" for i in range(n_genes)]
    status = rng.choice(["up", "down", "not_de"], n_genes, p=[0.05, 0.05, 0.9])
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    sequences = [letters[row].tobytes().decode() for row in rng.integers(0, 4, (n_genes, length))]
    pd.DataFrame({
        "gene_id": gene_ids, "baseMean": rng.uniform(1, 1e4, n_genes), "log2FoldChange": rng.normal(0, 2, n_genes),
        "padj": rng.uniform(0, 1, n_genes), "status": status,
    }).to_csv(inputs / "de_table.tsv", sep="\t", index=False)
    pd.DataFrame({
        "gene_id": gene_ids, "chrom": rng.choice(["1", "2", "3", "4"], n_genes), "strand": "+",
        "upstream": length, "downstream": 0, "assembly": "GRCh37", "status": status, "sequence": sequences,
    }).to_csv(inputs / "promoters.tsv", sep="\t", index=False)
    return build_dataset(data_dir, de_table=inputs / "de_table.tsv", promoters=inputs / "promoters.tsv").name


def pipeline_rate(builder: tfds.core.DatasetBuilder, config: PipelineConfig, epochs: int) -> tuple[float, float]:
    """(first read from disk, cached passes) in sequences per second into a no-op consumer."""
    began = time.perf_counter()
    data = make_datasets(builder, config)  # reads every split once (label counts), which fills the caches
    first = sum(sum(counts.values()) for counts in data.split_counts.values()) / (time.perf_counter() - began)
    steps = max(data.steps_per_epoch * epochs, 50)
    iterator = iter(data.train)
    next(iterator)
    began = time.perf_counter()
    for _ in range(steps):
        next(iterator)
    return first, steps * config.batch_size / (time.perf_counter() - began)


def paper_cnn(length: int) -> keras.Model:
    """The reference CNN of measured-facts: 865k parameters at 2 kb."""
    inputs = keras.Input((length, 4))
    x = inputs
    for filters, kernel in ((64, 15), (128, 11), (256, 8)):
        x = keras.layers.Conv1D(filters, kernel, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling1D(4)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def training_rate(builder: tfds.core.DatasetBuilder, batch_size: int, steps: int) -> tuple[float, int]:
    """Sequences per second of ``fit`` on the paper CNN fed by the pipeline (after a warm-up epoch)."""
    data = make_datasets(builder, PipelineConfig(batch_size=batch_size))
    model = paper_cnn(data.sequence_length)
    model.fit(data.train, steps_per_epoch=3, epochs=1, verbose=0)
    began = time.perf_counter()
    model.fit(data.train, steps_per_epoch=steps, epochs=1, verbose=0)
    return steps * batch_size / (time.perf_counter() - began), model.count_params()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="TFDS data_dir holding a built sca_promoters config")
    parser.add_argument("--name", help="e.g. sca_promoters/grch37_up2000_down0_random")
    parser.add_argument("--n-genes", type=int, default=20_000, help="size of the stand-in dataset")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=3, help="epochs timed per pipeline setting (>= 50 batches)")
    parser.add_argument("--train-steps", type=int, default=20, help="timed fit steps of the CNN")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch)
        name = args.name or stand_in_dataset(data_dir, args.n_genes)
        builder = tfds.builder(name, data_dir=str(data_dir))
        print(f"{name}: {builder.info.splits['train'].num_examples} training genes; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        rates = {}
        for label, config in SETTINGS.items():
            config = PipelineConfig(**{**config.__dict__, "batch_size": args.batch_size})
            first, cached = pipeline_rate(builder, config, args.epochs)
            rates[label] = cached
            print(f"pipeline {label:<14} read+decode {first:>9,.0f} seq/s   training batches {cached:>9,.0f} seq/s")
        train, params = training_rate(builder, args.batch_size, args.train_steps)
        print(f"CNN fit ({params:,} parameters, batch {args.batch_size}, fp32): {train:,.0f} seq/s")
        slowest = min(rates.values())
        print(f"slowest pipeline / training = {slowest / train:.0f}x (goal >= 20x)")


if __name__ == "__main__":
    tf.get_logger().setLevel("ERROR")
    main()
