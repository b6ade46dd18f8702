"""Train / validation / test ``tf.data`` pipelines of ``(one-hot [L, 4] float32, label float32)``; the label is
the DE label (target ``de``), the status code 0 not_de / 1 up / 2 down (target ``direction``) or the pair
``(log2FoldChange, DE label)`` (target ``log2fc``: the model regresses the first, its metrics call DE from the second).

>>> import tensorflow_datasets as tfds
>>> from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder  # registers the builder
>>> from sca_tf.data import PipelineConfig, make_datasets
>>> builder = tfds.builder("sca_promoters/grch37_up2000_down0_random", data_dir="data")  # doctest: +SKIP
>>> data = make_datasets(builder, PipelineConfig(balance="downsample", rc_augment=True))  # doctest: +SKIP
>>> model.fit(data.train, steps_per_epoch=data.steps_per_epoch, epochs=10,  # doctest: +SKIP
...           validation_data=data.validation, class_weight=data.class_weight)

Each split is read from disk once and kept in memory as ``uint8`` base codes (2 kB per 2 kb promoter: 120 MB for
all 58k genes); batches are gathered from those arrays by index and one-hot encoded on the fly, so the dense float
form exists only one batch at a time.

The training dataset repeats forever (give ``steps_per_epoch``): a finite dataset makes ``fit`` rebuild the
iterator every epoch, and with AUTOTUNE that idles the CPU for seconds at each epoch start. Validation and test
are finite, unbalanced, in stored order, and use fixed parallelism (autotuning off) for the same reason.

Under a ``tf.distribute`` strategy call :func:`make_datasets` inside ``strategy.scope()`` with a global batch
size divisible by the number of replicas. Keras 3 (3.15) reduces the *first* batch of every ``fit``/``evaluate``
across replicas to build the model symbolically, which fails when that batch splits unevenly; so a validation or
test split smaller than one batch gets a first batch of a multiple of the replica count.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from sca_tf.data import balancing
from sca_tf.data.encoding import one_hot, reverse_complement_codes
from sca_tf.errors import ScaInputError
from sca_tf.schema import DE_TARGET, DIRECTION_TARGET, LOG2FC_TARGET, SPLITS, TARGETS, TEST, TRAIN, VALIDATION
from sca_tf.sequence import encode_bases

_AUTOTUNE = tf.data.AUTOTUNE
# Parallel tf.Example parsing when reading a split: AUTOTUNE settles on too little on a busy 2-core machine
# (5.9k examples/s there, against 13.4k with 4 fixed calls).
_READ_PARALLELISM = max(4, os.cpu_count() or 1)
# Offsets that give each random operation its own seed derived from PipelineConfig.seed.
_SEED_EPOCH, _SEED_AUGMENT = 0, 10


@dataclass(frozen=True)
class PipelineConfig:
    """How the splits are turned into model inputs.

    Attributes:
      batch_size: global batch size (split across replicas by a ``tf.distribute`` strategy).
      seed: seeds every random choice (balancing draws, epoch order, augmentation): same seed, same batches.
      rc_augment: replace each training sequence by its reverse complement with probability 1/2.
      balance: ``none``, ``class_weight`` (returned for ``fit``), ``downsample`` (negatives), ``oversample``
        (positives) or ``synthetic`` (extra positives from ``synthetic_fasta``); training split only.
      target_ratio: positives per negative after down- or oversampling (1.0: balanced).
      synthetic_fasta: FASTA of synthetic positive promoters (same length as the dataset's).
      synthetic_quality: ``quality.json`` of ``sca-tf assess-synthetic`` for exactly that FASTA; the set is used
        only if it passed the gate.
      synthetic_ratio: synthetic positives added per real training positive (the file must hold enough).
      eval_parallel_calls: fixed parallelism of the validation / test one-hot map.
      target: ``de`` (label 0/1), ``direction`` (status code 0-2) or ``log2fc`` (log2 fold change and DE label);
        the last two train with ``balance = "none"``.
    """

    batch_size: int = 256
    seed: int = 0
    rc_augment: bool = False
    balance: str = "none"
    target_ratio: float = 1.0
    synthetic_fasta: str | None = None
    synthetic_quality: str | None = None
    synthetic_ratio: float = 1.0
    eval_parallel_calls: int = 2
    target: str = DE_TARGET

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ScaInputError(f"target {self.target!r} is not one of {', '.join(TARGETS)}")
        if self.target != DE_TARGET and self.balance != "none":
            raise ScaInputError(f"balance {self.balance!r} resamples DE vs not DE; the {self.target} target trains "
                                "with balance 'none'")
        if self.balance not in balancing.BALANCE_STRATEGIES:
            raise ScaInputError(
                f"balance {self.balance!r} is not one of {', '.join(balancing.BALANCE_STRATEGIES)}"
            )
        for name in ("batch_size", "eval_parallel_calls"):
            if getattr(self, name) < 1:
                raise ScaInputError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("target_ratio", "synthetic_ratio"):
            if not getattr(self, name) > 0:
                raise ScaInputError(f"{name} must be > 0, got {getattr(self, name)}")
        synthetic = (self.synthetic_fasta is not None, self.synthetic_quality is not None)
        if (self.balance == "synthetic") != synthetic[0] or synthetic[0] != synthetic[1]:
            raise ScaInputError(
                "balance='synthetic', synthetic_fasta and synthetic_quality (the passed quality report of "
                "`sca-tf assess-synthetic`) go together: give all three or none"
            )


@dataclass(frozen=True)
class Datasets:
    """The three pipelines and what ``fit`` needs to use them.

    ``train`` is infinite (pass ``steps_per_epoch``); ``epoch`` says what one training epoch holds after
    balancing; ``split_counts`` are the natural label counts of each split.
    """

    train: tf.data.Dataset
    validation: tf.data.Dataset
    test: tf.data.Dataset
    steps_per_epoch: int
    class_weight: dict[int, float] | None
    epoch: balancing.EpochComposition
    split_counts: dict[str, dict[str, int]]
    sequence_length: int


def make_datasets(
    source: tfds.core.DatasetBuilder | Mapping[str, tf.data.Dataset], config: PipelineConfig = PipelineConfig()
) -> Datasets:
    """Build the training, validation and test pipelines from a prepared ``sca_promoters`` builder.

    ``source`` may also map ``train``/``validation``/``test`` to datasets of ``sca_promoters`` example dicts
    (at least ``sequence`` and ``label``). Balancing touches the training split only.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if config.batch_size % replicas:
        raise ScaInputError(f"batch_size {config.batch_size} does not divide evenly over {replicas} replicas")
    arrays = {split: _read_split(source, split, config.target) for split in SPLITS}
    de = {split: _de_labels(labels) for split, (_, labels) in arrays.items()}
    counts = {split: {"not_de": int((labels == 0).sum()), "de": int(labels.sum())} for split, labels in de.items()}
    train_codes, train_labels = arrays[TRAIN]
    sequence_length = int(train_codes.shape[1])
    if counts[TRAIN]["not_de"] == 0 or counts[TRAIN]["de"] == 0:
        raise ScaInputError(f"the training split needs both classes; it has {counts[TRAIN]}")
    synthetic = np.zeros((0, sequence_length), dtype=np.uint8)
    if config.balance == "synthetic":
        from sca_tf.synthetic.augment import approved_synthetic  # only a set that passed the quality gate

        approved = approved_synthetic(config.synthetic_fasta, config.synthetic_quality, expected_length=sequence_length)
        synthetic = np.stack([encode_bases(sequence, where=config.synthetic_fasta) for sequence in approved])
    sizes = balancing.composition(
        config.balance,
        counts[TRAIN]["not_de"],
        counts[TRAIN]["de"],
        target_ratio=config.target_ratio,
        n_synthetic_available=len(synthetic),
        synthetic_ratio=config.synthetic_ratio,
    )
    pools = balancing.EpochPools.from_labels(de[TRAIN], n_synthetic=len(synthetic))
    if len(synthetic):  # synthetic positives exist for the de target only
        train_codes = np.concatenate([train_codes, synthetic])
        train_labels = np.concatenate([train_labels, np.ones(len(synthetic), dtype=train_labels.dtype)])
    train = _training_pipeline(train_codes, train_labels, pools, sizes, config)
    return Datasets(
        train=train,
        validation=_evaluation_pipeline(*arrays[VALIDATION], replicas, config),
        test=_evaluation_pipeline(*arrays[TEST], replicas, config),
        steps_per_epoch=math.ceil(sizes.size / config.batch_size),
        class_weight=(
            balancing.class_weights(counts[TRAIN]["not_de"], counts[TRAIN]["de"])
            if config.balance == "class_weight"
            else None
        ),
        epoch=sizes,
        split_counts=counts,
        sequence_length=sequence_length,
    )


def _de_labels(labels: np.ndarray) -> np.ndarray:
    """The DE label (0/1, int64) of any target's labels: the label itself, status > 0, or the pair's second column."""
    return (labels[:, 1] if labels.ndim == 2 else labels > 0).astype(np.int64)


def _read_split(
    source: tfds.core.DatasetBuilder | Mapping[str, tf.data.Dataset], split: str, target: str = DE_TARGET
) -> tuple[np.ndarray, np.ndarray]:
    """The split's base codes ``[n, L]`` (uint8) and ``target``'s labels, in stored order: ``[n]`` int64 for ``de``
    and ``direction``, ``[n, 2]`` float64 ``(log2FoldChange, label)`` for ``log2fc``."""
    keys = {DE_TARGET: ("label",), DIRECTION_TARGET: ("status",), LOG2FC_TARGET: ("log2FoldChange", "label")}[target]
    if isinstance(source, tfds.core.DatasetBuilder):
        if split not in source.info.splits:
            raise ScaInputError(f"{source.name}/{source.builder_config.name} has no {split!r} split")
        examples = source.as_dataset(
            split=split,
            shuffle_files=False,
            decoders=tfds.decode.PartialDecoding({"sequence": True, **{key: True for key in keys}}),
            read_config=tfds.ReadConfig(num_parallel_calls_for_decode=_READ_PARALLELISM),
        )
    elif split in source:
        examples = source[split]
    else:
        raise ScaInputError(f"no {split!r} split among {', '.join(source)}")
    pairs = examples.map(lambda example: (example["sequence"], tuple(example[key] for key in keys)),
                         num_parallel_calls=_AUTOTUNE)
    codes, labels = [], []
    for batch_codes, batch_labels in pairs.batch(4096).as_numpy_iterator():
        codes.append(batch_codes)
        labels.append(batch_labels[0].astype(np.int64) if len(keys) == 1
                      else np.stack([column.astype(np.float64) for column in batch_labels], axis=1))
    if not codes:
        raise ScaInputError(f"the {split!r} split is empty")
    labels_array = np.concatenate(labels)
    if labels_array.ndim == 2 and not np.isfinite(labels_array[:, 0]).all():
        raise ScaInputError(f"the {split!r} split has genes without a finite log2FoldChange; the log2fc target needs "
                            "testable genes only")
    return np.concatenate(codes), labels_array


def _training_pipeline(
    codes: np.ndarray,
    labels: np.ndarray,
    pools: balancing.EpochPools,
    sizes: balancing.EpochComposition,
    config: PipelineConfig,
) -> tf.data.Dataset:
    codes_tensor, labels_tensor = tf.constant(codes), tf.constant(labels, dtype=tf.float32)
    order = (
        tf.data.Dataset.counter()
        .map(lambda epoch: balancing.epoch_order(pools, sizes, epoch, config.seed + _SEED_EPOCH))
        .unbatch()
        .batch(config.batch_size, drop_remainder=True)
        .enumerate()
    )

    def to_model_input(step: tf.Tensor, indices: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        batch_codes = tf.gather(codes_tensor, indices)
        if config.rc_augment:
            seed = tf.stack([tf.constant(config.seed + _SEED_AUGMENT, tf.int64), step])
            flip = tf.random.stateless_uniform([tf.shape(indices)[0]], seed=seed) < 0.5
            batch_codes = tf.where(flip[:, None], reverse_complement_codes(batch_codes), batch_codes)
        return one_hot(batch_codes), tf.gather(labels_tensor, indices)

    pipeline = order.map(to_model_input, num_parallel_calls=_AUTOTUNE).prefetch(_AUTOTUNE)
    return pipeline.with_options(_options(autotune=True))


def _evaluation_pipeline(
    codes: np.ndarray, labels: np.ndarray, replicas: int, config: PipelineConfig
) -> tf.data.Dataset:
    codes_tensor, labels_tensor = tf.constant(codes), tf.constant(labels, dtype=tf.float32)
    positions = tf.data.Dataset.range(len(labels))
    batches = positions.batch(config.batch_size)
    first = min(config.batch_size, max(len(labels) - len(labels) % replicas, 1))
    if replicas > 1 and first < config.batch_size:  # a split smaller than one batch: first an even part
        batches = positions.take(first).batch(first).concatenate(positions.skip(first).batch(config.batch_size))
    pipeline = batches.map(
        lambda indices: (one_hot(tf.gather(codes_tensor, indices)), tf.gather(labels_tensor, indices)),
        num_parallel_calls=config.eval_parallel_calls,
    ).prefetch(config.eval_parallel_calls)
    return pipeline.with_options(_options(autotune=False))


def _options(*, autotune: bool) -> tf.data.Options:
    options = tf.data.Options()
    options.deterministic = True
    options.autotune.enabled = autotune
    # Shard by element, not by file, under multi-worker strategies (the arrays are not files).
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return options
