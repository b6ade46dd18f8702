"""``sca-tf export``: numbered versions, and an export that disagrees with its Keras model as exit status 4."""

from __future__ import annotations

from pathlib import Path

import pytest

from sca_tf.cli import main
from sca_tf.export import exporter


@pytest.fixture()
def model_path(tmp_path: Path) -> Path:
    from sca_tf.models import build_model

    path = tmp_path / "cnn.keras"
    build_model("cnn", 64, filters=(4,), kernel_sizes=(5,), dense_units=(4,)).save(path)
    return path


def test_export_verb_writes_numbered_versions(model_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "saved_models"
    assert main(["export", "--model", str(model_path), "--out", str(root)]) == 0
    assert main(["export", "--model", str(model_path), "--out", str(root)]) == 0
    assert sorted(p.name for p in (root / "cnn").iterdir()) == ["1", "2"]
    assert (root / "cnn" / "2" / "saved_model.pb").is_file() and (root / "models.config").is_file()
    assert "version 2" in capsys.readouterr().out


def test_an_export_that_does_not_match_the_model_exits_4_and_publishes_nothing(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(exporter, "TOLERANCE", -1.0)  # any difference, even 0, is now a mismatch
    root = tmp_path / "saved_models"
    assert main(["export", "--model", str(model_path), "--out", str(root)]) == 4
    error = capsys.readouterr().err
    assert error.startswith("sca-tf: error: ") and error.count("\n") == 1
    assert "differs from the Keras model" in error and "the export was not published" in error
    assert list((root / "cnn").iterdir()) == []
