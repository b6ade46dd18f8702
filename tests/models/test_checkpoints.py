"""Saving and loading classifiers: ``.keras`` round trips and the checks of ``load_classifier``."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
from models.classifier_data import one_hot, tiny

from sca_tf.errors import ScaInputError
from sca_tf.models import MODEL_NAMES, load_classifier
from sca_tf.training.recipe import TrainingRecipe, compile_classifier


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_trained_model_round_trips_through_keras_file(name: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    x, y = one_hot(rng, 16), rng.integers(0, 2, 16).astype("float32")
    model = compile_classifier(tiny(name), TrainingRecipe(clipnorm=1.0, cosine_decay=True), total_steps=10,
                               positive_weight=2.0)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")

    reloaded = keras.models.load_model(tmp_path / "model.keras")

    assert type(reloaded) is type(model)
    assert reloaded.get_config() == model.get_config()
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert reloaded.loss.positive_weight == 2.0



def test_top_k_cnn_round_trips_through_keras_file(tmp_path: Path) -> None:
    model = tiny("cnn", pooling="top_k", top_k=3)
    x = one_hot(np.random.default_rng(5), 4)
    model.save(tmp_path / "model.keras")
    reloaded = keras.models.load_model(tmp_path / "model.keras")
    assert reloaded.get_config()["pooling"] == "top_k" and reloaded.get_layer("top_k").k == 3
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))



def test_load_classifier_checks_the_model_name(tmp_path: Path) -> None:
    tiny("cnn").save(tmp_path / "cnn.keras")
    assert load_classifier(tmp_path / "cnn.keras", expected_model="cnn").model_name == "cnn"
    with pytest.raises(ScaInputError, match="holds a 'cnn' classifier, expected 'transformer'"):
        load_classifier(tmp_path / "cnn.keras", expected_model="transformer")
    with pytest.raises(ScaInputError, match="not found"):
        load_classifier(tmp_path / "missing.keras")
