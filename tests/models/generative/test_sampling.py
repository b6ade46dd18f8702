"""Sampling: DDPM and DDIM plans and steps, guidance, determinism, decoding, bad requests, trained toy models."""

from __future__ import annotations

import numpy as np
import pytest
from models.generative.diffusion_data import (
    DOWN_SEQUENCE,
    TINY,
    UP_SEQUENCE,
    identity,
    tiny_model,
    train_toy_model,
)

from sca_tf.errors import ScaInputError
from sca_tf.models.generative.denoiser import Denoiser
from sca_tf.models.generative.diffusion import DiffusionModel
from sca_tf.models.generative.sampling import ReverseProcess, default_steps, sampling_plan
from sca_tf.models.generative.schedule import NoiseSchedule


@pytest.fixture(scope="module")
def toy_model() -> DiffusionModel:
    """A conditional denoiser trained on two fixed 16-mers: "up" is always one, "down" always the other."""
    return train_toy_model(500)


# ------------------------------------------------------------------------------------------------ plans
def test_ddim_spans_the_schedule_in_even_steps_and_ddpm_visits_every_step() -> None:
    plan = sampling_plan(1000, "ddim", None, 0.0)
    assert len(plan) == default_steps("ddim", 1000) == 50
    assert plan[0] == 0 and plan[-1] == 999 and np.all(np.diff(plan) > 0)
    np.testing.assert_array_equal(sampling_plan(20, "ddpm", None, 1.0), np.arange(20))
    assert default_steps("ddpm", 1000) == 1000 and default_steps("ddim", 20) == 20


# ------------------------------------------------------------------------------------------------ samplers
def test_categorical_sampler_steps_towards_the_predicted_bases() -> None:
    """A denoiser that always says "G" with certainty must give all-G sequences from every sampler."""
    model = tiny_model(parameterization="categorical_x0")
    model.denoiser.get_layer("noise").set_weights([np.zeros((1, 8, 4), "float32"),
                                                   np.array([0.0, 0.0, 12.0, 0.0], "float32")])
    for sampler, steps in (("ddpm", None), ("ddim", 10)):
        assert model.generate(4, sampler=sampler, steps=steps, seed=0) == ["G" * 16] * 4
        assert model.generate(4, sampler=sampler, steps=steps, seed=0, eta=1.0) == ["G" * 16] * 4
    # the same output read as noise points elsewhere: the parameterization decides what the channels mean
    epsilon = tiny_model()
    epsilon.denoiser.set_weights(model.denoiser.get_weights())
    assert epsilon.generate(4, steps=10, seed=0) != ["G" * 16] * 4


def test_samples_decode_to_acgt_of_the_model_length() -> None:
    model = tiny_model(length=20)
    for sampler, steps in (("ddpm", None), ("ddim", 5)):
        sequences = model.generate(3, sampler=sampler, steps=steps, seed=0)
        assert len(sequences) == 3
        assert all(len(s) == 20 and set(s) <= set("ACGT") for s in sequences)
    assert model.sample_one_hot(2, steps=5).shape == (2, 20, 4)


def test_ddim_with_eta_zero_is_deterministic_given_the_starting_noise() -> None:
    model = tiny_model()
    model.denoiser.get_layer("noise").set_weights(
        [np.random.default_rng(0).standard_normal((1, 8, 4)).astype("float32"), np.zeros(4, "float32")])
    whole = model.sample_one_hot(4, steps=10, eta=0.0, seed=7, batch_size=4)
    # two batches of two consume the same starting noise and nothing else: identical results
    np.testing.assert_allclose(model.sample_one_hot(4, steps=10, eta=0.0, seed=7, batch_size=2), whole, atol=1e-4)
    assert not np.allclose(model.sample_one_hot(4, steps=10, eta=0.0, seed=8, batch_size=4), whole)
    # stochastic samplers draw fresh noise at every step, so the batching changes them
    stochastic = model.sample_one_hot(4, steps=10, eta=1.0, seed=7, batch_size=4)
    assert not np.allclose(model.sample_one_hot(4, steps=10, eta=1.0, seed=7, batch_size=2), stochastic)
    np.testing.assert_array_equal(model.sample_one_hot(4, steps=10, eta=1.0, seed=7, batch_size=4), stochastic)


