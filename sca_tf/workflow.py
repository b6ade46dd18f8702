"""The main job (``sca-tf run``): counts → DE labels → promoters → TFDS dataset → models → XGBoost → report.

With no data options it runs on the embedded simulated default; with ``counts``, ``genome`` and ``annotation``
it runs on real data. Every stage writes into one run directory::

    OUT/simulated/        (default only) synthetic genome, GTF, counts, ground truth
    OUT/dge/              de_table.tsv/.parquet, de_run.json
    OUT/promoters/        promoters.tsv/.fa, dropped.tsv, promoters.json
    OUT/tfds/             the sca_promoters TFDS dataset
    OUT/train/<model>/    model.fit run directory (see sca_tf.training.classifier)
    OUT/train/<model>/xgboost.json   booster on the model's feature-layer embeddings
    OUT/evaluation/       report.md/.json, results.tsv, ROC and PR curves
    OUT/report.json, OUT/report.md   the evaluation report, plus run provenance
    OUT/run.json          the resolved configuration, seed, dtype policy per model and library versions

Each stage folder records ``fingerprint.json`` (:mod:`sca_tf.stages`): a rerun reuses the stages whose inputs and
settings are unchanged and rebuilds the others, and ``OUT`` is locked while a run writes into it.

The test split is scored once, at the end, for every model and baseline together.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow_datasets as tfds
from sca_tf_datasets.sca_promoters.sca_promoters_dataset_builder import SIMULATED_ASSEMBLY

from sca_tf import io, stages
from sca_tf.config_files import check_types, dataclass_from_file
from sca_tf.errors import ScaInputError, reject_unknown_keys
from sca_tf.provenance import library_versions
from sca_tf.run_checks import check_ranges
from sca_tf.schema import SPLITS, TEST, TRAIN, VALIDATION

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class RunConfig:
    """Settings of ``sca-tf run``; a TOML or YAML file gives the same keys (``[train]`` as a table)."""

    out: str = "runs/sca-tf"
    seed: int = 0
    counts: str | None = None
    samples: str | None = None
    de_table: str | None = None
    genome: str | None = None
    annotation: str | None = None
    assembly: str | None = None
    simulate_genes: int = 3000
    simulation: Mapping[str, Any] = field(default_factory=dict)
    alpha: float = 0.1
    lfc_threshold: float = 2.0
    padj_threshold: float = 0.05
    upstream: int = 2000
    downstream: int = 0
    max_n_fraction: float = 0.1
    split: str = "random"
    models: tuple[str, ...] = ("cnn", "cnn_lstm", "transformer")
    train: Mapping[str, Any] = field(default_factory=dict)
    xgboost: bool = True
    tune_xgboost: bool = False
    n_resamples: int = 1000

    def __post_init__(self) -> None:
        check_types(self, "run option")
        check_ranges(self)
        real = [self.counts or self.de_table, self.genome, self.annotation]
        if any(real) and not all(real):
            raise ScaInputError(
                "real data needs --counts (or --de-table), --genome and --annotation together; "
                "give none of them to run on the simulated default"
            )
        for reserved in ("model", "seed"):
            if reserved in self.train:
                raise ScaInputError(f"[train] must not set {reserved!r}: use the top-level 'models' / 'seed'")
        if "target" in self.train:
            raise ScaInputError("[train] must not set 'target': run scores the DE target; `sca-tf cv --target` "
                                "trains the others")
        from sca_tf.models import model_class
        from sca_tf.training import TrainConfig

        for name in self.models:
            model_class(name)
        TrainConfig.from_mapping(self.train)  # unknown keys fail here, before any stage runs
        self.simulation_config()

    def simulation_config(self) -> Any:
        """The :class:`~sca_tf.simulate.SimulationConfig` of the simulated default (lists read as tuples)."""
        from sca_tf.simulate import SimulationConfig

        known = sorted({item.name for item in dataclasses.fields(SimulationConfig)} - {"seed", "n_genes"})
        reject_unknown_keys(self.simulation, known, "unknown [simulation] key(s)")
        settings = {key: tuple(value) if isinstance(value, list) else value for key, value in self.simulation.items()}
        return SimulationConfig(**settings, seed=self.seed, n_genes=self.simulate_genes)

    def train_settings(self, model: str) -> dict[str, Any]:
        """``[train]`` for ``model``, the same for real and simulated data: options left out take the model's
        recipe and architecture (``[train] preset = "paper"`` for the paper's)."""
        return {**self.train, "model": model, "seed": self.seed}

    @property
    def simulated(self) -> bool:
        """True when no real data was given."""
        return self.genome is None

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> RunConfig:
        """Read a TOML (``.toml``) or YAML (``.yaml``/``.yml``) config; non-``None`` ``overrides`` win."""
        return dataclass_from_file(cls, path, overrides, tuple_fields=("models",))


@dataclass(frozen=True)
class RunResult:
    """Where the run wrote its report, and the headline test metrics per model and baseline."""

    out: Path
    report_json: Path
    report_markdown: Path
    test_metrics: dict[str, dict[str, float | None]]
    seconds: float

    def summary(self) -> str:
        return f"report: {self.report_markdown} ({self.seconds:.0f} s)"


def run(config: RunConfig = RunConfig()) -> RunResult:
    """Run every stage of ``config`` and write the report; see the module docstring for the layout.

    Each stage is reused when its fingerprint (inputs, settings, version; :mod:`sca_tf.stages`) matches and
    rebuilt otherwise, so a rerun resumes where the last one stopped and never reports stale results.
    """
    began = time.perf_counter()
    stages.check_target(config.out)
    with stages.locked(config.out):  # a second run into the same folder refuses; stages resume by fingerprint
        return _run(config, io.ensure_output_dir(config.out), began)


def _run(config: RunConfig, out: Path, began: float) -> RunResult:
    from sca_tf.data.build import build_dataset

    de_table, promoters = prepare_tables(config, out)
    built = build_dataset(out / "tfds", de_table=de_table, promoters=promoters.table_path,
                          upstream=config.upstream, downstream=config.downstream, assembly=promoters.assembly,
                          split_scheme=config.split, seed=config.seed)
    builder = tfds.builder(built.name, data_dir=str(built.data_dir))
    model_paths = train_models(builder, config, out / "train")
    precisions = {name: json.loads((path.parent / "config.json").read_text())["precision"]  # as trained
                  for name, path in model_paths.items()}
    evaluations, validation = evaluate_run(builder, model_paths, out, xgboost=config.xgboost,
                                           tune_xgboost=config.tune_xgboost, n_resamples=config.n_resamples,
                                           seed=config.seed,
                                           context={"dataset": built.name, "simulated": config.simulated})
    provenance = {"config": dataclasses.asdict(config), "seed": config.seed, "dataset": built.name,
                  "label_counts": built.label_counts, "precision": precisions, "library_versions": library_versions()}
    io.write_json(out / "run.json", provenance)
    report = json.loads((out / "evaluation" / "report.json").read_text())
    io.write_json(out / "report.json", {**report, "validation": validation, "run": provenance})
    io.write_text(out / "report.md", (out / "evaluation" / "report.md").read_text() + _validation_markdown(validation))
    result = RunResult(out=out, report_json=out / "report.json", report_markdown=out / "report.md",
                       test_metrics={row.name: dict(row.to_dict()["metrics"]) for row in evaluations},
                       seconds=round(time.perf_counter() - began, 1))
    return result


def prepare_tables(config: RunConfig, out: Path) -> tuple[Path, Any]:
    """The DE table (``out/dge``, or the user's) and the promoters (``out/promoters``) of ``config``'s inputs."""
    from sca_tf.prep.dge import DERule, run_dge
    from sca_tf.prep.promoters import run_promoters

    inputs = _inputs(config, out)
    if config.de_table:
        de_table = Path(config.de_table)
    else:
        rule = DERule(lfc_threshold=config.lfc_threshold, padj_threshold=config.padj_threshold)
        dge = run_dge(inputs["counts"], out / "dge", samples_path=config.samples, alpha=config.alpha, rule=rule)
        logger.info(dge.summary())
        de_table = dge.table_path
    promoters = run_promoters(de_table, inputs["genome"], inputs["annotation"], out / "promoters",
                              upstream=config.upstream, downstream=config.downstream, assembly=inputs["assembly"],
                              max_n_fraction=config.max_n_fraction)
    logger.info(promoters.summary())
    return de_table, promoters


def train_models(builder: tfds.core.DatasetBuilder, config: RunConfig, out: Path) -> dict[str, Path]:
    """Train each of ``config.models`` on ``builder``'s splits into ``out/<model>``; the best models' paths."""
    from sca_tf.training import TrainConfig, train_classifier

    model_paths = {}
    for name in config.models:
        train_config = TrainConfig.from_mapping(config.train_settings(name))
        result = train_classifier(builder, train_config, out / name)
        model_paths[name] = result.model_path
        logger.info("%s: %s", name, result.summary())
    return model_paths


def evaluate_run(
    builder: tfds.core.DatasetBuilder,
    model_paths: Mapping[str, Path],
    out: Path,
    *,
    xgboost: bool = True,
    tune_xgboost: bool = False,
    n_resamples: int = 1000,
    seed: int = 0,
    context: Mapping[str, Any] | None = None,
) -> tuple[list[Any], dict[str, dict[str, float]]]:
    """Fit the XGBoost bridge on train/validation embeddings, then score every model and baseline on test once.

    Thresholds come from validation (max F1); the report goes to ``out/evaluation``. Returns the test rows
    and, per model, its validation metrics at that threshold.
    """
    from sca_tf.data.scoring import predict_codes
    from sca_tf.data.splits import read_split
    from sca_tf.evaluate import LabelledSequences, evaluate_models, max_f1_threshold, metrics_at_threshold
    from sca_tf.evaluate.xgb import XGBConfig, booster_probability, fit_booster, save_booster, staged_tuning
    from sca_tf.models import feature_extractor, load_classifier
    from sca_tf.models.checkpoints import check_input_length
    from sca_tf.training.classifier import dataset_identity

    splits = {split: read_split(builder, split) for split in SPLITS}
    scores: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, path in model_paths.items():
        model = load_classifier(path, expected_model=name)
        check_input_length(model, splits[TEST].codes.shape[1], path)
        scores[name] = tuple(predict_codes(model, splits[s].codes) for s in (VALIDATION, TEST))
        if not xgboost:
            continue
        extractor = feature_extractor(model)
        embeddings = {split: predict_codes(extractor, arrays.codes) for split, arrays in splits.items()}
        bridge = (embeddings[TRAIN], splits[TRAIN].labels, embeddings[VALIDATION], splits[VALIDATION].labels)
        xgb_config = XGBConfig(seed=seed)
        if tune_xgboost:
            xgb_config, history = staged_tuning(*bridge, base=xgb_config)
            io.write_json(path.parent / "xgboost_tuning.json", history)
        booster = fit_booster(*bridge, xgb_config)
        save_booster(booster, path.parent / "xgboost.json")
        scores[f"{name}+xgboost"] = tuple(booster_probability(booster, embeddings[s]) for s in (VALIDATION, TEST))
    labelled = [LabelledSequences.from_codes(splits[s].codes, splits[s].labels, splits[s].base_mean, split=s)
                for s in SPLITS]
    models = {f"model {name}": path for name, path in model_paths.items()}
    settings = {"xgboost": xgboost, "tune_xgboost": tune_xgboost, "n_resamples": n_resamples, "seed": seed,
                **dataset_identity(builder)}
    rows: list[Any] = []

    def score(folder: Path) -> None:
        rows.extend(evaluate_models(scores, *labelled, folder, n_resamples=n_resamples, seed=seed, context=context)[0])

    stages.run_stage(out / "evaluation", "evaluation", models, settings, score, lambda folder: folder, reuse=False)
    labels = splits[VALIDATION].labels
    validation = {
        name: metrics_at_threshold(labels, val_scores, max_f1_threshold(labels, val_scores)[0])
        for name, (val_scores, _) in scores.items()
    }
    return rows, validation


def _validation_markdown(validation: Mapping[str, Mapping[str, float]]) -> str:
    """The models' validation-split metrics (at their max-F1 thresholds) as a Markdown section."""
    columns = ("accuracy", "precision", "recall", "f1", "auroc", "auprc")
    lines = ["", "## Validation split (models; threshold = max F1 on validation)", "",
             "| Model | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name, metrics in validation.items():
        lines.append(f"| {name} | " + " | ".join(f"{metrics[c]:.3f}" for c in columns) + " |")
    return "\n".join(lines) + "\n"


def _inputs(config: RunConfig, out: Path) -> dict[str, Any]:
    """Counts, genome, annotation and assembly: the user's, or a freshly simulated default."""
    if not config.simulated:
        return {"counts": config.counts, "genome": config.genome, "annotation": config.annotation,
                "assembly": config.assembly}
    from sca_tf.simulate import simulate

    simulation = simulate(out / "simulated", config.simulation_config())
    return {"counts": simulation.counts_tsv, "genome": simulation.genome_fasta,
            "annotation": simulation.annotation_gtf, "assembly": SIMULATED_ASSEMBLY}
