"""Differential expression: DE labels, PyDESeq2 equivalence, planted effects, outputs, and the real GSE248760 run."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from prep.dge_data import GROUPS, N_DOWN, N_GENES, N_UP, N_ZERO, OUTLIER_GENE, SAMPLES
from pydeseq2.dds import DeseqDataSet
from pydeseq2.default_inference import DefaultInference
from pydeseq2.ds import DeseqStats

from sca_tf.errors import ScaInputError
from sca_tf.prep.counts import CountData
from sca_tf.prep.dge import (
    DERule,
    differential_expression,
    run_dge,
    untestable_reason,
)
from sca_tf.schema import DE_COLUMNS, UNTESTABLE_REASONS


def write_geo(data: CountData, path: Path) -> Path:
    header = "NAME\t" + "\t".join(data.counts.columns) + "\nCLASS:DOSE\t" + "\t".join(data.conditions) + "\n"
    path.write_text(header + data.counts.to_csv(sep="\t", header=False))
    return path


@pytest.fixture(scope="module")
def synthetic_table(synthetic: CountData) -> pd.DataFrame:
    return differential_expression(synthetic, n_cpus=1, progress=False)


def test_status_thresholds_are_strict_and_na_is_untestable() -> None:
    table = pd.DataFrame(
        {
            "padj": [0.049, 0.05, 0.01, 0.01, 0.01, 0.01, np.nan, np.nan, 0.9],
            "log2FoldChange": [3.0, 3.0, 2.0, -2.0, -2.0001, 2.0001, 5.0, np.nan, 8.0],
        }
    )
    status = DERule().status(table)
    assert status.tolist() == ["up", "not_de", "not_de", "not_de", "down", "up", "untestable", "untestable", "not_de"]
    looser = DERule(lfc_threshold=1.0, padj_threshold=0.1).status(table)
    assert looser.tolist()[:6] == ["up", "up", "up", "down", "down", "up"]


@pytest.mark.parametrize(("lfc", "padj"), [(-1.0, 0.05), (np.nan, 0.05), (2.0, 0.0), (2.0, 1.5)])
def test_rule_rejects_impossible_thresholds(lfc: float, padj: float) -> None:
    with pytest.raises(ScaInputError, match="DE rule"):
        DERule(lfc_threshold=lfc, padj_threshold=padj)


def test_untestable_reason_distinguishes_the_three_causes() -> None:
    table = pd.DataFrame(
        {
            "baseMean": [0.0, 150.0, 2.5, 300.0],
            "pvalue": [np.nan, np.nan, 0.4, 0.001],
            "padj": [np.nan, np.nan, np.nan, 0.01],
        }
    )
    assert untestable_reason(table).tolist() == ["all_zero", "cooks_outlier", "independent_filtering", ""]


def test_planted_fold_changes_are_recovered(synthetic_table: pd.DataFrame) -> None:
    table = synthetic_table
    assert table.columns.tolist() == list(DE_COLUMNS)
    assert table["gene_id"].tolist() == [f"ENSG{i:011d}" for i in range(N_GENES)]
    assert (table["status"].iloc[:N_UP] == "up").all()
    assert (table["status"].iloc[N_UP:N_UP + N_DOWN] == "down").all()
    np.testing.assert_allclose(table["log2FoldChange"].iloc[:N_UP].median(), 3.0, atol=0.3)
    null = table.iloc[N_UP + N_DOWN:OUTLIER_GENE]
    assert (null["status"] == "not_de").mean() >= 0.95
    zero = table.iloc[-N_ZERO:]
    assert (zero["status"] == "untestable").all() and (zero["untestable_reason"] == "all_zero").all()
    assert (zero["baseMean"] == 0).all() and zero["log2FoldChange"].isna().all()
    outlier = table.iloc[OUTLIER_GENE]
    assert (outlier["status"], outlier["untestable_reason"]) == ("untestable", "cooks_outlier")
    testable = table["padj"].notna()
    assert (table.loc[testable, "untestable_reason"] == "").all()
    assert (table.loc[~testable, "status"] == "untestable").all()


def test_matches_plain_pydeseq2(synthetic: CountData, synthetic_table: pd.DataFrame) -> None:
    """The batched fit gives PyDESeq2's own ``deseq2()`` + ``summary()`` results, to issue 14's contract.

    The dispersions are Newton fits to the exact minimum of PyDESeq2's objective, where L-BFGS-B stops up to
    ~1e-5 short of it, so the statistics agree to that precision (no longer to the last bit); the DE calls, the
    untestable genes and the base means are identical.
    """
    metadata_frame = pd.DataFrame({"condition": synthetic.conditions})
    inference = DefaultInference(n_cpus=1)
    dds = DeseqDataSet(counts=synthetic.counts.T, metadata=metadata_frame, design="~condition",
                       inference=inference, quiet=True)
    dds.deseq2()
    stats = DeseqStats(dds, contrast=["condition", "IS", "C"], alpha=0.1, inference=inference, quiet=True)
    stats.summary()
    expected = stats.results_df
    ours = synthetic_table.set_index("gene_id")
    tolerance = {"baseMean": 1e-9, "log2FoldChange": 1e-5, "lfcSE": 1e-5, "stat": 1e-5, "pvalue": 1e-3,
                 "padj": 1e-3}
    assert set(tolerance) == set(expected.columns)
    for column, rtol in tolerance.items():
        np.testing.assert_allclose(ours[column], expected[column], rtol=rtol, atol=1e-300, equal_nan=True,
                                   err_msg=column)
    assert ours["status"].equals(DERule().status(expected).reindex(ours.index).rename("status"))


@pytest.mark.parametrize(
    ("treatment", "reference", "alpha", "message"),
    [
        ("IS", "IS", 0.1, "both 'IS'"),
        ("stroke", "C", 0.1, "group 'stroke' not found"),
        ("IS", "control", 0.1, "group 'control' not found"),
        ("IS", "C", 1.0, r"alpha must be in \(0, 1\)"),
    ],
)
def test_bad_contrast_is_rejected_before_fitting(
    synthetic: CountData, treatment: str, reference: str, alpha: float, message: str
) -> None:
    with pytest.raises(ScaInputError, match=message):
        differential_expression(synthetic, treatment, reference, alpha=alpha, n_cpus=1, progress=False)


def test_zero_worker_processes_is_rejected(synthetic: CountData) -> None:
    with pytest.raises(ScaInputError, match="n_cpus must be 1 or more"):
        differential_expression(synthetic, n_cpus=0, progress=False)


def test_run_dge_writes_table_parquet_and_provenance(synthetic: CountData, tmp_path: Path) -> None:
    counts_path = write_geo(synthetic, tmp_path / "counts.txt")
    out = tmp_path / "out"
    result = run_dge(counts_path, out, n_cpus=1)

    assert result.table_path == out / "de_table.tsv"
    assert sorted(path.name for path in out.iterdir()) == ["de_run.json", "de_table.parquet", "de_table.tsv",
                                                           "fingerprint.json"]
    tsv_text = result.table_path.read_text()
    last_row = tsv_text.splitlines()[-1].split("\t")  # an all-zero gene
    assert last_row[DE_COLUMNS.index("log2FoldChange")] == "NA" and last_row[-1] == "all_zero"
    tsv = pd.read_csv(result.table_path, sep="\t", keep_default_na=False, na_values=["NA"])
    parquet = pd.read_parquet(result.parquet_path)
    assert tsv.columns.tolist() == parquet.columns.tolist() == list(DE_COLUMNS)
    pd.testing.assert_series_equal(tsv["status"], parquet["status"])
    np.testing.assert_allclose(tsv["padj"], parquet["padj"], rtol=1e-12, equal_nan=True)
    assert set(parquet["untestable_reason"]) == {"", "all_zero", "cooks_outlier"}

    run = json.loads(result.run_path.read_text())
    assert run["counts"]["sha256"] == hashlib.sha256(counts_path.read_bytes()).hexdigest()
    assert run["samples"] == dict(zip(SAMPLES, GROUPS, strict=True))
    assert (run["treatment"], run["reference"], run["alpha"]) == ("IS", "C", 0.1)
    assert run["rule"] == {"lfc_threshold": 2.0, "padj_threshold": 0.05}
    assert run["method"]["lfc_shrinkage"] is False and run["method"]["dispersion_trend"] == "parametric"
    assert run["status_counts"] == {status: int((parquet["status"] == status).sum())
                                    for status in ("up", "down", "not_de", "untestable")}
    assert run["untestable_reasons"]["all_zero"] == N_ZERO
    assert run["library_versions"]["pydeseq2"].startswith("0.5")
    assert result.status_counts == run["status_counts"]
    assert result.summary().startswith(f"{N_UP + N_DOWN} DE genes ({N_UP} up, {N_DOWN} down)")


def test_run_dge_with_plain_table_and_sample_sheet_records_the_sheet(synthetic: CountData, tmp_path: Path) -> None:
    counts_path = tmp_path / "counts.csv"
    synthetic.counts.to_csv(counts_path)
    sheet_path = tmp_path / "samples.tsv"
    sheet_path.write_text("sample\tgroup\n" + "".join(f"{s}\t{g}\n" for s, g in zip(SAMPLES, GROUPS, strict=True)))
    result = run_dge(counts_path, tmp_path / "out", samples_path=sheet_path, n_cpus=1, condition_column="group")
    run = json.loads(result.run_path.read_text())
    assert run["sample_sheet"]["sha256"] == hashlib.sha256(sheet_path.read_bytes()).hexdigest()
    assert run["condition_column"] == "group"
    assert result.status_counts["up"] == N_UP and result.status_counts["down"] == N_DOWN


def test_unwritable_output_fails_before_reading_counts_and_writes_nothing(tmp_path: Path) -> None:
    """A directory under a regular file can never be created, even by root (permission bits would not stop root)."""
    blocker = tmp_path / "not_a_dir.txt"
    blocker.write_text("a file\n")
    with pytest.raises(ScaInputError, match=r"not_a_dir\.txt/out: cannot create output directory"):
        run_dge(tmp_path / "missing_counts.txt", blocker / "out", n_cpus=1)
    with pytest.raises(ScaInputError, match=r"output path exists and is not a directory"):
        run_dge(tmp_path / "missing_counts.txt", blocker, n_cpus=1)
    assert [path.name for path in tmp_path.iterdir()] == ["not_a_dir.txt"]
    assert blocker.read_text() == "a file\n"


def test_bad_counts_leave_no_table(tmp_path: Path) -> None:
    counts_path = tmp_path / "counts.txt"
    counts_path.write_text("NAME\tS1\tS2\tS3\tS4\nCLASS:DOSE\tIS\tIS\tC\tC\nENSG00000000001\t1\t2\t3\t-1\n")
    with pytest.raises(ScaInputError, match="expected a count of 0 or more"):
        run_dge(counts_path, tmp_path / "out", n_cpus=1)
    assert [path.name for path in tmp_path.iterdir()] == ["counts.txt"]  # no output folder, no partial build


@pytest.mark.realdata
@pytest.mark.slow
def test_gse248760_de_calls(gse248760_dge) -> None:
    table = gse248760_dge.table
    counts = gse248760_dge.status_counts
    assert len(table) == 58174 and table["gene_id"].is_unique
    assert 3900 <= counts["up"] + counts["down"] <= 4600
    assert counts["up"] > 500 and counts["down"] > 500
    reasons = table["untestable_reason"].value_counts()
    assert 15000 <= reasons["all_zero"] <= 25000
    assert 5000 <= reasons["independent_filtering"] <= 20000
    assert counts["untestable"] == sum(reasons.get(reason, 0) for reason in UNTESTABLE_REASONS)
    pd.testing.assert_series_equal(table["status"], DERule().status(table))
    pd.testing.assert_series_equal(table["untestable_reason"], untestable_reason(table))
    de = table[table["status"].isin(["up", "down"])]
    assert (de["padj"] < 0.05).all() and (de["log2FoldChange"].abs() > 2).all()
    assert json.loads(gse248760_dge.run_path.read_text())["status_counts"] == counts
