"""Tests for sca_tf.data: one-hot encoding, seeded batches, balancing of the training split only, and
``tf.distribute`` compatibility, on the builder's dummy data (36 genes, 32 bp windows)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder as builder_module

from sca_tf.data import PipelineConfig, class_weights, make_datasets
from sca_tf.data.build import build_dataset
from sca_tf.data.encoding import one_hot, reverse_complement_codes, reverse_complement_one_hot
from sca_tf.errors import ScaInputError
from sca_tf.provenance import sha256_of
from sca_tf.sequence import decode_bases, encode_bases, one_hot_to_bases, reverse_complement

DUMMY_DATA = Path(builder_module.__file__).parent / "dummy_data"
STRATEGIES = ("none", "class_weight", "downsample", "oversample")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tfds")
    build_dataset(folder, manual_dir=DUMMY_DATA, upstream=24, downstream=8)
    return folder


@pytest.fixture(scope="module")
def builder(data_dir: Path) -> tfds.core.DatasetBuilder:
    return tfds.builder("sca_promoters/grch37_up24_down8_random", data_dir=str(data_dir))


@pytest.fixture(scope="module")
def stored(builder: tfds.core.DatasetBuilder) -> dict[str, list[tuple[str, int]]]:
    """Per split, the (sequence, label) pairs as stored on disk."""
    return {
        split: [(decode_bases(ex["sequence"]), int(ex["label"])) for ex in tfds.as_numpy(builder.as_dataset(split))]
        for split in ("train", "validation", "test")
    }


def first_epoch(data, batch_size: int) -> list[tuple[str, int]]:
    """The (sequence, label) pairs of the first training epoch (batch_size must divide the epoch size)."""
    assert data.epoch.size % batch_size == 0
    pairs = []
    for x, y in data.train.take(data.steps_per_epoch):
        pairs += [(one_hot_to_bases(seq), int(label)) for seq, label in zip(x.numpy(), y.numpy())]
    return pairs


def evaluation_pairs(dataset: tf.data.Dataset) -> list[tuple[str, int]]:
    return [(one_hot_to_bases(seq), int(label)) for x, y in dataset for seq, label in zip(x.numpy(), y.numpy())]


# -------------------------------------------------------------------------------------------------- encoding


def test_one_hot_is_acgt_ordered_with_n_as_zeros() -> None:
    expected = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    encoded = one_hot(encode_bases("ACGTN"))
    assert encoded.dtype == tf.float32 and encoded.numpy().tolist() == expected


def test_reverse_complements_agree_with_the_string_helper() -> None:
    sequence = "".join(np.random.default_rng(1).choice(list("ACGTN"), 101))
    codes = encode_bases(sequence)
    assert decode_bases(reverse_complement_codes(codes).numpy()) == reverse_complement(sequence)
    assert one_hot_to_bases(reverse_complement_one_hot(one_hot(codes)).numpy()) == reverse_complement(sequence)


@pytest.mark.parametrize(("sequence", "found"), [("ACGU", "'U' at position 4"), ("acgt", "'a' at position 1")])
def test_encoding_names_the_offending_character(sequence: str, found: str) -> None:
    with pytest.raises(ScaInputError, match=f"record 7: character {found} is not one of ACGTN"):
        encode_bases(sequence, where="record 7")


# ------------------------------------------------------------------------------------ shapes and determinism


def test_batches_are_one_hot_float_with_float_labels(builder) -> None:
    data = make_datasets(builder, PipelineConfig(batch_size=4))
    x, y = next(iter(data.train))
    assert (x.shape, x.dtype, y.shape, y.dtype) == ((4, 32, 4), tf.float32, (4,), tf.float32)
    assert data.train.cardinality() == tf.data.INFINITE_CARDINALITY
    assert data.sequence_length == 32 and data.steps_per_epoch == int(np.ceil(data.epoch.size / 4))
    n_validation = sum(builder.info.metadata["label_counts"]["validation"].values())
    assert sum(int(y.shape[0]) for _, y in data.validation) == n_validation


def test_same_seed_gives_the_same_batches_and_another_seed_others(builder) -> None:
    def batches(seed: int) -> list[np.ndarray]:
        config = PipelineConfig(batch_size=4, seed=seed, rc_augment=True, balance="downsample")
        return [x.numpy() for x, _ in make_datasets(builder, config).train.take(12)]

    first, again, other = batches(3), batches(3), batches(4)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


def test_every_epoch_is_reshuffled(builder) -> None:
    data = make_datasets(builder, PipelineConfig(batch_size=1, seed=0))
    steps = data.steps_per_epoch
    epochs = [[one_hot_to_bases(x.numpy()[0]) for x, _ in data.train.skip(i * steps).take(steps)] for i in range(2)]
    assert sorted(epochs[0]) == sorted(epochs[1]) and epochs[0] != epochs[1]


# ------------------------------------------------------------------------------------------------ balancing


def test_no_strategy_keeps_the_natural_training_split(builder, stored) -> None:
    data = make_datasets(builder, PipelineConfig(batch_size=2))
    assert Counter(first_epoch(data, 2)) == Counter(stored["train"])
    assert data.class_weight is None


def test_class_weights_equalise_the_classes(builder) -> None:
    data = make_datasets(builder, PipelineConfig(balance="class_weight"))
    counts = data.split_counts["train"]
    weights = data.class_weight
    assert weights == class_weights(counts["not_de"], counts["de"])
    assert weights[0] * counts["not_de"] == pytest.approx(weights[1] * counts["de"])
    assert weights[1] > 1 > weights[0]


def test_downsampling_draws_a_fresh_balanced_subset_of_negatives_each_epoch(builder, stored) -> None:
    data = make_datasets(builder, PipelineConfig(batch_size=1, balance="downsample", seed=2))
    n_positive = data.split_counts["train"]["de"]
    assert (data.epoch.negatives, data.epoch.positives) == (n_positive, n_positive)
    epochs = [
        [(one_hot_to_bases(x.numpy()[0]), int(y.numpy()[0]))
         for x, y in data.train.skip(i * data.epoch.size).take(data.epoch.size)]
        for i in range(2)
    ]
    stored_negatives = {seq for seq, label in stored["train"] if label == 0}
    drawn = [{seq for seq, label in epoch if label == 0} for epoch in epochs]
    assert all(len(negatives) == n_positive and negatives <= stored_negatives for negatives in drawn)
    assert drawn[0] != drawn[1]
    stored_positives = {seq for seq, label in stored["train"] if label == 1}
    assert all({seq for seq, label in epoch if label == 1} == stored_positives for epoch in epochs)


def test_oversampling_repeats_positives_up_to_the_negatives(builder, stored) -> None:
    data = make_datasets(builder, PipelineConfig(batch_size=1, balance="oversample"))
    counts = data.split_counts["train"]
    assert (data.epoch.negatives, data.epoch.positives) == (counts["not_de"], counts["not_de"])
    epoch = Counter(first_epoch(data, 1))
    positives = [pair for pair in stored["train"] if pair[1] == 1]
    assert sum(epoch[pair] for pair in positives) == counts["not_de"]
    assert min(epoch[pair] for pair in positives) >= counts["not_de"] // counts["de"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_balancing_never_touches_validation_or_test(builder, stored, strategy: str) -> None:
    data = make_datasets(builder, PipelineConfig(batch_size=4, balance=strategy))
    stored_counts = builder.info.metadata["label_counts"]
    for split, dataset in (("validation", data.validation), ("test", data.test)):
        pairs = evaluation_pairs(dataset)
        assert pairs == stored[split]  # same examples, same order, natural prevalence
        prevalence = sum(label for _, label in pairs) / len(pairs)
        assert prevalence == stored_counts[split]["de"] / sum(stored_counts[split].values())
        assert data.split_counts[split] == stored_counts[split]


def test_synthetic_positives_are_mixed_into_training_only(builder, stored, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    synthetic = ["".join(rng.choice(list("ACGT"), 32)) for _ in range(6)]
    fasta = tmp_path / "synthetic.fa"
    fasta.write_text("".join(f">synthetic_{i}\n{seq}\n" for i, seq in enumerate(synthetic)))
    config = PipelineConfig(batch_size=1, balance="synthetic", synthetic_fasta=str(fasta),
                            synthetic_quality=str(_quality_report(fasta, passed=True)), synthetic_ratio=0.5)
    data = make_datasets(builder, config)
    n_positive = data.split_counts["train"]["de"]
    assert data.epoch.synthetic == round(0.5 * n_positive) <= 6
    epoch = first_epoch(data, 1)
    mixed_in = [(seq, label) for seq, label in epoch if seq in set(synthetic)]
    assert len(mixed_in) == data.epoch.synthetic and all(label == 1 for _, label in mixed_in)
    assert Counter(pair for pair in epoch if pair[0] not in set(synthetic)) == Counter(stored["train"])
    assert evaluation_pairs(data.validation) == stored["validation"]
    assert evaluation_pairs(data.test) == stored["test"]


def test_rc_augmentation_flips_about_half_of_the_training_sequences(builder, stored) -> None:
    data = make_datasets(builder, PipelineConfig(batch_size=2, rc_augment=True))
    originals = Counter(seq for seq, _ in stored["train"])
    flipped = 0
    for epoch in range(4):
        pairs = first_epoch(data, 2) if epoch == 0 else [
            (one_hot_to_bases(s), int(l))
            for x, y in data.train.skip(epoch * data.steps_per_epoch).take(data.steps_per_epoch)
            for s, l in zip(x.numpy(), y.numpy())
        ]
        for seq, _ in pairs:
            assert seq in originals or reverse_complement(seq) in originals
            flipped += seq not in originals
    assert 0.3 < flipped / (4 * data.epoch.size) < 0.7
    assert evaluation_pairs(data.validation) == stored["validation"]  # never augmented


# ------------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("record", "message"),
    [(">s1\nACGT\n", "record s1: 4 bases, expected the dataset's promoter length 32"),
     (">s1\n" + "ACGX" * 8 + "\n", "'X' at position 4"), (">s1\n" + "ACGN" * 8 + "\n", "'N' at position 4")],
)
def test_bad_synthetic_fasta(builder, tmp_path: Path, record: str, message: str) -> None:
    fasta = tmp_path / "synthetic.fa"
    fasta.write_text(record)
    quality = str(_quality_report(fasta, passed=True))
    with pytest.raises(ScaInputError, match=message):
        make_datasets(builder, PipelineConfig(balance="synthetic", synthetic_fasta=str(fasta),
                                              synthetic_quality=quality))


def test_synthetic_set_that_failed_the_gate_is_refused(builder, tmp_path: Path) -> None:
    fasta = tmp_path / "synthetic.fa"
    fasta.write_text(">s1\n" + "ACGT" * 8 + "\n")
    failed = str(_quality_report(fasta, passed=False))
    with pytest.raises(ScaInputError, match="failed the quality gate"):
        make_datasets(builder, PipelineConfig(balance="synthetic", synthetic_fasta=str(fasta),
                                              synthetic_quality=failed))
    other = tmp_path / "other.fa"
    other.write_text(">s1\n" + "TTTT" * 8 + "\n")
    with pytest.raises(ScaInputError, match="assessed another file"):
        make_datasets(builder, PipelineConfig(balance="synthetic", synthetic_fasta=str(other),
                                              synthetic_quality=str(_quality_report(fasta, passed=True))))


def _quality_report(fasta: Path, *, passed: bool) -> Path:
    """A minimal ``sca-tf assess-synthetic`` report for ``fasta`` (the gate itself is tested in test_synthetic)."""
    check = {"name": "discriminator_auroc", "value": 0.6 if passed else 0.99, "threshold": 0.75, "passed": passed}
    report = {"passed": passed, "checks": [check], "inputs": {"synthetic_sha256": sha256_of(fasta)}}
    path = fasta.with_suffix(".quality.json")
    path.write_text(json.dumps(report))
    return path


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"balance": "smote"}, "balance 'smote' is not one of"),
        ({"balance": "synthetic"}, "give all three or none"),
        ({"synthetic_fasta": "s.fa"}, "give all three or none"),
        ({"balance": "synthetic", "synthetic_fasta": "s.fa"}, "give all three or none"),
        ({"batch_size": 0}, "batch_size must be >= 1"),
        ({"target_ratio": 0}, "target_ratio must be > 0"),
        ({"target": "fold"}, "target 'fold' is not one of de, direction, log2fc"),
        ({"target": "log2fc", "balance": "downsample"}, "the log2fc target trains with balance 'none'"),
        ({"target": "direction", "balance": "oversample"}, "the direction target trains with balance 'none'"),
    ],
)
def test_invalid_pipeline_config(settings: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        PipelineConfig(**settings)


def test_direction_target_labels_are_the_status_codes(builder) -> None:
    data = make_datasets(builder, PipelineConfig(batch_size=4, target="direction"))
    stored = {decode_bases(ex["sequence"]): ("not_de", "up", "down")[ex["status"]]
              for ex in tfds.as_numpy(builder.as_dataset("validation"))}
    got = {seq: ("not_de", "up", "down")[label] for seq, label in evaluation_pairs(data.validation)}
    assert got == stored and {"up", "down"} & set(got.values())
    assert data.split_counts == make_datasets(builder, PipelineConfig(batch_size=4)).split_counts


def test_log2fc_target_labels_are_the_fold_change_and_the_de_label(builder) -> None:
    data = make_datasets(builder, PipelineConfig(batch_size=4, target="log2fc"))
    stored = {decode_bases(ex["sequence"]): (ex["log2FoldChange"], ex["label"])
              for ex in tfds.as_numpy(builder.as_dataset("validation"))}
    got = {one_hot_to_bases(seq): tuple(label) for x, y in data.validation for seq, label in zip(x.numpy(), y.numpy())}
    assert got.keys() == stored.keys()
    for sequence, (log2fc, label) in stored.items():
        assert got[sequence] == pytest.approx((log2fc, label), abs=1e-6)
    assert len({round(float(v[0]), 3) for v in got.values()}) > 2  # real fold changes, not a 0/1 label
    assert data.split_counts == make_datasets(builder, PipelineConfig(batch_size=4)).split_counts
    _, y = next(iter(data.train))
    assert y.shape == (4, 2)


def test_split_mapping_source_without_a_test_split(builder) -> None:
    splits = {"train": builder.as_dataset("train"), "validation": builder.as_dataset("validation")}
    with pytest.raises(ScaInputError, match="no 'test' split among train, validation"):
        make_datasets(splits)


# ------------------------------------------------------------------------------------------------ distribute

_DISTRIBUTED = textwrap.dedent(
    """
    import sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import tensorflow_datasets as tfds
    from sca_tf.errors import ScaInputError
    from sca_tf.data import PipelineConfig, make_datasets
    from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder  # noqa: F401

    builder = tfds.builder(sys.argv[1], data_dir=sys.argv[2])
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        data = make_datasets(builder, PipelineConfig(batch_size=8, balance="downsample", rc_augment=True))
        model = keras.Sequential([keras.Input((32, 4)), keras.layers.Conv1D(4, 5), keras.layers.GlobalMaxPooling1D(),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(data.train, steps_per_epoch=data.steps_per_epoch, epochs=2, validation_data=data.validation,
                        verbose=0)
    assert len(history.history["val_loss"]) == 2
    model.evaluate(data.test, verbose=0)  # 7 examples over 2 replicas: the first batch must split evenly
    with strategy.scope():
        try:
            make_datasets(builder, PipelineConfig(batch_size=7))
            raise AssertionError("an odd global batch over 2 replicas was accepted")
        except ScaInputError as error:
            assert "does not divide evenly over 2 replicas" in str(error)

    distributed = strategy.experimental_distribute_dataset(data.train)

    @tf.function
    def replica_batch_sizes(batch):
        return strategy.run(lambda x, y: tf.shape(x)[0], args=batch)

    sizes = strategy.experimental_local_results(replica_batch_sizes(next(iter(distributed))))
    assert [int(size) for size in sizes] == [4, 4], sizes
    print("distributed ok")
    """
)


def test_pipelines_work_under_mirrored_strategy(data_dir: Path) -> None:
    """In a subprocess: two logical CPUs must be configured before TensorFlow initialises its devices."""
    result = subprocess.run(
        [sys.executable, "-c", _DISTRIBUTED, "sca_promoters/grch37_up24_down8_random", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "distributed ok" in result.stdout
