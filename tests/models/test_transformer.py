"""The default transformer learns where a motif sits, which k-mer counts cannot see; with relative positions its
attention learns how far apart two sites are, which the same model without attention cannot."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.baselines import LabelledSequences, kmer_logistic
from sca_tf.models import build_model
from sca_tf.sequence import decode_bases, encode_bases
from sca_tf.training.recipe import TrainingRecipe, compile_classifier

LENGTH, FIRST, SECOND = 128, "TGACTCA", "CACGTG"
SMALL = {"tower_filters": (16,), "tower_kernel_sizes": (7,), "pool_size": 4, "d_model": 16, "num_heads": 2,
         "ff_dim": 32, "dense_units": (16,), "dropout": 0.0, "attention_dropout": 0.0}


def placed_motifs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Every sequence carries each motif once: positives have ``FIRST`` in the first 24 bases (as a site near the
    TSS), negatives at least 64 bases in; ``SECOND`` anywhere. Both classes hold the same k-mers in expectation."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, (n, LENGTH))
    labels = rng.integers(0, 2, n)
    for row, label in enumerate(labels):
        start = int(rng.integers(0, 24 - len(FIRST))) if label else int(rng.integers(64, LENGTH - len(FIRST)))
        other = start
        while abs(other - start) < len(FIRST) + 1:
            other = int(rng.integers(0, LENGTH - len(SECOND)))
        codes[row, other:other + len(SECOND)] = encode_bases(SECOND)
        codes[row, start:start + len(FIRST)] = encode_bases(FIRST)
    return codes, labels.astype("float32")


def test_transformer_learns_motif_position_that_kmer_counts_cannot() -> None:
    (train_codes, train_y), (test_codes, test_y) = placed_motifs(1200, seed=0), placed_motifs(400, seed=1)
    keras.utils.set_random_seed(0)
    model = compile_classifier(build_model("transformer", LENGTH, **SMALL), TrainingRecipe(learning_rate=3e-3))
    one_hot = np.eye(4, dtype="float32")
    model.fit(one_hot[train_codes], train_y, batch_size=64, epochs=12, verbose=0)
    transformer_auroc = roc_auc_score(test_y, model.predict(one_hot[test_codes], verbose=0).ravel())

    splits = [LabelledSequences([decode_bases(row) for row in codes], labels, split=name)
              for name, (codes, labels) in (("train", (train_codes[:800], train_y[:800])),
                                            ("validation", (train_codes[800:], train_y[800:])),
                                            ("test", (test_codes, test_y)))]
    kmer_auroc = kmer_logistic(*splits, n_resamples=10).metrics["auroc"]

    assert transformer_auroc > 0.9, transformer_auroc
    assert kmer_auroc < 0.65, kmer_auroc


def spaced_pairs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positives carry ``FIRST`` then ``SECOND`` 24-32 bases apart (start to start); half the negatives carry the
    same pair 56-72 bases apart, the other half one of the two motifs alone; anywhere along the sequence. Counting
    motifs separates only the lone-motif negatives; the rest needs the spacing, wider than one token of the small
    model sees."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, (n, LENGTH))
    labels = rng.integers(0, 2, n)
    for row, label in enumerate(labels):
        gap = int(rng.integers(24, 33)) if label else int(rng.integers(56, 73))
        start = int(rng.integers(0, LENGTH - gap - len(SECOND)))
        kept = ("first", "second") if label or rng.random() < 0.5 else (rng.choice(["first", "second"]),)
        if "first" in kept:
            codes[row, start:start + len(FIRST)] = encode_bases(FIRST)
        if "second" in kept:
            codes[row, start + gap:start + gap + len(SECOND)] = encode_bases(SECOND)
    return codes, labels.astype("float32")


def spacing_auroc(**hparams: object) -> float:
    (train_codes, train_y), (test_codes, test_y) = spaced_pairs(3000, seed=2), spaced_pairs(400, seed=3)
    keras.utils.set_random_seed(0)
    model = compile_classifier(build_model("transformer", LENGTH, **{**SMALL, **hparams}),
                               TrainingRecipe(learning_rate=3e-3))
    one_hot = np.eye(4, dtype="float32")
    model.fit(one_hot[train_codes], train_y, batch_size=64, epochs=12, verbose=0)
    return roc_auc_score(test_y, model.predict(one_hot[test_codes], verbose=0).ravel())


def test_relative_attention_learns_a_spacing_that_the_model_without_attention_cannot() -> None:
    with_attention = spacing_auroc(positions="none", relative_distance=12)
    without_attention = spacing_auroc(positions="none", num_layers=0)
    assert with_attention > 0.95, with_attention
    assert without_attention < 0.85, without_attention


def test_relative_distance_refuses_key_dropout() -> None:
    with pytest.raises(ScaInputError, match="relative_distance"):
        build_model("transformer", LENGTH, **SMALL, relative_distance=4, attention_dropout_unit="keys")
