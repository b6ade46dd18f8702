"""The cross-validation loop: shared DE and promoter stages, then one ordinary run per fold, resumable.

Layout of ``OUT``::

    OUT/dge/, OUT/promoters/ (, OUT/simulated/)   the stages of sca-tf run, once
    OUT/tfds/                     one sca_promoters config per fold (``..._kfold_fold<k>of<K>``)
    OUT/fold_<k>/train/<model>/   that fold's training runs (model.keras, xgboost.json, ...)
    OUT/fold_<k>/evaluation/      that fold's test report, models beside the baselines
    OUT/fold_<k>/test_predictions.tsv, OUT/fold_<k>/fold.json   its held-out scores; settings and genes
    OUT/oof_predictions.tsv, OUT/cv_report.md/.json, OUT/pooled/   see :mod:`sca_tf.cv.report`

``fold.json`` is written last: a fold that has it, with the same settings, is reused on a rerun.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import tensorflow_datasets as tfds

from sca_tf import io
from sca_tf.config_files import read_json_file
from sca_tf.errors import ScaInputError
from sca_tf.provenance import library_versions, sha256_of
from sca_tf.schema import (
    CHROM_KFOLD,
    DE_TARGET,
    DIRECTION_TARGET,
    KFOLD,
    LOG2FC_TARGET,
    TARGETS,
    TEST,
    TRAIN,
    VALIDATION,
)
from sca_tf.workflow import RunConfig, evaluate_run, prepare_tables, train_models

logger = logging.getLogger(__name__)

#: ``--group``: ``none`` = folds stratified over genes; ``chrom`` = whole chromosomes per fold.
CV_GROUPS = {"none": KFOLD, "chrom": CHROM_KFOLD}
FOLD_FILE = "fold.json"
PREDICTIONS_FILE = "test_predictions.tsv"


@dataclass(frozen=True)
class CVConfig(RunConfig):
    """``sca-tf run``'s settings plus the number of folds, how genes are grouped into them, and the target."""

    out: str = "runs/sca-tf-cv"
    folds: int = 5
    group: str = "none"
    target: str = DE_TARGET

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.folds < 2:
            raise ScaInputError(f"--folds: cross-validation needs at least 2 folds, got {self.folds}")
        if self.group not in CV_GROUPS:
            raise ScaInputError(f"--group {self.group!r}: expected one of {', '.join(CV_GROUPS)}")
        if self.target not in TARGETS:
            raise ScaInputError(f"--target {self.target!r}: expected one of {', '.join(TARGETS)}")
        if self.split != RunConfig.split:
            raise ScaInputError("cv assigns its own splits (fold k of K); set 'group' instead of 'split'")

    def train_settings(self, model: str) -> dict[str, Any]:
        """``sca-tf run``'s training settings of ``model``, with this run's target."""
        return {**super().train_settings(model), "target": self.target}

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> CVConfig:
        """A TOML/YAML file with ``sca-tf run``'s keys plus ``folds`` and ``group``; non-``None`` overrides win."""
        return super().from_file(path, **overrides)  # type: ignore[return-value]


@dataclass(frozen=True)
class FoldOutcome:
    """One fold's held-out predictions (``gene_id``, ``label``, one score column per row) and its record."""

    fold: int
    predictions: pd.DataFrame
    record: dict[str, Any]


@dataclass(frozen=True)
class CVResult:
    """Where the cross-validation wrote its files."""

    out: Path
    oof_predictions: Path
    report_markdown: Path
    report_json: Path
    seconds: float

    def summary(self) -> str:
        return f"report: {self.report_markdown}; out-of-fold scores: {self.oof_predictions} ({self.seconds:.0f} s)"


