"""Fault cases of issue 17, item 4 (and 7): config values of the wrong type or range are refused by name, in one
line, before the first stage writes anything (no run directory is left behind)."""

from __future__ import annotations

from pathlib import Path

import pytest
from faults.fault_data import run_verb


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[train]\nepochs = "many"\n', "training option epochs: expected an integer, got 'many'"),
        ("[train]\nepochs = 1.5\n", "training option epochs: expected an integer, got 1.5"),
        ("upstream = -100\n", "run option upstream: expected a number of bases >= 0, got -100"),
        ("upstream = 0\n", "run options upstream + downstream: expected a window of at least 1 base"),
        ('seed = "zero"\n', "run option seed: expected an integer, got 'zero'"),
        ('models = ["cnn", 3]\n', "run option models: expected a list, got ('cnn', 3)"),
        ('models = "cnn"\n', 'models must be a list, e.g. models = ["a", "b"]'),
        ("alpha = 2\n", "run option alpha: expected a number between 0 and 1, got 2"),
        ("xgboost = 1\n", "run option xgboost: expected true or false, got 1"),
        ("[train]\nlearning_rate = -1.0\n", "learning_rate must be > 0, got -1.0"),
        ("[train]\nhparams = 3\n", "training option hparams: expected a table, got 3"),
        ("[train]\ndeterministic = \"yes\"\n", "training option deterministic: expected true or false, got 'yes'"),
    ],
    ids=["epochs-string", "epochs-float", "upstream-negative", "window-empty", "seed-string", "models-mixed",
         "models-string", "alpha-range", "xgboost-int", "learning-rate-negative", "hparams-scalar",
         "deterministic-string"],
)
def test_case4_bad_config_value_is_one_line_before_any_work(toml: str, message: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "run.toml"
    config.write_text(toml)
    status, line = run_verb(["run", "--config", config, "--out", tmp_path / "out" / "run"], capsys)
    assert status == 2
    assert message in line
    assert [path.name for path in tmp_path.iterdir()] == ["run.toml"]  # no run directory, no parents, no lock


def test_case4_promoters_upstream_zero_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, line = run_verb(["promoters", "--de-table", "de.tsv", "--genome", "g.fa", "--annotation", "grch37",
                             "--out", tmp_path / "out", "--upstream", "0"], capsys)
    assert status == 2
    assert "expected upstream >= 0 and downstream >= 0 bases, at least 1 in all; got upstream 0" in line
    assert not (tmp_path / "out").exists()


def test_case4_train_epochs_zero_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, line = run_verb(["train", "--data-dir", tmp_path, "--epochs", "0", "--out", tmp_path / "run"], capsys)
    assert status == 2 and "epochs must be >= 1, got 0" in line
    assert not (tmp_path / "run").exists()


def test_run_out_that_is_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("mine\n")
    status, line = run_verb(["run", "--out", blocker], capsys)
    assert status == 2 and line == f"sca-tf: error: {blocker}: output path exists and is not a directory"
    assert blocker.read_text() == "mine\n"
