"""The plain model.fit script in trainers/ runs end to end on the TFDS builder's dummy data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import keras

from sca_tf.data.build import build_dataset

REPO = Path(__file__).resolve().parents[1]
DUMMY = REPO / "datasets" / "sca_promoters" / "dummy_data"


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "trainers" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_train_classifier_script(tmp_path: Path) -> None:
    built = build_dataset(tmp_path / "tfds", manual_dir=DUMMY, assembly="GRCh37", upstream=24, downstream=8)
    script = _load_script("train_classifier")
    out = tmp_path / "run"
    assert script.main(["--data-dir", str(built.data_dir), "--dataset", built.config, "--out", str(out),
                        "--epochs", "2", "--batch-size", "8", "--model", "cnn_lstm", "--preset", "paper"]) == 0
    model = keras.models.load_model(out / "model.keras")
    assert model.input_shape == (None, 32, 4)
    assert (out / "history.csv").read_text().count("\n") == 3  # header + 2 epochs
    assert any((out / "logs").rglob("events.out.tfevents.*"))


def test_train_classifier_script_reports_errors_like_the_cli(tmp_path: Path, capsys) -> None:
    script = _load_script("train_classifier")
    status = script.main(["--data-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "run")])
    lines = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(lines) == 1 and lines[0].startswith("train_classifier.py: error: ")
