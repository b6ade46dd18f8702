"""`sca-tf cv` on a small simulated default: every testable gene scored once, pooled report, resume, bad settings."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from cv.cv_data import CONFIG, TINY_TRAIN
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

from sca_tf.cli import main
from sca_tf.cv import CVConfig, cross_validate
from sca_tf.errors import ScaInputError


def test_every_testable_gene_is_scored_once_out_of_fold(small_cv: Path) -> None:
    promoters = pd.read_csv(small_cv / "promoters" / "promoters.tsv", sep="\t")
    testable = promoters[promoters["status"] != "untestable"]
    oof = pd.read_csv(small_cv / "oof_predictions.tsv", sep="\t")
    assert list(oof.columns[:5]) == ["gene_id", "fold", "label", "cnn", "cnn+xgboost"]
    assert "k-mer (k=4,5,6) logistic regression" in oof.columns and "Prevalence only" in oof.columns
    assert len(oof) == len(testable) and set(oof["gene_id"]) == set(testable["gene_id"])
    de = set(testable.loc[testable["status"].isin(["up", "down"]), "gene_id"])
    assert set(oof.loc[oof["label"] == 1, "gene_id"]) == de
    assert sorted(oof["fold"].unique()) == [0, 1, 2]
    for _, part in oof.groupby("fold"):
        assert abs(part["label"].mean() - oof["label"].mean()) <= 0.05
    for fold in range(3):
        record = json.loads((small_cv / f"fold_{fold}" / "fold.json").read_text())
        test = set(oof.loc[oof["fold"] == fold, "gene_id"])
        assert test == set(record["test_genes"])
        trained = set(record["trained_on"]["genes"]["train"]) | set(record["trained_on"]["genes"]["validation"])
        assert not trained & test and trained | test == set(testable["gene_id"])
        assert (small_cv / f"fold_{fold}" / "train" / "cnn" / "model.keras").is_file()


def test_pooled_metrics_are_those_of_the_out_of_fold_scores(small_cv: Path) -> None:
    oof = pd.read_csv(small_cv / "oof_predictions.tsv", sep="\t")
    report = json.loads((small_cv / "cv_report.json").read_text())
    rows = {row["name"]: row for row in report["evaluations"]}
    assert list(rows)[:2] == ["cnn", "cnn+xgboost"] and "baseMean only (expression confounder)" in rows
    thresholds = {fold: json.loads((small_cv / f"fold_{fold}" / "fold.json").read_text())["rows"]
                  for fold in range(3)}
    for name in ("cnn", "k-mer (k=4,5,6) logistic regression"):
        row = rows[name]
        assert row["n_test"] == len(oof)
        assert row["metrics"]["auroc"] == pytest.approx(roc_auc_score(oof["label"], oof[name]))
        assert row["metrics"]["auprc"] == pytest.approx(average_precision_score(oof["label"], oof[name]))
        calls = oof[name] >= oof["fold"].map(lambda fold, n=name: thresholds[fold][n]["threshold"])
        assert row["metrics"]["f1"] == pytest.approx(f1_score(oof["label"], calls))
        low, high = row["ci"]["auroc"]
        assert low <= row["metrics"]["auroc"] <= high
    assert [fold["genes"] for fold in report["folds"]] == oof.groupby("fold").size().tolist()
    assert len(report["per_fold"]["cnn"]) == 3
    markdown = (small_cv / "cv_report.md").read_text()
    assert "| Model | Accuracy | Precision | Recall | F1 | AUC | AUPRC |" in markdown
    assert "## Per-fold test metrics" in markdown and (small_cv / "pooled" / "roc_curve.png").is_file()


def test_a_rerun_reuses_finished_folds_and_other_settings_are_refused(small_cv: Path) -> None:
    stamps = [(small_cv / f"fold_{fold}" / "fold.json").stat().st_mtime_ns for fold in range(3)]
    before = (small_cv / "oof_predictions.tsv").read_text()
    cross_validate(CVConfig(out=str(small_cv), **CONFIG))
    assert [(small_cv / f"fold_{fold}" / "fold.json").stat().st_mtime_ns for fold in range(3)] == stamps
    assert (small_cv / "oof_predictions.tsv").read_text() == before
    changed = dataclasses.replace(CVConfig(out=str(small_cv), **CONFIG), train={**TINY_TRAIN, "epochs": 3})
    with pytest.raises(ScaInputError, match=r"fold_0: this fold was run with other settings \(train differ\)"):
        cross_validate(changed)


def test_cv_settings_from_a_file_and_bad_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cv.toml"
    path.write_text('folds = 4\ngroup = "chrom"\nmodels = ["cnn"]\n')
    config = CVConfig.from_file(path, out="elsewhere")
    assert (config.folds, config.group, config.out) == (4, "chrom", "elsewhere")
    assert main(["cv", "--folds", "1", "--out", str(tmp_path / "x")]) == 2
    assert "--folds: cross-validation needs at least 2 folds, got 1" in capsys.readouterr().err
    with pytest.raises(ScaInputError, match="set 'group' instead of 'split'"):
        CVConfig(split="chrom")
    with pytest.raises(ScaInputError, match="--group 'gene'"):
        CVConfig(group="gene")
    with pytest.raises(ScaInputError, match="must not set 'target'"):
        CVConfig(train={"target": "direction"})
    assert not (tmp_path / "x").exists()
    grouped = CVConfig(out=str(tmp_path / "chrom"), **{**CONFIG, "folds": 5}, group="chrom")
    with pytest.raises(ScaInputError, match=r"lie on 4 chromosome\(s\) \(chrS1, chrS2, chrS3, chrS4\), fewer than "
                                            "the 5 folds"):
        cross_validate(grouped)
    assert not (tmp_path / "chrom" / "fold_0").exists()
