"""The denoising network: time embedding, FiLM layer, shapes, time and class inputs, bad hyperparameters."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from models.generative.diffusion_data import TINY

from sca_tf.errors import ScaInputError
from sca_tf.models.generative.denoiser import Denoiser, FeatureWiseAffine, SinusoidalTimeEmbedding


def test_time_embedding_is_sinusoidal() -> None:
    values = keras.ops.convert_to_numpy(SinusoidalTimeEmbedding(8)(np.array([0, 3])))
    assert values.shape == (2, 8)
    np.testing.assert_allclose(values[0], [0, 0, 0, 0, 1, 1, 1, 1], atol=1e-6)  # sin(0), cos(0)
    assert values[1, 0] == pytest.approx(np.sin(3.0), abs=1e-6)


def test_feature_wise_affine_scales_and_shifts_each_channel() -> None:
    features = np.ones((1, 2, 2), dtype="float32")
    out = keras.ops.convert_to_numpy(FeatureWiseAffine()([features, np.array([[1.0, -1.0, 0.5, 2.0]])]))
    np.testing.assert_allclose(out[0, 0], [2 * 1 + 0.5, 0 * 1 + 2.0])


def test_denoiser_shapes_and_time_injection_into_every_block() -> None:
    denoiser = Denoiser(24, channels=8, dilations=(1, 2, 4), groups=2, time_embedding_dim=8)
    assert {f"block_{i}_time" for i in (1, 2, 3)} <= {layer.name for layer in denoiser.layers}
    noisy = np.random.default_rng(0).standard_normal((2, 24, 4)).astype("float32")
    assert tuple(denoiser([noisy, np.array([0, 0])]).shape) == (2, 24, 4)
    output = denoiser.get_layer("noise")
    kernel, bias = output.get_weights()
    np.testing.assert_array_equal(kernel, 0)  # zero-initialised: predicts no noise before training
    output.set_weights([np.random.default_rng(1).standard_normal(kernel.shape).astype("float32"), bias])
    early = keras.ops.convert_to_numpy(denoiser([noisy, np.array([0, 0])]))
    late = keras.ops.convert_to_numpy(denoiser([noisy, np.array([40, 40])]))
    assert np.abs(early - late).max() > 1e-3  # the timestep changes the prediction


def test_conditional_denoiser_takes_a_class_input() -> None:
    denoiser = Denoiser(16, n_classes=2, **TINY)
    assert [tensor.name for tensor in denoiser.inputs] == ["noisy", "timestep", "class_label"]
    assert denoiser.get_layer("class_embedding").input_dim == 3  # up, down, no class


@pytest.mark.parametrize("settings, message", [
    ({"channels": 10, "groups": 4}, "divisible"),
    ({"time_embedding_dim": 7}, "even"),
    ({"dilations": ()}, "non-empty"),
    ({"n_classes": -1}, "n_classes"),
    ({"dropout": 1.0}, "dropout"),
])
def test_bad_denoiser_hyperparameters_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        Denoiser(16, **{**TINY, **settings})
