"""The gate's novelty checks: identity to the closest training sequence, and a real-vs-synthetic classifier."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.baselines import kmer_frequencies
from sca_tf.sequence import codes_of, gc_fraction, one_hot
from sca_tf.synthetic.composition import composition
from sca_tf.synthetic.sets import HELDOUT, NEGATIVES, SYNTHETIC, TRAIN, common_length, rounded, subsample, summary

_DISCRIMINATOR_K = (1, 2, 3, 4)
_GC_BINS = 10


def max_identity(queries: Sequence[str], references: Sequence[str],
                 chunk_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """For each query, the highest fraction of identical positions to any reference, and that reference's index.

    Ungapped and position by position (queries and references must share one length); ``N`` matches nothing.
    """
    length = common_length({"queries": queries, "references": references})
    reference = _one_hot_flat(references)
    best = np.empty(len(queries))
    nearest = np.empty(len(queries), dtype=np.int64)
    for start in range(0, len(queries), chunk_size):
        matches = _one_hot_flat(queries[start : start + chunk_size]) @ reference.T
        best[start : start + matches.shape[0]] = matches.max(axis=1) / length
        nearest[start : start + matches.shape[0]] = matches.argmax(axis=1)
    return best, nearest


def _one_hot_flat(sequences: Sequence[str]) -> np.ndarray:
    """Flattened one-hot ``[n, 4 * length]`` of equal-length sequences; letters other than ACGT give zeros."""
    codes = codes_of("".join(sequences), unknown_as_n=True)
    return one_hot(codes).reshape(len(sequences), -1)


def discriminator_auroc(real: Sequence[str], other: Sequence[str], *, seed: int = 0, folds: int = 5) -> float:
    """Cross-validated AUROC of a logistic regression telling ``other`` (1) from ``real`` (0); 0.5 = no difference.

    The larger set is subsampled (seeded) to the size of the smaller, so both classes weigh the same.
    """
    rng = np.random.default_rng(seed)
    size = min(len(real), len(other))
    if size < 2:
        raise ScaInputError(f"discriminability needs at least 2 sequences per set, got {len(real)} and {len(other)}")
    real, other = subsample(real, size, rng), subsample(other, size, rng)
    features = _discriminator_features(list(real) + list(other))
    labels = np.r_[np.zeros(size), np.ones(size)]
    splitter = StratifiedKFold(n_splits=min(folds, size), shuffle=True, random_state=seed)
    classifier = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    scores = cross_val_predict(classifier, features, labels, cv=splitter, method="predict_proba")[:, 1]
    return float(roc_auc_score(labels, scores))


def _discriminator_features(sequences: Sequence[str]) -> np.ndarray:
    kmers = kmer_frequencies(sequences, _DISCRIMINATOR_K)
    values = composition(sequences)
    binned_gc = np.array([[gc_fraction(piece) for piece in _pieces(s, _GC_BINS)] for s in sequences])
    return np.column_stack([kmers, values["gc"], values["cpg_oe"], binned_gc])


def _pieces(sequence: str, count: int) -> list[str]:
    edges = np.linspace(0, len(sequence), count + 1).astype(int)
    return [sequence[a:b] for a, b in zip(edges[:-1], edges[1:])]


def discriminability_section(sets: dict[str, list[str]], seed: int) -> dict[str, Any]:
    """AUROC of the real-vs-synthetic classifier, beside the same figure for pairs of real sets."""
    return {
        "classifier": "logistic regression on k-mer (k<=4), GC, CpG o/e and 10-bin GC profile; "
                      "5-fold cross-validated, classes size-matched",
        "synthetic_vs_heldout_positives": discriminator_auroc(sets[HELDOUT], sets[SYNTHETIC], seed=seed),
        "synthetic_vs_train_positives": discriminator_auroc(sets[TRAIN], sets[SYNTHETIC], seed=seed),
        "reference_train_vs_heldout_positives": discriminator_auroc(sets[HELDOUT], sets[TRAIN], seed=seed),
        "reference_negatives_vs_heldout_positives": discriminator_auroc(sets[HELDOUT], sets[NEGATIVES], seed=seed),
    }


def memorisation_section(sets: dict[str, list[str]], copy_identity: float) -> dict[str, Any]:
    """Identity of each synthetic (and, for reference, held-out) sequence to its closest training positive."""
    synthetic, nearest = max_identity(sets[SYNTHETIC], sets[TRAIN])
    heldout, _ = max_identity(sets[HELDOUT], sets[TRAIN])
    return {
        "method": "ungapped position-by-position identity to the closest training positive",
        "synthetic": {**summary(synthetic), "copy_fraction": float(np.mean(synthetic >= copy_identity))},
        "reference_heldout_positives": {**summary(heldout), "copy_fraction": float(np.mean(heldout >= copy_identity))},
        "per_sequence": {"synthetic": rounded(synthetic), "synthetic_nearest_train_index": nearest.tolist(),
                         "heldout_positives": rounded(heldout)},
    }
