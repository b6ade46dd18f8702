"""model.fit trainer: run directory contents, learning, checkpoints, resume after a crash, bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import pytest
from training_data import planted_splits

from sca_tf.errors import ScaInputError
from sca_tf.training import TrainConfig, train_classifier
from sca_tf.training.nan_guard import NonFiniteLossError

TINY_CNN = {"filters": (16,), "kernel_sizes": (8,), "pool_size": 4, "dense_units": (8,), "pooling": "global_max"}


def _config(**overrides) -> TrainConfig:
    # float32: the learning bar below is the float32 trajectory of seed 3 on a 6-epoch toy task, which moves with
    # the policy as with the seed (tests/training/test_precision.py trains under bfloat16).
    values = {"model": "cnn", "hparams": TINY_CNN, "epochs": 4, "batch_size": 32, "learning_rate": 1e-2,
              "seed": 3, "rc_augment": False, "verbose": 0, "precision": "float32"}
    return TrainConfig(**{**values, **overrides})


def _history(run_dir: Path) -> list[dict[str, str]]:
    with open(run_dir / "history.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_training_writes_the_run_directory_and_learns(tmp_path: Path) -> None:
    result = train_classifier(planted_splits(), _config(epochs=6), tmp_path / "run")
    run = result.run_dir
    config = json.loads((run / "config.json").read_text())
    assert config["seed"] == 3 and config["train_config"]["model"] == "cnn"
    assert config["split_label_counts"]["validation"]["de"] > 0
    assert "tensorflow" in json.dumps(config["library_versions"])
    assert (run / "checkpoints" / "best.keras").exists() and result.model_path.exists()
    assert any((run / "logs").rglob("events.out.tfevents.*"))
    assert any((run / "logs" / "validation_curves").glob("events.out.tfevents.*"))
    assert len(_history(run)) == result.epochs_run
    assert result.best_val_auprc > 0.8  # prevalence 0.25: a planted 8-mer is easy
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["best_val_auprc"] == pytest.approx(result.best_val_auprc)
    reloaded = keras.models.load_model(result.model_path)
    assert list(reloaded.get_config()["filters"]) == [16]


class _CrashAt(keras.callbacks.Callback):
    def __init__(self, epoch: int, batch: int) -> None:
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, -1

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self.current = epoch

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self.current == self.epoch and batch == self.batch:
            raise KeyboardInterrupt("simulated kill mid-epoch")


def test_a_killed_run_resumes_from_its_last_finished_epoch(tmp_path: Path) -> None:
    run = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        train_classifier(planted_splits(), _config(patience=10), run, extra_callbacks=[_CrashAt(epoch=2, batch=1)])
    assert not run.exists()  # an interrupted stage never looks finished: its state waits in run.partial
    assert [row["epoch"] for row in _history(tmp_path / "run.partial")] == ["0", "1"]
    result = train_classifier(planted_splits(), _config(patience=10), run)
    assert [row["epoch"] for row in _history(run)] == ["0", "1", "2", "3"]
    assert result.epochs_run == 4


def test_nan_loss_stops_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(NonFiniteLossError, match="loss became nan at epoch 1"):
        train_classifier(planted_splits(), _config(learning_rate=1e30, epochs=2), tmp_path / "run")


def test_unknown_model_and_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match="unknown model 'vgg'"):
        train_classifier(planted_splits(), _config(model="vgg"), tmp_path / "a")
    with pytest.raises(ScaInputError, match="unknown training option.*epoch_count"):
        TrainConfig.from_mapping({"epoch_count": 3})
    with pytest.raises(ScaInputError, match="epochs must be >= 1"):
        TrainConfig(epochs=0)


def test_two_cpu_replicas_train_under_mirrored_strategy(tmp_path: Path) -> None:
    # Logical devices must be configured before TensorFlow starts, so this runs in a fresh process.
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parents[1])!r})
        from sca_tf.training import TrainConfig, make_strategy, train_classifier
        strategy = make_strategy(cpu_replicas=2)  # before any TensorFlow op runs
        from training_data import planted_splits
        config = TrainConfig(model="cnn", hparams={TINY_CNN!r}, epochs=2, batch_size=32, seed=1, verbose=0)
        train_classifier(planted_splits(), config, {str(tmp_path / "run")!r}, strategy=strategy)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, timeout=300)
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["replicas"] == 2
    assert len(_history(tmp_path / "run")) == 2


def test_custom_loop_trainer_writes_the_chiefs_model(tmp_path: Path) -> None:
    import tensorflow as tf

    from sca_tf.training import train_classifier_multi_worker

    # One worker without TF_CONFIG is its own chief; the two-worker run of the loop is in test_distributed.py.
    saved = train_classifier_multi_worker(planted_splits(), _config(epochs=1, steps_per_epoch=3), tmp_path / "mw",
                                          tf.distribute.get_strategy())
    assert saved.model_path == tmp_path / "mw" / "model.keras" and saved.model_path.is_file()
    config = json.loads((tmp_path / "mw" / "config.json").read_text())
    assert config["loop"] == "sca_tf.training.multi_worker" and config["seed"] == 3
    assert list(keras.models.load_model(saved.model_path).get_config()["filters"]) == [16]


def test_custom_loop_trains_with_the_models_recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The multi-worker path takes the same recipe as model.fit: the paper's transformer keeps its clipping, cosine
    decay and weighted loss, and --balance class_weight reaches the loop."""
    import tensorflow as tf

    import sca_tf.training.multi_worker as multi_worker
    from sca_tf.training import train_classifier_multi_worker

    seen: dict = {}
    real_loop = multi_worker.train_multi_worker

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real_loop(*args, **kwargs)

    monkeypatch.setattr(multi_worker, "train_multi_worker", spy)
    transformer = {"stride": 8, "d_model": 8, "num_layers": 1, "num_heads": 2, "ff_dim": 8, "dense_units": (6,)}
    config = _config(model="transformer", preset="paper", hparams=transformer, epochs=1, steps_per_epoch=2,
                     learning_rate=None)
    train_classifier_multi_worker(planted_splits(), config, tmp_path / "mw", tf.distribute.get_strategy())
    optimizer = seen["optimizer_fn"]()
    assert optimizer.clipnorm == 1.0
    assert isinstance(optimizer._learning_rate, keras.optimizers.schedules.CosineDecay)
    assert optimizer._learning_rate.decay_steps == 2
    epoch = json.loads((tmp_path / "mw" / "config.json").read_text())["training_epoch"]
    assert seen["loss_fn"].positive_weight == pytest.approx(epoch["negatives"] / epoch["positives"])
    assert seen["class_weight"] is None

    seen.clear()
    train_classifier_multi_worker(planted_splits(), _config(epochs=1, steps_per_epoch=2, balance="class_weight"),
                                  tmp_path / "mw-weighted", tf.distribute.get_strategy())
    assert seen["class_weight"] is not None and seen["class_weight"][1] > seen["class_weight"][0]
    assert not hasattr(seen["loss_fn"], "positive_weight")  # class weights, not a weighted loss on top
