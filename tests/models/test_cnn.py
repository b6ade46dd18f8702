"""The CNN learns planted motifs; top-k pooling counts copies that global max pooling cannot."""

from __future__ import annotations

import keras
import numpy as np
from models.classifier_data import BASES
from sklearn.metrics import roc_auc_score

from sca_tf.models import build_model
from sca_tf.training.recipe import TrainingRecipe, compile_classifier


def test_cnn_learns_a_planted_motif_along_the_sequence() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    length, motif = 100, np.array(["ACGT".index(base) for base in "GATTACAG"])
    codes = rng.integers(0, 4, (400, length))
    labels = (np.arange(400) % 2).astype("float32")
    for row in np.flatnonzero(labels):
        start = rng.integers(0, length - motif.size)
        codes[row, start : start + motif.size] = motif
    x = BASES[codes]
    model = build_model("cnn", length, filters=(16,), kernel_sizes=(9,), pool_size=4, dense_units=(8,),
                        pooling="global_max", dropout=0.0)
    assert model.get_layer("conv_1").kernel.shape == (9, 4, 16)  # slides along the sequence, sees all 4 bases
    compile_classifier(model, TrainingRecipe(learning_rate=1e-2))

    model.fit(x[:320], labels[:320], batch_size=32, epochs=6, verbose=0)

    assert roc_auc_score(labels[320:], model.predict(x[320:], verbose=0).ravel()) > 0.9



def test_top_k_cnn_counts_motif_copies_that_global_max_cannot() -> None:
    """Positives hold two copies of a motif, negatives one: only a model that sees more than the maximum can tell."""
    rng = np.random.default_rng(0)
    length, n, motif = 120, 800, np.array(["ACGT".index(base) for base in "GATTACAG"])
    codes, labels = rng.integers(0, 4, (n, length)), (np.arange(n) % 2).astype("float32")
    for row, label in enumerate(labels):
        for start in rng.choice(np.arange(0, length - motif.size, motif.size), 1 + int(label), replace=False):
            codes[row, start : start + motif.size] = motif
    x = BASES[codes]
    aurocs = {}
    for pooling in ("global_max", "top_k"):
        keras.utils.set_random_seed(0)
        model = build_model("cnn", length, filters=(32,), kernel_sizes=(9,), pool_size=2, dense_units=(16,),
                            pooling=pooling, top_k=2, dropout=0.0)
        compile_classifier(model, TrainingRecipe(learning_rate=1e-3))
        model.fit(x[:600], labels[:600], batch_size=32, epochs=15, verbose=0)
        aurocs[pooling] = roc_auc_score(labels[600:], model.predict(x[600:], verbose=0).ravel())
    assert aurocs["top_k"] > 0.9
    assert aurocs["top_k"] - aurocs["global_max"] > 0.1
