"""The model registry: every model by name, its default hyperparameters, and clear errors for unknown names."""

from __future__ import annotations

import keras
import pytest
from models.classifier_data import LENGTH, TINY_HPARAMS

from sca_tf.errors import ScaInputError
from sca_tf.models import FEATURE_LAYER, MODEL_NAMES, build_model, default_hparams, model_class


def test_registry_lists_every_model() -> None:
    assert MODEL_NAMES == ("cnn", "cnn_lstm", "transformer")
    for name in MODEL_NAMES:
        assert model_class(name).model_name == name
        assert set(TINY_HPARAMS[name]) <= set(default_hparams(name))



def test_defaults_are_the_measured_architectures() -> None:
    cnn = build_model("cnn", 2000)
    assert [cnn.get_layer(f"conv_{i}").kernel.shape for i in (1, 2, 3)] == [(15, 4, 64), (11, 64, 128), (8, 128, 256)]
    assert cnn.get_layer(FEATURE_LAYER).units == 64
    assert cnn.count_params() == 865_921

    transformer = build_model("transformer", 2000)
    assert tuple(transformer.get_layer("stem").output.shape) == (None, 250, 64)
    attention = [layer for layer in transformer.layers if isinstance(layer, keras.layers.MultiHeadAttention)]
    assert [layer.num_heads for layer in attention] == [8, 8, 8]

    assert tuple(build_model("cnn_lstm", 2000).get_layer("bilstm").output.shape) == (None, 125, 128)



def test_unknown_model_name_lists_the_valid_names() -> None:
    with pytest.raises(ScaInputError, match="unknown model 'resnet'.*cnn, cnn_lstm, transformer"):
        build_model("resnet", LENGTH)



def test_unknown_hyperparameter_lists_the_valid_ones() -> None:
    with pytest.raises(ScaInputError, match="unknown hyperparameter.*n_filters.*expected any of filters, kernel_sizes"):
        build_model("cnn", LENGTH, n_filters=32)
