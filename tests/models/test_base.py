"""What every classifier shares: one probability out, config as hyperparameters, float32 head, checked arguments."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from models.classifier_data import LENGTH, one_hot, tiny

from sca_tf.errors import ScaInputError
from sca_tf.models import MODEL_NAMES, OUTPUT_LAYER, build_model, feature_extractor


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_outputs_one_probability_per_sequence(name: str) -> None:
    model = tiny(name)
    probabilities = model.predict(one_hot(np.random.default_rng(0), 5), verbose=0)
    assert probabilities.shape == (5, 1)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    assert model.name == name



@pytest.mark.parametrize("name", MODEL_NAMES)
def test_direction_target_outputs_a_softmax_over_not_de_up_down(name: str) -> None:
    model = tiny(name, target="direction")
    probabilities = model.predict(one_hot(np.random.default_rng(1), 4), verbose=0)
    assert probabilities.shape == (4, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    rebuilt = type(model).from_config(model.get_config())
    assert rebuilt.get_config()["target"] == "direction" and tuple(rebuilt.output.shape) == (None, 3)
    with pytest.raises(ScaInputError, match="hyperparameter 'target': expected one of de, direction, log2fc"):
        tiny(name, target="fold_change")


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_log2fc_target_outputs_one_unbounded_value(name: str) -> None:
    model = tiny(name, target="log2fc")
    head = model.get_layer(OUTPUT_LAYER)
    assert head.get_config()["activation"] == "linear" and tuple(model.output.shape) == (None, 1)
    head.set_weights([np.zeros_like(head.kernel.numpy()), np.array([-7.5], "float32")])
    np.testing.assert_allclose(model.predict(one_hot(np.random.default_rng(2), 3), verbose=0), -7.5)
    assert type(model).from_config(model.get_config()).get_config()["target"] == "log2fc"


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_config_rebuilds_the_same_architecture(name: str) -> None:
    model = tiny(name, dropout=0.3)
    rebuilt = type(model).from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]
    assert [w.shape for w in rebuilt.weights] == [w.shape for w in model.weights]
    assert model.get_config()["dropout"] == 0.3



def test_models_run_under_mixed_precision_with_float32_outputs() -> None:
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = tiny("transformer")
        x = one_hot(np.random.default_rng(6), 3)
        assert model.predict(x, verbose=0).dtype == np.float32
        assert feature_extractor(model).predict(x, verbose=0).dtype == np.float32
        assert model.get_layer("positional_embedding").compute_dtype == "bfloat16"
    finally:
        keras.mixed_precision.set_global_policy("float32")



@pytest.mark.parametrize(
    ("name", "hparams", "message"),
    [
        ("cnn", {"filters": (4, 8), "kernel_sizes": (5,)}, "expected 2 values"),
        ("cnn", {"filters": (4,), "kernel_sizes": (5,), "pool_size": 128}, "too short"),
        ("cnn", {"dropout": 1.5}, "dropout rate"),
        ("cnn", {"pooling": "attention"}, "flatten, global_max, global_average, top_k"),
        ("cnn", {"filters": (4,), "kernel_sizes": (5,), "pooling": "top_k", "top_k": 20},
         "top_k 20 is more than the 16 positions"),
        ("cnn", {"top_k": 0}, "top_k"),
        ("transformer", {"d_model": 10, "num_heads": 4}, "must divide d_model=10"),
        ("transformer", {"stem": "lstm"}, "conv, patch"),
    ],
)
def test_invalid_hyperparameter_values_are_rejected(name: str, hparams: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        build_model(name, LENGTH, **hparams)
