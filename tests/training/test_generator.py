"""The generator trainer (sca_tf.training.generator, run by `sca-tf train-generator` and trainers/train_diffusion.py):
data, run layout, replicas, defaults, config files."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import keras
import numpy as np
import pandas as pd
import pytest
from generative_data import write_tables

from sca_tf.cli.app import main as app_main
from sca_tf.errors import ScaInputError
from sca_tf.models.generative.diffusion import DiffusionModel
from sca_tf.models.generative.unet import UNetDenoiser
from sca_tf.precision import resolve_precision
from sca_tf.synthetic.data import promoter_splits
from sca_tf.training.generator import GeneratorTrainConfig

REPO = Path(__file__).resolve().parents[2]
POSITIVE = "ACGTTGCAAGGCTTAC"


def _train_script() -> ModuleType:
    """trainers/train_diffusion.py, loaded by path (the trainers are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("train_diffusion", REPO / "trainers" / "train_diffusion.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TINY_CONFIG = """
denoiser = "residual"
timesteps = 20
hparams = { channels = 8, dilations = [1], kernel_size = 3, groups = 2, time_embedding_dim = 8 }
"""
TINY_RUN = ["--batch-size", "4", "--epochs", "2", "--steps-per-epoch", "2", "--verbose", "0"]


def _tiny(tmp_path: Path, extra: str = "", name: str = "tiny.toml") -> list[str]:
    """``--config`` of a tiny residual denoiser (plus ``extra`` TOML lines) and a 2 x 2-step run."""
    path = tmp_path / name
    path.write_text(TINY_CONFIG + extra)
    return ["--config", str(path), *TINY_RUN]


def _train_unconditional_runs(tmp_path: Path, extras: dict[str, str]) -> None:
    """One tiny unconditional run per name (``tmp_path / name``) on 16 copies of POSITIVE, each with its own extra
    TOML lines."""
    fasta = tmp_path / "positives.fa"
    fasta.write_text("".join(f">g{i}\n{POSITIVE}\n" for i in range(16)))
    script = _train_script()
    for name, extra in extras.items():
        settings = _tiny(tmp_path, f"condition_on_status = false\n{extra}", name=f"{name}.toml")
        assert script.main(["--positives-fasta", str(fasta), "--output-dir", str(tmp_path / name), *settings]) == 0


def test_trainer_runs_under_two_cpu_replicas(tmp_path: Path) -> None:
    """``--cpu-replicas 2``: MirroredStrategy over two logical CPUs (a fresh process: TF fixes devices at start)."""
    fasta = tmp_path / "positives.fa"
    fasta.write_text("".join(f">g{i}\n{POSITIVE}\n" for i in range(16)))
    out = tmp_path / "run"
    command = [sys.executable, str(REPO / "trainers" / "train_diffusion.py"), "--positives-fasta", str(fasta),
               "--output-dir", str(out), "--cpu-replicas", "2", *_tiny(tmp_path, "condition_on_status = false\n")]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((out / "config.json").read_text())["replicas"] == 2
    model = keras.models.load_model(out / "model.keras")
    assert model.steps_trained == 4  # 2 epochs x 2 global steps, counted once, not once per replica
    assert np.isfinite(json.loads((out / "metrics.json").read_text())["final_logs"]["loss"])


def test_trainer_uses_training_positives_only_and_writes_the_run(tmp_path: Path) -> None:
    de_table, promoters = write_tables(tmp_path)
    out = tmp_path / "run"
    code = _train_script().main(["--de-table", str(de_table), "--promoters", str(promoters),
                                 "--output-dir", str(out), *_tiny(tmp_path)])
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
    _train_unconditional_runs(tmp_path, {"plain": "ema_momentum = 0\n", "ema": "ema_momentum = 0.5\n"})
    runs = {name: (keras.models.load_model(tmp_path / name / "model.keras"),
                   keras.models.load_model(tmp_path / name / "checkpoints" / "last.keras"))
            for name in ("plain", "ema")}
    assert runs["ema"][0].parameterization == "categorical_x0"
    for name, (final, last) in runs.items():
        same = all(np.array_equal(a, b) for a, b in zip(final.denoiser.get_weights(), last.denoiser.get_weights()))
        assert same == (name == "plain"), name
    config = json.loads((tmp_path / "ema" / "config.json").read_text())["train_config"]
    assert config["ema_momentum"] == 0.5 and config["parameterization"] == "categorical_x0"


def test_the_learning_rate_decays_along_a_cosine_over_the_whole_run(tmp_path: Path) -> None:
    """``cosine_decay`` runs the rate down to zero over epochs x steps; without it (the default) it stays constant."""
    _train_unconditional_runs(tmp_path, {"cosine": "cosine_decay = true\n", "constant": ""})
    cosine = keras.models.load_model(tmp_path / "cosine" / "model.keras").optimizer
    schedule = cosine.get_config()["learning_rate"]
    assert schedule["class_name"] == "CosineDecay" and schedule["config"]["decay_steps"] == 4  # 2 epochs x 2 steps
    assert int(cosine.iterations) == 4 and float(cosine.learning_rate) == pytest.approx(0.0, abs=1e-9)
    constant = keras.models.load_model(tmp_path / "constant" / "model.keras").optimizer
    assert float(constant.learning_rate) == pytest.approx(GeneratorTrainConfig().learning_rate)
    assert json.loads((tmp_path / "cosine" / "config.json").read_text())["train_config"]["cosine_decay"] is True


def test_weight_average_settings_are_checked() -> None:
    with pytest.raises(ScaInputError, match="ema_momentum 1.5"):
        GeneratorTrainConfig(ema_momentum=1.5)
    with pytest.raises(ScaInputError, match="parameterization 'x0'"):
        GeneratorTrainConfig(parameterization="x0")
    with pytest.raises(ScaInputError, match="denoiser 'flat'"):
        GeneratorTrainConfig(denoiser="flat")
    assert GeneratorTrainConfig().class_names == ("up", "down")
    assert GeneratorTrainConfig().learning_rate == 2e-3 and GeneratorTrainConfig(model="gan").learning_rate == 1e-3
    assert GeneratorTrainConfig(learning_rate=5e-4).learning_rate == 5e-4
    with pytest.raises(ScaInputError, match="learning_rate must be > 0"):
        GeneratorTrainConfig(learning_rate=0)
    assert GeneratorTrainConfig(model="gan").class_names == ()  # the GAN is unconditional


def test_trainer_takes_a_gene_list_or_a_fasta(tmp_path: Path) -> None:
    de_table, promoters = write_tables(tmp_path)
    table = pd.read_csv(promoters, sep="\t")
    genes = tmp_path / "train_genes.txt"
    genes.write_text("# training genes\n" + "\n".join(table.gene_id[:30]) + "\n")
    script = _train_script()
    assert script.main(["--de-table", str(de_table), "--promoters", str(promoters), "--train-genes", str(genes),
                        "--output-dir", str(tmp_path / "listed"), *_tiny(tmp_path)]) == 0
    listed = json.loads((tmp_path / "listed" / "config.json").read_text())
    assert listed["n_training_positives"] == 24  # every up/down gene is among the first 30
    fasta = tmp_path / "positives.fa"
    fasta.write_text("".join(f">{g} status=up\n{s}\n" for g, s in zip(table.gene_id[:6], table.sequence[:6])))
    gan = tmp_path / "gan.toml"
    gan.write_text('model = "gan"\ncritic_steps = 1\nhparams = { latent_dim = 4, channels = 8, n_layers = 1, '
                   'kernel_size = 3 }\n')
    assert script.main(["--positives-fasta", str(fasta), "--config", str(gan), *TINY_RUN,
                        "--output-dir", str(tmp_path / "gan")]) == 0
    assert json.loads((tmp_path / "gan" / "config.json").read_text())["n_training_positives"] == 6


@pytest.mark.parametrize("extra, message", [
    ([], "give a DE table and a promoters table"),
    (["--positives-fasta", "x.fa", "--de-table", "d.tsv"], "give one source"),
    (["--positives-fasta", "missing.fa"], "not found"),
])
def test_trainer_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
                                   message: str) -> None:
    code = _train_script().main(["--output-dir", str(tmp_path / "run"), *extra])
    assert code == 2 and message in capsys.readouterr().err


def test_the_cli_verb_trains_the_default_recipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``sca-tf train-generator``: with only a smaller U-Net in the config, every other setting is the library's
    default recipe (status-conditioned categorical-x0 U-Net, weight average, ``auto`` precision)."""
    de_table, promoters = write_tables(tmp_path)
    config = tmp_path / "small.toml"
    config.write_text('timesteps = 20\nhparams = { patch_size = 2, channels = [8, 16], down_factors = [2], '
                      'bottleneck_dilations = [1], kernel_size = 3, groups = 2, time_embedding_dim = 8 }\n')
    out = tmp_path / "run"
    assert app_main(["train-generator", "--de-table", str(de_table), "--promoters", str(promoters), "--out", str(out),
                     "--config", str(config), *TINY_RUN]) == 0
    assert "4 steps in" in capsys.readouterr().out
    written = json.loads((out / "config.json").read_text())
    defaults = GeneratorTrainConfig()
    assert written["train_config"]["denoiser"] == defaults.denoiser == "unet"
    assert written["train_config"]["ema_momentum"] == defaults.ema_momentum > 0
    assert written["precision"] == resolve_precision(defaults.precision)
    model = keras.models.load_model(out / "model.keras")
    assert isinstance(model.denoiser, UNetDenoiser) and model.parameterization == defaults.parameterization
    assert model.denoiser.self_conditioning is defaults.self_conditioning is True
    assert model.class_names == ("up", "down") and model.denoiser.hparams["channels"] == [8, 16]
    last = keras.models.load_model(out / "checkpoints" / "last.keras")
    assert any(not np.array_equal(a, b) for a, b in zip(model.denoiser.get_weights(), last.denoiser.get_weights()))


def test_self_conditioning_is_set_in_one_place() -> None:
    with pytest.raises(ScaInputError, match="self_conditioning as its own setting"):
        GeneratorTrainConfig(hparams={"self_conditioning": False})


def test_a_config_file_with_an_unknown_key_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("chanels = 8\n")
    code = app_main(["train-generator", "--positives-fasta", str(tmp_path / "x.fa"), "--out", str(tmp_path / "run"),
                     "--config", str(config)])
    error = capsys.readouterr().err
    assert code == 2 and "bad.toml: unknown key(s)" in error and "chanels" in error and "Traceback" not in error
