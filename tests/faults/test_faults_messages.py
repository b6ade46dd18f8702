"""Fault cases of issue 17, items 4 and 7: messages that name the user's own file and the real problem, models
of another input length refused before any work, and no empty output folders after a refused command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from faults.fault_data import TINY_CNN, Study, files_under, run_verb

from sca_tf.models import build_model


@pytest.fixture(scope="module")
def short_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An (untrained) sca-tf CNN that reads 50-base sequences, where the study's are 100."""
    path = tmp_path_factory.mktemp("short_model") / "cnn50.keras"
    build_model("cnn", 50, **TINY_CNN).save(path)
    return path


def test_case7_build_dataset_names_the_users_file_not_a_staging_link(study: Study, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    promoters = tmp_path / "mine" / "promoters.tsv"
    promoters.parent.mkdir()
    table = pd.read_csv(study.promoters, sep="\t", dtype=str, keep_default_na=False)
    table.loc[0, "sequence"] = table.loc[0, "sequence"][:-7]
    table.to_csv(promoters, sep="\t", index=False)
    status, line = run_verb(["build-dataset", "--data-dir", tmp_path / "tfds", "--de-table", study.de_table,
                             "--promoters", promoters, "--upstream", "100", "--downstream", "0",
                             "--assembly", "sca-tf-simulated"], capsys)
    assert status == 2
    assert str(promoters) in line and "sca_promoters_inputs_" not in line


def test_case7_truncated_keras_file_is_called_truncated(study: Study, trained: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cut = tmp_path / "cut.keras"
    cut.write_bytes(trained.read_bytes()[:2000])
    status, line = run_verb(["evaluate", *study.dataset_args(), "--model", f"cnn={cut}", "--out", tmp_path / "ev"],
                            capsys)
    assert status == 2 and line == (f"sca-tf: error: {cut}: not a complete .keras archive (truncated, still being "
                                    f"written, or another kind of file); retrain or copy the model again")
    assert "File not found" not in line and not (tmp_path / "ev" / "evaluation").exists()


def test_case7_short_counts_row_is_not_called_an_empty_cell(study: Study, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    counts = tmp_path / "counts.tsv"
    lines = study.counts.read_text().splitlines()
    lines[3] = lines[3].rsplit("\t", 2)[0]
    counts.write_text("\n".join(lines) + "\n")
    status, line = run_verb(["dge", "--counts", counts, "--out", tmp_path / "out" / "dge"], capsys)
    assert status == 2 and line.endswith("line 4: 7 fields, but the header has 9; expected one value per header column")
    assert "empty cell" not in line and not (tmp_path / "out").exists()


def test_case7_evaluate_takes_a_bare_model_path_named_by_its_model(study: Study, trained: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "my_best_run" / "model.keras"
    elsewhere.parent.mkdir()
    shutil.copy(trained, elsewhere)
    out = tmp_path / "ev"
    status = run_verb(["evaluate", *study.dataset_args(), "--model", elsewhere, "--out", out, "--no-xgboost",
                       "--n-resamples", "10"], capsys)[0]
    assert status == 0
    report = json.loads((out / "evaluation" / "report.json").read_text())
    assert report["rows"][0]["Model"] == "cnn"
    assert json.loads((out / "evaluation" / "fingerprint.json").read_text())["stage"] == "evaluation"


def test_case4_evaluate_refuses_a_model_of_another_input_length(study: Study, short_model: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    status, line = run_verb(["evaluate", *study.dataset_args(), "--model", short_model, "--out", tmp_path / "ev"],
                            capsys)
    assert status == 2
    assert line == (f"sca-tf: error: {short_model}: the model reads 50-base sequences, but these are 100 bases; "
                    f"use a model trained on the same promoter window")
    assert files_under(tmp_path) == []


def test_case4_explain_refuses_a_model_of_another_input_length(study: Study, short_model: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    status, line = run_verb(["explain", "--model", short_model, "--promoters", study.promoters,
                             "--out", tmp_path / "ex"], capsys)
    assert status == 2 and "reads 50-base sequences, but these are 100 bases" in line
    assert not (tmp_path / "ex").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dge", "--counts", "{tmp}/absent.tsv", "--out", "{tmp}/a/b/dge"], "absent.tsv: file not found"),
        (["promoters", "--de-table", "{tmp}/absent.tsv", "--genome", "{tmp}/g.fa", "--annotation", "grch37",
          "--out", "{tmp}/a/promoters"], "absent.tsv: file not found"),
        (["build-dataset", "--data-dir", "{tmp}/a/tfds", "--de-table", "{tmp}/de.tsv"],
         "give both the DE table and the promoter table"),
        (["train", "--data-dir", "{tmp}/a/tfds", "--out", "{tmp}/a/run"], "is not built under"),
        (["evaluate", "--data-dir", "{tmp}", "--model", "{tmp}/none.keras", "--out", "{tmp}/a/ev"],
         "is not built under"),
        (["export", "--model", "{tmp}/none.keras", "--out", "{tmp}/a/models"], "none.keras: checkpoint file not found"),
        (["explain", "--model", "{tmp}/none.keras", "--out", "{tmp}/a/ex", "--promoters", "{tmp}/p.tsv"],
         "none.keras: checkpoint file not found"),
    ],
    ids=["dge-missing-counts", "promoters-missing-table", "build-dataset-one-table", "train-no-dataset",
         "evaluate-no-dataset", "export-missing-model", "explain-missing-model"],
)
def test_case7_refused_command_leaves_no_empty_output_folder(argv: list[str], message: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    status, line = run_verb([arg.format(tmp=tmp_path) for arg in argv], capsys)
    assert status == 2 and message in line
    assert files_under(tmp_path) == []
