"""Differential expression, sca-tf vs stock PyDESeq2 vs R DESeq2: same counts, same contrast, same DE rule.

Each side runs in its own child process that reads the counts file (GEO layout with a ``CLASS:DOSE`` row), fits,
tests ``treatment`` vs ``reference`` with independent filtering at ``alpha`` (R: ``results(dds, contrast=...,
alpha=)``, no shrinkage) and writes its table. Stock PyDESeq2 is ``DeseqDataSet`` + ``DefaultInference`` with the
settings sca-tf uses (Cook's refit and filtering, independent filtering), its per-gene fits in ``--n-cpus``
worker processes. Printed: DE count of each (|log2FC| > 2 and padj < 0.05 by default), the Jaccard index of the
DE sets of each pair, Pearson r of log2FC over genes finite in both, wall seconds of the whole process and of the
fit alone, CPU seconds of the process tree, peak memory: the largest single process (``wait4`` rusage, as
``/usr/bin/time`` reports) and the whole process tree (sampled every 0.1 s), the ratio sca-tf / R for each, and
the number of genes each of sca-tf's dispersion passes left to PyDESeq2's per-gene fit.

    python benchmarks/dge_vs_r.py [--counts GSE248760_raw_counts.txt] [--n-cpus 2] [--repeats 3]

``--repeats`` runs sca-tf and R that many times each, alternating, and reports each side's fastest run (wall,
and that run's fit, CPU and memory); stock PyDESeq2 runs once (``--no-stock`` skips it). Needs ``Rscript`` with
Bioconductor DESeq2 (Debian: ``apt-get install r-bioc-deseq2``). The machine is shared, so timings move with its
load; the 1-minute load average before each run is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from sca_tf.prep.annotation import strip_version
from sca_tf.prep.dge import DERule

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

R_SCRIPT = r"""
suppressPackageStartupMessages(library(DESeq2))
args <- commandArgs(trailingOnly = TRUE)
counts_path <- args[1]; out_path <- args[2]; treatment <- args[3]; reference <- args[4]
alpha <- as.numeric(args[5])
raw <- read.delim(counts_path, check.names = FALSE, colClasses = "character")
is_class <- toupper(trimws(raw[[1]])) == "CLASS:DOSE"
condition <- factor(trimws(unlist(raw[is_class, -1])))
counts <- as.matrix(raw[!is_class, -1])
mode(counts) <- "integer"
rownames(counts) <- raw[!is_class, 1]
col_data <- data.frame(condition = relevel(condition, ref = reference), row.names = colnames(counts))
began <- Sys.time()
dds <- DESeqDataSetFromMatrix(counts, col_data, ~condition)
dds <- DESeq(dds, quiet = TRUE)
res <- results(dds, contrast = c("condition", treatment, reference), alpha = alpha)
fit_seconds <- as.numeric(difftime(Sys.time(), began, units = "secs"))
out <- data.frame(gene_id = rownames(res), baseMean = res$baseMean, log2FoldChange = res$log2FoldChange,
                  lfcSE = res$lfcSE, stat = res$stat, pvalue = res$pvalue, padj = res$padj)
write.table(out, out_path, sep = "\t", quote = FALSE, row.names = FALSE, na = "NA")
cat(fit_seconds, file = paste0(out_path, ".seconds"))
"""

OURS_SCRIPT = r"""
import json, sys, time
from sca_tf.prep.counts import read_counts
from sca_tf.prep.dge import differential_expression
counts_path, out_path, treatment, reference, alpha, n_cpus = sys.argv[1:7]
data = read_counts(counts_path)
began = time.perf_counter()
table = differential_expression(data, treatment, reference, float(alpha),
                                n_cpus=None if n_cpus == "all" else int(n_cpus), progress=False)
fit_seconds = time.perf_counter() - began
table.to_csv(out_path, sep="\t", index=False, na_rep="NA")
open(out_path + ".seconds", "w").write(str(fit_seconds))
open(out_path + ".fallbacks", "w").write(json.dumps(table.attrs["dispersion_fallbacks"]))
"""

STOCK_SCRIPT = r"""
import sys, time
import pandas as pd
from pydeseq2.dds import DeseqDataSet
from pydeseq2.default_inference import DefaultInference
from pydeseq2.ds import DeseqStats
from sca_tf.prep.counts import read_counts
counts_path, out_path, treatment, reference, alpha, n_cpus = sys.argv[1:7]
data = read_counts(counts_path)
began = time.perf_counter()
levels = [reference, *sorted(set(data.conditions) - {reference})]
metadata = pd.DataFrame({"condition": pd.Categorical(data.conditions, categories=levels)},
                        index=data.conditions.index)
