"""The diffusion model: forward process, losses of both parameterizations, learning, labels, save/load."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from models.generative.diffusion_data import (
    DOWN_SEQUENCE,
    TINY,
    UP_SEQUENCE,
    identity,
    tiny_model,
    train_toy_model,
)

from sca_tf.errors import ScaInputError
from sca_tf.models.generative.base import one_hot_sequences
from sca_tf.models.generative.denoiser import Denoiser, FeatureWiseAffine, SinusoidalTimeEmbedding
from sca_tf.models.generative.diffusion import DiffusionModel


# ------------------------------------------------------------------------------------------------ forward process
def test_q_sample_is_inverted_by_the_clean_estimate_of_its_noise() -> None:
    model = tiny_model(timesteps=100, parameterization="epsilon")
    rng = np.random.default_rng(0)
    x0 = 2 * one_hot_sequences(["ACGTACGTACGTACGT"] * 3) - 1
    noise = rng.standard_normal(x0.shape).astype("float32")
    for t in (0, 40, 99):
        noisy = keras.ops.convert_to_numpy(model.q_sample(x0, np.full(3, t), noise))
        np.testing.assert_allclose(model._clean_estimate(noisy, t, noise), x0, atol=2e-3)
    start = keras.ops.convert_to_numpy(model.q_sample(x0, np.zeros(3, "int32"), noise))
    assert np.abs(start - x0).max() < 0.1  # little noise at t = 0


def test_noised_sequences_become_standard_normal_at_t_max() -> None:
    model = tiny_model(schedule="linear", timesteps=1000, beta_start=1e-4, beta_end=0.02)
    rng = np.random.default_rng(0)
    x0 = 2 * one_hot_sequences(["A" * 16] * 4000) - 1
    noise = rng.standard_normal(x0.shape).astype("float32")
    noisy = keras.ops.convert_to_numpy(model.q_sample(x0, np.full(4000, 999), noise))
    assert abs(noisy.mean()) < 0.01 and noisy.std() == pytest.approx(1.0, abs=0.01)


def test_loss_is_the_noise_prediction_error_of_the_denoiser() -> None:
    model = tiny_model()
    model.denoiser.get_layer("noise").set_weights(
        [np.full((1, 8, 4), 0.05, "float32"), np.zeros(4, "float32")])
    rng = np.random.default_rng(0)
    one_hot = one_hot_sequences(["ACGTTGCAAGGCTTAC", "GGGGCCCCAAAATTTT"])
    timesteps = np.array([3, 30])
    noise = rng.standard_normal(one_hot.shape).astype("float32")
    noisy = keras.ops.convert_to_numpy(model.q_sample(2 * one_hot - 1, timesteps, noise))
    predicted = keras.ops.convert_to_numpy(model.denoiser([noisy, timesteps]))
    expected = np.mean((noise - predicted) ** 2)
    assert float(model.denoising_loss(one_hot, timesteps, noise)) == pytest.approx(expected, rel=1e-5)


def test_categorical_loss_is_the_cross_entropy_of_the_clean_bases() -> None:
    model = tiny_model(parameterization="categorical_x0")
    assert float(model.denoising_loss(one_hot_sequences(["ACGT" * 4]), np.array([5]),
                                      np.zeros((1, 16, 4), "float32"))) == pytest.approx(np.log(4), rel=1e-6)
    model.denoiser.get_layer("noise").set_weights(
        [np.random.default_rng(1).standard_normal((1, 8, 4)).astype("float32"), np.zeros(4, "float32")])
    rng = np.random.default_rng(0)
    one_hot = one_hot_sequences(["ACGTTGCAAGGCTTAC", "GGGGCCCCAAAATTTT"])
    timesteps = np.array([3, 30])
    noise = rng.standard_normal(one_hot.shape).astype("float32")
    noisy = keras.ops.convert_to_numpy(model.q_sample(2 * one_hot - 1, timesteps, noise))
    logits = keras.ops.convert_to_numpy(model.denoiser([noisy, timesteps])).astype("float64")
    log_softmax = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    expected = -np.mean((one_hot * log_softmax).sum(axis=-1))
    assert float(model.denoising_loss(one_hot, timesteps, noise)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("parameterization", ["epsilon", "categorical_x0"])
def test_self_conditioned_loss_feeds_the_networks_own_estimate_without_its_gradient(parameterization: str) -> None:
    model = tiny_model(parameterization=parameterization, self_conditioning=True)
    rng = np.random.default_rng(0)
    model.denoiser.get_layer("noise").set_weights(
        [rng.standard_normal((1, 8, 4)).astype("float32"), np.zeros(4, "float32")])
    one_hot = one_hot_sequences(["ACGTTGCAAGGCTTAC", "GGGGCCCCAAAATTTT"])
    timesteps, noise = np.array([3, 30]), rng.standard_normal(one_hot.shape).astype("float32")
    noisy = keras.ops.convert_to_numpy(model.q_sample(2 * one_hot - 1, timesteps, noise))
    first = model.denoiser([noisy, timesteps, np.zeros((2, 16, 4), "float32")])
    estimate = keras.ops.convert_to_numpy(model._clean_estimate_tensor(noisy, timesteps, first))
    if parameterization == "categorical_x0":
        np.testing.assert_allclose(estimate.sum(axis=-1), -2.0, rtol=1e-5)  # 2 p - 1 over 4 bases
    weights = model.denoiser.trainable_weights

    def loss_and_gradients(loss_of: object) -> tuple[float, list[np.ndarray]]:
        with tf.GradientTape() as tape:
            loss = loss_of()
        return float(loss), [keras.ops.convert_to_numpy(g) for g in tape.gradient(loss, weights)]

    def by_hand() -> tf.Tensor:  # the estimate as a constant: its gradient must not reach the weights
        predicted = model.denoiser([noisy, timesteps, estimate])
        if parameterization == "categorical_x0":
            return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=one_hot, logits=predicted))
        return tf.reduce_mean(tf.square(noise - predicted))

    expected, expected_gradients = loss_and_gradients(by_hand)
    loss, gradients = loss_and_gradients(lambda: model.denoising_loss(one_hot, timesteps, noise,
                                                                      self_condition=True))
    assert loss == pytest.approx(expected, rel=1e-5)
    for gradient, reference in zip(gradients, expected_gradients):
        np.testing.assert_allclose(gradient, reference, rtol=1e-4, atol=1e-6)
    without = float(model.denoising_loss(one_hot, timesteps, noise, self_condition=False))
    assert without != pytest.approx(loss, rel=1e-4)  # zeros instead of the estimate: another loss


def test_unknown_parameterization_is_refused() -> None:
    with pytest.raises(ScaInputError, match="parameterization 'x0'.*epsilon, categorical_x0"):
        tiny_model(parameterization="x0")


# ------------------------------------------------------------------------------------------------ learning
def test_categorical_model_learns_the_class_sequences() -> None:
    model = train_toy_model(200, parameterization="categorical_x0")
    for condition, reference in (("up", UP_SEQUENCE), ("down", DOWN_SEQUENCE)):
        fast = model.generate(16, sampler="ddim", steps=20, seed=1, condition=condition)
        assert identity(fast, reference).mean() > 0.9
        assert identity(model.generate(8, sampler="ddpm", seed=1, condition=condition), reference).mean() > 0.9


def test_self_conditioning_model_learns_the_class_sequences() -> None:
    model = train_toy_model(200, parameterization="categorical_x0", self_conditioning=True)
    for condition, reference in (("up", UP_SEQUENCE), ("down", DOWN_SEQUENCE)):
        assert identity(model.generate(16, steps=20, seed=1, condition=condition), reference).mean() > 0.9


def test_conditional_training_needs_labels() -> None:
    model = tiny_model(class_names=("up", "down"))
    model.compile(optimizer="adam")
    with pytest.raises(ScaInputError, match="needs \\(one_hot, label\\) batches"):
        model.fit(one_hot_sequences(["ACGTACGTACGTACGT"] * 4), epochs=1, verbose=0)


# ------------------------------------------------------------------------------------------------ saving
@pytest.mark.parametrize("parameterization", ["epsilon", "categorical_x0"])
def test_save_and_load_round_trip(tmp_path: Path, parameterization: str) -> None:
    model = tiny_model(class_names=("up", "down"), parameterization=parameterization)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    one_hot = one_hot_sequences(["ACGTTGCAAGGCTTAC"] * 8)
    model.fit(one_hot, np.zeros(8, "int32"), batch_size=4, epochs=1, verbose=0)
    path = tmp_path / "diffusion.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, DiffusionModel)
    assert loaded.steps_trained == model.steps_trained == 2
    assert loaded.class_names == ("up", "down") and loaded.schedule == model.schedule
    assert loaded.parameterization == parameterization
    assert loaded.get_config()["denoiser"]["config"] == model.get_config()["denoiser"]["config"]
    for saved, restored in zip(model.denoiser.get_weights(), loaded.denoiser.get_weights()):
        np.testing.assert_array_equal(saved, restored)
    assert loaded.generate(3, steps=5, seed=4, condition="up") == model.generate(3, steps=5, seed=4, condition="up")


def test_a_network_saved_before_self_conditioning_loads_without_it() -> None:
    config = Denoiser(16, **TINY).get_config()
    del config["self_conditioning"]
    restored = Denoiser.from_config(config)
    assert restored.self_conditioning is False and len(restored.inputs) == 2


def test_registered_names_stay_those_of_saved_checkpoints() -> None:
    """``.keras`` files name each class by its registered key: moving a class to another module must keep it."""
    for cls in (DiffusionModel, Denoiser, FeatureWiseAffine, SinusoidalTimeEmbedding):
        assert keras.saving.get_registered_name(cls) == f"sca_tf>{cls.__name__}"