# ------------------------------------------------------------------------------------------------ requests
@pytest.mark.parametrize("options, message", [
    ({"n": 0}, "positive integer"),
    ({"n": -3}, "positive integer"),
    ({"sampler": "euler"}, "ddpm, ddim"),
    ({"sampler": "ddpm", "steps": 10}, "all 50 steps"),
    ({"steps": 51}, "at most the 50"),
    ({"steps": 0}, "positive integer"),
    ({"eta": 1.5}, "eta"),
    ({"condition": "up"}, "unconditional"),
    ({"batch_size": 0}, "batch_size"),
])
def test_bad_sampling_requests_are_refused(options: dict, message: str) -> None:
    model = tiny_model()
    with pytest.raises(ScaInputError, match=message):
        model.generate(**{"n": 2, **options})


def test_conditional_sampling_checks_the_condition() -> None:
    model = tiny_model(class_names=("up", "down"))
    with pytest.raises(ScaInputError, match="not one of the model's classes"):
        model.generate(2, condition="sideways")
    with pytest.raises(ScaInputError, match="guidance other than 1 needs a condition"):
        model.generate(2, guidance=2.0)
    strict = tiny_model(class_names=("up", "down"), condition_dropout=0.0)
    with pytest.raises(ScaInputError, match="without condition dropout"):
        strict.generate(2)
    with pytest.raises(ScaInputError, match="2 distinct name"):
        DiffusionModel(Denoiser(16, n_classes=2, **TINY), class_names=("up",))


# ------------------------------------------------------------------------------------------------ trained models
def test_trained_model_generates_the_class_sequences(toy_model: DiffusionModel) -> None:
    assert toy_model.steps_trained == 500
    for condition, reference in (("up", UP_SEQUENCE), ("down", DOWN_SEQUENCE)):
        fast = toy_model.generate(16, sampler="ddim", steps=20, seed=1, condition=condition, guidance=3.0)
        ancestral = toy_model.generate(8, sampler="ddpm", seed=1, condition=condition, guidance=3.0)
        assert identity(fast, reference).mean() > 0.9
        assert identity(ancestral, reference).mean() > 0.9


def test_unconditional_samples_are_one_of_the_two_sequences(toy_model: DiffusionModel) -> None:
    samples = toy_model.generate(16, sampler="ddpm", seed=2)
    best = np.maximum(identity(samples, UP_SEQUENCE), identity(samples, DOWN_SEQUENCE))
    assert best.mean() > 0.9


def test_guidance_mixes_the_conditional_and_the_no_class_outputs() -> None:
    calls = []

    def denoise(x: np.ndarray, t: int, labels: np.ndarray | None, estimate: np.ndarray | None) -> np.ndarray:
        calls.append(labels.copy())
        return np.broadcast_to(labels[:, None, None].astype(np.float32), x.shape) * 1.0 + x

    process = ReverseProcess(NoiseSchedule("linear", timesteps=10), denoise, lambda x, t, out: out, "ddim",
                             np.arange(10), label=1, no_class=2, guidance=3.0)
    x = np.random.default_rng(0).normal(size=(3, 5, 4)).astype(np.float32)
    guided = process._guided_output(x, 4, np.full(3, 1, dtype=np.int32), None)
    assert [labels.tolist() for labels in calls] == [[1, 1, 1], [2, 2, 2]]  # the condition, then "no class"
    np.testing.assert_allclose(guided, (2 + x) + 3.0 * ((1 + x) - (2 + x)))


