"""The text outputs besides genome and counts: the GTF annotation, the truth table and the summary counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sca_tf.motifs.planted import PLANTED_MOTIFS
from sca_tf.simulate.config import SimulationConfig
from sca_tf.simulate.genes import GENE_ID_PREFIX, genomic_interval
from sca_tf.simulate.placement import Site

_TRANSCRIPT_ID_PREFIX, _EXON_ID_PREFIX = "SIMT", "SIME"
_GTF_SOURCE = "sca_tf"


def _exons(body: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Exons as transcript offsets ``[start, end)`` covering the body's first and last base (1-4 exons)."""
    n_exons = int(min(rng.integers(1, 5), max(1, body // 250)))
    edges = np.linspace(0, body, n_exons + 1).round().astype(int)
    exons = []
    for index in range(n_exons):
        start, end = int(edges[index]), int(edges[index + 1])
        if index < n_exons - 1:
            end = start + max(50, int((end - start) * rng.uniform(0.3, 0.7)))
        exons.append((start, end))
    return exons


def gtf_text(genes: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> str:
    """Ensembl-style GTF (1-based inclusive) with gene, transcript and exon lines; ids carry a version."""
    lines = [f"#!genome-build sca-tf-simulated seed={config.seed}", "#!genome-version SCA-TF-SIM-1"]
    exon_number_total = 0
    for gene in genes.itertuples(index=False):
        version = int(gene.version)
        gene_id = f"{gene.gene_id}.{version}"
        transcript_id = f"{_TRANSCRIPT_ID_PREFIX}{gene.gene_id[len(GENE_ID_PREFIX):]}.{version}"
        gene_attributes = (f'gene_id "{gene_id}"; gene_version "{version}"; gene_name "{gene.gene_name}"; '
                           f'gene_source "{_GTF_SOURCE}"; gene_biotype "{gene.gene_biotype}";')
        transcript_attributes = (f'{gene_attributes} transcript_id "{transcript_id}"; transcript_version "{version}"; '
                                 f'transcript_name "{gene.gene_name}-201"; transcript_biotype "{gene.gene_biotype}";')
        prefix = f"{gene.chrom}\t{_GTF_SOURCE}"
        suffix = f"\t.\t{gene.strand}\t."
        lines.append(f"{prefix}\tgene\t{gene.start}\t{gene.end}{suffix}\t{gene_attributes}")
        lines.append(f"{prefix}\ttranscript\t{gene.start}\t{gene.end}{suffix}\t{transcript_attributes}")
        for number, (start, end) in enumerate(_exons(int(gene.body_length), rng), start=1):
            exon_number_total += 1
            first, last = genomic_interval(int(gene.t0), gene.strand, start, end)
            exon_attributes = (f'{transcript_attributes} exon_number "{number}"; '
                               f'exon_id "{_EXON_ID_PREFIX}{exon_number_total:010d}.1";')
            lines.append(f"{prefix}\texon\t{first + 1}\t{last}{suffix}\t{exon_attributes}")
    return "\n".join(lines) + "\n"


def truth_table(genes: pd.DataFrame, sites: list[list[Site]]) -> pd.DataFrame:
    """One row per gene with its true class, effect, planted sites (motif orientation) and notes."""
    notes = np.where(genes["off_edge"], "off_edge", np.where(genes["all_zero"], "all_zero", ""))
    return pd.DataFrame({
        "gene_id": genes["gene_id"],
        "gene_name": genes["gene_name"],
        "gene_biotype": genes["gene_biotype"],
        "chrom": genes["chrom"],
        "strand": genes["strand"],
        "tss": genes["tss"],
        "true_status": genes["status"],
        "true_log2fc": genes["log2fc"].round(4),
        "base_mean": genes["base_mean"].round(4),
        "motifs": [",".join(site.motif.name for site in gene_sites) for gene_sites in sites],
        "motif_offsets": [",".join(str(site.offset) for site in gene_sites) for gene_sites in sites],
        "motif_strands": [",".join(site.strand for site in gene_sites) for gene_sites in sites],
        "motif_sites": [",".join(site.site for site in gene_sites) for gene_sites in sites],
        "cpg_island": genes["cpg_island"],
        "notes": notes,
    })


def summarise(genes: pd.DataFrame, sites: list[list[Site]], lengths: dict[str, int],
              gaps: list[tuple[str, int, int]]) -> dict[str, Any]:
    status = genes["status"]
    not_de = (status == "not_de").to_numpy()
    carries = {motif.name: np.array([any(site.motif is motif for site in gene_sites) for gene_sites in sites])
               for motif in PLANTED_MOTIFS}
    return {
        "n_genes": len(genes),
        "n_up": int((status == "up").sum()),
        "n_down": int((status == "down").sum()),
        "n_not_de": int(not_de.sum()),
        "n_all_zero": int(genes["all_zero"].sum()),
        "n_off_edge": int(genes["off_edge"].sum()),
        "n_plus_strand": int((genes["strand"] == "+").sum()),
        "n_minus_strand": int((genes["strand"] == "-").sum()),
        "n_protein_coding": int((genes["gene_biotype"] == "protein_coding").sum()),
        "n_lncrna": int((genes["gene_biotype"] == "lncRNA").sum()),
        "n_cpg_island": int(genes["cpg_island"].sum()),
        "n_planted_sites": sum(len(gene_sites) for gene_sites in sites),
        "n_decoy_genes": {name: int((carried & not_de).sum()) for name, carried in carries.items()},
        "n_gaps": len(gaps),
        "genome_length": sum(lengths.values()),
        "chromosome_lengths": dict(lengths),
    }