inference = DefaultInference(n_cpus=None if n_cpus == "all" else int(n_cpus))
dds = DeseqDataSet(counts=data.counts.T, metadata=metadata, design="~condition", refit_cooks=True,
                   inference=inference, quiet=True)
dds.deseq2()
stats = DeseqStats(dds, contrast=["condition", treatment, reference], alpha=float(alpha), cooks_filter=True,
                   independent_filter=True, inference=inference, quiet=True)
stats.summary()
fit_seconds = time.perf_counter() - began
stats.results_df.rename_axis("gene_id").reset_index().to_csv(out_path, sep="\t", index=False, na_rep="NA")
open(out_path + ".seconds", "w").write(str(fit_seconds))
"""


@dataclass(frozen=True)
class Run:
    """One side's results table and cost."""

    table: pd.DataFrame
    wall_seconds: float
    fit_seconds: float
    cpu_seconds: float
    max_process_rss_mb: float
    peak_tree_rss_mb: float
    load_before: float


def measure(command: list[str], out_path: Path) -> Run:
    """Run ``command`` to completion, sampling its process tree's RSS; read the table it wrote to ``out_path``."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as log:
        began = time.perf_counter()
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        peak_tree = 0
        while os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            peak_tree = max(peak_tree, _tree_rss(child.pid))
            time.sleep(0.1)
        _, status, usage = os.wait4(child.pid, 0)  # reaps the child; its rusage covers its reaped workers too
        wall = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            log.seek(0)
            sys.exit(f"{command[0]} failed (exit {child.returncode}):\n{log.read().decode(errors='replace')}")
    table = pd.read_csv(out_path, sep="\t", keep_default_na=False, na_values=["NA"], dtype={"gene_id": str})
    table["gene_id"] = table["gene_id"].map(strip_version)
    fit_seconds = float(Path(f"{out_path}.seconds").read_text())
    cpu = usage.ru_utime + usage.ru_stime
    return Run(table.set_index("gene_id"), wall, fit_seconds, cpu, usage.ru_maxrss / 1024, peak_tree / 2**20,
               load_before)


def _tree_rss(pid: int) -> int:
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def de_genes(table: pd.DataFrame, rule: DERule) -> set[str]:
    significant = table["padj"] < rule.padj_threshold
    return set(table.index[significant & (table["log2FoldChange"].abs() > rule.lfc_threshold)])


def agreement(first: Run, second: Run, rule: DERule) -> str:
    """Jaccard index of two sides' DE sets and Pearson r of their log2FC, as one line."""
    first_de, second_de = de_genes(first.table, rule), de_genes(second.table, rule)
    union = first_de | second_de
    jaccard = len(first_de & second_de) / len(union) if union else float("nan")
    both = first.table.join(second.table, lsuffix="_a", rsuffix="_b", how="inner")
    finite = np.isfinite(both["log2FoldChange_a"]) & np.isfinite(both["log2FoldChange_b"])
    pearson = np.corrcoef(both.loc[finite, "log2FoldChange_a"], both.loc[finite, "log2FoldChange_b"])[0, 1]
    return (f"Jaccard {jaccard:.4f} (both {len(first_de & second_de):,}, only the first {len(first_de - second_de):,}, "
            f"only the second {len(second_de - first_de):,}); log2FC r {pearson:.6f} over {int(finite.sum()):,} genes")


