"""Promoter extraction speed: sca-tf (pyfaidx) vs ``bedtools getfasta -s`` on the same intervals.

Runs both on the full GSE248760 x GRCh37 chr20 set (or any genome/annotation/gene list given), checks that the
two give identical sequences, and prints wall time and the per-gene rate of each. bedtools cannot read the
bgzip FASTA, so it gets a decompressed copy; sca-tf is timed on both.

    python benchmarks/promoters.py [--genome 20.fa.gz] [--annotation grch37] [--counts GSE248760_raw_counts.txt]
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

from sca_tf.prep.annotation import load_annotation
from sca_tf.prep.genome import open_genome
from sca_tf.prep.promoters import extract

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _time_ours(genes: pd.DataFrame, genome: Path, repeats: int) -> tuple[pd.DataFrame, float]:
    """Best-of-``repeats`` wall seconds of opening ``genome`` and extracting every window."""
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        kept, _ = extract(genes, open_genome(genome), max_n_fraction=1.0)
        timings.append(time.perf_counter() - began)
    return kept, min(timings)


def _time_bedtools(windows: pd.DataFrame, plain_genome: Path, repeats: int) -> tuple[dict[str, str], float]:
    """Best-of-``repeats`` wall seconds of ``bedtools getfasta -s``; sequences by gene ID."""
    bed = plain_genome.with_suffix(".bed")
    windows.assign(score=0)[["chrom", "start", "end", "gene_id", "score", "strand"]].to_csv(
        bed, sep="\t", header=False, index=False
    )
    command = ["bedtools", "getfasta", "-s", "-name", "-tab", "-fi", str(plain_genome), "-bed", str(bed)]
    timings, output = [], ""
    for _ in range(repeats):
        began = time.perf_counter()
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        timings.append(time.perf_counter() - began)
    sequences = {}
    for line in output.splitlines():
        name, sequence = line.split("\t")
        sequences[name.split("::")[0].split("(")[0]] = sequence.upper()
    return sequences, min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genome", type=Path, default=SHARED / "grch37_chr20" / "20.fa.gz")
    parser.add_argument("--annotation", default="grch37")
    parser.add_argument("--counts", type=Path, default=SHARED / "GSE248760_raw_counts.txt")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("bedtools") is None:
        raise SystemExit("bedtools not found: apt-get install bedtools")

    gene_ids = set(pd.read_csv(args.counts, sep="\t", usecols=[0]).iloc[1:, 0])
    genes = load_annotation(args.annotation).genes
    genes = genes[genes["gene_id"].isin(gene_ids)]

    with tempfile.TemporaryDirectory() as workdir:
        plain = Path(workdir) / "genome.fa"
        opener = gzip.open if args.genome.suffix == ".gz" else open
        with opener(args.genome, "rb") as source, open(plain, "wb") as target:
            shutil.copyfileobj(source, target)
        kept, ours_given = _time_ours(genes, args.genome, args.repeats)
        kept_plain, ours_plain = _time_ours(genes, plain, args.repeats)
        reference, theirs = _time_bedtools(kept, plain, args.repeats)

    n = len(kept)
    agree = sum(reference.get(g) == s for g, s in zip(kept["gene_id"], kept["sequence"]))
    print(f"windows: {n} (genome {args.genome.name}, annotation {args.annotation}, best of {args.repeats})")
    print(f"{'tool':<36}{'wall s':>10}{'genes/s':>12}")
    print(f"{'sca-tf (pyfaidx), ' + args.genome.name:<36}{ours_given:>10.3f}{n / ours_given:>12.0f}")
    print(f"{'sca-tf (pyfaidx), plain FASTA':<36}{ours_plain:>10.3f}{n / ours_plain:>12.0f}")
    print(f"{'bedtools getfasta -s, plain FASTA':<36}{theirs:>10.3f}{n / theirs:>12.0f}")
    print(f"ratio sca-tf / bedtools on the same plain FASTA: {ours_plain / theirs:.2f}")
    print(f"identical sequences: {agree}/{n}")
    if agree != n or not kept["sequence"].equals(kept_plain["sequence"]):
        raise SystemExit("sequences differ between sca-tf and bedtools")


if __name__ == "__main__":
    main()
