"""On-disk size per example and build time of ``sca_promoters``: real GSE248760 x GRCh37 chr20 and a simulated set.

Prepares the inputs once into ``--work`` (``sca-tf dge`` + ``sca-tf promoters``; reused when already there),
then times ``build_dataset`` into a fresh data directory and reports the TFRecord bytes per example and per base,
next to what a dense float32 one-hot (16 bytes per base) would take. (Reading speed: pipeline_throughput.py.)

    python benchmarks/dataset_build.py [--work /tmp/sca_tf_bench] [--sim-genes 58174] [--skip-real] [--skip-sim]
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

import tensorflow_datasets as tfds

from sca_tf.data.build import build_dataset
from sca_tf.prep.dge import run_dge
from sca_tf.prep.promoters import run_promoters
from sca_tf.simulate import SimulationConfig, simulate

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DENSE_BYTES_PER_BASE = 4 * 4  # float32 one-hot


def real_inputs(work: Path) -> tuple[Path, Path]:
    """DE table and promoters of GSE248760 on GRCh37 chr20 (made once)."""
    de_table, promoters = work / "dge" / "de_table.tsv", work / "promoters" / "promoters.tsv"
    if not promoters.is_file():
        began = time.perf_counter()
        run_dge(SHARED / "GSE248760_raw_counts.txt", work / "dge")
        run_promoters(de_table, SHARED / "grch37_chr20" / "20.fa.gz", "grch37", work / "promoters")
        print(f"  inputs (dge + promoters): {time.perf_counter() - began:.0f} s")
    return de_table, promoters


def simulated_inputs(work: Path, n_genes: int) -> tuple[Path, Path]:
    """DE table and promoters of a simulated set of ``n_genes`` genes (made once)."""
    de_table, promoters = work / "dge" / "de_table.tsv", work / "promoters" / "promoters.tsv"
    sim = work / "sim"
    if not (sim / "simulation.json").is_file():
        began = time.perf_counter()
        simulate(sim, SimulationConfig(seed=0, n_genes=n_genes))
        print(f"  simulate: {time.perf_counter() - began:.0f} s")
    if not promoters.is_file():
        began = time.perf_counter()
        run_dge(sim / "counts.tsv", work / "dge")
        run_promoters(de_table, sim / "genome.fa", sim / "annotation.gtf", work / "promoters")
        print(f"  dge + promoters: {time.perf_counter() - began:.0f} s")
    return de_table, promoters


def measure(label: str, de_table: Path, promoters: Path, config: str, data_dir: Path) -> None:
    """Build ``config`` into an empty ``data_dir`` and print the build time and the size per example."""
    shutil.rmtree(data_dir, ignore_errors=True)
    began = time.perf_counter()
    built = build_dataset(data_dir, config=config, de_table=de_table, promoters=promoters)
    seconds = time.perf_counter() - began
    builder = tfds.builder(built.name, data_dir=str(data_dir))
    n_examples = builder.info.splits.total_num_examples
    length = builder.info.features["sequence"].shape[0]
    record_bytes = sum(path.stat().st_size for path in built.data_path.glob("*.tfrecord*"))
    total_bytes = sum(path.stat().st_size for path in built.data_path.rglob("*") if path.is_file())
    print(
        f"{label}: {n_examples:,} genes x {length} bp -> build {seconds:.1f} s ({n_examples / seconds:,.0f} genes/s); "
        f"TFRecords {record_bytes / 1e6:.2f} MB = {record_bytes / n_examples:,.0f} B/example = "
        f"{record_bytes / (n_examples * length):.3f} B/base (dense float32 one-hot: {DENSE_BYTES_PER_BASE} B/base, "
        f"{DENSE_BYTES_PER_BASE * length * n_examples / 1e6:.0f} MB); whole folder {total_bytes / 1e6:.2f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/sca_tf_bench"))
    parser.add_argument("--sim-genes", type=int, default=58_174, help="simulated genes (GSE248760 has 58,174)")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--skip-sim", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if not args.skip_real:
        print("real GSE248760 x GRCh37 chr20")
        de_table, promoters = real_inputs(args.work / "chr20")
        measure("chr20", de_table, promoters, "grch37_up2000_down0_random", args.work / "chr20" / "tfds")
    if not args.skip_sim:
        print(f"simulated, {args.sim_genes:,} genes")
        de_table, promoters = simulated_inputs(args.work / f"sim{args.sim_genes}", args.sim_genes)
        measure("simulated", de_table, promoters, "simulated_up2000_down0_chrom",
                args.work / f"sim{args.sim_genes}" / "tfds")


if __name__ == "__main__":
    main()
