"""Pool the folds' held-out predictions: ``oof_predictions.tsv``, per-fold and pooled metrics, ``cv_report.md/.json``.

Pooled out-of-fold metrics score every testable gene once, with the model of the fold that held it out. The
threshold-free AUROC and AUPRC rank the pooled scores; accuracy, precision, recall and F1 count each gene's call
at its own fold's threshold (max F1 on that fold's validation part). Both kinds of interval come from the same
bootstrap resamples of the pooled genes (one seed, so the same draws).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sca_tf import io
from sca_tf.errors import ScaInputError
from sca_tf.evaluate import ModelEvaluation, bootstrap_intervals, confusion_counts, metrics_at_threshold, prevalence
from sca_tf.evaluate.report import format_metric, json_report, write_report

OOF_FILE = "oof_predictions.tsv"
POOLED_DIR = "pooled"
RANKING_METRICS = ("auroc", "auprc")
POOLED_NOTE = "pooled out of fold: each gene scored by the one fold model that did not train on it"
_PER_FOLD_COLUMNS = ("auroc", "auprc", "f1")


def out_of_fold_table(outcomes: Sequence[Any]) -> pd.DataFrame:
    """``gene_id``, ``fold``, ``label`` and one score column per model / baseline, every held-out gene once."""
    frames = [outcome.predictions.assign(fold=outcome.fold) for outcome in outcomes]
    table = pd.concat(frames, ignore_index=True)
    scores = [column for column in outcomes[0].predictions.columns if column not in ("gene_id", "label")]
    table = table[["gene_id", "fold", "label", *scores]]
    duplicated = table["gene_id"][table["gene_id"].duplicated()]
    if not duplicated.empty:
        raise ScaInputError(f"gene {duplicated.iloc[0]} is held out by more than one fold: the fold_<k> directories "
                            "come from different runs; remove them and rerun")
    return table


def pooled_evaluation(name: str, kind: str, labels: np.ndarray, scores: np.ndarray, calls: np.ndarray, *,
                      n_resamples: int, seed: int, details: Mapping[str, Any]) -> ModelEvaluation:
    """One pooled row: ranking metrics of ``scores``, thresholded metrics of the per-fold 0/1 ``calls``."""
    ranking = metrics_at_threshold(labels, scores, 0.5)
    counted = metrics_at_threshold(labels, calls, 0.5)
    ranking_ci = bootstrap_intervals(labels, scores, 0.5, n_resamples, seed=seed)
    counted_ci = bootstrap_intervals(labels, calls, 0.5, n_resamples, seed=seed)
    pick = {name: (ranking if name in RANKING_METRICS else counted) for name in counted}
    pick_ci = {name: (ranking_ci if name in RANKING_METRICS else counted_ci) for name in counted_ci}
    return ModelEvaluation(
        name=name, kind=kind, threshold=float("nan"),
        metrics={metric: source[metric] for metric, source in pick.items()},
        intervals={metric: source[metric] for metric, source in pick_ci.items()},
        confusion=confusion_counts(labels, calls, 0.5), prevalence=prevalence(labels), n_test=int(labels.size),
        validation_f1=float("nan"),
        bootstrap={"n_resamples": n_resamples, "confidence": 0.95, "seed": seed, "method": "percentile"},
        test_labels=labels, test_scores=scores, note=POOLED_NOTE if kind == "model" else "", details=dict(details),
    )


def write_cv_report(outcomes: Sequence[Any], out: Path, *, n_resamples: int, seed: int,
                    context: Mapping[str, Any], provenance: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write ``oof_predictions.tsv``, ``pooled/`` (table, curves) and ``cv_report.md`` / ``.json`` under ``out``.

    ``context`` lines head the Markdown and JSON reports; ``provenance`` goes into the JSON only.
    """
    table = out_of_fold_table(outcomes)
    thresholds = pd.DataFrame([{"fold": o.fold, **{n: r["threshold"] for n, r in o.record["rows"].items()}}
                               for o in outcomes]).set_index("fold")
    recorded = outcomes[0].record["rows"]
    kinds = {name: recorded[name]["kind"] for name in table.columns[3:]}  # the report's row order
    labels = table["label"].to_numpy(np.int64)
    rows = []
    for name, kind in kinds.items():
        scores = table[name].to_numpy(np.float64)
        calls = (scores >= thresholds[name].reindex(table["fold"]).to_numpy()).astype(np.float64)
        rows.append(pooled_evaluation(name, kind, labels, scores, calls, n_resamples=n_resamples, seed=seed,
                                      details={"fold_thresholds": thresholds[name].tolist()}))
    fold_summary = _fold_summary(table)
    per_fold = _per_fold_metrics(outcomes, out)
    pooled_context = {**context, "pooled": f"{len(table)} genes, each held out once over {len(outcomes)} folds"}
    files = write_report(rows, out / POOLED_DIR, title="sca-tf cv: pooled out-of-fold", context=pooled_context)
    markdown = files.markdown.read_text().replace("](roc_curve.png)", f"]({POOLED_DIR}/roc_curve.png)")
    markdown = markdown.replace("](pr_curve.png)", f"]({POOLED_DIR}/pr_curve.png)")
    markdown += _folds_markdown(fold_summary, per_fold)
    report = {**json_report(rows, title="sca-tf cv: pooled out-of-fold", context=pooled_context),
              "folds": fold_summary, "per_fold": per_fold, "oof_predictions": OOF_FILE, **(provenance or {})}
    written = {"oof_predictions": io.write_tsv(table, out / OOF_FILE),
               "json": io.write_json(out / "cv_report.json", report),
               "markdown": io.write_text(out / "cv_report.md", markdown)}
    return written


