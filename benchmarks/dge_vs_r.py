"""Differential expression, sca-tf (PyDESeq2) vs R DESeq2: same counts, same contrast, same DE rule.

Each side runs in its own child process that reads the counts file (GEO layout with a ``CLASS:DOSE`` row), fits,
tests ``treatment`` vs ``reference`` with independent filtering at ``alpha`` (R: ``results(dds, contrast=...,
alpha=)``, no shrinkage) and writes its table. Printed: DE count of each (|log2FC| > 2 and padj < 0.05 by
default), Jaccard index of the two DE sets, Pearson r of log2FC over genes finite in both, wall seconds of the
whole process and of the fit alone, CPU seconds of the process tree, and peak memory: the largest single process (``wait4`` rusage, as
``/usr/bin/time`` reports) and the whole process tree (sampled every 0.1 s; PyDESeq2 fits dispersions in worker
processes), with the ratio ours / R for each.

    python benchmarks/dge_vs_r.py [--counts GSE248760_raw_counts.txt] [--n-cpus 2]

Needs ``Rscript`` with Bioconductor DESeq2 (Debian: ``apt-get install r-bioc-deseq2``). The machine is shared,
so timings move with its load; the 1-minute load average before each run is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
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
import sys, time
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


def report(ours: Run, r: Run, rule: DERule) -> str:
    """The comparison table as text."""
    ours_de, r_de = de_genes(ours.table, rule), de_genes(r.table, rule)
    both = ours.table.join(r.table, lsuffix="_ours", rsuffix="_r", how="inner")
    finite = np.isfinite(both["log2FoldChange_ours"]) & np.isfinite(both["log2FoldChange_r"])
    tested = both["padj_ours"].notna() & both["padj_r"].notna()

    def pearson(genes: pd.Series) -> float:
        return float(np.corrcoef(both.loc[genes, "log2FoldChange_ours"], both.loc[genes, "log2FoldChange_r"])[0, 1])

    jaccard = len(ours_de & r_de) / len(ours_de | r_de) if ours_de | r_de else float("nan")

    def up_down(run: Run, genes: set[str]) -> str:
        up = int((run.table.loc[sorted(genes), "log2FoldChange"] > 0).sum())
        return f"{up:,} / {len(genes) - up:,}"

    rows = [
        ("DE genes", f"{len(ours_de):,}", f"{len(r_de):,}", f"{len(ours_de) / max(len(r_de), 1):.3f}"),
        ("  up / down", up_down(ours, ours_de), up_down(r, r_de), ""),
        ("padj = NA (untestable)", f"{ours.table['padj'].isna().sum():,}", f"{r.table['padj'].isna().sum():,}", ""),
        ("wall s, whole process", f"{ours.wall_seconds:.1f}", f"{r.wall_seconds:.1f}",
         f"{ours.wall_seconds / r.wall_seconds:.2f}"),
        ("wall s, fit + test only", f"{ours.fit_seconds:.1f}", f"{r.fit_seconds:.1f}",
         f"{ours.fit_seconds / r.fit_seconds:.2f}"),
        ("CPU s (user+sys), whole tree", f"{ours.cpu_seconds:.1f}", f"{r.cpu_seconds:.1f}",
         f"{ours.cpu_seconds / r.cpu_seconds:.2f}"),
        ("peak RSS MB, largest process", f"{ours.max_process_rss_mb:,.0f}", f"{r.max_process_rss_mb:,.0f}",
         f"{ours.max_process_rss_mb / r.max_process_rss_mb:.2f}"),
        ("peak RSS MB, process tree", f"{ours.peak_tree_rss_mb:,.0f}", f"{r.peak_tree_rss_mb:,.0f}",
         f"{ours.peak_tree_rss_mb / r.peak_tree_rss_mb:.2f}"),
        ("1-min load average before", f"{ours.load_before:.2f}", f"{r.load_before:.2f}", ""),
    ]
    lines = [f"{'':30}{'sca-tf (PyDESeq2)':>20}{'R DESeq2':>18}{'ours/R':>9}"]
    lines += [f"{name:30}{left:>20}{right:>18}{ratio:>9}" for name, left, right, ratio in rows]
    lines += [
        f"Jaccard of DE sets: {jaccard:.4f} (both {len(ours_de & r_de):,}, only ours {len(ours_de - r_de):,}, "
        f"only R {len(r_de - ours_de):,})",
        f"log2FC Pearson r: {pearson(finite):.5f} over {int(finite.sum()):,} genes finite in both; "
        f"{pearson(tested):.5f} over the {int(tested.sum()):,} with padj in both",
    ]
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
    args = parser.parse_args()
    rscript = shutil.which("Rscript")
    if rscript is None:
        sys.exit("Rscript not found; install R and Bioconductor DESeq2 (Debian: apt-get install r-bioc-deseq2)")
    rule = DERule(args.lfc_threshold, args.padj_threshold)
    contrast = [args.treatment, args.reference, str(args.alpha)]
    with tempfile.TemporaryDirectory(prefix="dge_vs_r_") as scratch:
        work = Path(scratch)
        (work / "deseq2.R").write_text(R_SCRIPT)
        print(f"counts: {args.counts}\nrunning sca-tf (PyDESeq2) ...", flush=True)
        ours = measure([sys.executable, "-c", OURS_SCRIPT, str(args.counts), str(work / "ours.tsv"), *contrast,
                        args.n_cpus], work / "ours.tsv")
        print("running R DESeq2 ...", flush=True)
        r = measure([rscript, str(work / "deseq2.R"), str(args.counts), str(work / "r.tsv"), *contrast],
                    work / "r.tsv")
    print(report(ours, r, rule))


if __name__ == "__main__":
    main()