def report(runs: dict[str, Run], rule: DERule, fallbacks: list[int]) -> str:
    """The comparison table as text: one column per side, then sca-tf / R, then the pairwise agreement."""
    ours, r = runs["sca-tf"], runs["R DESeq2"]

    def up_down(run: Run) -> str:
        genes = de_genes(run.table, rule)
        up = int((run.table.loc[sorted(genes), "log2FoldChange"] > 0).sum())
        return f"{up:,} / {len(genes) - up:,}"

    rows: list[tuple[str, Callable[[Run], str], Callable[[Run], float] | None]] = [
        ("DE genes", lambda run: f"{len(de_genes(run.table, rule)):,}", lambda run: len(de_genes(run.table, rule))),
        ("  up / down", up_down, None),
        ("padj = NA (untestable)", lambda run: f"{run.table['padj'].isna().sum():,}", None),
        ("wall s, whole process", lambda run: f"{run.wall_seconds:.1f}", lambda run: run.wall_seconds),
        ("wall s, fit + test only", lambda run: f"{run.fit_seconds:.2f}", lambda run: run.fit_seconds),
        ("CPU s (user+sys), whole tree", lambda run: f"{run.cpu_seconds:.1f}", lambda run: run.cpu_seconds),
        ("peak RSS MB, largest process", lambda run: f"{run.max_process_rss_mb:,.0f}",
         lambda run: run.max_process_rss_mb),
        ("peak RSS MB, process tree", lambda run: f"{run.peak_tree_rss_mb:,.0f}", lambda run: run.peak_tree_rss_mb),
        ("1-min load average before", lambda run: f"{run.load_before:.2f}", None),
    ]
    lines = [f"{'':30}" + "".join(f"{name:>20}" for name in runs) + f"{'sca-tf/R':>10}"]
    for name, cell, value in rows:
        ratio = f"{value(ours) / value(r):.2f}" if value is not None else ""
        lines.append(f"{name:30}" + "".join(f"{cell(run):>20}" for run in runs.values()) + f"{ratio:>10}")
    lines.append(f"sca-tf genes left to PyDESeq2's per-gene dispersion fit (gene-wise, MAP): {fallbacks}")
    names = list(runs)
    for index, first in enumerate(names):
        for second in names[index + 1:]:
            lines.append(f"{first} vs {second}: {agreement(runs[first], runs[second], rule)}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=Path, default=SHARED / "GSE248760_raw_counts.txt",
                        help="GEO-layout counts with a CLASS:DOSE row (default: GSE248760)")
    parser.add_argument("--treatment", default="IS")
    parser.add_argument("--reference", default="C")
    parser.add_argument("--alpha", type=float, default=0.1, help="independent-filtering alpha (R default 0.1)")
    parser.add_argument("--lfc-threshold", type=float, default=2.0)
    parser.add_argument("--padj-threshold", type=float, default=0.05)
    parser.add_argument("--n-cpus", default="all", help="PyDESeq2 worker processes (default: all cores)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of sca-tf and of R, alternating; best kept")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock PyDESeq2 run")
    args = parser.parse_args()
    rscript = shutil.which("Rscript")
    if rscript is None:
        sys.exit("Rscript not found; install R and Bioconductor DESeq2 (Debian: apt-get install r-bioc-deseq2)")
    rule = DERule(args.lfc_threshold, args.padj_threshold)
    contrast = [args.treatment, args.reference, str(args.alpha)]
    with tempfile.TemporaryDirectory(prefix="dge_vs_r_") as scratch:
        work = Path(scratch)
        (work / "deseq2.R").write_text(R_SCRIPT)
        commands = {
            "sca-tf": [sys.executable, "-c", OURS_SCRIPT, str(args.counts), str(work / "sca-tf.tsv"), *contrast,
                       args.n_cpus],
            "R DESeq2": [rscript, str(work / "deseq2.R"), str(args.counts), str(work / "R DESeq2.tsv"), *contrast],
        }
        print(f"counts: {args.counts}", flush=True)
        runs: dict[str, Run] = {}
        if not args.no_stock:
            print("running stock PyDESeq2 ...", flush=True)
            runs["PyDESeq2 stock"] = measure(
                [sys.executable, "-c", STOCK_SCRIPT, str(args.counts), str(work / "stock.tsv"), *contrast,
                 args.n_cpus], work / "stock.tsv")
        for repeat in range(args.repeats):
            for name, command in commands.items():
                run = measure(command, work / f"{name}.tsv")
                print(f"  {name} run {repeat + 1}: wall {run.wall_seconds:.2f} s, fit {run.fit_seconds:.2f} s, "
                      f"load {run.load_before:.2f}", flush=True)
                if name not in runs or run.wall_seconds < runs[name].wall_seconds:
                    runs[name] = run
        fallbacks = json.loads((work / "sca-tf.tsv.fallbacks").read_text())
    print(report(runs, rule, fallbacks))


if __name__ == "__main__":
    main()
