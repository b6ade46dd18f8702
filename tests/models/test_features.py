"""The feature head: a classifier cut at its penultimate embedding."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from models.classifier_data import LENGTH, TINY_HPARAMS, one_hot, tiny

from sca_tf.errors import ScaInputError
from sca_tf.models import MODEL_NAMES, feature_extractor


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_feature_extractor_returns_the_penultimate_embedding_and_the_logit(name: str) -> None:
    model = tiny(name)
    x = one_hot(np.random.default_rng(2), 4)

    columns = feature_extractor(model).predict(x, verbose=0)

    assert columns.shape == (4, TINY_HPARAMS[name]["dense_units"][-1] + 1)
    features, logit = columns[:, :-1], columns[:, -1:]
    output = model.get_layer("probability")
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in (output.kernel, output.bias))
    probability = model.predict(x, verbose=0)
    np.testing.assert_allclose(1 / (1 + np.exp(-(features @ kernel + bias))), probability, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(1 / (1 + np.exp(-logit)), probability, rtol=1e-5, atol=1e-6)



def test_feature_extractor_names_the_missing_layer() -> None:
    inputs = keras.Input((LENGTH, 4))
    plain = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(inputs)))
    with pytest.raises(ScaInputError, match="no layer 'features'"):
        feature_extractor(plain)