def cross_validate(config: CVConfig = CVConfig()) -> CVResult:
    """Run the K folds of ``config`` (reusing completed ones), then pool and report; see the module docstring."""
    from sca_tf.cv.direction import write_direction_report
    from sca_tf.cv.log2fc import write_log2fc_report
    from sca_tf.cv.report import write_cv_report

    began = time.perf_counter()
    out = io.ensure_output_dir(config.out)
    de_table, promoters = prepare_tables(config, out)
    settings = {**{key: value for key, value in dataclasses.asdict(config).items() if key != "out"},
                "de_table_sha256": sha256_of(de_table), "promoters_sha256": sha256_of(promoters.table_path)}
    chromosomes = pd.read_csv(promoters.table_path, sep="\t", usecols=["gene_id", "chrom"], dtype=str)
    chrom_of = dict(zip(chromosomes["gene_id"], chromosomes["chrom"], strict=True))
    outcomes = []
    for fold in range(config.folds):
        outcome = _completed_fold(out / f"fold_{fold}", settings, fold)
        if outcome is None:
            outcome = _run_fold(config, out, fold, settings, de_table, promoters, chrom_of)
        outcomes.append(outcome)
        logger.info("fold %d of %d: %d held-out genes", fold + 1, config.folds, len(outcome.predictions))
    write = {DE_TARGET: write_cv_report, DIRECTION_TARGET: write_direction_report,
             LOG2FC_TARGET: write_log2fc_report}[config.target]
    files = write(outcomes, out, n_resamples=config.n_resamples, seed=config.seed,
                  context={"folds": config.folds, "group": config.group, "target": config.target,
                           "models": ", ".join(config.models), "simulated": config.simulated, "seed": config.seed},
                  provenance={"config": settings, "library_versions": library_versions()})
    return CVResult(out=out, oof_predictions=files["oof_predictions"], report_markdown=files["markdown"],
                    report_json=files["json"], seconds=round(time.perf_counter() - began, 1))


def _run_fold(config: CVConfig, out: Path, fold: int, settings: dict[str, Any], de_table: Path, promoters: Any,
              chrom_of: dict[str, str]) -> FoldOutcome:
    """Build fold ``fold``'s dataset, train the models, score models and baselines on its test part once."""
    from sca_tf.data.build import build_dataset
    from sca_tf.data.splits import read_split

    built = build_dataset(out / "tfds", de_table=de_table, promoters=promoters.table_path,
                          upstream=config.upstream, downstream=config.downstream, assembly=promoters.assembly,
                          split_scheme=CV_GROUPS[config.group], seed=config.seed, fold=fold, n_folds=config.folds)
    builder = tfds.builder(built.name, data_dir=str(built.data_dir))
    fold_dir = io.ensure_output_dir(out / f"fold_{fold}")  # only once the fold's split exists
    model_paths = train_models(builder, config, fold_dir / "train")
    test = read_split(builder, TEST)
    if config.target == DE_TARGET:
        rows, _ = evaluate_run(builder, model_paths, fold_dir, xgboost=config.xgboost,
                               tune_xgboost=config.tune_xgboost, n_resamples=config.n_resamples, seed=config.seed,
                               context={"dataset": built.name, "fold": f"{fold + 1} of {config.folds}"})
        predictions = pd.DataFrame({"gene_id": test.gene_ids, "label": test.labels,
                                    **{row.name: row.test_scores for row in rows}})
        scored = {row.name: {"kind": row.kind, "threshold": row.threshold} for row in rows}
    else:
        from sca_tf.cv.direction import score_direction_fold
        from sca_tf.cv.log2fc import score_log2fc_fold

        score = score_direction_fold if config.target == DIRECTION_TARGET else score_log2fc_fold
        predictions, scored = score(builder, model_paths, seed=config.seed)
    genes = {split: sorted(read_split(builder, split).gene_ids.tolist()) for split in (TRAIN, VALIDATION)}
    record = {
        "settings": settings,
        "fold": fold,
        "dataset": built.name,
        "label_counts": built.label_counts,
        "models": {name: str(path.relative_to(fold_dir)) for name, path in model_paths.items()},
        "rows": scored,
        "test_genes": sorted(test.gene_ids.tolist()),
        "trained_on": {"genes": genes, "chromosomes": sorted({chrom_of[g] for g in genes[TRAIN]})},
    }
    io.write_tsv(predictions, fold_dir / PREDICTIONS_FILE)
    io.write_json(fold_dir / FOLD_FILE, record)
    return FoldOutcome(fold, predictions, record)


def _completed_fold(fold_dir: Path, settings: dict[str, Any], fold: int) -> FoldOutcome | None:
    """The fold's outcome if ``fold_dir`` holds a finished run with ``settings``; ``None`` if it was not finished."""
    if not (fold_dir / FOLD_FILE).is_file():
        return None
    record = read_json_file(fold_dir / FOLD_FILE, "missing")
    recorded = record.get("settings", {})
    changed = sorted(key for key in {*settings, *recorded} if _jsonable(settings.get(key)) != recorded.get(key))
    if changed:
        raise ScaInputError(f"{fold_dir}: this fold was run with other settings ({', '.join(changed)} differ); "
                            "use another --out or remove that directory")
    predictions = pd.read_csv(fold_dir / PREDICTIONS_FILE, sep="\t", dtype={"gene_id": str}, float_precision="round_trip")
    logger.info("fold %d: reusing the finished run in %s", fold + 1, fold_dir)
    return FoldOutcome(fold, predictions, record)


def _jsonable(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples become lists)."""
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value
