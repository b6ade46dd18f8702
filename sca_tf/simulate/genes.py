"""The gene table: identifiers, strands, biotypes, CpG islands, positions along the chromosomes, expression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sca_tf.simulate.config import SimulationConfig

GENE_ID_PREFIX = "SIMG"
_CHROMOSOME_FLANK = 5_000
_GAP_MARGIN = 500


def draw_genes(config: SimulationConfig, rng: np.random.Generator) -> pd.DataFrame:
    """One row per gene: identifiers, chromosome, strand, biotype, body length and CpG-island extent."""
    n = config.n_genes
    weights = 1.0 / (1.0 + 0.25 * np.arange(config.n_chromosomes))
    per_chromosome = np.floor(weights / weights.sum() * n).astype(int)
    per_chromosome[: n - per_chromosome.sum()] += 1
    biotype = np.where(rng.random(n) < config.fraction_lncrna, "lncRNA", "protein_coding")
    island_rate = np.where(biotype == "lncRNA", config.cpg_island_fraction_lncrna,
                           config.cpg_island_fraction_protein_coding)
    island_length = rng.integers(config.cpg_island_length[0], config.cpg_island_length[1] + 1, n)
    island_upstream = np.round(island_length * rng.uniform(0.55, 0.8, n)).astype(int)
    body = np.round(np.exp(rng.uniform(*np.log(config.gene_body_length), n))).astype(int)
    number = np.arange(1, n + 1)
    genes = pd.DataFrame({
        "gene_id": [f"{GENE_ID_PREFIX}{i:010d}" for i in number],
        "version": rng.integers(1, 16, n),
        "gene_name": [f"SIMGENE{i}" for i in number],
        "chrom": np.repeat(config.chromosome_names, per_chromosome),
        "strand": np.where(rng.random(n) < 0.5, "+", "-"),
        "gene_biotype": biotype,
        "body_length": body,
        "cpg_island": rng.random(n) < island_rate,
        "island_upstream": np.minimum(island_upstream, config.promoter_length),
        "island_downstream": np.minimum(island_length - island_upstream, body),
        "off_edge": False,
    })
    first_gene, last_gene = 0, n - 1
    genes.loc[[first_gene, last_gene], "off_edge"] = True
    genes.loc[first_gene, "strand"] = "+"
    genes.loc[last_gene, "strand"] = "-"
    return genes


def lay_out(genes: pd.DataFrame, config: SimulationConfig,
            rng: np.random.Generator) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """Place genes along their chromosomes; add ``t0`` (0-based TSS index), ``start``/``end`` (GTF, 1-based).

    Each gene is preceded by an intergenic spacer; a ``+`` gene is laid out promoter-then-body, a ``-`` gene
    body-then-promoter, so no promoter overlaps another gene. ``n_gaps`` spacers hold an N run at least
    ``_GAP_MARGIN`` bases from either neighbour. The first gene of the first chromosome (``+``) and the last
    gene of the last chromosome (``-``) keep only half of their promoter: it runs off the contig edge.
    Returns chromosome lengths and the N gaps as (chrom, start, end), 0-based half-open.
    """
    promoter = config.promoter_length
    spacer = rng.integers(config.intergenic_length[0], config.intergenic_length[1] + 1, len(genes))
    eligible = np.flatnonzero(~genes["off_edge"].to_numpy() & (genes["chrom"] == genes["chrom"].shift()).to_numpy())
    gap_genes = set(rng.choice(eligible, size=min(config.n_gaps, len(eligible)), replace=False).tolist())
    gap_sizes = rng.integers(config.gap_length[0], config.gap_length[1] + 1, len(genes))
    t0 = np.zeros(len(genes), dtype=np.int64)
    lengths: dict[str, int] = {}
    gaps: list[tuple[str, int, int]] = []
    for chrom, block in genes.groupby("chrom", sort=False):
        cursor = _CHROMOSOME_FLANK
        for index in block.index:
            body = int(genes.at[index, "body_length"])
            if genes.at[index, "off_edge"] and genes.at[index, "strand"] == "+":
                cursor = promoter // 2
            elif index in gap_genes:
                gaps.append((chrom, cursor + _GAP_MARGIN, cursor + _GAP_MARGIN + int(gap_sizes[index])))
                cursor += 2 * _GAP_MARGIN + int(gap_sizes[index]) + int(spacer[index])
            else:
                cursor += int(spacer[index])
            if genes.at[index, "strand"] == "+":
                if not genes.at[index, "off_edge"]:
                    cursor += promoter
                t0[index] = cursor
                cursor += body
            else:
                t0[index] = cursor + body - 1
                cursor += body + (promoter // 2 if genes.at[index, "off_edge"] else promoter)
        lengths[str(chrom)] = cursor + (0 if genes.at[block.index[-1], "off_edge"] else _CHROMOSOME_FLANK)
    plus = genes["strand"].to_numpy() == "+"
    body = genes["body_length"].to_numpy()
    genes["t0"] = t0
    genes["tss"] = t0 + 1
    genes["start"] = np.where(plus, t0 + 1, t0 - body + 2)
    genes["end"] = np.where(plus, t0 + body, t0 + 1)
    return lengths, gaps


def assign_expression(genes: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> None:
    """Add ``status``, ``all_zero``, ``log2fc`` (IS vs C) and ``base_mean`` (mean normalised count)."""
    n = len(genes)
    candidates = np.flatnonzero(~genes["off_edge"].to_numpy())
    order = rng.permutation(candidates)
    n_zero, n_up, n_down = (round(fraction * n) for fraction in
                            (config.fraction_all_zero, config.fraction_up, config.fraction_down))
    status = np.full(n, "not_de", dtype=object)
    status[order[n_zero : n_zero + n_up]] = "up"
    status[order[n_zero + n_up : n_zero + n_up + n_down]] = "down"
    all_zero = np.zeros(n, dtype=bool)
    all_zero[order[:n_zero]] = True
    magnitude = rng.uniform(*config.up_log2fc, n)
    null_effect = np.clip(rng.normal(0.0, config.not_de_log2fc_sd, n), -1.0, 1.0)
    log2fc = np.select([status == "up", status == "down"], [magnitude, -magnitude], null_effect)
    location, scale = config.log10_base_mean
    base_mean = 10 ** np.clip(rng.normal(location, scale, n), -0.5, 5.0)
    genes["status"] = status
    genes["all_zero"] = all_zero
    genes["log2fc"] = np.where(all_zero, 0.0, log2fc)
    genes["base_mean"] = np.where(all_zero, 0.0, base_mean)


def genomic_interval(t0: int, strand: str, start: int, end: int) -> tuple[int, int]:
    """0-based half-open genomic interval of transcript offsets ``[start, end)`` (TSS = 0) of a gene."""
    if strand == "+":
        return t0 + start, t0 + end
    return t0 - end + 1, t0 - start + 1
