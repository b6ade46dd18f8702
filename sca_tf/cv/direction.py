"""The ``direction`` target in cross-validation: a fold's held-out probabilities and the pooled report.

Per fold each model gives P(not_de), P(up), P(down) for its test genes; the baselines are multinomial logistic
regressions on k-mer frequencies, on GC/CpG and on log1p(baseMean) (the expression confounder), plus the
training class frequencies, fitted on the fold's training part with C chosen on its validation part (log loss).
Score columns are named ``<model>:<class>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sca_tf.cv.baselines import Featurize, fold_baselines
from sca_tf.cv.report import write_target_report
from sca_tf.evaluate.baselines import DEFAULT_CS
from sca_tf.evaluate.direction import DIRECTION_METRICS, direction_intervals, direction_metrics
from sca_tf.evaluate.report import format_metric, format_with_interval
from sca_tf.schema import DIRECTION_CLASSES, SPLITS, TEST, TRAIN, VALIDATION

_CLASS_CODES = np.arange(len(DIRECTION_CLASSES))


def class_codes(status: np.ndarray) -> np.ndarray:
    """Status names (not_de / up / down) as :data:`~sca_tf.schema.DIRECTION_CLASSES` codes 0-2."""
    return np.array([DIRECTION_CLASSES.index(name) for name in status], dtype=np.int64)


def score_direction_fold(builder: Any, model_paths: Mapping[str, Path], *, seed: int) -> tuple[pd.DataFrame, dict]:
    """The fold's test genes with each model's and baseline's three class probabilities, and each row's kind."""
    from sca_tf.data.scoring import predict_codes
    from sca_tf.data.splits import read_split
    from sca_tf.models import load_classifier

    splits = {split: read_split(builder, split) for split in SPLITS}
    classes = {split: class_codes(arrays.status) for split, arrays in splits.items()}
    test = splits[TEST]
    columns: dict[str, Any] = {"gene_id": test.gene_ids, "label": test.labels, "class": classes[TEST]}
    kinds = {}
    for name, path in model_paths.items():
        columns |= _class_columns(name, predict_codes(load_classifier(path, expected_model=name), test.codes))
        kinds[name] = "model"
    frequencies = np.bincount(classes[TRAIN], minlength=len(DIRECTION_CLASSES)) / classes[TRAIN].size
    columns |= _class_columns("Prevalence only", np.tile(frequencies, (test.labels.size, 1)))
    kinds["Prevalence only"] = "baseline"
    for name, (kind, featurize) in fold_baselines(splits).items():
        name = name if kind == "confounder" else f"{name} logistic regression"
        columns |= _class_columns(name, _multinomial(featurize, classes, seed))
        kinds[name] = kind
    return pd.DataFrame(columns), {name: {"kind": kind} for name, kind in kinds.items()}


def write_direction_report(outcomes: Sequence[Any], out: Path, *, n_resamples: int, seed: int,
                           context: Mapping[str, Any], provenance: Mapping[str, Any]) -> dict[str, Path]:
    """``oof_predictions.tsv`` and ``cv_report.md`` / ``.json``: pooled and per-fold direction metrics with CIs."""
    table = pd.concat([o.predictions.assign(fold=o.fold) for o in outcomes], ignore_index=True)
    table = table[["gene_id", "fold", "label", "class", *outcomes[0].predictions.columns[3:]]]
    names = list(outcomes[0].record["rows"])
    pooled, per_fold = {}, {}
    for name in names:
        probabilities = table[[f"{name}:{c}" for c in DIRECTION_CLASSES]].to_numpy(np.float64)
        pooled[name] = {"metrics": direction_metrics(table["class"], probabilities),
                        "ci": direction_intervals(table["class"], probabilities, n_resamples, seed=seed),
                        "kind": outcomes[0].record["rows"][name]["kind"]}
        per_fold[name] = [direction_metrics(part["class"], part[[f"{name}:{c}" for c in DIRECTION_CLASSES]])
                          for _, part in table.groupby("fold")]
    folds = [{"fold": int(fold), "genes": len(part), "de": int(part["label"].sum()),
              **{f"n_{c}": int((part["class"] == k).sum()) for k, c in enumerate(DIRECTION_CLASSES)}}
             for fold, part in table.groupby("fold")]
    return write_target_report(table, out, "direction", DIRECTION_METRICS,
                               {"pooled": pooled, "per_fold": per_fold, "folds": folds}, context, provenance, _markdown)


def _class_columns(name: str, probabilities: np.ndarray) -> dict[str, np.ndarray]:
    return {f"{name}:{c}": probabilities[:, k] for k, c in enumerate(DIRECTION_CLASSES)}


def _multinomial(featurize: Featurize, classes: Mapping[str, np.ndarray], seed: int) -> np.ndarray:
    """Test probabilities of the scaled multinomial logistic regression whose C has the best validation log loss."""
    x_train, x_validation, x_test = (featurize(split) for split in (TRAIN, VALIDATION, TEST))
    fits = []
    for c in DEFAULT_CS:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=2000,
                                                                   random_state=seed))
        model.fit(x_train, classes[TRAIN])
        loss = log_loss(classes[VALIDATION], _all_classes(model, x_validation), labels=_CLASS_CODES)
        fits.append((loss, c, model))
    return _all_classes(min(fits, key=lambda fit: fit[0])[2], x_test)


def _all_classes(model: Any, x: np.ndarray) -> np.ndarray:
    """``predict_proba`` with a column for every class, 0 for a class absent from training."""
    probabilities = np.zeros((len(x), len(DIRECTION_CLASSES)))
    probabilities[:, model.classes_] = model.predict_proba(x)
    return probabilities


def _markdown(report: Mapping[str, Any], n_genes: int) -> str:
    """Pooled table with CIs, the folds' class counts and the per-fold macro / up-vs-down AUROC."""
    lines = [f"# {report['title']}", "", *(f"- {key}: {value}" for key, value in report["context"].items()),
             f"- pooled: {n_genes} genes, each held out once; intervals: 95% percentile bootstrap of the pooled genes",
             "", "## Pooled out-of-fold metrics", "",
             "| Model | " + " | ".join(DIRECTION_METRICS) + " |", "|---|" + "---:|" * len(DIRECTION_METRICS)]
    for name, row in report["pooled"].items():
        cells = [format_with_interval(row["metrics"][m], row["ci"][m]) for m in DIRECTION_METRICS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Folds (test parts)", "", "| Fold | Genes | " + " | ".join(DIRECTION_CLASSES) + " |",
              "|---:|---:|" + "---:|" * len(DIRECTION_CLASSES)]
    lines += [f"| {f['fold']} | {f['genes']} | " + " | ".join(str(f[f'n_{c}']) for c in DIRECTION_CLASSES) + " |"
              for f in report["folds"]]
    lines += ["", "## Per-fold macro AUROC / up-vs-down AUROC", ""]
    lines += [f"- {name}: " + ", ".join(f"{format_metric(f['macro_auroc'])} / {format_metric(f['up_vs_down_auroc'])}" for f in folds)
              for name, folds in report["per_fold"].items()]
    return "\n".join(lines) + "\n"
