"""``simulate(out_dir, config)``: draw the genes, sites, genome and counts from independent streams; write them."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sca_tf.io import ensure_output_dir, write_fasta, write_json, write_text, write_tsv
from sca_tf.motifs.planted import PLANTED_MOTIFS
from sca_tf.provenance import library_versions
from sca_tf.simulate.config import SimulationConfig
from sca_tf.simulate.counts import counts_text, simulate_counts
from sca_tf.simulate.genes import assign_expression, draw_genes, lay_out
from sca_tf.simulate.genome import build_genome, index_fasta
from sca_tf.simulate.placement import plan_sites
from sca_tf.simulate.writers import gtf_text, summarise, truth_table

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimulationResult:
    """Paths of everything ``simulate`` wrote, and its summary counts."""

    out_dir: Path
    genome_fasta: Path
    genome_index: Path
    annotation_gtf: Path
    counts_tsv: Path
    truth_tsv: Path
    motifs_json: Path
    simulation_json: Path
    summary: Mapping[str, Any] = field(default_factory=dict)


def simulate(out_dir: str | Path, config: SimulationConfig = SimulationConfig()) -> SimulationResult:
    """Write a seeded synthetic genome, annotation, counts, motifs and truth table into ``out_dir``.

    The same ``config`` (seed included) gives byte-identical files. Independent random streams drive the
    layout, the DNA, the planted sites and the counts, so changing e.g. only the dispersion leaves the genome
    unchanged.
    """
    out = ensure_output_dir(out_dir)
    layout_rng, dna_rng, site_rng, count_rng = (
        np.random.default_rng(stream) for stream in np.random.SeedSequence(config.seed).spawn(4)
    )
    logger.info("simulating %d genes on %d chromosomes (seed %d)", config.n_genes, config.n_chromosomes, config.seed)
    genes = draw_genes(config, layout_rng)
    chromosome_lengths, gaps = lay_out(genes, config, layout_rng)
    assign_expression(genes, config, layout_rng)
    sites = plan_sites(genes, config, site_rng)
    genome = build_genome(genes, sites, chromosome_lengths, gaps, config, dna_rng)
    counts = simulate_counts(genes, config, count_rng)

    paths = SimulationResult(
        out_dir=out,
        genome_fasta=out / "genome.fa",
        genome_index=out / "genome.fa.fai",
        annotation_gtf=out / "annotation.gtf",
        counts_tsv=out / "counts.tsv",
        truth_tsv=out / "truth.tsv",
        motifs_json=out / "motifs.json",
        simulation_json=out / "simulation.json",
    )
    write_fasta(genome.items(), paths.genome_fasta, width=config.fasta_line_width)
    index_fasta(paths.genome_fasta, paths.genome_index)
    write_text(paths.annotation_gtf, gtf_text(genes, config, layout_rng))
    write_text(paths.counts_tsv, counts_text(genes, counts, config))
    write_tsv(truth_table(genes, sites), paths.truth_tsv)
    write_json(paths.motifs_json, {"motifs": [motif.to_json() for motif in PLANTED_MOTIFS]})
    summary = summarise(genes, sites, chromosome_lengths, gaps)
    write_json(paths.simulation_json, {
        "config": dataclasses.asdict(config),
        "seed": config.seed,
        "library_versions": library_versions(("sca-tf", "numpy", "pandas", "pyfaidx")),
        "summary": summary,
        "files": {name: path.name for name, path in _file_fields(paths).items()},
    })
    logger.info("wrote %s: %d bp genome, %d up / %d down genes", out, summary["genome_length"],
                summary["n_up"], summary["n_down"])
    return dataclasses.replace(paths, summary=summary)


def _file_fields(result: SimulationResult) -> dict[str, Path]:
    return {item.name: getattr(result, item.name) for item in dataclasses.fields(result)
            if item.name not in ("out_dir", "summary")}
