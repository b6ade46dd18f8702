"""Fault case of issue 17, item 8: with ``deterministic`` the same seed gives the same weights and metrics on CPU."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keras
import numpy as np
import pytest
from faults.fault_data import TINY_CNN
from tensorflow.python.framework import config as tf_config
from training_data import planted_splits

from sca_tf.training import TrainConfig, train_classifier


@pytest.fixture
def op_determinism_restored() -> Iterator[None]:
    """Op determinism is process-wide: switch it off again so later tests run at their usual speed."""
    yield
    tf_config.disable_op_determinism()


def test_case8_same_seed_same_weights_and_metrics(tmp_path: Path, op_determinism_restored: None) -> None:
    config = TrainConfig(model="cnn", hparams=TINY_CNN, epochs=1, steps_per_epoch=4, batch_size=32, seed=11,
                         deterministic=True, rc_augment=True, verbose=0)
    splits = planted_splits(length=48, sizes=(128, 48, 48))
    runs = [train_classifier(splits, config, tmp_path / f"run{index}") for index in (1, 2)]
    assert tf_config.is_op_determinism_enabled()
    weights = [keras.models.load_model(run.model_path).get_weights() for run in runs]
    assert all(np.array_equal(a, b) for a, b in zip(*weights))
    metrics = [json.loads((run.run_dir / "metrics.json").read_text())["best_epoch_metrics"] for run in runs]
    assert metrics[0] == metrics[1]
    assert json.loads((runs[0].run_dir / "config.json").read_text())["train_config"]["deterministic"] is True
