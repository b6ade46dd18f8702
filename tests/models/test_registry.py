"""The model registry: every model by name, its default hyperparameters, and clear errors for unknown names."""

from __future__ import annotations

import keras
import pytest
from models.classifier_data import LENGTH, TINY_HPARAMS

from sca_tf.errors import ScaInputError
from sca_tf.models import (
    FEATURE_LAYER,
    MODEL_NAMES,
    LayerScale,
    LearnedPositionalEmbedding,
    SinusoidalPositionalEncoding,
    TopKPooling1D,
    build_model,
    default_hparams,
    model_class,
)
from sca_tf.models.presets import preset_hparams


def test_registry_lists_every_model() -> None:
    assert MODEL_NAMES == ("cnn", "cnn_lstm", "transformer")
    for name in MODEL_NAMES:
        assert model_class(name).model_name == name
        assert set(TINY_HPARAMS[name]) <= set(default_hparams(name))



def test_defaults_are_the_measured_architectures() -> None:
    cnn = build_model("cnn", 2000)
    assert cnn.get_layer("conv_1").kernel.shape == (15, 4, 128)
    assert isinstance(cnn.get_layer("top_k"), TopKPooling1D) and cnn.get_layer(FEATURE_LAYER).units == 32

    transformer = build_model("transformer", 2000)
    assert transformer.get_layer("conv_1").kernel.shape == (15, 4, 128)
    assert tuple(transformer.get_layer("stem").output.shape) == (None, 250, 128)
    assert isinstance(transformer.get_layer("positional_embedding"), LearnedPositionalEmbedding)
    assert [layer.num_heads for layer in _attention(transformer)] == [4, 4]
    assert isinstance(transformer.get_layer("encoder_1_attention_scale"), LayerScale)
    assert isinstance(transformer.get_layer("top_k"), TopKPooling1D)

    lstm = build_model("cnn_lstm", 2000)
    assert tuple(lstm.get_layer("bilstm").output.shape) == (None, 200, 64)
    assert tuple(lstm.get_layer("matches_and_lstm").output.shape) == (None, 200, 192)
    assert isinstance(lstm.get_layer("top_k"), TopKPooling1D)


def test_paper_preset_reproduces_the_papers_architectures() -> None:
    cnn = build_model("cnn", 2000, **preset_hparams("cnn", "paper"))
    assert [cnn.get_layer(f"conv_{i}").kernel.shape for i in (1, 2, 3)] == [(15, 4, 64), (11, 64, 128), (8, 128, 256)]
    assert isinstance(cnn.get_layer("flatten"), keras.layers.Flatten) and cnn.get_layer(FEATURE_LAYER).units == 64
    assert cnn.count_params() == 865_921

    lstm = build_model("cnn_lstm", 2000, **preset_hparams("cnn_lstm", "paper"))
    assert isinstance(lstm.get_layer("bilstm"), keras.layers.Bidirectional) and lstm.count_params() == 201_857
    assert tuple(lstm.get_layer("bilstm").output.shape) == (None, 125, 128)

    transformer = build_model("transformer", 2000, **preset_hparams("transformer", "paper"))
    stem = transformer.get_layer("stem")
    assert isinstance(stem, keras.layers.Conv1D) and (stem.kernel_size, stem.strides) == ((15,), (8,))
    assert tuple(stem.output.shape) == (None, 250, 64)
    assert isinstance(transformer.get_layer("positional_encoding"), SinusoidalPositionalEncoding)
    assert [layer.num_heads for layer in _attention(transformer)] == [8, 8, 8]
    assert isinstance(transformer.get_layer("global_average"), keras.layers.GlobalAveragePooling1D)
    assert transformer.get_layer(FEATURE_LAYER).units == 64 and transformer.count_params() == 108_673


def _attention(model: keras.Model) -> list[keras.layers.MultiHeadAttention]:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.MultiHeadAttention)]


def test_unknown_model_name_lists_the_valid_names() -> None:
    with pytest.raises(ScaInputError, match="unknown model 'resnet'.*cnn, cnn_lstm, transformer"):
        build_model("resnet", LENGTH)



def test_unknown_hyperparameter_lists_the_valid_ones() -> None:
    with pytest.raises(ScaInputError, match="unknown hyperparameter.*n_filters.*expected any of filters, kernel_sizes"):
        build_model("cnn", LENGTH, n_filters=32)
