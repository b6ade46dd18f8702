"""The local SNV shortcut equals scoring the whole ALT window, at the window's ends and in between."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from sca_tf.explain.attributions import logit_model
from sca_tf.models import build_model
from sca_tf.predict.local import local_scorer
from sca_tf.sequence import one_hot


@pytest.mark.parametrize("hparams", [
    {"filters": (16,), "kernel_sizes": (15,), "pooling": "top_k", "dense_units": (8,)},
    {"filters": (8, 8), "kernel_sizes": (6, 5), "pool_size": 2, "pooling": "flatten", "dense_units": (8,)},
    {"filters": (8, 8), "kernel_sizes": (6, 5), "pool_size": 2, "pooling": "global_max", "dense_units": (8,)},
    {"filters": (8,), "kernel_sizes": (9,), "pooling": "global_average", "dense_units": (8,)},
])
def test_local_scores_equal_whole_window_scores(hparams):
    keras.utils.set_random_seed(3)
    length = 400
    model = build_model("cnn", length, **hparams)
    scorer = local_scorer(model)
    assert scorer is not None and scorer.crop < length
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, size=(3, length)).astype(np.uint8)
    index = np.array([0, 1, length - 1, length - 2, scorer.crop // 2, scorer.crop, 150, 201, 399 - scorer.crop])
    which = np.arange(len(index)) % len(codes)
    alt = ((codes[which, index] + 1) % 4).astype(np.uint8)
    got = scorer.snv_logits(scorer.reference_maps(codes), which, codes, index, alt)
    mutants = codes[which].copy()
    mutants[np.arange(len(index)), index] = alt
    expected = logit_model(model)(one_hot(mutants), training=False).numpy()
    reference = logit_model(model)(one_hot(codes[which]), training=False).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert np.abs(expected - reference).max() > 1e-3, "the SNVs must move the model for the check to mean anything"


def test_no_shortcut_where_it_would_not_be_exact():
    assert local_scorer(build_model("cnn", 402, filters=(8,), kernel_sizes=(5,), dense_units=(4,))) is None
    assert local_scorer(build_model("transformer", 64)) is None
