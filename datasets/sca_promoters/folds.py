"""K-fold cross-validation splits: fold ``k`` of ``K`` is the test split, validation is carved from the rest.

Two schemes (:data:`sca_tf.schema.FOLD_SCHEMES`):

* ``kfold``: stratified on the label and seeded, so every fold holds (almost) the overall DE rate.
* ``chrom_kfold``: whole chromosomes per fold, balanced by gene count (needs at least ``K`` chromosomes).

In both, ``validation_fraction`` of the genes outside the test fold go to validation (stratified, seeded); the
rest train. Over the ``K`` folds every testable gene is in test exactly once.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

from sca_tf.errors import ScaInputError
from sca_tf.schema import CHROM_KFOLD, KFOLD, TEST, TRAIN, VALIDATION


def assign_folds(scheme: str, labels: np.ndarray, chromosomes: np.ndarray, *, n_folds: int, seed: int) -> np.ndarray:
    """The fold (``0 .. n_folds - 1``) of every gene under ``scheme`` (``kfold`` or ``chrom_kfold``)."""
    labels = np.asarray(labels)
    if n_folds < 2:
        raise ScaInputError(f"cross-validation needs at least 2 folds, got {n_folds}")
    if scheme == CHROM_KFOLD:
        return _chromosome_folds(np.asarray(chromosomes, dtype=object), n_folds, seed)
    if scheme != KFOLD:
        raise ScaInputError(f"fold scheme {scheme!r}: expected {KFOLD} or {CHROM_KFOLD}")
    positives = int(labels.sum())
    if min(positives, labels.size - positives) < n_folds:
        raise ScaInputError(f"cannot stratify {labels.size} genes ({positives} DE) into {n_folds} folds: "
                            f"each class needs at least {n_folds} genes")
    folds = np.empty(labels.size, dtype=np.int64)
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    for fold, (_, held_out) in enumerate(splitter.split(np.zeros(labels.size), labels)):
        folds[held_out] = fold
    return folds


def fold_split(
    scheme: str, labels: np.ndarray, chromosomes: np.ndarray, *, fold: int, n_folds: int, seed: int,
    validation_fraction: float,
) -> tuple[np.ndarray, list[str]]:
    """``TRAIN``/``VALIDATION``/``TEST`` per gene for fold ``fold``, and the chromosomes of its test fold."""
    if not 0 <= fold < n_folds:
        raise ScaInputError(f"fold {fold} does not exist: folds are numbered 0 to {n_folds - 1}")
    labels = np.asarray(labels)
    folds = assign_folds(scheme, labels, chromosomes, n_folds=n_folds, seed=seed)
    rest = np.flatnonzero(folds != fold)
    try:
        _, validation = train_test_split(rest, test_size=validation_fraction, stratify=labels[rest],
                                         random_state=seed)
    except ValueError as exc:  # a class too small to appear in train and validation
        raise ScaInputError(f"fold {fold} of {n_folds}: cannot carve a stratified validation part out of "
                            f"{rest.size} training genes ({int(labels[rest].sum())} DE): {exc}") from exc
    assignment = np.full(labels.size, TRAIN, dtype=object)
    assignment[validation] = VALIDATION
    assignment[folds == fold] = TEST
    for split in (TRAIN, VALIDATION, TEST):
        in_split = labels[assignment == split]
        if in_split.sum() in (0, in_split.size):
            raise ScaInputError(f"fold {fold} of {n_folds}: the {split} part ({in_split.size} genes) lacks a class; "
                                "every part needs DE and non-DE genes")
    held_out = sorted({str(c) for c in np.asarray(chromosomes, dtype=object)[folds == fold]})
    return assignment, held_out


def _chromosome_folds(chromosomes: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """Whole chromosomes into ``n_folds`` folds, largest first into the fold with fewest genes (seed breaks ties)."""
    names = sorted(set(chromosomes))
    if len(names) < n_folds:
        raise ScaInputError(
            f"--group chrom holds out whole chromosomes, but the promoters lie on {len(names)} chromosome(s) "
            f"({', '.join(names)}), fewer than the {n_folds} folds; use fewer folds or stratified folds"
        )
    sizes = {name: int(np.sum(chromosomes == name)) for name in names}
    shuffled = [names[i] for i in np.random.default_rng(seed).permutation(len(names))]
    totals = [0] * n_folds
    fold_of: dict[str, int] = {}
    for name in sorted(shuffled, key=lambda n: -sizes[n]):  # stable: the seeded order decides ties
        fold = int(np.argmin(totals))
        fold_of[name] = fold
        totals[fold] += sizes[name]
    return np.array([fold_of[name] for name in chromosomes], dtype=np.int64)
