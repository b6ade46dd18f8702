"""``model.fit`` for the promoter classifiers, under a ``tf.distribute`` strategy, writing one run directory.

Run directory layout::

    run_dir/config.json          training config, seed, library versions, split label counts, replicas
    run_dir/history.csv          per-epoch losses and metrics (appended across a resumed run)
    run_dir/logs/                TensorBoard: scalars per epoch, validation ROC/PR/confusion images
    run_dir/backup/              BackupAndRestore state: a killed run resumes from its last finished epoch
    run_dir/checkpoints/best.keras   best validation AUPRC so far
    run_dir/model.keras          the best model, after training
    run_dir/metrics.json         best epoch and its validation metrics
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import logging
import math
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from sca_tf import io, stages
from sca_tf.config_files import check_types
from sca_tf.data import Datasets, PipelineConfig, make_datasets
from sca_tf.errors import ScaInputError, reject_unknown_keys
from sca_tf.models import build_model, load_classifier
from sca_tf.models.presets import preset_hparams
from sca_tf.precision import check_precision, precision_policy, resolve_precision
from sca_tf.provenance import library_versions, sha256_of
from sca_tf.schema import DE_TARGET
from sca_tf.training.callbacks import ValidationCurves
from sca_tf.training.determinism import set_seeds
from sca_tf.training.nan_guard import NaNLossGuard
from sca_tf.training.recipe import CHECKPOINT_MONITOR, TrainingRecipe, compile_classifier, describe, recipe_for
from sca_tf.training.strategy import make_strategy

log = logging.getLogger(__name__)

BEST_CHECKPOINT = Path("checkpoints") / "best.keras"
#: What a run directory holds (``xgboost*.json`` and ``evaluation/`` are added there by ``sca-tf run``).
RUN_DIR_ENTRIES = ("config.json", "history.csv", "logs", "backup", "checkpoints", "model.keras", "metrics.json",
                   "xgboost.json", "xgboost_tuning.json", "evaluation")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; saved to ``config.json``.

    ``preset`` (``default`` or ``paper``) picks the model's recipe (:func:`~sca_tf.training.recipe.recipe_for`) and
    architecture (:mod:`sca_tf.models.presets`); ``hparams`` and every option left ``None`` (epochs, batch size,
    learning rate, reverse-complement augmentation, patience) come from them, ``learning_rate`` when compiling,
    the rest on construction. ``steps_per_epoch`` caps an epoch (tiny budgets, smoke runs); ``None`` makes one
    epoch one pass over the balanced training split.
    ``deterministic`` turns on TensorFlow's op determinism (:mod:`sca_tf.training.determinism`).
    """

    model: str = "cnn"
    preset: str = "default"
    hparams: Mapping[str, Any] = field(default_factory=dict)
    epochs: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    seed: int = 0
    balance: str = "none"
    target_ratio: float = 1.0
    synthetic_fasta: str | None = None
    synthetic_quality: str | None = None
    synthetic_ratio: float = 1.0
    rc_augment: bool | None = None
    patience: int | None = None
    steps_per_epoch: int | None = None
    cpu_replicas: int | None = None
    precision: str = "auto"
    deterministic: bool = False
    verbose: int | str = "auto"
    target: str = DE_TARGET

    def __post_init__(self) -> None:
        check_types(self, "training option")
        recipe = recipe_for(self.model, preset=self.preset)
        for name in ("epochs", "batch_size", "rc_augment", "patience"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, getattr(recipe, name))
        object.__setattr__(self, "hparams", {**preset_hparams(self.model, self.preset), **self.hparams})
        for name in ("epochs", "batch_size", "patience"):
            if getattr(self, name) < 1:
                raise ScaInputError(f"TrainConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.steps_per_epoch is not None and self.steps_per_epoch < 1:
            raise ScaInputError(f"TrainConfig.steps_per_epoch must be >= 1, got {self.steps_per_epoch}")
        for name in ("learning_rate", "target_ratio", "synthetic_ratio"):
            if getattr(self, name) is not None and not getattr(self, name) > 0:
                raise ScaInputError(f"TrainConfig.{name} must be > 0, got {getattr(self, name)}")
        check_precision(self.precision)

    def pipeline_config(self) -> PipelineConfig:
        """The tf.data settings of this run."""
        return PipelineConfig(
            batch_size=self.batch_size,
            seed=self.seed,
            rc_augment=self.rc_augment,
            balance=self.balance,
            target_ratio=self.target_ratio,
            synthetic_fasta=self.synthetic_fasta,
            synthetic_quality=self.synthetic_quality,
            synthetic_ratio=self.synthetic_ratio,
            target=self.target,
        )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> TrainConfig:
        """Build from a config-file section, refusing unknown keys by name."""
        known = sorted(item.name for item in dataclasses.fields(cls))
        reject_unknown_keys(values, known, "unknown training option(s)")
        return cls(**values)


@dataclass(frozen=True)
class TrainResult:
    """Where a training run wrote its model and what it reached."""

    run_dir: Path
    model_path: Path
    best_epoch: int
    best_val_auprc: float
    epochs_run: int
    seconds: float

    def summary(self) -> str:
        return (f"best validation AUPRC {self.best_val_auprc:.4f} at epoch {self.best_epoch}; "
                f"model: {self.model_path}")


@dataclass(frozen=True)
class MultiWorkerResult:
    """What the chief of a multi-worker run wrote (the custom loop keeps no validation history)."""

    model_path: Path
    steps: int
    final_loss: float
    replicas: int
    seconds: float

    def summary(self) -> str:
        return (f"multi-worker training finished ({self.steps} steps on {self.replicas} replicas, final loss "
                f"{self.final_loss:.4f}); model: {self.model_path}")


def train_classifier(
    source: Any,
    config: TrainConfig,
    run_dir: str | os.PathLike[str],
    *,
    strategy: tf.distribute.Strategy | None = None,
    extra_callbacks: Sequence[keras.callbacks.Callback] = (),
) -> TrainResult:
    """Train ``config.model`` on a prepared ``sca_promoters`` builder (or a train/validation/test mapping).

    ``run_dir`` is a stage (:mod:`sca_tf.stages`): trained in ``<run_dir>.partial`` and renamed into place, reused
    when the config and the dataset are unchanged, retrained from scratch when they differ. The model is built and compiled inside ``strategy.scope()`` (default: :func:`make_strategy` with
    ``config.cpu_replicas``); checkpoints keep the best validation AUPRC; running again with the same
    ``run_dir`` and config resumes an interrupted run from its last finished epoch. The model is built under the dtype
    policy that ``config.precision`` resolves to (recorded in ``config.json``).
    """
    began = time.perf_counter()
    target = Path(run_dir)
    recorded = {key: value for key, value in dataclasses.asdict(config).items() if key != "verbose"}
    settings = {"train_config": recorded, **dataset_identity(source)}

    def build(out: Path) -> None:
        _fit(source, config, out, target, strategy, extra_callbacks, began)

    def load(out: Path) -> TrainResult:
        metrics = json.loads((out / "metrics.json").read_text())
        return TrainResult(run_dir=out, model_path=out / "model.keras", best_epoch=metrics["best_epoch"],
                           best_val_auprc=metrics["best_val_auprc"], epochs_run=metrics["epochs_run"],
                           seconds=round(time.perf_counter() - began, 2))

    return stages.run_stage(target, "train", {}, settings, build, load, owned=RUN_DIR_ENTRIES)


def _fit(source: Any, config: TrainConfig, out: Path, target: Path, strategy: tf.distribute.Strategy | None,
         extra_callbacks: Sequence[keras.callbacks.Callback], began: float) -> None:
    """The training stage's work in ``out`` (the partial directory of ``target``)."""
    set_seeds(config.seed, deterministic=config.deterministic)
    strategy = strategy or make_strategy(config.cpu_replicas)
    with strategy.scope():
        data = make_datasets(source, config.pipeline_config())
        steps = config.steps_per_epoch or data.steps_per_epoch
        recipe, positive_weight = resolve_recipe(config, data)
        with precision_policy(resolve_precision(config.precision)) as policy:
            model = build_model(config.model, data.sequence_length, **{**config.hparams, "target": config.target})
            compile_classifier(model, recipe, total_steps=config.epochs * steps, positive_weight=positive_weight,
                               target=config.target)
    io.write_json(out / "config.json",
                  _provenance(config, data, steps, strategy, describe(recipe, positive_weight), policy))
    model.fit(
        data.train,
        steps_per_epoch=steps,
        epochs=config.epochs,
        validation_data=data.validation,
        class_weight=data.class_weight,
        callbacks=[*training_callbacks(out, data.validation, config.patience, curves=config.target == DE_TARGET),
                   *extra_callbacks],
        shuffle=False,  # the pipeline shuffles, seeded
        verbose=config.verbose,
    )
    best_path = out / BEST_CHECKPOINT
    if not best_path.exists():
        raise ScaInputError(f"training in {target} finished without a finite validation AUPRC to checkpoint")
    with strategy.scope():
        best = load_classifier(best_path, expected_model=config.model)
    with io.atomic_path(out / "model.keras", suffix=".keras") as tmp:
        best.save(tmp)
    history = _read_history(out / "history.csv")
    best_row = max(history, key=lambda row: row[CHECKPOINT_MONITOR])
    result = TrainResult(
        run_dir=target,
        model_path=target / "model.keras",
        best_epoch=int(best_row["epoch"]) + 1,
        best_val_auprc=best_row[CHECKPOINT_MONITOR],
        epochs_run=len(history),
        seconds=round(time.perf_counter() - began, 2),
    )
    io.write_json(out / "metrics.json", {**dataclasses.asdict(result), "best_epoch_metrics": best_row})


def dataset_identity(source: Any) -> dict[str, Any]:
    """What a training stage's fingerprint records of its data: a prepared dataset's name and the SHA-256 of its
    ``dataset_info.json`` and fingerprint; for a mapping of finite ``tf.data`` splits, the SHA-256 of their
    elements (an infinite one is never the same twice, so never reused)."""
    data_path = getattr(source, "data_path", None)
    if data_path is not None:
        folder = Path(str(data_path))
        files = [folder / "dataset_info.json", folder / stages.FINGERPRINT]
        return {"dataset": source.info.full_name,
                "dataset_files": {path.name: sha256_of(path) for path in files if path.is_file()}}
    digest = hashlib.sha256()
    for split in sorted(source):
        if source[split].cardinality() == tf.data.INFINITE_CARDINALITY:
            return {"dataset": f"in-memory {uuid.uuid4().hex}"}
        digest.update(split.encode())
        for element in source[split].as_numpy_iterator():
            for key in sorted(element):
                digest.update(key.encode() + np.ascontiguousarray(element[key]).tobytes())
    return {"dataset": f"in-memory sha256 {digest.hexdigest()}"}


def training_callbacks(out: Path, validation: tf.data.Dataset, patience: int,
                       curves: bool = True) -> list[keras.callbacks.Callback]:
    """NaN guard, resume, best-AUPRC checkpoint, early stopping, TensorBoard (+ validation curves of a binary
    model when ``curves``) and CSV log."""
    (out / BEST_CHECKPOINT).parent.mkdir(parents=True, exist_ok=True)
    return [
        NaNLossGuard(),
        keras.callbacks.BackupAndRestore(str(out / "backup")),
        keras.callbacks.ModelCheckpoint(
            str(out / BEST_CHECKPOINT), monitor=CHECKPOINT_MONITOR, mode="max", save_best_only=True
        ),
        keras.callbacks.EarlyStopping(monitor=CHECKPOINT_MONITOR, mode="max", patience=patience),
        keras.callbacks.TensorBoard(log_dir=str(out / "logs")),
        *([ValidationCurves(validation, out / "logs")] if curves else []),
        keras.callbacks.CSVLogger(str(out / "history.csv"), append=True),
    ]


def resolve_recipe(config: TrainConfig, data: Datasets) -> tuple[TrainingRecipe, float | None]:
    """The model's recipe (with the run's learning rate) and the loss's positive weight for this training epoch."""
    recipe = recipe_for(config.model, config.learning_rate, config.preset)
    if config.target != DE_TARGET:
        return recipe, None
    return recipe, recipe.positive_weight(data.epoch.prevalence, class_weighted_epoch=data.class_weight is not None)


def _provenance(config: TrainConfig, data: Datasets, steps: int, strategy: tf.distribute.Strategy,
                recipe: dict[str, Any], policy: str) -> dict:
    return {
        "train_config": dataclasses.asdict(config),
        "precision": policy,
        "recipe": recipe,
        "seed": config.seed,
        "steps_per_epoch": steps,
        "sequence_length": data.sequence_length,
        "split_label_counts": data.split_counts,
        "training_epoch": dataclasses.asdict(data.epoch),
        "class_weight": data.class_weight,
        "replicas": strategy.num_replicas_in_sync,
        "library_versions": library_versions(),
    }


def _read_history(path: Path) -> list[dict[str, float]]:
    with open(path, newline="") as handle:
        rows = [{key: float(value) for key, value in row.items()} for row in csv.DictReader(handle)]
    finite = [row for row in rows if math.isfinite(row.get(CHECKPOINT_MONITOR, math.nan))]
    if not finite:
        raise ScaInputError(f"{path}: no epoch with a finite {CHECKPOINT_MONITOR}")
    return finite


def train_classifier_multi_worker(
    source: Any, config: TrainConfig, run_dir: str | os.PathLike[str], strategy: tf.distribute.Strategy
) -> MultiWorkerResult | None:
    """Train under ``MultiWorkerMirroredStrategy`` with :func:`sca_tf.training.multi_worker.train_multi_worker`.

    Keras 3 ``model.fit`` fails under that strategy (docs/distributed.md), so this runs the custom loop for
    ``config.epochs * steps_per_epoch`` steps on each worker's shard of the training pipeline. The chief writes
    ``run_dir/model.keras`` and ``config.json`` and returns where; other workers return ``None``. The model's
    recipe (optimizer, schedule, clipping, weighted loss) and the epoch's class weights apply as in ``model.fit``.
    Evaluate the saved model afterwards on one machine (``sca-tf evaluate``).
    """
    from sca_tf.training.multi_worker import is_chief, train_multi_worker

    if config.target != DE_TARGET:
        raise ScaInputError(f"the multi-worker loop trains the 'de' target only, not {config.target!r}")
    replicas = strategy.num_replicas_in_sync
    per_worker = make_datasets(source, config.pipeline_config())  # label counts and epoch size, no training
    steps = config.steps_per_epoch or per_worker.steps_per_epoch

    def dataset_fn(context: tf.distribute.InputContext) -> tf.data.Dataset:
        per_replica = context.get_per_replica_batch_size(config.batch_size)
        pipeline = dataclasses.replace(config.pipeline_config(), batch_size=per_replica)
        return make_datasets(source, pipeline).train.shard(context.num_input_pipelines, context.input_pipeline_id)

    policy = resolve_precision(config.precision)

    def model_fn() -> keras.Model:
        with precision_policy(policy):
            return build_model(config.model, per_worker.sequence_length, **config.hparams)

    began = time.perf_counter()
    set_seeds(config.seed, deterministic=config.deterministic)
    chief = is_chief()
    out = io.ensure_output_dir(run_dir) if chief else None
    recipe, positive_weight = resolve_recipe(config, per_worker)
    total_steps = config.epochs * steps
    result = train_multi_worker(
        model_fn,
        dataset_fn,
        total_steps,
        global_batch_size=config.batch_size,
        strategy=strategy,
        optimizer_fn=lambda: recipe.optimizer(total_steps),
        loss_fn=recipe.loss(positive_weight, reduction=None),
        class_weight=per_worker.class_weight,
        save_path=out / "model.keras" if out else None,
    )
    if out is None:
        return None
    io.write_json(out / "config.json", {
        **_provenance(config, per_worker, steps, strategy, describe(recipe, positive_weight), policy),
        "replicas": replicas, "final_loss": result.losses[-1], "loop": "sca_tf.training.multi_worker",
    })
    return MultiWorkerResult(model_path=out / "model.keras", steps=total_steps, final_loss=result.losses[-1],
                             replicas=replicas, seconds=round(time.perf_counter() - began, 2))


def train(source: Any, config: TrainConfig, run_dir: str | os.PathLike[str], *,
          strategy: tf.distribute.Strategy) -> TrainResult | MultiWorkerResult | None:
    """Train under ``strategy`` the way it needs: ``model.fit`` (:func:`train_classifier`), or the custom loop
    (:func:`train_classifier_multi_worker`) under ``MultiWorkerMirroredStrategy``, where ``model.fit`` fails in
    Keras 3; ``None`` on a worker that is not the chief."""
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return train_classifier_multi_worker(source, config, run_dir, strategy)
    return train_classifier(source, config, run_dir, strategy=strategy)
