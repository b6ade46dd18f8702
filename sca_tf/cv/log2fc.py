"""The ``log2fc`` target in cross-validation: a fold's held-out predicted fold changes and the pooled report.

Per fold each model predicts log2FC for its test genes (all testable); the baselines are ridge regressions on
k-mer frequencies, on GC/CpG and on log1p(baseMean) (the expression confounder), fitted on the fold's training
part with the penalty chosen on its validation part (mean squared error), plus the training mean. Columns of
``oof_predictions.tsv``: ``gene_id, fold, label, log2fc`` (measured) and one predicted log2FC per model / baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sca_tf.cv.baselines import Featurize, fold_baselines
from sca_tf.cv.report import write_target_report
from sca_tf.evaluate.log2fc import LOG2FC_METRICS, log2fc_intervals, log2fc_metrics
from sca_tf.evaluate.report import format_metric, format_with_interval
from sca_tf.schema import SPLITS, TEST, TRAIN, VALIDATION

#: Ridge penalties tried for each baseline; the one with the lowest validation MSE is kept.
RIDGE_ALPHAS = (0.1, 1.0, 10.0, 100.0, 1000.0)
MEAN_ONLY = "Training mean only"
_FIXED_COLUMNS = ("gene_id", "fold", "label", "log2fc")


def score_log2fc_fold(builder: Any, model_paths: Mapping[str, Path], *, seed: int) -> tuple[pd.DataFrame, dict]:
    """The fold's test genes with their measured log2FC and each model's and baseline's prediction, and each
    row's kind."""
    from sca_tf.data.scoring import predict_codes
    from sca_tf.data.splits import read_split
    from sca_tf.models import load_classifier

    splits = {split: read_split(builder, split) for split in SPLITS}
    test = splits[TEST]
    columns: dict[str, Any] = {"gene_id": test.gene_ids, "label": test.labels, "log2fc": test.log2fc}
    kinds = {}
    for name, path in model_paths.items():
        columns[name] = predict_codes(load_classifier(path, expected_model=name), test.codes).astype(np.float64)
        kinds[name] = "model"
    columns[MEAN_ONLY] = np.full(test.labels.size, splits[TRAIN].log2fc.mean())
    kinds[MEAN_ONLY] = "baseline"
    targets = {split: arrays.log2fc for split, arrays in splits.items()}
    for name, (kind, featurize) in fold_baselines(splits).items():
        name = name if kind == "confounder" else f"{name} ridge regression"
        columns[name] = _ridge(featurize, targets, seed)
        kinds[name] = kind
    return pd.DataFrame(columns), {name: {"kind": kind} for name, kind in kinds.items()}


def write_log2fc_report(outcomes: Sequence[Any], out: Path, *, n_resamples: int, seed: int,
                        context: Mapping[str, Any], provenance: Mapping[str, Any]) -> dict[str, Path]:
    """``oof_predictions.tsv`` and ``cv_report.md`` / ``.json``: pooled and per-fold log2FC metrics with CIs."""
    table = pd.concat([o.predictions.assign(fold=o.fold) for o in outcomes], ignore_index=True)
    names = list(outcomes[0].record["rows"])
    table = table[[*_FIXED_COLUMNS, *names]]
    pooled = {name: {"metrics": log2fc_metrics(table["log2fc"], table["label"], table[name]),
                     "ci": log2fc_intervals(table["log2fc"], table["label"], table[name], n_resamples, seed=seed),
                     "kind": outcomes[0].record["rows"][name]["kind"]}
              for name in names}
    per_fold = {name: [log2fc_metrics(part["log2fc"], part["label"], part[name]) for _, part in table.groupby("fold")]
                for name in names}
    folds = [{"fold": int(fold), "genes": len(part), "de": int(part["label"].sum()),
              "mean_abs_log2fc": float(part["log2fc"].abs().mean())} for fold, part in table.groupby("fold")]
    return write_target_report(table, out, "log2fc", LOG2FC_METRICS,
                               {"pooled": pooled, "per_fold": per_fold, "folds": folds}, context, provenance, _markdown)


def _ridge(featurize: Featurize, targets: Mapping[str, np.ndarray], seed: int) -> np.ndarray:
    """Test predictions of the scaled ridge regression whose penalty has the lowest validation MSE."""
    x_train, x_validation, x_test = (featurize(split) for split in (TRAIN, VALIDATION, TEST))
    fits = []
    for alpha in RIDGE_ALPHAS:
        model = make_pipeline(StandardScaler(), Ridge(alpha=alpha, random_state=seed)).fit(x_train, targets[TRAIN])
        fits.append((mean_squared_error(targets[VALIDATION], model.predict(x_validation)), alpha, model))
    return min(fits, key=lambda fit: fit[0])[2].predict(x_test)


def _markdown(report: Mapping[str, Any], n_genes: int) -> str:
    """Pooled table with CIs, the folds' sizes and the per-fold Pearson / |log2FC| AUROC."""
    lines = [f"# {report['title']}", "", *(f"- {key}: {value}" for key, value in report["context"].items()),
             (f"- pooled: {n_genes} testable genes, each held out once; intervals: 95% percentile bootstrap of the "
              "pooled genes; abs_de_*: the predicted |log2FC| ranked against the DE call"),
             "", "## Pooled out-of-fold metrics", "",
             "| Model | " + " | ".join(LOG2FC_METRICS) + " |", "|---|" + "---:|" * len(LOG2FC_METRICS)]
    for name, row in report["pooled"].items():
        cells = [format_with_interval(row["metrics"][m], row["ci"][m]) for m in LOG2FC_METRICS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Folds (test parts)", "", "| Fold | Genes | DE | mean abs log2FC |", "|---:|---:|---:|---:|"]
    lines += [f"| {f['fold']} | {f['genes']} | {f['de']} | {f['mean_abs_log2fc']:.3f} |" for f in report["folds"]]
    lines += ["", "## Per-fold Pearson / abs-log2FC AUROC for DE", ""]
    lines += [f"- {name}: " + ", ".join(f"{format_metric(f['pearson'])} / {format_metric(f['abs_de_auroc'])}" for f in folds)
              for name, folds in report["per_fold"].items()]
    return "\n".join(lines) + "\n"
