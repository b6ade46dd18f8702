"""Evaluation: metrics against scikit-learn, validation-chosen thresholds, bootstrap CIs, baselines and reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from sca_tf.errors import ScaInputError
from sca_tf.evaluate import (
    CONFOUNDER_NOTE,
    PAPER_COLUMNS,
    REPORT_COLUMNS,
    LabelledSequences,
    basemean_logistic,
    bootstrap_intervals,
    confusion_counts,
    evaluate_models,
    evaluate_scores,
    gc_cpg_logistic,
    kmer_frequencies,
    kmer_logistic,
    max_f1_threshold,
    metrics_at_threshold,
    prevalence_only,
    write_report,
)

LABELS = np.array([0, 0, 1, 1, 1, 0, 1, 0])
SCORES = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.6])
MOTIF = "TATAAAGG"


def random_sequence(rng: np.random.Generator, length: int, gc: float = 0.5) -> str:
    weights = np.array([1 - gc, gc, gc, 1 - gc]) / 2
    return "".join(rng.choice(list("ACGT"), size=length, p=weights))


def planted_split(rng: np.random.Generator, n: int, split: str, length: int = 150) -> LabelledSequences:
    """Positives (30 %) carry MOTIF at a random position and have a higher baseMean."""
    labels = (rng.random(n) < 0.3).astype(int)
    sequences = []
    for label in labels:
        sequence = random_sequence(rng, length)
        if label:
            start = int(rng.integers(0, length - len(MOTIF)))
            sequence = sequence[:start] + MOTIF + sequence[start + len(MOTIF):]
        sequences.append(sequence)
    base_mean = rng.lognormal(3, 1, n) * np.where(labels == 1, 3.0, 1.0)
    return LabelledSequences(sequences, labels, base_mean, split)


def gc_split(rng: np.random.Generator, n: int, split: str) -> LabelledSequences:
    """Positives are GC-rich (60 %), negatives GC-poor (40 %); no motif."""
    labels = np.arange(n) % 2
    sequences = [random_sequence(rng, 200, 0.6 if label else 0.4) for label in labels]
    return LabelledSequences(sequences, labels, None, split)


@pytest.fixture(scope="module")
def planted() -> tuple[LabelledSequences, LabelledSequences, LabelledSequences]:
    rng = np.random.default_rng(7)
    return planted_split(rng, 300, "train"), planted_split(rng, 150, "validation"), planted_split(rng, 150, "test")


def test_metrics_match_hand_counts_and_scikit_learn() -> None:
    metrics = metrics_at_threshold(LABELS, SCORES, threshold=0.5)
    predicted = (SCORES >= 0.5).astype(int)

    assert confusion_counts(LABELS, SCORES, 0.5) == {"tp": 3, "fp": 1, "tn": 3, "fn": 1}
    assert metrics["accuracy"] == 0.75 == accuracy_score(LABELS, predicted)
    assert metrics["precision"] == 0.75 == precision_score(LABELS, predicted)
    assert metrics["recall"] == 0.75 == recall_score(LABELS, predicted)
    assert metrics["f1"] == pytest.approx(f1_score(LABELS, predicted))
    assert metrics["auroc"] == pytest.approx(14 / 16) == roc_auc_score(LABELS, SCORES)
    assert metrics["auprc"] == pytest.approx(average_precision_score(LABELS, SCORES))


@pytest.mark.parametrize("seed", range(5))
def test_ranking_metrics_equal_scikit_learn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 300)
    scores = rng.integers(0, 7, 300) / 6  # many ties
    metrics = metrics_at_threshold(labels, scores, 0.5)
    assert metrics["auroc"] == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert metrics["auprc"] == pytest.approx(average_precision_score(labels, scores), abs=1e-12)


def test_undefined_metrics_are_nan_not_zero() -> None:
    metrics = metrics_at_threshold([0, 0, 1], [0.1, 0.2, 0.3], threshold=0.9)
    assert np.isnan(metrics["precision"])
    assert metrics["recall"] == 0.0
    assert np.isnan(metrics_at_threshold([0, 0], [0.1, 0.2], 0.5)["auroc"])


def test_threshold_maximises_f1_on_validation() -> None:
    labels, scores = np.array([0, 1, 1, 0, 1]), np.array([0.2, 0.3, 0.6, 0.7, 0.9])
    threshold, f1 = max_f1_threshold(labels, scores)
    assert threshold == 0.3
    assert f1 == pytest.approx(6 / 7)

    rng = np.random.default_rng(0)
    labels, scores = rng.integers(0, 2, 200), rng.random(200)
    threshold, f1 = max_f1_threshold(labels, scores)
    brute_force = max(f1_score(labels, scores >= t) for t in np.unique(scores))
    assert f1 == pytest.approx(brute_force)
    assert f1_score(labels, scores >= threshold) == pytest.approx(brute_force)


def test_test_split_is_scored_at_the_validation_threshold() -> None:
    validation_labels, validation_scores = [0, 1, 1, 0, 1], [0.2, 0.3, 0.6, 0.7, 0.9]
    test_labels, test_scores = [0, 0, 1, 1], [0.1, 0.25, 0.28, 0.95]  # best test threshold would be 0.28
    evaluation = evaluate_scores("m", validation_labels, validation_scores, test_labels, test_scores, n_resamples=50)
    assert evaluation.threshold == 0.3
    assert evaluation.metrics == metrics_at_threshold(test_labels, test_scores, 0.3)
    assert evaluation.confusion == {"tp": 1, "fp": 0, "tn": 2, "fn": 1}
    assert evaluation.prevalence == 0.5


def test_threshold_needs_positive_validation_labels() -> None:
    with pytest.raises(ScaInputError, match="no positive"):
        max_f1_threshold([0, 0, 0], [0.1, 0.5, 0.9])


@pytest.mark.parametrize(
    ("labels", "scores", "message"),
    [([0, 2, 1], [0.1, 0.2, 0.3], "must be 0 .* or 1"), ([0, 1], [0.1], "2 labels but 1 scores"),
     ([0, 1], [0.1, np.nan], "NaN or infinite")],
)
def test_bad_labels_or_scores_are_rejected(labels: list, scores: list, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        metrics_at_threshold(labels, scores, 0.5)


def simulated_scores(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.3).astype(int)
    return labels, labels * 1.0 + rng.normal(0, 0.8, n)


def test_bootstrap_intervals_contain_estimate_and_narrow_with_more_data() -> None:
    small, large = simulated_scores(200, 1), simulated_scores(5000, 2)
    small_ci = bootstrap_intervals(*small, threshold=0.5, n_resamples=300, seed=0)
    large_ci = bootstrap_intervals(*large, threshold=0.5, n_resamples=300, seed=0)
    point = metrics_at_threshold(*small, threshold=0.5)
    for name, (low, high) in small_ci.items():
        assert low <= point[name] <= high, name
        large_low, large_high = large_ci[name]
        assert large_high - large_low < (high - low) / 2, name


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    labels, scores = simulated_scores(300, 3)
    first = bootstrap_intervals(labels, scores, 0.5, n_resamples=200, seed=11)
    assert bootstrap_intervals(labels, scores, 0.5, n_resamples=200, seed=11) == first
    assert bootstrap_intervals(labels, scores, 0.5, n_resamples=200, seed=12) != first


def test_kmer_frequencies_count_windows_without_n() -> None:
    features = kmer_frequencies(["ACGT", "AAAA", "ACNGT"], k=2)
    assert features.shape == (3, 16)
    np.testing.assert_allclose(features[0, [1, 6, 11]], 1 / 3)  # AC, CG, GT
    assert features[0].sum() == pytest.approx(1.0)
    assert features[1, 0] == 1.0  # AA
    np.testing.assert_allclose(features[2, [1, 11]], 0.5)  # AC, GT; windows CN and NG skipped
    assert kmer_frequencies(["ACGT"], k=(1, 2)).shape == (1, 4 + 16)
    with pytest.raises(ScaInputError, match="from 1 to 6"):
        kmer_frequencies(["ACGT"], k=7)


def test_kmer_logistic_beats_prevalence_on_a_planted_kmer(planted) -> None:
    kmer = kmer_logistic(*planted, n_resamples=100)
    no_skill = prevalence_only(*planted, n_resamples=100)
    assert no_skill.metrics["auroc"] == 0.5
    assert no_skill.metrics["auprc"] == pytest.approx(no_skill.prevalence)
    assert kmer.metrics["auroc"] > 0.9
    assert kmer.metrics["auprc"] > no_skill.metrics["auprc"] + 0.3
    assert kmer.metrics["f1"] > no_skill.metrics["f1"]
    assert kmer.details["k"] == [4, 5, 6]


def test_gc_cpg_logistic_detects_a_gc_shift() -> None:
    rng = np.random.default_rng(8)
    splits = gc_split(rng, 200, "train"), gc_split(rng, 100, "validation"), gc_split(rng, 100, "test")
    assert gc_cpg_logistic(*splits, n_resamples=100).metrics["auroc"] > 0.95


def test_basemean_baseline_is_labelled_a_confounder(planted, tmp_path: Path) -> None:
    confounder = basemean_logistic(*planted, n_resamples=100)
    assert confounder.kind == "confounder"
    assert confounder.note == CONFOUNDER_NOTE
    files = write_report([confounder], tmp_path)
    markdown = files.markdown.read_text()
    assert "expression confounder" in markdown
    assert "not a sequence model" in markdown


def test_basemean_baseline_needs_basemean(planted) -> None:
    train, validation, test = planted
    without = LabelledSequences(test.sequences, test.labels, None, "test")
    with pytest.raises(ScaInputError, match="test: the baseMean-only baseline needs baseMean"):
        basemean_logistic(train, validation, without)


def test_labelled_sequences_validate_their_inputs() -> None:
    with pytest.raises(ScaInputError, match="train: 2 sequences but 3 labels"):
        LabelledSequences(["AC", "GT"], [0, 1, 1], split="train")
    with pytest.raises(ScaInputError, match="train labels: labels must be 0 .* or 1 .*, found 2"):
        LabelledSequences(["AC", "GT"], [0, 2], split="train")
    with pytest.raises(ScaInputError, match="baseMean must be finite and >= 0; row 1"):
        LabelledSequences(["AC", "GT"], [0, 1], [1.0, -2.0], split="train")


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


def test_report_refuses_rows_from_different_test_sets(tmp_path: Path) -> None:
    first = evaluate_scores("a", [0, 1], [0.2, 0.8], [0, 1, 1], [0.1, 0.7, 0.9], n_resamples=10)
    second = evaluate_scores("b", [0, 1], [0.2, 0.8], [0, 1], [0.1, 0.7], n_resamples=10)
    with pytest.raises(ScaInputError, match="different test sets"):
        write_report([first, second], tmp_path)
    assert not any(tmp_path.iterdir())
