"""Class-balance ablation (``sca-tf ablate``): every model under every balancing arm, on one fixed split.

Each arm trains the same model on the same training split with a different answer to the rarity of DE genes:
none, class weights, downsampling, oversampling, and synthetic positives at several ratios (only from a FASTA
that passed ``sca-tf assess-synthetic``; otherwise those rows say why they were not run). Arms are compared on
the validation split at natural prevalence (AUROC, AUPRC, bootstrap 95 % CIs); once every arm is trained the
test split is scored once, for all arms together, with each arm's validation max-F1 threshold::

    OUT/<model>/<arm>/     model.fit run directory of that arm (see sca_tf.training.classifier)
    OUT/ablation.md        the table (validation columns first, then the one test pass)
    OUT/ablation.json      the same rows, the configuration, split sizes and library versions
    OUT/ablation.tsv       the rows as a flat table
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sca_tf import io
from sca_tf.config_files import dataclass_from_file
from sca_tf.errors import ScaInputError, reject_unknown_keys
from sca_tf.provenance import library_versions
from sca_tf.schema import TEST, VALIDATION

#: Balancing arms in table order; ``synthetic`` expands into one arm per ratio.
ABLATION_ARMS = ("none", "class_weight", "downsample", "oversample", "synthetic")
#: Training options the ablation sets itself, per arm or for the whole study.
_ARM_OWNED = ("model", "seed", "balance", "synthetic_fasta", "synthetic_quality", "synthetic_ratio", "hparams")


@dataclass(frozen=True)
class Arm:
    """One balancing arm: the pipeline's ``balance`` strategy and, for ``synthetic``, the ratio."""

    balance: str
    synthetic_ratio: float | None = None

    @property
    def name(self) -> str:
        """Row label and directory name, e.g. ``oversample`` or ``synthetic_x0.5``."""
        return self.balance if self.synthetic_ratio is None else f"synthetic_x{self.synthetic_ratio:g}"


@dataclass(frozen=True)
class AblationConfig:
    """What the ablation trains; a TOML or YAML file gives the same keys (``[train]``, ``[hparams.<model>]``).

    ``train`` holds :class:`~sca_tf.training.TrainConfig` options shared by every arm (epochs, batch size,
    learning rate, RC augmentation, ...); ``model_train`` maps a model name to options laid over ``train`` for
    that model only (a transformer may need fewer epochs on a CPU); ``hparams`` maps a model name to its
    hyperparameters. Every arm of a model trains with the same settings; only the balancing differs.
    """

    models: tuple[str, ...] = ("cnn", "transformer")
    arms: tuple[str, ...] = ABLATION_ARMS
    synthetic_ratios: tuple[float, ...] = (0.25, 0.5, 1.0)
    synthetic_fasta: str | None = None
    synthetic_quality: str | None = None
    train: Mapping[str, Any] = field(default_factory=dict)
    model_train: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    hparams: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    seed: int = 0
    n_resamples: int = 1000

    def __post_init__(self) -> None:
        from sca_tf.models import model_class
        from sca_tf.training import TrainConfig

        if not self.models:
            raise ScaInputError("ablation: expected at least one model")
        for name in (*self.models, *self.hparams, *self.model_train):
            model_class(name)
        reject_unknown_keys(self.arms, ABLATION_ARMS, "ablation: unknown arm(s)")
        if not self.arms:
            raise ScaInputError(f"ablation: expected at least one arm of {', '.join(ABLATION_ARMS)}")
        if "synthetic" in self.arms and (not self.synthetic_ratios or min(self.synthetic_ratios) <= 0):
            raise ScaInputError(f"ablation: synthetic_ratios must be numbers > 0, got {self.synthetic_ratios}")
        for where, settings in (("[train]", self.train),
                                *((f"[model_train.{name}]", value) for name, value in self.model_train.items())):
            owned = sorted(set(settings) & set(_ARM_OWNED))
            if owned:
                raise ScaInputError(f"ablation {where} must not set {', '.join(owned)}: the ablation sets them per arm")
            TrainConfig.from_mapping({**self.train, **settings})
        if (self.synthetic_fasta is None) != (self.synthetic_quality is None):
            raise ScaInputError("ablation: synthetic_fasta and synthetic_quality (its quality.json) go together")

    def expanded_arms(self) -> list[Arm]:
        """The arms in table order, ``synthetic`` once per ratio."""
        arms: list[Arm] = []
        for balance in ABLATION_ARMS:
            if balance not in self.arms:
                continue
            if balance == "synthetic":
                arms.extend(Arm("synthetic", float(ratio)) for ratio in self.synthetic_ratios)
            else:
                arms.append(Arm(balance))
        return arms

    def train_config(self, model: str, arm: Arm) -> Any:
        """The :class:`~sca_tf.training.TrainConfig` of one row."""
        from sca_tf.training import TrainConfig

        synthetic = {}
        if arm.balance == "synthetic":
            synthetic = {"synthetic_fasta": self.synthetic_fasta, "synthetic_quality": self.synthetic_quality,
                         "synthetic_ratio": arm.synthetic_ratio}
        return TrainConfig(**{**self.train, **self.model_train.get(model, {})}, model=model, seed=self.seed,
                           balance=arm.balance,
                           hparams=dict(self.hparams.get(model, {})), **synthetic)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **overrides: Any) -> AblationConfig:
        """Read a TOML/YAML file; non-``None`` ``overrides`` win (lists become tuples)."""
        return dataclass_from_file(cls, path, overrides, tuple_fields=("models", "arms", "synthetic_ratios"))


