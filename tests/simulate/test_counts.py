"""Counts: the GEO layout, the planted fold changes and all-zero genes, no class in the expression level."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def read_counts(path: Path) -> tuple[pd.Series, pd.DataFrame]:
    raw = pd.read_csv(path, sep="\t", index_col=0, dtype=str)
    return raw.iloc[0], raw.iloc[1:].astype(np.int64)


def test_counts_follow_the_geo_layout(small_run, truth, small) -> None:
    lines = small_run.counts_tsv.read_text().splitlines()
    assert lines[0].split("\t") == ["NAME", *(f"Sample_{index}" for index in range(1, 9))]
    assert lines[1].split("\t") == ["CLASS:DOSE", *["IS"] * small.n_is, *["C"] * small.n_c]
    groups, counts = read_counts(small_run.counts_tsv)
    assert list(counts.index) == list(truth["gene_id"])
    assert not counts.index.str.contains(r"\.").any()
    assert (counts.to_numpy() >= 0).all()


def test_counts_carry_the_planted_fold_changes_and_all_zero_genes(small_run, truth, small) -> None:
    groups, counts = read_counts(small_run.counts_tsv)
    normalised = counts / counts.sum(axis=0) * counts.sum(axis=0).mean()
    is_mean = normalised.loc[:, (groups == "IS").to_numpy()].mean(axis=1).to_numpy()
    c_mean = normalised.loc[:, (groups == "C").to_numpy()].mean(axis=1).to_numpy()
    expressed = truth["base_mean"].to_numpy() >= 20
    up = expressed & (truth["true_status"] == "up").to_numpy()
    down = expressed & (truth["true_status"] == "down").to_numpy()
    assert up.sum() >= 5 and down.sum() >= 5
    assert (is_mean[up] > 2 * c_mean[up]).all()
    assert (c_mean[down] > 2 * is_mean[down]).all()
    zero_rows = (counts.sum(axis=1) == 0).to_numpy()
    assert zero_rows.sum() >= round(small.fraction_all_zero * small.n_genes)
    assert zero_rows[(truth["notes"] == "all_zero").to_numpy()].all()


def test_expression_level_does_not_reveal_the_class(truth) -> None:
    expressed = truth[truth["base_mean"] > 0]
    de = np.log10(expressed.loc[expressed["true_status"] != "not_de", "base_mean"])
    not_de = np.log10(expressed.loc[expressed["true_status"] == "not_de", "base_mean"])
    assert abs(de.median() - not_de.median()) < 0.5
    assert de.max() > 2.5 and de.min() < 1.0
