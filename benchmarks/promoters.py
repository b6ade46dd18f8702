"""Promoter extraction speed: sca-tf beside ``bedtools getfasta -s`` on the same windows, measured in one run.

Default: the GSE248760 genes on GRCh37 chr20 (``shared/data/grch37_chr20/20.fa.gz``, bgzip) with the packaged
GRCh37 table, as ``sca-tf promoters --annotation grch37`` uses them. ``--simulated-genes N`` times the simulated
genome of N genes instead (every gene of its GTF; a bgzip copy is made for the bgzip figure). bedtools cannot
read bgzip, so it gets a decompressed copy; sca-tf is timed on that copy and on the bgzip file. The three are
run alternately, ``--repeats`` rounds, and the best of each is reported with its ratio to bedtools; sca-tf's
windows must equal bedtools' (upper-cased) and be the same from the plain and the bgzip file.

    python benchmarks/promoters.py [--genome 20.fa.gz] [--annotation grch37] [--counts GSE248760_raw_counts.txt]
    python benchmarks/promoters.py --simulated-genes 58000
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from Bio import bgzf

from sca_tf.prep.annotation import load_annotation
from sca_tf.prep.genome import open_genome
from sca_tf.prep.promoters import extract

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _best(runs: dict[str, Callable[[], object]], repeats: int) -> tuple[dict[str, float], dict[str, object]]:
    """Best-of-``repeats`` wall seconds of each run, the runs alternating; and each run's last result."""
    best = dict.fromkeys(runs, float("inf"))
    results: dict[str, object] = {}
    for _ in range(repeats):
        for name, run in runs.items():
            began = time.perf_counter()
            results[name] = run()
            best[name] = min(best[name], time.perf_counter() - began)
    return best, results


def _bedtools(plain: Path, bed: Path) -> Callable[[], bytes]:
    """A run of ``bedtools getfasta -s`` on ``bed``; returns its raw output (parsed by :func:`_by_gene`, untimed)."""
    command = ["bedtools", "getfasta", "-s", "-name", "-tab", "-fi", str(plain), "-bed", str(bed)]
    return lambda: subprocess.run(command, check=True, capture_output=True).stdout


def _by_gene(output: bytes) -> dict[str, str]:
    """bedtools' ``-name -tab`` lines (``ID::chrom:start-end(strand)<TAB>bases``) as upper-case bases by gene ID."""
    sequences = {}
    for line in output.decode("ascii").splitlines():
        name, bases = line.split("\t")
        sequences[name.split("::")[0].split("(")[0]] = bases.upper()
    return sequences


def _inputs(args: argparse.Namespace, workdir: Path) -> tuple[pd.DataFrame, Path, Path, str]:
    """Genes, the plain and the bgzip genome, and a label; copies and simulated data go into ``workdir``."""
    if args.simulated_genes:
        from sca_tf.simulate import SimulationConfig, simulate

        began = time.perf_counter()
        simulation = simulate(workdir / "simulated", SimulationConfig(n_genes=args.simulated_genes))
        plain = Path(simulation.genome_fasta)
        packed = workdir / "genome.fa.gz"
        with open(plain, "rb") as source, bgzf.BgzfWriter(str(packed), "wb") as target:
            shutil.copyfileobj(source, target, length=1 << 20)
        open_genome(packed)  # writes the .fai and .gzi, as a user's first run would
        print(f"simulated {args.simulated_genes} genes and a bgzip copy in {time.perf_counter() - began:.0f} s")
        genes = load_annotation(simulation.annotation_gtf).genes
        return genes, plain, packed, f"simulated genome, {args.simulated_genes} genes"
    gene_ids = set(pd.read_csv(args.counts, sep="\t", usecols=[0]).iloc[1:, 0])
    genes = load_annotation(args.annotation).genes
    genes = genes[genes["gene_id"].isin(gene_ids)]
    plain = workdir / "genome.fa"
    opener = gzip.open if args.genome.suffix == ".gz" else open
    with opener(args.genome, "rb") as source, open(plain, "wb") as target:
        shutil.copyfileobj(source, target)
    return genes, plain, args.genome, f"{args.counts.name} genes on {args.genome.name}, annotation {args.annotation}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genome", type=Path, default=SHARED / "grch37_chr20" / "20.fa.gz")
    parser.add_argument("--annotation", default="grch37")
    parser.add_argument("--counts", type=Path, default=SHARED / "GSE248760_raw_counts.txt")
    parser.add_argument("--simulated-genes", type=int, help="time the simulated genome of this many genes instead")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    if shutil.which("bedtools") is None:
        raise SystemExit("bedtools not found: apt-get install bedtools")

    with tempfile.TemporaryDirectory() as tmp:
        genes, plain, packed, label = _inputs(args, Path(tmp))
        windows, _ = extract(genes, open_genome(plain), max_n_fraction=1.0)  # also writes the plain .fai
        bed = Path(tmp) / "windows.bed"
        windows.assign(score=0)[["chrom", "start", "end", "gene_id", "score", "strand"]].to_csv(
            bed, sep="\t", header=False, index=False
        )
        runs = {
            "sca-tf, plain FASTA": lambda: extract(genes, open_genome(plain), max_n_fraction=1.0)[0],
            f"sca-tf, bgzip {packed.name}": lambda: extract(genes, open_genome(packed), max_n_fraction=1.0)[0],
            "bedtools getfasta -s, plain FASTA": _bedtools(plain, bed),
        }
        best, results = _best(runs, args.repeats)

    ours_plain, ours_packed, output = results.values()
    reference = _by_gene(output)
    reference_seconds = best["bedtools getfasta -s, plain FASTA"]
    n = len(windows)
    print(
        f"{n} windows of {windows['end'].sub(windows['start']).max()} bp: {label}; best of {args.repeats}, alternating"
    )
    print(f"{'tool':<40}{'wall s':>9}{'genes/s':>11}{'/ bedtools':>12}")
    for name, seconds in best.items():
        print(f"{name:<40}{seconds:>9.4f}{n / seconds:>11.0f}{seconds / reference_seconds:>12.2f}")
    agree = sum(reference.get(gene) == sequence for gene, sequence in zip(windows["gene_id"], windows["sequence"]))
    same_files = ours_plain["sequence"].equals(ours_packed["sequence"])
    print(f"identical to bedtools: {agree}/{n}; plain and bgzip identical: {same_files}")
    if agree != n or not same_files:
        raise SystemExit("sequences differ")


if __name__ == "__main__":
    main()
