"""Assign every gene to exactly one split, before any resampling.

Two schemes:

* ``random``: stratified on the label, ``test_fraction`` of the genes to test (the paper's 80/20), then
  ``validation_fraction`` of the rest carved out of train, again stratified. Seeded.
* ``chrom``: whole chromosomes are held out, so no promoter in validation or test shares a chromosome (and its
  local sequence context) with training. The chromosomes are given explicitly or chosen so that each held-out
  split comes as close to its fraction of the genes as whole chromosomes allow (the seed breaks ties).

The cross-validation schemes (``kfold``, ``chrom_kfold``: fold ``fold`` of ``n_folds`` is test) are in
:mod:`.folds`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split

from sca_tf.errors import ScaInputError
from sca_tf.prep.assemblies import bare_contig_name
from sca_tf.schema import CHROM_KFOLD, FOLD_SCHEMES, SPLIT_SCHEMES, SPLITS, TEST, TRAIN, VALIDATION

from .folds import fold_split

_MIN_CHROMOSOMES = 3


@dataclass(frozen=True)
class SplitPlan:
    """``TRAIN``/``VALIDATION``/``TEST`` per gene, and the chromosomes held out (``chrom`` scheme only)."""

    assignment: np.ndarray
    held_out_chromosomes: dict[str, list[str]] = field(default_factory=dict)


def assign_splits(
    scheme: str,
    labels: np.ndarray,
    chromosomes: np.ndarray,
    *,
    seed: int,
    test_fraction: float,
    validation_fraction: float,
    test_chromosomes: Sequence[str] = (),
    validation_chromosomes: Sequence[str] = (),
    fold: int = 0,
    n_folds: int = 0,
) -> SplitPlan:
    """The split of every testable gene under ``scheme`` (:data:`~sca_tf.schema.SPLIT_SCHEMES` or, with ``fold``
    and ``n_folds``, :data:`~sca_tf.schema.FOLD_SCHEMES`).

    The one split assignment of sca-tf: the TFDS builder and the generator's training data both call it, so a
    synthetic set is trained on exactly the genes the classifiers train on.
    """
    if scheme in FOLD_SCHEMES:
        assignment, held_out = fold_split(scheme, labels, chromosomes, fold=fold, n_folds=n_folds, seed=seed,
                                          validation_fraction=validation_fraction)
        return SplitPlan(assignment, {TEST: held_out} if scheme == CHROM_KFOLD else {})
    if scheme not in SPLIT_SCHEMES:
        raise ScaInputError(f"split scheme {scheme!r}: expected one of {', '.join(SPLIT_SCHEMES + FOLD_SCHEMES)}")
    if scheme == "random":
        return random_split(labels, seed=seed, test_fraction=test_fraction, validation_fraction=validation_fraction)
    return chromosome_split(chromosomes, labels, seed=seed, test_fraction=test_fraction,
                            validation_fraction=validation_fraction, test_chromosomes=test_chromosomes,
                            validation_chromosomes=validation_chromosomes)


def random_split(labels: np.ndarray, *, seed: int, test_fraction: float, validation_fraction: float) -> SplitPlan:
    """Stratified, seeded split of genes with binary ``labels``."""
    labels = np.asarray(labels)
    _check_classes(labels, "random")
    indices = np.arange(len(labels))
    try:
        rest, test = train_test_split(indices, test_size=test_fraction, stratify=labels, random_state=seed)
        train, validation = train_test_split(
            rest, test_size=validation_fraction, stratify=labels[rest], random_state=seed
        )
    except ValueError as exc:  # a class too small to appear in every split
        raise ScaInputError(
            f"cannot stratify {len(labels)} genes ({int(labels.sum())} DE) into 3 splits: {exc}"
        ) from exc
    assignment = np.empty(len(labels), dtype=object)
    assignment[train], assignment[validation], assignment[test] = TRAIN, VALIDATION, TEST
    return SplitPlan(assignment)


def chromosome_split(
    chromosomes: Sequence[str],
    labels: np.ndarray,
    *,
    seed: int,
    test_fraction: float,
    validation_fraction: float,
    test_chromosomes: Sequence[str] = (),
    validation_chromosomes: Sequence[str] = (),
) -> SplitPlan:
    """Hold out whole chromosomes for test and validation; the rest is train."""
    chromosomes = np.asarray(chromosomes, dtype=object)
    labels = np.asarray(labels)
    names = sorted(set(chromosomes))
    if len(names) < _MIN_CHROMOSOMES:
        raise ScaInputError(
            f"split scheme 'chrom' holds out whole chromosomes for validation and test and needs at least "
            f"{_MIN_CHROMOSOMES} chromosomes, but the promoters lie on {len(names)} ({', '.join(names)}); "
            "use the 'random' split scheme for this dataset"
        )
    if test_chromosomes or validation_chromosomes:
        test_set = _resolve(test_chromosomes, names, "test")
        validation_set = _resolve(validation_chromosomes, names, "validation")
        overlap = test_set & validation_set
        if overlap:
            raise ScaInputError(f"chromosome(s) {', '.join(sorted(overlap))} given for both test and validation")
    else:
        test_set, validation_set = _choose(chromosomes, names, seed, test_fraction, validation_fraction)
    assignment = np.full(len(chromosomes), TRAIN, dtype=object)
    assignment[np.isin(chromosomes, list(test_set))] = TEST
    assignment[np.isin(chromosomes, list(validation_set))] = VALIDATION
    for split in SPLITS:
        _check_classes(labels[assignment == split], f"chrom ({split} split)")
    return SplitPlan(assignment, {TEST: sorted(test_set), VALIDATION: sorted(validation_set)})


def _choose(
    chromosomes: np.ndarray, names: list[str], seed: int, test_fraction: float, validation_fraction: float
) -> tuple[set[str], set[str]]:
    """Fill test, then validation, with whole chromosomes whose gene counts come closest to their targets.

    The seed orders the chromosomes, which decides between equally good choices; at least one chromosome is
    left for training.
    """
    sizes = {name: int(np.sum(chromosomes == name)) for name in names}
    order = [names[i] for i in np.random.default_rng(seed).permutation(len(names))]
    test = _fill(order, sizes, test_fraction * len(chromosomes), keep=2)
    remaining = len(chromosomes) - sum(sizes[name] for name in test)
    validation = _fill(order, sizes, validation_fraction * remaining, keep=1)
    return test, validation


def _fill(order: list[str], sizes: dict[str, int], target: float, keep: int) -> set[str]:
    """Move chromosomes out of ``order`` towards ``target`` genes (at least one, leaving ``keep`` in ``order``).

    Each step takes the chromosome that brings the total closest to ``target`` (the first in ``order`` on a tie)
    and stops when none brings it closer.
    """
    chosen: set[str] = set()
    total = 0
    while len(order) > keep:
        best = min(order, key=lambda name: abs(total + sizes[name] - target))
        if chosen and abs(total + sizes[best] - target) >= abs(total - target):
            break
        chosen.add(best)
        total += sizes[best]
        order.remove(best)
    return chosen


def _resolve(requested: Sequence[str], names: list[str], split: str) -> set[str]:
    by_bare = {bare_contig_name(name): name for name in names}
    resolved = set()
    for name in requested:
        match = name if name in names else by_bare.get(bare_contig_name(name))
        if match is None:
            raise ScaInputError(
                f"{split} chromosome {name!r} has no promoter; chromosomes present: {', '.join(names)}"
            )
        resolved.add(match)
    if not resolved:
        raise ScaInputError(f"no {split} chromosome given; give both test and validation chromosomes")
    return resolved


def _check_classes(labels: np.ndarray, scheme: str) -> None:
    positives = int(np.sum(labels))
    if positives == 0 or positives == len(labels):
        present = "no DE gene" if positives == 0 else "no non-DE gene"
        raise ScaInputError(
            f"split scheme {scheme}: {present} among {len(labels)} genes; every split needs both classes "
            "to train and to compute AUROC/AUPRC"
        )
