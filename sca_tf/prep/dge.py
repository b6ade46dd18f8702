"""Differential expression with PyDESeq2, run with R DESeq2's defaults, and the DE labels the models learn.

``~condition`` design, Wald test of ``treatment`` vs ``reference``, Cook's outlier filtering and refitting,
independent filtering at ``alpha`` (0.1, as in R's ``results()``), no log-fold-change shrinkage. Each gene is
then labelled ``up`` / ``down`` / ``not_de`` by a :class:`DERule`, or ``untestable`` with the reason DESeq2 gave
it no adjusted p-value; an untestable gene is never reported as ``not_de``.

Example::

    from sca_tf.prep import dge
    result = dge.run_dge("GSE248760_raw_counts.txt", "out/dge")
    print(result.summary())            # 4,186 DE genes (… up, … down) …
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydeseq2.dds import DeseqDataSet
from pydeseq2.ds import DeseqStats
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from sca_tf import io, stages
from sca_tf.errors import ScaInputError
from sca_tf.prep.counts import CountData, read_counts
from sca_tf.prep.deseq_dataset import BatchedDeseqDataSet
from sca_tf.prep.deseq_inference import VectorizedInference
from sca_tf.provenance import describe_file, library_versions
from sca_tf.schema import DE_COLUMNS, DOWN, NOT_DE, STATUSES, UNTESTABLE, UNTESTABLE_REASONS, UP


@dataclass(frozen=True)
class DERule:
    """A gene is DE when ``padj < padj_threshold`` and ``|log2FoldChange| > lfc_threshold`` (both strict)."""

    lfc_threshold: float = 2.0
    padj_threshold: float = 0.05

    def __post_init__(self) -> None:
        if not (np.isfinite(self.lfc_threshold) and self.lfc_threshold >= 0):
            raise ScaInputError(f"DE rule: lfc_threshold must be a number >= 0, got {self.lfc_threshold}")
        if not 0 < self.padj_threshold <= 1:
            raise ScaInputError(f"DE rule: padj_threshold must be in (0, 1], got {self.padj_threshold}")

    def status(self, table: pd.DataFrame) -> pd.Series:
        """``up`` / ``down`` / ``not_de`` from ``padj`` and ``log2FoldChange``; ``untestable`` where padj is NA."""
        significant = table["padj"] < self.padj_threshold
        status = np.select(
            [
                table["padj"].isna(),
                significant & (table["log2FoldChange"] > self.lfc_threshold),
                significant & (table["log2FoldChange"] < -self.lfc_threshold),
            ],
            [UNTESTABLE, UP, DOWN],
            default=NOT_DE,
        )
        return pd.Series(status, index=table.index, name="status")


def untestable_reason(table: pd.DataFrame) -> pd.Series:
    """Why DESeq2 gave a gene no adjusted p-value ("" where it has one).

    ``all_zero``: every count is 0 (baseMean 0); ``cooks_outlier``: p-value removed by Cook's-distance filtering;
    ``independent_filtering``: p-value present but the gene fell below the independent-filtering mean cut-off.
    """
    reason = np.select(
        [
            table["padj"].notna(),
            table["baseMean"] == 0,
            table["pvalue"].isna(),
        ],
        ["", "all_zero", "cooks_outlier"],
        default="independent_filtering",
    )
    return pd.Series(reason, index=table.index, name="untestable_reason")


def differential_expression(
    data: CountData,
    treatment: str = "IS",
    reference: str = "C",
    alpha: float = 0.1,
    rule: DERule = DERule(),
    n_cpus: int | None = None,
    *,
    verbose: bool = False,
    progress: bool = True,
) -> pd.DataFrame:
    """Test ``treatment`` vs ``reference`` with PyDESeq2 and label every gene; returns the DE table.

    Columns are :data:`sca_tf.schema.DE_COLUMNS` in input gene order. ``alpha`` is the FDR target of independent
    filtering (R ``results(alpha=)``); ``rule`` decides ``up`` / ``down`` / ``not_de``. ``n_cpus`` is the number of
    worker processes for PyDESeq2's per-gene fits of the genes the batched fits leave over (None: all cores;
    started only for a large remainder, see :class:`VectorizedInference`). ``verbose`` prints PyDESeq2's own
    messages (its warnings always show); ``progress`` shows a progress bar over the fitting stages on a terminal.
    ``table.attrs["dispersion_trend"]`` records the trend PyDESeq2 used: ``parametric``, or ``mean`` where the
    parametric fit did not converge (PyDESeq2 warns, as R DESeq2 does); ``table.attrs["dispersion_fallbacks"]``
    the number of genes each dispersion pass left to PyDESeq2's per-gene fit (gene-wise, MAP, and both again for
    the genes of a Cook's refit, when there is one).
    """
    if treatment == reference:
        raise ScaInputError(f"treatment and reference are both {treatment!r}; expected two different groups")
    if not 0 < alpha < 1:
        raise ScaInputError(f"alpha must be in (0, 1), got {alpha}")
    if n_cpus is not None and n_cpus < 1:
        raise ScaInputError(f"n_cpus must be 1 or more (or None for all cores), got {n_cpus}")
    data.require_groups(treatment, reference)

    levels = [reference, *sorted(set(data.conditions) - {reference})]  # reference first: the intercept group
    metadata_frame = pd.DataFrame({"condition": pd.Categorical(data.conditions, categories=levels)},
                                  index=data.conditions.index)
    inference = VectorizedInference(n_cpus=n_cpus)
    # One BLAS thread: the in-process numpy work is on tiny matrices, where BLAS threads only contend.
    with threadpool_limits(1):
        dds = BatchedDeseqDataSet(counts=data.counts.T, metadata=metadata_frame, design="~condition",
                                  refit_cooks=True, inference=inference, quiet=not verbose)
        _run_stages(_deseq2_stages(dds), progress)
        stats = DeseqStats(dds, contrast=["condition", treatment, reference], alpha=alpha, cooks_filter=True,
                           independent_filter=True, inference=inference, quiet=not verbose)
        stats.summary()
    table = stats.results_df.rename_axis("gene_id").reset_index()
    table["status"] = rule.status(table)
    table["untestable_reason"] = untestable_reason(table)
    table = table[list(DE_COLUMNS)]
    table.attrs["dispersion_trend"] = dds.uns["disp_function_type"]
    table.attrs["dispersion_fallbacks"] = list(inference.dispersion_fallbacks)
    return table


def _deseq2_stages(dds: DeseqDataSet) -> list[tuple[str, Callable[[], object]]]:
    """The steps of ``DeseqDataSet.deseq2()`` in its order, named for the progress bar."""
    return [
        ("size factors", dds.fit_size_factors),
        ("gene-wise dispersions", dds.fit_genewise_dispersions),
        ("dispersion trend", dds.fit_dispersion_trend),
        ("dispersion prior", dds.fit_dispersion_prior),
        ("MAP dispersions", dds.fit_MAP_dispersions),
        ("log fold changes", dds.fit_LFC),
        ("Cook's distances", dds.calculate_cooks),
        ("Cook's refit", dds.refit),
        ("Cook's outliers", dds.cooks_outlier),
    ]


def _run_stages(stages: list[tuple[str, Callable[[], object]]], progress: bool) -> None:
    with tqdm(total=len(stages), desc="DESeq2", unit="stage", disable=None if progress else True) as bar:
        for name, step in stages:
            bar.set_postfix_str(name)
            step()
            bar.update()


#: The files of a ``dge`` output directory.
DGE_FILES = ("de_table.tsv", "de_table.parquet", "de_run.json")


@dataclass(frozen=True)
class DEResult:
    """What :func:`run_dge` wrote, the labelled table itself, and its status counts."""

    table_path: Path
    parquet_path: Path
    run_path: Path
    table: pd.DataFrame = field(repr=False)
    status_counts: dict[str, int]
    untestable_reasons: dict[str, int]
    seconds: float

    def summary(self) -> str:
        """One human-readable line: DE / not-DE / untestable counts, where the table went, and the time."""
        counts = self.status_counts
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in self.untestable_reasons.items()) or "none"
        return (
            f"{counts['up'] + counts['down']:,} DE genes ({counts['up']:,} up, {counts['down']:,} down), "
            f"{counts['not_de']:,} not DE, {counts['untestable']:,} untestable ({reasons}); "
            f"wrote {self.table_path} in {self.seconds:.1f} s"
        )


def run_dge(
    counts_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    samples_path: str | os.PathLike[str] | None = None,
    treatment: str = "IS",
    reference: str = "C",
    alpha: float = 0.1,
    rule: DERule = DERule(),
    n_cpus: int | None = None,
    condition_column: str = "condition",
) -> DEResult:
    """Read counts, run :func:`differential_expression`, and write ``de_table.tsv``, ``de_table.parquet`` and
    ``de_run.json`` (provenance) into ``out_dir`` as one stage (:mod:`sca_tf.stages`).

    A rerun with the same counts, sample sheet and settings reuses ``out_dir``; otherwise it is rebuilt.
    """
    began = time.perf_counter()
    settings = {"treatment": treatment, "reference": reference, "alpha": alpha, "rule": asdict(rule),
                "condition_column": condition_column if samples_path is not None else None}
    def build(out: Path) -> None:
        data = read_counts(counts_path, samples_path, condition_column)
        table = differential_expression(data, treatment, reference, alpha, rule, n_cpus)
        status_counts = {status: int((table["status"] == status).sum()) for status in STATUSES}
        reasons = {reason: int((table["untestable_reason"] == reason).sum()) for reason in UNTESTABLE_REASONS}
        io.write_tsv(table, out / "de_table.tsv")
        io.write_parquet(table, out / "de_table.parquet")
        io.write_json(out / "de_run.json", {
            "counts": describe_file(counts_path),
            "sample_sheet": describe_file(samples_path) if samples_path is not None else None,
            "samples": data.conditions.to_dict(),
            **settings,
            "method": {
                "tool": "PyDESeq2",
                "design": "~condition",
                "contrast": ["condition", treatment, reference],
                "size_factors": "ratio (median of ratios)",
                "dispersion_trend": table.attrs["dispersion_trend"],
                "dispersion_fallbacks": table.attrs["dispersion_fallbacks"],
                "cooks_filter": True,
                "cooks_refit_min_replicates": 7,
                "independent_filter": True,
                "lfc_shrinkage": False,
            },
            "n_genes": len(table),
            "status_counts": status_counts,
            "untestable_reasons": reasons,
            "n_cpus": n_cpus or os.cpu_count(),
            "library_versions": library_versions(),
            "seconds": round(time.perf_counter() - began, 3),
        })

    def load(out: Path) -> DEResult:
        run = json.loads((out / "de_run.json").read_text())
        reasons = {reason: count for reason, count in run["untestable_reasons"].items() if count}
        return DEResult(out / "de_table.tsv", out / "de_table.parquet", out / "de_run.json",
                        pd.read_parquet(out / "de_table.parquet"), run["status_counts"], reasons,
                        time.perf_counter() - began)

    return stages.run_stage(out_dir, "dge", {"counts": counts_path, "samples": samples_path}, settings, build, load,
                            owned=DGE_FILES)