@dataclass(frozen=True)
class AblationResult:
    """The table rows and where they were written."""

    rows: list[dict[str, Any]]
    markdown: Path
    json: Path
    tsv: Path


def synthetic_gate(config: AblationConfig, sequence_length: int) -> str | None:
    """Why the synthetic arms cannot run (no set given, or the set failed / was not assessed), else ``None``."""
    from sca_tf.synthetic.augment import approved_synthetic

    if "synthetic" not in config.arms:
        return None
    if config.synthetic_fasta is None:
        return "no synthetic set given (synthetic_fasta + synthetic_quality)"
    try:
        approved_synthetic(config.synthetic_fasta, config.synthetic_quality, expected_length=sequence_length)
    except ScaInputError as exc:
        return str(exc)
    return None


def run_ablation(builder: Any, config: AblationConfig, out: str | os.PathLike[str]) -> AblationResult:
    """Train every model x arm on ``builder``'s training split, compare on validation, score test once at the end.

    Rerunning with the same ``out`` resumes interrupted arms (each arm is an ordinary resumable training run).
    """
    from sca_tf.data.scoring import predict_codes
    from sca_tf.data.splits import read_split
    from sca_tf.evaluate import bootstrap_intervals, evaluate_scores, max_f1_threshold, metrics_at_threshold
    from sca_tf.models import load_classifier
    from sca_tf.training import train_classifier

    root = io.ensure_output_dir(out)
    validation = read_split(builder, VALIDATION)
    skip_synthetic = synthetic_gate(config, validation.codes.shape[1])
    rows: list[dict[str, Any]] = []
    validation_scores: dict[int, np.ndarray] = {}
    for model in config.models:
        for arm in config.expanded_arms():
            row: dict[str, Any] = {"model": model, "arm": arm.name, "balance": arm.balance,
                                   "synthetic_ratio": arm.synthetic_ratio}
            rows.append(row)
            if arm.balance == "synthetic" and skip_synthetic:
                row.update(status="not run", note=skip_synthetic)
                continue
            trained = train_classifier(builder, config.train_config(model, arm), root / model / arm.name)
            scores = predict_codes(load_classifier(trained.model_path, expected_model=model), validation.codes)
            threshold, _ = max_f1_threshold(validation.labels, scores)
            metrics = metrics_at_threshold(validation.labels, scores, threshold)
            intervals = bootstrap_intervals(validation.labels, scores, threshold, config.n_resamples,
                                            seed=config.seed)
            row.update(status="trained", note="", model_path=str(trained.model_path), best_epoch=trained.best_epoch,
                       epochs_run=trained.epochs_run, seconds=trained.seconds, threshold=threshold,
                       **_prefixed(VALIDATION, metrics, intervals))
            validation_scores[len(rows) - 1] = scores
    _mark_chosen(rows)
    test = read_split(builder, TEST)  # touched once, after every arm is trained and scored on validation
    for index, scores in validation_scores.items():
        row = rows[index]
        model = load_classifier(row["model_path"], expected_model=row["model"])
        evaluation = evaluate_scores(f"{row['model']} {row['arm']}", validation.labels, scores, test.labels,
                                     predict_codes(model, test.codes), n_resamples=config.n_resamples,
                                     seed=config.seed)
        row.update(_prefixed(TEST, evaluation.metrics, evaluation.intervals))
    context = {
        "dataset": builder.info.full_name,
        "seed": config.seed,
        "prevalence": {VALIDATION: float(validation.labels.mean()), TEST: float(test.labels.mean())},
        "n": {VALIDATION: int(validation.labels.size), TEST: int(test.labels.size)},
        "synthetic_gate": skip_synthetic or "passed",
        "config": _jsonable(dataclasses.asdict(config)),
        "library_versions": library_versions(),
    }
    return _write(rows, context, root)


