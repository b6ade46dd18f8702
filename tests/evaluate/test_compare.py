"""evaluate_models: the model beside every baseline, written as the paper's table, JSON and curves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sca_tf.evaluate.compare import evaluate_models
from sca_tf.evaluate.report import PAPER_COLUMNS, REPORT_COLUMNS


def test_report_files_follow_the_paper_table(planted, tmp_path: Path) -> None:
    train, validation, test = planted
    rng = np.random.default_rng(9)
    model_scores = (validation.labels + rng.normal(0, 0.6, validation.labels.size),
                    test.labels + rng.normal(0, 0.6, test.labels.size))

    rows, files = evaluate_models({"cnn": model_scores}, train, validation, test, tmp_path / "report",
                                  k=4, n_resamples=100, seed=3)

    assert [row.name for row in rows] == ["cnn", "Prevalence only", "GC + CpG logistic regression",
                                          "k-mer (k=4) logistic regression", "baseMean only (expression confounder)"]
    header = next(line for line in files.markdown.read_text().splitlines() if line.startswith("| Model"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    assert columns[:6] == list(PAPER_COLUMNS) == ["Model", "Accuracy", "Precision", "Recall", "F1", "AUC"]
    assert columns == list(REPORT_COLUMNS)
    assert columns[6:8] == ["AUPRC", "Prevalence"]

    report = json.loads(files.json.read_text())
    assert report["columns"] == list(REPORT_COLUMNS)
    assert [row["Model"] for row in report["rows"]] == [row.name for row in rows]
    assert report["evaluations"][0]["metrics"]["auroc"] == pytest.approx(rows[0].metrics["auroc"])
    assert report["evaluations"][0]["bootstrap"]["seed"] == 3
    assert report["context"]["seed"] == 3

    table = pd.read_csv(files.table, sep="\t")
    assert list(table.columns) == list(REPORT_COLUMNS)
    assert table["AUC"].tolist() == pytest.approx([row.metrics["auroc"] for row in rows])

    for png in (files.roc_curve, files.pr_curve):
        content = png.read_bytes()
        assert content[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(content) > 10_000
