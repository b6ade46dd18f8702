"""WGAN-GP baseline: the decode order (A, C, G, T) end to end, shapes, training, save/load, bad input."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from sca_tf.errors import ScaInputError
from sca_tf.models.generative.base import decode_one_hot, one_hot_sequences
from sca_tf.models.generative.gan import Critic, Generator, PromoterGAN, build_gan

TINY = {"latent_dim": 4, "channels": 8, "n_layers": 1, "kernel_size": 3, "critic_steps": 1}


# ------------------------------------------------------------------------------------------------ decode order
def test_known_one_hot_decodes_to_the_known_string_and_back() -> None:
    one_hot = np.array([[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]]],
                       dtype="float32")
    assert decode_one_hot(one_hot) == ["ACGTGC"]
    np.testing.assert_array_equal(one_hot_sequences(["ACGTGC"]), one_hot)
    assert decode_one_hot(np.eye(4)[None, [1]]) == ["C"] and decode_one_hot(np.eye(4)[None, [2]]) == ["G"]
    random = ["".join(np.random.default_rng(0).choice(list("ACGT"), 50))]
    assert decode_one_hot(one_hot_sequences(random)) == random


def test_decoding_takes_the_most_likely_base_of_soft_scores() -> None:
    probabilities = np.array([[[0.1, 0.2, 0.6, 0.1], [0.3, 0.4, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25]]])
    assert decode_one_hot(probabilities) == ["GCA"]  # ties go to the earlier channel


@pytest.mark.parametrize("channel, base", [(0, "A"), (1, "C"), (2, "G"), (3, "T")])
def test_generator_favouring_one_channel_writes_that_base(channel: int, base: str) -> None:
    """Force the generator's output towards one channel; the generated text must be that base everywhere."""
    gan = build_gan(16, **TINY)
    logits = gan.generator.get_layer("base_logits")
    kernel, bias = logits.get_weights()
    bias = np.zeros_like(bias)
    bias[channel] = 20.0
    logits.set_weights([np.zeros_like(kernel), bias])
    assert gan.generate(3, seed=0) == [base * 16] * 3


def test_one_hot_refuses_unequal_lengths_and_bad_letters() -> None:
    with pytest.raises(ScaInputError, match="sequence 2 has 3 bases, expected 4"):
        one_hot_sequences(["ACGT", "ACG"])
    with pytest.raises(ScaInputError, match="'X' at position 2"):
        one_hot_sequences(["AXGT"])
    with pytest.raises(ScaInputError, match="shape \\[n, length, 4\\]"):
        decode_one_hot(np.zeros((2, 5)))


# ------------------------------------------------------------------------------------------------ networks
def test_generator_outputs_base_probabilities_and_critic_scores() -> None:
    generator = Generator(32, latent_dim=4, channels=8, n_layers=2)
    probabilities = keras.ops.convert_to_numpy(generator(np.random.default_rng(0).standard_normal((3, 4))))
    assert probabilities.shape == (3, 32, 4)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, atol=1e-5)
    critic = Critic(32, channels=8, n_layers=2)
    assert tuple(critic(probabilities).shape) == (3, 1)


@pytest.mark.parametrize("build, message", [
    (lambda: Generator(30, n_layers=2), "divisible by 2\\*\\*2 = 4"),
    (lambda: Critic(10, n_layers=3), "divisible by 2\\*\\*3"),
    (lambda: PromoterGAN(Generator(16, n_layers=1), Critic(32, n_layers=1)), "16-base .* 32-base"),
    (lambda: build_gan(16, critic_steps=0), "critic_steps"),
    (lambda: build_gan(16, latent_dim=0), "latent_dim"),
])
def test_bad_gan_settings_are_refused(build, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        build()


# ------------------------------------------------------------------------------------------------ training
def test_a_training_step_updates_critic_and_generator() -> None:
    gan = build_gan(16, **TINY)
    gan.compile()
    critic_before = [w.copy() for w in gan.critic.get_weights()]
    generator_before = [w.copy() for w in gan.generator.get_weights()]
    history = gan.fit(one_hot_sequences(["ACGTACGTACGTACGT"] * 8), batch_size=8, epochs=1, verbose=0)
    assert gan.steps_trained == 1
    assert set(history.history) == {"critic_loss", "generator_loss", "wasserstein"}
    assert all(np.isfinite(values[0]) for values in history.history.values())
    assert any(not np.array_equal(a, b) for a, b in zip(critic_before, gan.critic.get_weights()))
    assert any(not np.array_equal(a, b) for a, b in zip(generator_before, gan.generator.get_weights()))


def test_gan_learns_the_base_composition() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    sequences = ["".join(rng.choice(list("ACGT"), 32, p=[0.7, 0.1, 0.1, 0.1])) for _ in range(256)]
    gan = build_gan(32, latent_dim=8, channels=16, n_layers=1, kernel_size=5, critic_steps=2)
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
                critic_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9))

    def a_fraction() -> float:
        return "".join(gan.generate(64, seed=0)).count("A") / (64 * 32)

    before = a_fraction()
    data = tf.data.Dataset.from_tensor_slices(one_hot_sequences(sequences)).repeat().batch(32)
    gan.fit(data, steps_per_epoch=120, epochs=1, verbose=0, shuffle=False)
    assert before < 0.4 and a_fraction() > 0.5


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    gan = build_gan(16, **TINY)
    gan.compile()
    gan.fit(one_hot_sequences(["ACGTACGTACGTACGT"] * 8), batch_size=4, epochs=1, verbose=0)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, PromoterGAN) and loaded.steps_trained == 2
    assert loaded.get_config()["generator"]["config"] == gan.get_config()["generator"]["config"]
    assert loaded.generate(4, seed=3) == gan.generate(4, seed=3)
    assert loaded.generate(4, seed=3) != loaded.generate(4, seed=4)


