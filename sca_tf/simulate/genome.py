"""The genome: bulk background, CpG islands at TSSs, planted sites, N gaps and soft-masked repeats; its index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyfaidx

from sca_tf.io import atomic_path
from sca_tf.sequence import codes_of, reverse_complement
from sca_tf.simulate.background import sample_markov, soft_mask
from sca_tf.simulate.config import SimulationConfig
from sca_tf.simulate.genes import genomic_interval
from sca_tf.simulate.placement import Site

_N_CODE = 8
# Codes 0-3 are ACGT, 4-7 the same bases soft-masked (lower case), 8 is N: a code -> letter writer table.
_LETTER_OF_CODE = np.frombuffer(b"ACGTacgtN", dtype=np.uint8)


def build_genome(genes: pd.DataFrame, sites: list[list[Site]], lengths: dict[str, int],
                 gaps: list[tuple[str, int, int]], config: SimulationConfig,
                 rng: np.random.Generator) -> dict[str, str]:
    """Bulk background, CpG islands at TSSs, planted sites, N gaps, then soft-masked repeats."""
    total = sum(lengths.values())
    bulk = sample_markov(rng, config.background_gc, config.background_cpg_oe, total)
    island_lengths = (genes["island_upstream"] + genes["island_downstream"]).where(genes["cpg_island"], 0)
    islands = sample_markov(rng, config.island_gc, config.island_cpg_oe, int(island_lengths.sum()))
    island_cursor = 0
    genome: dict[str, str] = {}
    bulk_cursor = 0
    for chrom, length in lengths.items():
        codes = bulk[bulk_cursor : bulk_cursor + length].copy()
        bulk_cursor += length
        block = genes[genes["chrom"] == chrom]
        for index, gene in block.iterrows():
            t0, strand = int(gene["t0"]), str(gene["strand"])
            if gene["cpg_island"]:
                upstream, downstream = int(gene["island_upstream"]), int(gene["island_downstream"])
                start, end = genomic_interval(t0, strand, -upstream, downstream)
                start, end = max(start, 0), min(end, length)
                codes[start:end] = islands[island_cursor : island_cursor + end - start]
                island_cursor += int(island_lengths[index])
            for site in sites[index]:
                start, end = genomic_interval(t0, strand, site.offset, site.offset + site.motif.width)
                oriented = site.transcript_sequence if strand == "+" else reverse_complement(site.transcript_sequence)
                codes[start:end] = codes_of(oriented)
        for gap_chrom, start, end in gaps:
            if gap_chrom == chrom:
                codes[start:end] = _N_CODE
        codes[soft_mask(length, config.soft_mask_fraction, rng) & (codes < 4)] += 4
        genome[chrom] = _LETTER_OF_CODE[codes].tobytes().decode("ascii")
    return genome


def index_fasta(fasta: Path, index: Path) -> None:
    """Build the samtools-style ``.fai`` with pyfaidx, atomically (a stale index is never left behind)."""
    with atomic_path(index) as tmp:
        tmp.unlink()
        pyfaidx.Faidx(str(fasta), indexname=tmp).close()
