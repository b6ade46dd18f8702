"""``sca-tf train`` and ``tune``: options from the library, a missing dataset as exit 2, a NaN loss as exit 3."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from cli.cli_parser import option, verb_parsers

from sca_tf.cli import main
from sca_tf.cli import train as train_verbs
from sca_tf.data import BALANCE_STRATEGIES
from sca_tf.models import MODEL_NAMES
from sca_tf.schema import TARGETS
from sca_tf.training import TrainConfig
from sca_tf.training.multi_worker import STRATEGY_KINDS
from sca_tf.training.nan_guard import NonFiniteLossError
from sca_tf.training.tuning import SEARCH_SPACES, TUNERS

NAN_MESSAGE = "training loss became nan at epoch 1, batch 3: check the inputs for NaN or infinite values"


def test_training_on_a_dataset_that_was_never_built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["train", "--data-dir", str(tmp_path / "tfds"), "--out", str(tmp_path / "run"), "--strategy",
                   "default"])
    assert status == 2
    error = capsys.readouterr().err
    assert "is not built under" in error and "sca-tf build-dataset" in error
    assert not (tmp_path / "run").exists()


def test_a_nan_loss_during_training_exits_3_on_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    def diverge(*args: object, **kwargs: object) -> None:
        raise NonFiniteLossError(NAN_MESSAGE)

    monkeypatch.setattr(train_verbs, "load_builder", lambda data_dir, dataset: "builder")
    monkeypatch.setattr(train_verbs, "train", diverge)
    status = main(["train", "--data-dir", str(tmp_path), "--out", str(tmp_path / "run"), "--strategy", "default"])
    assert status == 3
    assert capsys.readouterr().err == f"sca-tf: error: {NAN_MESSAGE}\n"


def test_train_options_are_the_library_choices_and_defaults() -> None:
    assert option("train", "model").choices is MODEL_NAMES
    assert option("train", "balance").choices is BALANCE_STRATEGIES
    assert option("train", "strategy").choices is STRATEGY_KINDS
    assert option("train", "target").choices is TARGETS
    defaults = {field.name: field.default for field in dataclasses.fields(TrainConfig)}
    options = [action for action in verb_parsers()["train"]._actions if action.dest in defaults]
    for action in options:
        assert action.default == defaults[action.dest], action.dest
    assert {"model", "epochs", "batch_size", "learning_rate", "seed", "balance", "patience", "target"} <= {
        action.dest for action in options}


def test_tune_offers_the_models_with_a_search_space_and_the_tuners() -> None:
    assert option("tune", "model").choices == tuple(SEARCH_SPACES)
    assert option("tune", "tuner").choices is TUNERS


def test_an_unknown_model_is_refused_by_the_parser_listing_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--data-dir", "d", "--out", "o", "--model", "resnet"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "--model: invalid choice: 'resnet'" in error and all(name in error for name in MODEL_NAMES)