def test_resuming_from_a_backup_restores_both_optimisers(tmp_path: Path) -> None:
    """An interrupted ``fit`` resumed with ``BackupAndRestore`` continues from both optimisers' saved state."""

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            raise RuntimeError("interrupted")

    class RestoredState(keras.callbacks.Callback):
        def on_train_begin(self, logs: dict | None = None) -> None:
            self.state = optimiser_state(self.model)

    def optimiser_state(gan: PromoterGAN) -> dict[str, list[np.ndarray]]:
        return {name: [keras.ops.convert_to_numpy(v) for v in getattr(gan, name).variables]
                for name in ("optimizer", "critic_optimizer")}

    one_hot = one_hot_sequences(["ACGTACGTACGTACGT"] * 8)
    backup = str(tmp_path / "backup")
    gan = build_gan(16, **TINY)
    gan.compile()
    with pytest.raises(RuntimeError, match="interrupted"):
        gan.fit(one_hot, batch_size=4, epochs=2, verbose=0,
                callbacks=[keras.callbacks.BackupAndRestore(backup), Interrupt()])
    assert int(gan.optimizer.iterations) == int(gan.critic_optimizer.iterations) == 2  # one epoch of two steps
    interrupted = optimiser_state(gan)
    resumed = build_gan(16, **TINY)
    resumed.compile()
    restored = RestoredState()
    resumed.fit(one_hot, batch_size=4, epochs=2, verbose=0,
                callbacks=[keras.callbacks.BackupAndRestore(backup), restored])
    for name, saved in interrupted.items():
        assert len(restored.state[name]) == len(saved), name
        for before, after in zip(saved, restored.state[name]):
            np.testing.assert_array_equal(before, after, err_msg=name)
    assert resumed.steps_trained == 4


def test_a_resumed_fit_ends_with_the_critic_optimiser_of_an_uninterrupted_one(tmp_path: Path) -> None:
    """Interrupt after epoch 1 of 2 and resume from the backup: the critic's Adam step and moments match a straight run.

    A critic optimiser left out of the backup (or skipped on load) would restart at step 0 with zero moments.
    """

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            raise RuntimeError("interrupted")

    def compiled_gan() -> PromoterGAN:
        keras.utils.set_random_seed(0)
        gan = build_gan(16, **TINY)
        gan.compile()
        return gan

    one_hot = one_hot_sequences(["".join(np.random.default_rng(0).choice(list("ACGT"), 16)) for _ in range(8)])
    fit = {"batch_size": 4, "epochs": 2, "verbose": 0, "shuffle": False}
    straight = compiled_gan()
    straight.fit(one_hot, **fit)
    backup = str(tmp_path / "backup")
    with pytest.raises(RuntimeError, match="interrupted"):
        compiled_gan().fit(one_hot, callbacks=[keras.callbacks.BackupAndRestore(backup), Interrupt()], **fit)
    resumed = compiled_gan()
    resumed.fit(one_hot, callbacks=[keras.callbacks.BackupAndRestore(backup)], **fit)
    assert int(resumed.critic_optimizer.iterations) == int(straight.critic_optimizer.iterations) == 4
    for expected, actual in zip(straight.critic_optimizer.variables, resumed.critic_optimizer.variables, strict=True):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(actual), keras.ops.convert_to_numpy(expected),
                                   rtol=1e-5, atol=1e-7, err_msg=expected.path)


@pytest.mark.parametrize("options, message", [
    ({"n": 0}, "positive integer"),
    ({"n": 2, "condition": "up"}, "unconditional"),
    ({"n": 2, "batch_size": -1}, "batch_size"),
])
def test_bad_generation_requests_are_refused(options: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        build_gan(16, **TINY).generate(**options)