def _prefixed(split: str, metrics: Mapping[str, float], intervals: Mapping[str, tuple[float, float]]) -> dict:
    values: dict[str, Any] = {f"{split}_{name}": float(value) for name, value in metrics.items()}
    values.update({f"{split}_{name}_ci": [float(low), float(high)] for name, (low, high) in intervals.items()})
    return values


def _mark_chosen(rows: list[dict[str, Any]]) -> None:
    """Flag, per model, the arm with the best validation AUPRC (the choice the validation split makes)."""
    for model in {row["model"] for row in rows}:
        trained = [row for row in rows if row["model"] == model and row["status"] == "trained"]
        best = max(trained, key=lambda row: row["validation_auprc"], default=None)
        for row in trained:
            row["chosen_on_validation"] = row is best


def _write(rows: list[dict[str, Any]], context: dict[str, Any], root: Path) -> AblationResult:
    payload = {"title": "sca-tf class-balance ablation", "context": context, "rows": rows}
    json_path = io.write_json(root / "ablation.json", _jsonable(payload))
    tsv_path = io.write_tsv(pd.DataFrame([_flat(row) for row in rows]), root / "ablation.tsv")
    markdown_path = io.write_text(root / "ablation.md", markdown_table(rows, context))
    return AblationResult(rows=rows, markdown=markdown_path, json=json_path, tsv=tsv_path)


def markdown_table(rows: Sequence[Mapping[str, Any]], context: Mapping[str, Any]) -> str:
    """The ablation table: validation AUROC/AUPRC with CIs (the comparison), then the single test pass."""
    prevalence, n = context["prevalence"], context["n"]
    lines = [
        "# sca-tf class-balance ablation",
        "",
        f"- dataset: {context['dataset']}; seed {context['seed']}",
        f"- validation: {n['validation']} genes, prevalence {prevalence['validation']:.3f}; "
        f"test: {n['test']} genes, prevalence {prevalence['test']:.3f} (natural prevalence, never resampled)",
        "- balancing touches the training split only; arms are compared on validation; the test split was scored "
        "once, after every arm was trained, with each arm's validation max-F1 threshold",
        f"- synthetic set: {context['synthetic_gate']}",
        "- intervals: 95 % percentile bootstrap; * = best validation AUPRC for that model",
        "",
        "| Model | Balancing | Val AUROC [95% CI] | Val AUPRC [95% CI] | Test AUROC [95% CI] | Test AUPRC [95% CI] "
        "| Test F1 | Best epoch |",
        "|---|---|---|---|---|---|---:|---:|",
    ]
    for row in rows:
        if row["status"] != "trained":
            reason = "the synthetic set above" if row["note"] == context["synthetic_gate"] else row["note"]
            lines.append(f"| {row['model']} | {row['arm']} | not run: {reason} | | | | | |")
            continue
        mark = " *" if row.get("chosen_on_validation") else ""
        cells = [_with_ci(row, f"{split}_{metric}")
                 for split in (VALIDATION, TEST) for metric in ("auroc", "auprc")]
        lines.append(f"| {row['model']} | {row['arm']}{mark} | {' | '.join(cells)} | {row['test_f1']:.3f} "
                     f"| {row['best_epoch']} |")
    return "\n".join(lines) + "\n"


def _with_ci(row: Mapping[str, Any], key: str) -> str:
    low, high = row[f"{key}_ci"]
    return f"{row[key]:.3f} [{low:.3f}, {high:.3f}]"


def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, list):
            flat[f"{key}_low"], flat[f"{key}_high"] = value
        else:
            flat[key] = value
    return flat


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
