"""The generator trainer (sca_tf.training.generator, run by trainers/train_diffusion.py): data, run layout, replicas."""

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

from sca_tf.errors import ScaInputError
from sca_tf.models.generative.diffusion import DiffusionModel
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


TINY_ARGS = ["--channels", "8", "--dilations", "1", "--kernel-size", "3", "--groups", "2",
             "--time-embedding-dim", "8", "--timesteps", "20", "--batch-size", "4", "--epochs", "2",
             "--steps-per-epoch", "2", "--verbose", "0"]


def test_trainer_runs_under_two_cpu_replicas(tmp_path: Path) -> None:
    """``--cpu-replicas 2``: MirroredStrategy over two logical CPUs (a fresh process: TF fixes devices at start)."""
    fasta = tmp_path / "positives.fa"
    fasta.write_text("".join(f">g{i}\n{POSITIVE}\n" for i in range(16)))
    out = tmp_path / "run"
    command = [sys.executable, str(REPO / "trainers" / "train_diffusion.py"), "--positives-fasta", str(fasta),
               "--output-dir", str(out), "--cpu-replicas", "2", *TINY_ARGS]
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
    fasta.write_text("".join(f">g{i}\n{POSITIVE}\n" for i in range(16)))
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