def _fold_summary(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Held-out genes, DE genes and DE rate of every fold."""
    return [{"fold": int(fold), "genes": len(part), "de": int(part["label"].sum()),
             "de_rate": float(part["label"].mean())} for fold, part in table.groupby("fold")]


def _per_fold_metrics(outcomes: Sequence[Any], out: Path) -> dict[str, list[dict[str, Any]]]:
    """Each row's metrics and CIs on each fold's own test part (read from ``fold_<k>/evaluation/report.json``)."""
    per_fold: dict[str, list[dict[str, Any]]] = {}
    for outcome in outcomes:
        report = json.loads((out / f"fold_{outcome.fold}" / "evaluation" / "report.json").read_text())
        for evaluation in report["evaluations"]:
            per_fold.setdefault(evaluation["name"], []).append(
                {"fold": outcome.fold, "metrics": evaluation["metrics"], "ci": evaluation["ci"],
                 "threshold": evaluation["threshold"], "n_test": evaluation["n_test"]})
    return per_fold


def _folds_markdown(fold_summary: list[dict[str, Any]], per_fold: Mapping[str, list[dict[str, Any]]]) -> str:
    """The folds' sizes and DE rates, and each row's per-fold AUROC / AUPRC / F1."""
    lines = ["## Folds (test parts)", "", "| Fold | Genes | DE | DE rate |", "|---:|---:|---:|---:|"]
    lines += [f"| {f['fold']} | {f['genes']} | {f['de']} | {f['de_rate']:.3f} |" for f in fold_summary]
    lines += ["", "## Per-fold test metrics (each fold's own threshold)", "",
              "| Model | " + " | ".join(f"fold {f['fold']} {m}" for f in fold_summary for m in _PER_FOLD_COLUMNS)
              + " |", "|---|" + "---:|" * (len(fold_summary) * len(_PER_FOLD_COLUMNS))]
    for name, folds in per_fold.items():
        cells = [format_metric(fold["metrics"][metric]) for fold in folds for metric in _PER_FOLD_COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_target_report(table: pd.DataFrame, out: Path, target: str, metrics: Sequence[str], sections: Mapping[str, Any],
                        context: Mapping[str, Any], provenance: Mapping[str, Any],
                        markdown: Any) -> dict[str, Path]:
    """``oof_predictions.tsv`` and ``cv_report.json`` / ``.md`` of a non-``de`` target: ``sections`` holds its
    ``pooled``, ``per_fold`` and ``folds`` parts, ``markdown(report, n_genes)`` renders the Markdown."""
    report = {"title": f"sca-tf cv: pooled out-of-fold, {target} target", "context": dict(context),
              "metrics": list(metrics), **sections, "oof_predictions": "oof_predictions.tsv", **provenance}
    return {"oof_predictions": io.write_tsv(table, out / "oof_predictions.tsv"),
            "json": io.write_json(out / "cv_report.json", report),
            "markdown": io.write_text(out / "cv_report.md", markdown(report, len(table)))}
