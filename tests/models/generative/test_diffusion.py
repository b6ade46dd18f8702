"""DDPM over one-hot DNA: schedules, denoiser, forward process, samplers, learning, save/load, trainer, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf
from generative_data import write_tables

from sca_tf.errors import ScaInputError
from sca_tf.models.generative.diffusion import (
    Denoiser,
    DiffusionModel,
    FeatureWiseAffine,
    NoiseSchedule,
    SinusoidalTimeEmbedding,
    build_diffusion_model,
)
from sca_tf.models.generative.encoding import one_hot_sequences

REPO = Path(__file__).resolve().parents[3]
UP_SEQUENCE = "ACGTTGCAAGGCTTAC"
DOWN_SEQUENCE = "TTGACCAGTAGGCATC"
TINY = {"channels": 8, "dilations": (1,), "kernel_size": 3, "groups": 2, "time_embedding_dim": 8}


def identity(sequences: list[str], reference: str) -> np.ndarray:
    ref = np.frombuffer(reference.encode(), dtype=np.uint8)
    return np.array([np.mean(np.frombuffer(s.encode(), dtype=np.uint8) == ref) for s in sequences])


def tiny_model(length: int = 16, **overrides: object) -> DiffusionModel:
    settings = {"schedule": "cosine", "timesteps": 50, **TINY, **overrides}
    return build_diffusion_model(length, **settings)


@pytest.fixture(scope="module")
def toy_model() -> DiffusionModel:
    """A conditional denoiser trained on two fixed 16-mers: "up" is always one, "down" always the other."""
    keras.utils.set_random_seed(1)
    model = build_diffusion_model(16, schedule="cosine", timesteps=100, channels=32, dilations=(1, 2),
                                  kernel_size=5, groups=4, time_embedding_dim=32, class_names=("up", "down"))
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    one_hot = one_hot_sequences([UP_SEQUENCE, DOWN_SEQUENCE] * 64)
    labels = np.array([0, 1] * 64, dtype=np.int32)
    data = tf.data.Dataset.from_tensor_slices((one_hot, labels)).shuffle(128, seed=0).repeat().batch(32)
    model.fit(data, steps_per_epoch=500, epochs=1, verbose=0, shuffle=False)
    return model


# ------------------------------------------------------------------------------------------------ schedules
def test_linear_schedule_matches_the_paper_and_decays_monotonically() -> None:
    schedule = NoiseSchedule("linear", timesteps=1000)
    assert schedule.betas[0] == pytest.approx(1e-4) and schedule.betas[-1] == pytest.approx(0.02)
    assert np.all(np.diff(schedule.alphas_bar) < 0)
    assert schedule.alphas_bar[0] == pytest.approx(1 - 1e-4)
    assert schedule.alphas_bar[-1] < 1e-4  # the signal is gone by T


def test_cosine_schedule_keeps_more_signal_midway_and_ends_near_zero() -> None:
    cosine, linear = NoiseSchedule("cosine", timesteps=1000), NoiseSchedule("linear", timesteps=1000)
    assert np.all(np.diff(cosine.alphas_bar) < 0)
    assert cosine.alphas_bar[0] > 0.9999 and cosine.alphas_bar[-1] < 1e-4
    assert np.all(cosine.betas <= 0.999)
    assert cosine.alphas_bar[499] > 0.4 > 0.1 > linear.alphas_bar[499]


def test_schedule_round_trips_through_its_config() -> None:
    schedule = NoiseSchedule("cosine", timesteps=64, cosine_offset=0.01)
    assert NoiseSchedule(**schedule.to_config()) == schedule


@pytest.mark.parametrize("settings, message", [
    ({"kind": "quadratic"}, "linear, cosine"),
    ({"timesteps": 1}, "timesteps"),
    ({"beta_start": 0.02, "beta_end": 0.01}, "beta_start < beta_end"),
    ({"cosine_offset": 0.0}, "cosine_offset"),
])
def test_bad_schedules_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        NoiseSchedule(**settings)


# ------------------------------------------------------------------------------------------------ denoiser
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


# ------------------------------------------------------------------------------------------------ forward process
def test_q_sample_is_inverted_by_predict_start() -> None:
    model = tiny_model(timesteps=100)
    rng = np.random.default_rng(0)
    x0 = 2 * one_hot_sequences(["ACGTACGTACGTACGT"] * 3) - 1
    noise = rng.standard_normal(x0.shape).astype("float32")
    for t in (0, 40, 99):
        noisy = keras.ops.convert_to_numpy(model.q_sample(x0, np.full(3, t), noise))
        np.testing.assert_allclose(model.predict_start(noisy, t, noise), x0, atol=2e-3)
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


def test_unknown_parameterization_is_refused() -> None:
    with pytest.raises(ScaInputError, match="parameterization 'x0'.*epsilon, categorical_x0"):
        tiny_model(parameterization="x0")


# ------------------------------------------------------------------------------------------------ learning and sampling
def test_trained_model_generates_the_class_sequences(toy_model: DiffusionModel) -> None:
    assert toy_model.steps_trained == 500
    for condition, reference in (("up", UP_SEQUENCE), ("down", DOWN_SEQUENCE)):
        fast = toy_model.generate(16, sampler="ddim", steps=20, seed=1, condition=condition, guidance=3.0)
        ancestral = toy_model.generate(8, sampler="ddpm", seed=1, condition=condition, guidance=3.0)
        assert identity(fast, reference).mean() > 0.9
        assert identity(ancestral, reference).mean() > 0.9


def test_categorical_model_learns_the_class_sequences() -> None:
    keras.utils.set_random_seed(1)
    model = build_diffusion_model(16, schedule="cosine", timesteps=100, channels=32, dilations=(1, 2),
                                  kernel_size=5, groups=4, time_embedding_dim=32, class_names=("up", "down"),
                                  parameterization="categorical_x0")
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    one_hot = one_hot_sequences([UP_SEQUENCE, DOWN_SEQUENCE] * 64)
    labels = np.array([0, 1] * 64, dtype=np.int32)
    data = tf.data.Dataset.from_tensor_slices((one_hot, labels)).shuffle(128, seed=0).repeat().batch(32)
    model.fit(data, steps_per_epoch=200, epochs=1, verbose=0, shuffle=False)
    for condition, reference in (("up", UP_SEQUENCE), ("down", DOWN_SEQUENCE)):
        fast = model.generate(16, sampler="ddim", steps=20, seed=1, condition=condition)
        assert identity(fast, reference).mean() > 0.9
        assert identity(model.generate(8, sampler="ddpm", seed=1, condition=condition), reference).mean() > 0.9


def test_unconditional_samples_are_one_of_the_two_sequences(toy_model: DiffusionModel) -> None:
    samples = toy_model.generate(16, sampler="ddpm", seed=2)
    best = np.maximum(identity(samples, UP_SEQUENCE), identity(samples, DOWN_SEQUENCE))
    assert best.mean() > 0.9


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


def test_trainer_runs_under_two_cpu_replicas(tmp_path: Path) -> None:
    """``--cpu-replicas 2``: MirroredStrategy over two logical CPUs (a fresh process: TF fixes devices at start)."""
    fasta = tmp_path / "positives.fa"
    fasta.write_text("".join(f">g{i}\n{UP_SEQUENCE}\n" for i in range(16)))
    out = tmp_path / "run"
    command = [sys.executable, str(REPO / "trainers" / "train_diffusion.py"), "--positives-fasta", str(fasta),
               "--output-dir", str(out), "--cpu-replicas", "2", *TINY_ARGS]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((out / "config.json").read_text())["replicas"] == 2
    model = keras.models.load_model(out / "model.keras")
    assert model.steps_trained == 4  # 2 epochs x 2 global steps, counted once, not once per replica
    assert np.isfinite(json.loads((out / "metrics.json").read_text())["final_logs"]["loss"])


# ------------------------------------------------------------------------------------------------ trainer script
def _train_script():  # noqa: ANN202 - the trainer is a script, loaded by path
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_diffusion", REPO / "trainers" / "train_diffusion.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TINY_ARGS = ["--channels", "8", "--dilations", "1", "--kernel-size", "3", "--groups", "2",
             "--time-embedding-dim", "8", "--timesteps", "20", "--batch-size", "4", "--epochs", "2",
             "--steps-per-epoch", "2", "--verbose", "0"]


def test_trainer_uses_training_positives_only_and_writes_the_run(tmp_path: Path) -> None:
    from sca_tf.synthetic.data import promoter_splits

    de_table, promoters = write_tables(tmp_path)
    out = tmp_path / "run"
    code = _train_script().main(["--de-table", str(de_table), "--promoters", str(promoters),
                                 "--output-dir", str(out), "--condition-on-status", *TINY_ARGS])
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    splits = promoter_splits(de_table, promoters)
    train_positives = splits[(splits.split == "train") & (splits.label == 1)]
    assert config["n_training_positives"] == len(train_positives)
    assert set(config["training_status_counts"]) == {"up", "down"}
    assert config["data"]["split"]["seed"] == 0 and config["seed"] == 0
    assert config["data"]["de_table"]["sha256"]
    assert any((out / "logs").rglob("events.out.tfevents.*"))
    assert (out / "checkpoints" / "last.keras").is_file()
    model = keras.models.load_model(out / "model.keras")
    assert isinstance(model, DiffusionModel) and model.steps_trained == 4 and model.class_names == ("up", "down")
    assert json.loads((out / "metrics.json").read_text())["epochs_run"] == 2


def test_trainer_saves_the_weight_average_when_asked(tmp_path: Path) -> None:
    """With ``--ema-momentum`` the saved model holds the moving average; the last checkpoint the raw weights."""
    fasta = tmp_path / "positives.fa"
    fasta.write_text("".join(f">g{i}\n{UP_SEQUENCE}\n" for i in range(16)))
    script = _train_script()
    for name, extra in (("plain", []), ("ema", ["--ema-momentum", "0.5"])):
        assert script.main(["--positives-fasta", str(fasta), "--output-dir", str(tmp_path / name),
                            "--parameterization", "categorical_x0", *TINY_ARGS, *extra]) == 0
    runs = {name: (keras.models.load_model(tmp_path / name / "model.keras"),
                   keras.models.load_model(tmp_path / name / "checkpoints" / "last.keras"))
            for name in ("plain", "ema")}
    assert runs["ema"][0].parameterization == "categorical_x0"
    for name, (final, last) in runs.items():
        same = all(np.array_equal(a, b) for a, b in zip(final.denoiser.get_weights(), last.denoiser.get_weights()))
        assert same == (name == "plain"), name
    config = json.loads((tmp_path / "ema" / "config.json").read_text())["train_config"]
    assert config["ema_momentum"] == 0.5 and config["parameterization"] == "categorical_x0"


def test_weight_average_settings_are_checked() -> None:
    from sca_tf.training.generator import GeneratorTrainConfig

    with pytest.raises(ScaInputError, match="ema_momentum 1.5"):
        GeneratorTrainConfig(ema_momentum=1.5)
    with pytest.raises(ScaInputError, match="diffusion model only"):
        GeneratorTrainConfig(model="gan", ema_momentum=0.9)
    with pytest.raises(ScaInputError, match="parameterization 'x0'"):
        GeneratorTrainConfig(parameterization="x0")


def test_trainer_takes_a_gene_list_or_a_fasta(tmp_path: Path) -> None:
    de_table, promoters = write_tables(tmp_path)
    table = pd.read_csv(promoters, sep="\t")
    genes = tmp_path / "train_genes.txt"
    genes.write_text("# training genes\n" + "\n".join(table.gene_id[:30]) + "\n")
    script = _train_script()
    assert script.main(["--de-table", str(de_table), "--promoters", str(promoters), "--train-genes", str(genes),
                        "--output-dir", str(tmp_path / "listed"), *TINY_ARGS]) == 0
    listed = json.loads((tmp_path / "listed" / "config.json").read_text())
    assert listed["n_training_positives"] == 24  # every up/down gene is among the first 30
    fasta = tmp_path / "positives.fa"
    fasta.write_text("".join(f">{g} status=up\n{s}\n" for g, s in zip(table.gene_id[:6], table.sequence[:6])))
    assert script.main(["--positives-fasta", str(fasta), "--model", "gan", "--gan-layers", "1", "--latent-dim", "4",
                        "--critic-steps", "1", "--output-dir", str(tmp_path / "gan"), *TINY_ARGS]) == 0
    assert json.loads((tmp_path / "gan" / "config.json").read_text())["n_training_positives"] == 6


@pytest.mark.parametrize("extra, message", [
    ([], "give --de-table and --promoters"),
    (["--positives-fasta", "x.fa", "--de-table", "d.tsv"], "give one source"),
    (["--positives-fasta", "missing.fa"], "not found"),
])
def test_trainer_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
                                   message: str) -> None:
    code = _train_script().main(["--output-dir", str(tmp_path / "run"), *extra])
    assert code == 2 and message in capsys.readouterr().err
