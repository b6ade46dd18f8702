"""Results table (the paper's Tables 1-3 layout plus our columns), Markdown and JSON reports, ROC and PR plots.

The first six columns are the paper's, in its order - Model, Accuracy, Precision, Recall, F1, AUC (= AUROC) -
so rows can be compared one to one; AUPRC, the test prevalence (AUPRC's no-skill level), the threshold and the
bootstrap intervals follow.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import precision_recall_curve, roc_curve

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.metrics import METRIC_NAMES, ModelEvaluation
from sca_tf.io import ensure_output_dir, write_json, write_png, write_text, write_tsv

PAPER_COLUMNS = ("Model", "Accuracy", "Precision", "Recall", "F1", "AUC")
_METRIC_COLUMNS = {"accuracy": "Accuracy", "precision": "Precision", "recall": "Recall", "f1": "F1",
                   "auroc": "AUC", "auprc": "AUPRC"}
EXTRA_COLUMNS = ("AUPRC", "Prevalence", "Threshold", *(f"{_METRIC_COLUMNS[m]} 95% CI" for m in METRIC_NAMES))
REPORT_COLUMNS = PAPER_COLUMNS + EXTRA_COLUMNS
THRESHOLD_RULE = "maximum F1 on the validation split, applied unchanged to the test split (score >= threshold = DE)"


@dataclasses.dataclass(frozen=True)
class ReportFiles:
    """Paths of the files :func:`write_report` wrote."""

    markdown: Path
    json: Path
    table: Path
    roc_curve: Path
    pr_curve: Path


def results_table(evaluations: Sequence[ModelEvaluation]) -> pd.DataFrame:
    """One row per evaluation, columns :data:`REPORT_COLUMNS`; intervals as ``"[low, high]"`` strings."""
    rows = []
    for evaluation in evaluations:
        row: dict[str, Any] = {"Model": evaluation.name}
        row.update({_METRIC_COLUMNS[name]: evaluation.metrics[name] for name in METRIC_NAMES})
        row["Prevalence"] = evaluation.prevalence
        row["Threshold"] = evaluation.threshold
        for name in METRIC_NAMES:
            low, high = evaluation.intervals[name]
            row[f"{_METRIC_COLUMNS[name]} 95% CI"] = f"[{format_metric(low)}, {format_metric(high)}]"
        rows.append(row)
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def markdown_report(evaluations: Sequence[ModelEvaluation], *, title: str = "sca-tf evaluation",
                    context: Mapping[str, Any] | None = None) -> str:
    """The report as Markdown: context, the results table, confusion matrices, notes and the plots."""
    _check_evaluations(evaluations)
    first = evaluations[0]
    table = results_table(evaluations)
    lines = [f"# {title}", ""]
    for key, value in (context or {}).items():
        lines.append(f"- {key}: {value}")
    lines += [
        (f"- test examples: {first.n_test}, of which DE: {first.confusion['tp'] + first.confusion['fn']} "
         f"(prevalence {format_metric(first.prevalence)}; the no-skill AUPRC)"),
        f"- threshold: {THRESHOLD_RULE}",
        (f"- intervals: {int(first.bootstrap['confidence'] * 100)}% percentile bootstrap, "
         f"{first.bootstrap['n_resamples']} resamples of the test split, seed {first.bootstrap['seed']}"),
        "",
        "## Results (columns 1-6 as in the paper's Tables 1-3; AUC = AUROC)",
        "",
        _markdown_table(table),
        "",
        "## Confusion matrices (test split)",
        "",
        _markdown_table(pd.DataFrame(
            [{"Model": e.name, "Threshold": e.threshold, "TP": e.confusion["tp"], "FP": e.confusion["fp"],
              "TN": e.confusion["tn"], "FN": e.confusion["fn"]} for e in evaluations]
        )),
        "",
    ]
    notes = [f"- **{e.name}** ({e.kind}): {e.note}" for e in evaluations if e.note]
    if notes:
        lines += ["## Notes", "", *notes, ""]
    lines += ["## Curves", "", "![ROC curves](roc_curve.png)", "", "![Precision-recall curves](pr_curve.png)", ""]
    return "\n".join(lines)


def json_report(evaluations: Sequence[ModelEvaluation], *, title: str = "sca-tf evaluation",
                context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The report as a JSON-ready dict: settings, the table rows and each evaluation's full summary."""
    _check_evaluations(evaluations)
    table = results_table(evaluations).astype(object)
    table = table.where(pd.notna(table), None)
    return {
        "title": title,
        "context": dict(context or {}),
        "threshold_rule": THRESHOLD_RULE,
        "columns": list(REPORT_COLUMNS),
        "rows": table.to_dict(orient="records"),
        "evaluations": [evaluation.to_dict() for evaluation in evaluations],
    }


