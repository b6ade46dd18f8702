"""Cross-validation folds (``datasets/sca_promoters/folds.py``): disjoint, stratified, whole chromosomes, builder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds
from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder as builder_module
from sca_tf_datasets.sca_promoters.folds import assign_folds, fold_split

from sca_tf.data.build import build_dataset, resolve_config
from sca_tf.errors import ScaInputError

DUMMY_DATA = Path(builder_module.__file__).parent / "dummy_data"


def _genes(n: int = 530, rate: float = 0.2, chromosomes: int = 1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < rate).astype(np.int64)
    names = np.array([f"chr{1 + i % chromosomes}" for i in rng.permutation(n)], dtype=object)
    return labels, names


@pytest.mark.parametrize("n_folds", [3, 5])
def test_folds_are_disjoint_cover_every_gene_and_keep_the_de_rate(n_folds: int) -> None:
    labels, chromosomes = _genes()
    folds = assign_folds("kfold", labels, chromosomes, n_folds=n_folds, seed=1)
    assert sorted(set(folds)) == list(range(n_folds))
    tests = []
    for fold in range(n_folds):
        assignment, _ = fold_split("kfold", labels, chromosomes, fold=fold, n_folds=n_folds, seed=1,
                                   validation_fraction=0.1)
        test = np.flatnonzero(assignment == "test")
        np.testing.assert_array_equal(test, np.flatnonzero(folds == fold))
        assert abs(labels[test].mean() - labels.mean()) <= 0.05
        validation = assignment == "validation"
        assert not (validation & (folds == fold)).any()  # validation is carved from the other folds
        assert abs(validation.sum() - 0.1 * (folds != fold).sum()) <= 1
        tests.append(test)
    every = np.concatenate(tests)
    assert len(every) == len(labels) and len(set(every)) == len(labels)  # each gene in test exactly once


def test_folds_are_seeded() -> None:
    labels, chromosomes = _genes()
    first = assign_folds("kfold", labels, chromosomes, n_folds=5, seed=3)
    np.testing.assert_array_equal(first, assign_folds("kfold", labels, chromosomes, n_folds=5, seed=3))
    assert (first != assign_folds("kfold", labels, chromosomes, n_folds=5, seed=4)).any()


def test_chromosome_folds_hold_out_whole_chromosomes() -> None:
    labels, chromosomes = _genes(n=600, chromosomes=7)
    folds = assign_folds("chrom_kfold", labels, chromosomes, n_folds=3, seed=0)
    for name in set(chromosomes):
        assert len(set(folds[chromosomes == name])) == 1, name
    sizes = np.bincount(folds)
    assert sizes.min() >= 0.5 * sizes.max()  # balanced by gene count as whole chromosomes allow
    assignment, held_out = fold_split("chrom_kfold", labels, chromosomes, fold=1, n_folds=3, seed=0,
                                      validation_fraction=0.1)
    assert held_out == sorted(set(chromosomes[folds == 1]))
    assert not set(chromosomes[assignment == "train"]) & set(held_out)


def test_too_few_chromosomes_or_genes_is_one_clear_error() -> None:
    labels, chromosomes = _genes(chromosomes=2)
    with pytest.raises(ScaInputError, match=r"lie on 2 chromosome\(s\) \(chr1, chr2\), fewer than the 5 folds"):
        assign_folds("chrom_kfold", labels, chromosomes, n_folds=5, seed=0)
    with pytest.raises(ScaInputError, match="each class needs at least 5 genes"):
        assign_folds("kfold", np.array([1, 1, 0, 0, 0, 0, 0, 0]), np.array(["1"] * 8), n_folds=5, seed=0)
    with pytest.raises(ScaInputError, match="fold 5 does not exist"):
        fold_split("kfold", labels, chromosomes, fold=5, n_folds=5, seed=0, validation_fraction=0.1)


def test_fold_configs_are_named_and_checked() -> None:
    config = resolve_config(upstream=24, downstream=8, split_scheme="kfold", fold=2, n_folds=5)
    assert config.name == "grch37_up24_down8_kfold_fold2of5"
    with pytest.raises(ScaInputError, match="n_folds"):
        resolve_config(split_scheme="kfold")
    with pytest.raises(ScaInputError, match="n_folds"):
        resolve_config(split_scheme="random", n_folds=3)


def test_the_builder_writes_one_dataset_per_fold(tmp_path: Path) -> None:
    held_out = []
    for fold in range(3):
        built = build_dataset(tmp_path, manual_dir=DUMMY_DATA, upstream=24, downstream=8, split_scheme="kfold",
                              fold=fold, n_folds=3)
        builder = tfds.builder(built.name, data_dir=str(tmp_path))
        genes = {split: {example["gene_id"] for example in tfds.as_numpy(builder.as_dataset(split=split))}
                 for split in ("train", "validation", "test")}
        assert not (genes["test"] & (genes["train"] | genes["validation"]))
        assert built.label_counts["test"]["de"] >= 1
        held_out.append(genes["test"])
    every = set().union(*held_out)
    assert sum(len(genes) for genes in held_out) == len(every) == 32  # the 32 testable dummy genes, once each