def test_guidance_applies_only_inside_its_interval_of_the_schedule() -> None:
    """Timesteps 0-9, interval (0.3, 0.6): steps 3-5 (t / 9 in [0.33, 0.56]) take two calls, the rest one."""
    calls: list[int] = []

    def denoise(x: np.ndarray, t: int, labels: np.ndarray | None, estimate: np.ndarray | None) -> np.ndarray:
        calls.append(t)
        return np.broadcast_to(labels[:, None, None].astype(np.float32), x.shape) + 0 * x

    process = ReverseProcess(NoiseSchedule("linear", timesteps=10), denoise, lambda x, t, out: out, "ddim",
                             np.arange(10), label=1, no_class=2, guidance=3.0, guidance_interval=(0.3, 0.6))
    process.sample(2, 5)
    assert sorted(calls) == [0, 1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9]
    x = np.zeros((2, 5, 4), np.float32)
    np.testing.assert_allclose(process._guided_output(x, 4, np.ones(2, np.int32), None), 2 + 3.0 * (1 - 2))  # inside
    np.testing.assert_allclose(process._guided_output(x, 8, np.ones(2, np.int32), None), 1.0)  # outside: conditional


def test_temperature_divides_the_logits_the_clean_estimate_reads() -> None:
    seen: list[np.ndarray] = []

    def clean_estimate(x: np.ndarray, t: int, output: np.ndarray) -> np.ndarray:
        seen.append(output)
        return np.zeros_like(x)

    logits = np.random.default_rng(3).normal(size=(2, 5, 4)).astype(np.float32)
    process = ReverseProcess(NoiseSchedule("linear", timesteps=4), lambda x, t, labels, estimate: logits, clean_estimate,
                             "ddim", np.arange(4), temperature=0.5)
    process.sample(2, 5)
    assert len(seen) == 4
    for output in seen:
        np.testing.assert_allclose(output, logits / 0.5)


def test_self_conditioning_hands_each_step_the_clean_estimate_of_the_step_before() -> None:
    """Both the conditional and the no-class call of a guided step read the previous step's estimate; zeros first."""
    seen: list[tuple[int, np.ndarray | None]] = []
    estimates: list[np.ndarray] = []

    def denoise(x: np.ndarray, t: int, labels: np.ndarray | None, estimate: np.ndarray | None) -> np.ndarray:
        seen.append((t, None if estimate is None else estimate.copy()))
        return x

    def clean_estimate(x: np.ndarray, t: int, output: np.ndarray) -> np.ndarray:
        estimates.append(np.full_like(x, t / 10))
        return estimates[-1]

    process = ReverseProcess(NoiseSchedule("linear", timesteps=4), denoise, clean_estimate, "ddim", np.arange(4),
                             self_conditioning=True, label=0, no_class=2, guidance=2.0)
    process.sample(2, 5)
    assert [t for t, _ in seen] == [3, 3, 2, 2, 1, 1, 0, 0]
    np.testing.assert_array_equal(seen[0][1], np.zeros((2, 5, 4)))
    np.testing.assert_array_equal(seen[1][1], np.zeros((2, 5, 4)))
    for call, (_, estimate) in enumerate(seen[2:], start=2):
        np.testing.assert_array_equal(estimate, estimates[call // 2 - 1])
    seen.clear()
    ReverseProcess(NoiseSchedule("linear", timesteps=4), denoise, clean_estimate, "ddim", np.arange(4)).sample(2, 5)
    assert all(estimate is None for _, estimate in seen)  # a network without the input is never handed one


@pytest.mark.parametrize(("options", "message"), [
    ({"guidance_interval": (0.6, 0.3)}, "low < high"),
    ({"guidance_interval": (0.0, 1.5)}, "low < high"),
    ({"guidance_interval": 0.5}, "two numbers"),
    ({"temperature": 0.0}, "temperature"),
])
def test_bad_guidance_intervals_and_temperatures_are_refused(options: dict, message: str) -> None:
    model = tiny_model(class_names=("up", "down"))
    with pytest.raises(ScaInputError, match=message):
        model.generate(2, condition="up", **options)


def test_temperature_needs_logits() -> None:
    with pytest.raises(ScaInputError, match="categorical_x0"):
        tiny_model(parameterization="epsilon").generate(2, temperature=0.5)