def plot_roc_curves(evaluations: Sequence[ModelEvaluation], path: str | os.PathLike[str]) -> Path:
    """All models' test ROC curves in one PNG, AUROC in the legend."""
    figure = Figure(figsize=(5.5, 5))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="chance")
    for evaluation in evaluations:
        if np.unique(evaluation.test_labels).size == 2:
            fpr, tpr, _ = roc_curve(evaluation.test_labels, evaluation.test_scores)
            axes.plot(fpr, tpr, label=f"{evaluation.name} (AUC {format_metric(evaluation.metrics['auroc'])})")
    axes.set(xlabel="False positive rate", ylabel="True positive rate", xlim=(0, 1), ylim=(0, 1.01),
             title="ROC, test split")
    _legend_below(axes)
    return write_png(figure, path)


def plot_pr_curves(evaluations: Sequence[ModelEvaluation], path: str | os.PathLike[str]) -> Path:
    """All models' test precision-recall curves in one PNG, with the prevalence (no-skill) line."""
    _check_evaluations(evaluations)
    figure = Figure(figsize=(5.5, 5))
    axes = figure.subplots()
    rate = evaluations[0].prevalence
    axes.axhline(rate, color="grey", linestyle=":", linewidth=1, label=f"prevalence {format_metric(rate)}")
    for evaluation in evaluations:
        if evaluation.test_labels.any():
            precision, recall, _ = precision_recall_curve(evaluation.test_labels, evaluation.test_scores)
            axes.step(recall, precision, where="post",
                      label=f"{evaluation.name} (AUPRC {format_metric(evaluation.metrics['auprc'])})")
    axes.set(xlabel="Recall", ylabel="Precision", xlim=(0, 1), ylim=(0, 1.01), title="Precision-recall, test split")
    _legend_below(axes)
    return write_png(figure, path)


def write_report(evaluations: Sequence[ModelEvaluation], output_dir: str | os.PathLike[str], *,
                 title: str = "sca-tf evaluation", context: Mapping[str, Any] | None = None) -> ReportFiles:
    """Write ``report.md``, ``report.json``, ``results.tsv``, ``roc_curve.png`` and ``pr_curve.png`` atomically."""
    _check_evaluations(evaluations)
    out = ensure_output_dir(output_dir)
    files = ReportFiles(markdown=out / "report.md", json=out / "report.json", table=out / "results.tsv",
                        roc_curve=out / "roc_curve.png", pr_curve=out / "pr_curve.png")
    plot_roc_curves(evaluations, files.roc_curve)
    plot_pr_curves(evaluations, files.pr_curve)
    write_tsv(results_table(evaluations), files.table)
    write_json(files.json, json_report(evaluations, title=title, context=context))
    write_text(files.markdown, markdown_report(evaluations, title=title, context=context))
    return files


def _check_evaluations(evaluations: Sequence[ModelEvaluation]) -> None:
    if not evaluations:
        raise ScaInputError("no evaluations to report")
    sizes = {(e.n_test, e.prevalence) for e in evaluations}
    if len(sizes) > 1:
        raise ScaInputError(f"evaluations were scored on different test sets (n, prevalence): {sorted(sizes)}")


def _markdown_table(frame: pd.DataFrame) -> str:
    cells = [[format_metric(value) if isinstance(value, float) else str(value) for value in row] for row in frame.to_numpy()]
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" if column == "Model" else "---:" for column in frame.columns) + "|"
    return "\n".join([header, rule, *("| " + " | ".join(row) + " |" for row in cells)])



def _legend_below(axes: Any) -> None:
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize="small", frameon=False)


def format_metric(value: float | None) -> str:
    """A metric as printed in every report: three decimals, ``n/a`` when undefined (``None`` or NaN)."""
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.3f}"


def format_with_interval(value: float | None, interval: tuple[float, float]) -> str:
    """``value [low, high]`` with :func:`format_metric`'s rounding."""
    return f"{format_metric(value)} [{format_metric(interval[0])}, {format_metric(interval[1])}]"
