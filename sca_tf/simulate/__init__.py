"""Seeded synthetic genome, annotation, counts and ground truth: the embedded default dataset.

``simulate(out_dir)`` writes everything the pipeline needs without GEO or a reference genome, with a signal
planted so that a promoter model can learn it and motif discovery can find it again::

    genome.fa, genome.fa.fai   soft-masked FASTA (60 bases a line) with N gaps, indexed by pyfaidx
    annotation.gtf             gene / transcript / exon lines, versioned ids, both strands, two biotypes
    counts.tsv                 GEO layout like GSE248760 (``NAME`` header, ``CLASS:DOSE`` row, unversioned ids)
    truth.tsv                  per gene: true status, log2 fold change, base mean, planted motifs and offsets
    motifs.json                the two planted motifs (consensus, position frequency matrix, class they mark)
    simulation.json            the configuration (seed included), library versions and summary counts

How the data are made
---------------------
* Background DNA comes from strand-symmetric first-order Markov chains: bulk sequence with human-like GC
  (~41 %) and CpG depletion (CpG observed/expected ~0.22), and CpG-island sequence (GC ~63 %, o/e ~0.8) laid
  over 500-1000 bp around the TSS of ~60 % of protein-coding (and fewer lncRNA) genes, so CpG o/e next to
  the TSS is clearly above the 1500-2000 bp band, as in the human genome. Depletion of CpG is balanced by
  excess CpA/TpG (the deamination products), which keeps the base composition fixed.
* Promoters (``promoter_length`` bases upstream of the TSS) are built in transcript orientation and written
  reverse-complemented for minus-strand genes, so a promoter read 5'->3' on the gene's strand shows the
  planted motifs exactly as recorded in ``truth.tsv``.
* Up-regulated genes carry 2-4 sites of the "up" motif, down-regulated genes of the "down" motif, mostly in
  -300..-50 but not only there; each not-DE gene carries a decoy site of each motif with a small probability.
  Sites are sampled from the position frequency matrix (kept only if their relative PWM score reaches
  ``min_site_relative_score``) and placed on either strand.
* Counts are negative binomial (gamma-Poisson) around log-normal base means drawn from one distribution for
  every gene, so expression level alone does not reveal the class. Dispersion follows DESeq2's parametric
  trend ``a / mean + b`` with log-normal gene-wise scatter; size factors vary between samples; a fraction of
  genes is all-zero and many are low-count, so the DE stage meets ``untestable`` genes.

The motifs
----------
"up" is modelled on the CREB1 cAMP-response element TGACGTCA (JASPAR MA0018 family, bZIP); "down" on the
NF-kB site GGGAATTTCC (JASPAR MA0105 family, Rel). They share no 4-mer core, the kB site holds no CpG, and
the CRE's single central CpG is far from the GC/CpG-rich look of CpG islands, so neither motif can be learnt
as "CpG island or not". (NRF1, ETS and C/EBP sites were avoided because their cores contain CpG.) The
matrices below are hand-made from the consensus with JASPAR-like degeneracy, not copied JASPAR counts.

Example::

    >>> from sca_tf.simulate import SimulationConfig, simulate
    >>> result = simulate("sim", SimulationConfig(seed=1, n_genes=300))  # doctest: +SKIP
    >>> result.summary["n_up"]  # doctest: +SKIP
    24
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyfaidx

from sca_tf.errors import ScaInputError
from sca_tf.io import atomic_path, ensure_output_dir, write_fasta, write_json, write_text, write_tsv
from sca_tf.provenance import library_versions
from sca_tf.sequence import ALPHABET, codes_of, decode_bases, reverse_complement

__all__ = [
    "DOWN_MOTIF",
    "PLANTED_MOTIFS",
    "UP_MOTIF",
    "PlantedMotif",
    "SimulationConfig",
    "SimulationResult",
    "dinucleotide_chain",
    "sample_markov",
    "simulate",
]

logger = logging.getLogger(__name__)

_N_CODE = 8
# Codes 0-3 are ACGT, 4-7 the same bases soft-masked (lower case), 8 is N.
_LETTER_OF_CODE = np.frombuffer(b"ACGTacgtN", dtype=np.uint8)
_GENE_ID_PREFIX, _TRANSCRIPT_ID_PREFIX, _EXON_ID_PREFIX = "SIMG", "SIMT", "SIME"
_GTF_SOURCE = "sca_tf"
_CHROMOSOME_FLANK = 5_000
_GAP_MARGIN = 500


@dataclass(frozen=True)
class PlantedMotif:
    """A transcription-factor-like motif: its position frequency matrix (rows A, C, G, T per position)."""

    name: str
    consensus: str
    marks: str
    modelled_on: str
    pfm: tuple[tuple[float, float, float, float], ...]

    @property
    def width(self) -> int:
        """Number of positions."""
        return len(self.pfm)

    def log_odds(self) -> np.ndarray:
        """Position weight matrix: log2(frequency / 0.25), shape (width, 4)."""
        return np.log2(np.asarray(self.pfm) / 0.25)

    def relative_score(self, site: str) -> float:
        """Score of ``site`` scaled to [0, 1] between the worst and best possible PWM scores (as JASPAR does)."""
        pwm = self.log_odds()
        codes = codes_of(site)
        score = pwm[np.arange(self.width), codes].sum()
        low, high = pwm.min(axis=1).sum(), pwm.max(axis=1).sum()
        return float((score - low) / (high - low))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready description (the matrix as rows of A, C, G, T frequencies)."""
        return {
            "name": self.name,
            "consensus": self.consensus,
            "marks": self.marks,
            "modelled_on": self.modelled_on,
            "alphabet": list(ALPHABET),
            "pfm": [list(row) for row in self.pfm],
        }


UP_MOTIF = PlantedMotif(
    name="CREB1",
    consensus="TGACGTCA",
    marks="up",
    modelled_on="CREB1 cAMP-response element (CRE), JASPAR MA0018 family",
    pfm=(
        (0.10, 0.10, 0.15, 0.65),
        (0.05, 0.02, 0.90, 0.03),
        (0.93, 0.02, 0.03, 0.02),
        (0.02, 0.94, 0.02, 0.02),
        (0.02, 0.02, 0.94, 0.02),
        (0.02, 0.03, 0.02, 0.93),
        (0.03, 0.90, 0.05, 0.02),
        (0.65, 0.15, 0.10, 0.10),
    ),
)
DOWN_MOTIF = PlantedMotif(
    name="NFKB1",
    consensus="GGGAATTTCC",
    marks="down",
    modelled_on="NF-kB (NFKB1/RELA) kB site, JASPAR MA0105 family",
    pfm=(
        (0.05, 0.05, 0.85, 0.05),
        (0.02, 0.02, 0.94, 0.02),
        (0.03, 0.03, 0.90, 0.04),
        (0.70, 0.05, 0.20, 0.05),
        (0.60, 0.15, 0.10, 0.15),
        (0.10, 0.10, 0.05, 0.75),
        (0.03, 0.03, 0.02, 0.92),
        (0.05, 0.20, 0.03, 0.72),
        (0.02, 0.94, 0.02, 0.02),
        (0.05, 0.85, 0.05, 0.05),
    ),
)
PLANTED_MOTIFS = (UP_MOTIF, DOWN_MOTIF)


# --------------------------------------------------------------------------------------------------- config


def _fail(name: str, expected: str, value: Any) -> None:
    raise ScaInputError(f"SimulationConfig.{name}: expected {expected}, got {value!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _require_int(config: SimulationConfig, name: str, low: int, high: int | None = None) -> None:
    value = getattr(config, name)
    if not _is_int(value) or value < low or (high is not None and value > high):
        _fail(name, f"an integer in [{low}, {high if high is not None else 'inf'}]", value)


def _require_number(config: SimulationConfig, name: str, low: float, high: float) -> None:
    value = getattr(config, name)
    if not _is_number(value) or not low <= value <= high:
        _fail(name, f"a number in [{low}, {high}]", value)


def _require_range(config: SimulationConfig, name: str, kind: type, low: float, high: float) -> None:
    """A (low, high) pair of ``kind`` with ``low <= first <= second <= high``."""
    value = getattr(config, name)
    check = _is_int if kind is int else _is_number
    if (
        not isinstance(value, tuple) or len(value) != 2 or not all(check(item) for item in value)
        or not low <= value[0] <= value[1] <= high
    ):
        _fail(name, f"a ({kind.__name__} low, {kind.__name__} high) tuple with {low} <= low <= high <= {high}", value)


def _require_pair(config: SimulationConfig, name: str, first: tuple[float, float], second: tuple[float, float]) -> None:
    """A 2-tuple of numbers whose items lie in the ``first`` and ``second`` bounds."""
    value = getattr(config, name)
    if (
        not isinstance(value, tuple) or len(value) != 2 or not all(_is_number(item) for item in value)
        or not first[0] <= value[0] <= first[1] or not second[0] <= value[1] <= second[1]
    ):
        _fail(name, f"a tuple with first item in {list(first)} and second in {list(second)}", value)


# ------------------------------------------------------------------------------------------- background DNA


def dinucleotide_chain(gc: float, cpg_oe: float) -> tuple[np.ndarray, np.ndarray]:
    """Stationary base frequencies and 4x4 transition matrix (A, C, G, T) with the given GC and CpG o/e.

    Starting from independent bases, CpG loses ``(1 - cpg_oe) * pC * pG`` of dinucleotide mass, CpA and TpG
    gain it and TpA loses it, which keeps every row and column sum (hence the base composition) unchanged and
    the chain strand-symmetric.

    >>> frequencies, transitions = dinucleotide_chain(0.4, 0.2)
    >>> round(float(frequencies @ transitions[:, 2] / frequencies[2]), 6)  # G is still 20 % of bases
    1.0
    """
    a, c, g, t = range(4)
    frequencies = np.array([(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2])
    joint = np.outer(frequencies, frequencies)
    shift = (1 - cpg_oe) * frequencies[c] * frequencies[g]
    joint[c, g] -= shift
    joint[c, a] += shift
    joint[t, g] += shift
    joint[t, a] -= shift
    if (joint < 0).any():
        raise ScaInputError(f"GC {gc} with CpG o/e {cpg_oe} needs a negative dinucleotide frequency")
    return frequencies, joint / frequencies[:, None]


def _chain_is_valid(gc: float, cpg_oe: float) -> bool:
    if not (_is_number(gc) and _is_number(cpg_oe)):
        return False
    try:
        dinucleotide_chain(gc, cpg_oe)
    except ScaInputError:
        return False
    return True


def sample_markov(
    rng: np.random.Generator, gc: float, cpg_oe: float, length: int, row_length: int = 4096
) -> np.ndarray:
    """``length`` base codes (0-3 = A, C, G, T) from the chain of :func:`dinucleotide_chain`.

    Rows of ``row_length`` bases are drawn side by side, one column at a time, so the Python loop runs
    ``row_length`` times whatever the length; each row restarts from the stationary distribution.
    """
    frequencies, transitions = dinucleotide_chain(gc, cpg_oe)
    n_rows = max(1, math.ceil(length / row_length))
    cumulative = np.cumsum(transitions, axis=1)[:, :3]
    out = np.empty((n_rows, row_length), dtype=np.uint8)
    state = (rng.random(n_rows)[:, None] >= np.cumsum(frequencies)[:3]).sum(axis=1).astype(np.uint8)
    out[:, 0] = state
    for column in range(1, row_length):
        state = (rng.random(n_rows)[:, None] >= cumulative[state]).sum(axis=1).astype(np.uint8)
        out[:, column] = state
    return out.ravel()[:length]


@dataclass(frozen=True)
class SimulationConfig:
    """Every knob of the simulation; validated on construction (``ScaInputError`` names the field).

    Offsets are relative to the TSS in transcript orientation: -1 is the base just upstream of the first
    transcribed base, and the promoter spans ``-promoter_length .. -1``.
    """

    seed: int = 0
    n_chromosomes: int = 4
    n_genes: int = 3000
    n_is: int = 4
    n_c: int = 4
    fraction_up: float = 0.08
    fraction_down: float = 0.08
    fraction_all_zero: float = 0.08
    fraction_lncrna: float = 0.2
    promoter_length: int = 2000
    motif_copies: tuple[int, int] = (2, 4)
    core_window: tuple[int, int] = (-300, -50)
    fraction_sites_in_core: float = 0.75
    decoy_rate: float = 0.05
    min_site_relative_score: float = 0.9
    cpg_island_fraction_protein_coding: float = 0.6
    cpg_island_fraction_lncrna: float = 0.2
    cpg_island_length: tuple[int, int] = (500, 1000)
    background_gc: float = 0.40
    background_cpg_oe: float = 0.22
    island_gc: float = 0.63
    island_cpg_oe: float = 0.8
    gene_body_length: tuple[int, int] = (300, 3000)
    intergenic_length: tuple[int, int] = (200, 1200)
    n_gaps: int = 6
    gap_length: tuple[int, int] = (1000, 10000)
    soft_mask_fraction: float = 0.15
    log10_base_mean: tuple[float, float] = (1.6, 1.0)
    up_log2fc: tuple[float, float] = (2.5, 4.0)
    not_de_log2fc_sd: float = 0.3
    dispersion_trend: tuple[float, float] = (1.0, 0.1)
    dispersion_scatter: float = 0.4
    size_factor_range: tuple[float, float] = (0.7, 1.4)
    fasta_line_width: int = 60

    def __post_init__(self) -> None:
        _require_int(self, "seed", 0)
        _require_int(self, "n_chromosomes", 3, 99)
        _require_int(self, "n_genes", 25 * self.n_chromosomes)
        _require_int(self, "n_is", 2)
        _require_int(self, "n_c", 2)
        for name in ("fraction_up", "fraction_down", "fraction_all_zero", "fraction_lncrna", "decoy_rate",
                     "fraction_sites_in_core", "min_site_relative_score", "cpg_island_fraction_protein_coding",
                     "cpg_island_fraction_lncrna"):
            _require_number(self, name, 0.0, 1.0)
        if self.fraction_up + self.fraction_down + self.fraction_all_zero > 0.9:
            _fail("fraction_up + fraction_down + fraction_all_zero", "a sum <= 0.9 (not-DE genes must remain)",
                  self.fraction_up + self.fraction_down + self.fraction_all_zero)
        _require_int(self, "promoter_length", 400, 20_000)
        widest = max(motif.width for motif in PLANTED_MOTIFS)
        _require_range(self, "motif_copies", int, 1, 10)
        _require_range(self, "core_window", int, -self.promoter_length, -1)
        if self.core_window[1] - self.core_window[0] < widest * self.motif_copies[1] * 2:
            _fail("core_window", f"room for {self.motif_copies[1]} non-overlapping sites of {widest} bp",
                  self.core_window)
        _require_range(self, "cpg_island_length", int, 100, self.promoter_length)
        for name in ("background_gc", "island_gc"):
            _require_number(self, name, 0.2, 0.8)
        for name in ("background_cpg_oe", "island_cpg_oe"):
            _require_number(self, name, 0.05, 1.2)
        for gc_name, oe_name in (("background_gc", "background_cpg_oe"), ("island_gc", "island_cpg_oe")):
            if not _chain_is_valid(getattr(self, gc_name), getattr(self, oe_name)):
                _fail(f"{gc_name}/{oe_name}", "a GC and CpG o/e pair a dinucleotide Markov chain can reach",
                      (getattr(self, gc_name), getattr(self, oe_name)))
        _require_range(self, "gene_body_length", int, 100, 1_000_000)
        _require_range(self, "intergenic_length", int, 50, 1_000_000)
        _require_int(self, "n_gaps", 0, 10_000)
        _require_range(self, "gap_length", int, 1, 1_000_000)
        _require_number(self, "soft_mask_fraction", 0.0, 0.9)
        _require_pair(self, "log10_base_mean", (-1.0, 6.0), (0.0, 3.0))
        _require_range(self, "up_log2fc", float, 0.1, 15.0)
        _require_number(self, "not_de_log2fc_sd", 0.0, 1.0)
        _require_pair(self, "dispersion_trend", (0.0, 100.0), (1e-4, 10.0))
        _require_number(self, "dispersion_scatter", 0.0, 3.0)
        _require_range(self, "size_factor_range", float, 0.01, 100.0)
        _require_int(self, "fasta_line_width", 10, 10_000)

    @property
    def chromosome_names(self) -> tuple[str, ...]:
        """``chrS1`` .. ``chrS<n>``."""
        return tuple(f"chrS{index + 1}" for index in range(self.n_chromosomes))


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


@dataclass(frozen=True)
class _Site:
    """One planted motif instance: ``site`` in motif orientation, its 5'-most transcript offset and strand."""

    motif: PlantedMotif
    offset: int
    strand: str
    site: str

    @property
    def transcript_sequence(self) -> str:
        """The site as read 5'->3' on the gene's strand."""
        return self.site if self.strand == "+" else reverse_complement(self.site)


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
    genes = _draw_genes(config, layout_rng)
    chromosome_lengths, gaps = _lay_out(genes, config, layout_rng)
    _assign_expression(genes, config, layout_rng)
    sites = _plan_sites(genes, config, site_rng)
    genome = _build_genome(genes, sites, chromosome_lengths, gaps, config, dna_rng)
    counts = _simulate_counts(genes, config, count_rng)

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
    _index_fasta(paths.genome_fasta, paths.genome_index)
    write_text(paths.annotation_gtf, _gtf_text(genes, config, layout_rng))
    write_text(paths.counts_tsv, _counts_text(genes, counts, config))
    write_tsv(_truth_table(genes, sites), paths.truth_tsv)
    write_json(paths.motifs_json, {"motifs": [motif.to_json() for motif in PLANTED_MOTIFS]})
    summary = _summary(genes, sites, chromosome_lengths, gaps)
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


# -------------------------------------------------------------------------------------------------- genes


def _draw_genes(config: SimulationConfig, rng: np.random.Generator) -> pd.DataFrame:
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
        "gene_id": [f"{_GENE_ID_PREFIX}{i:010d}" for i in number],
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


def _lay_out(genes: pd.DataFrame, config: SimulationConfig,
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


def _assign_expression(genes: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> None:
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


# -------------------------------------------------------------------------------------------------- motifs


def _sample_site(motif: PlantedMotif, config: SimulationConfig, rng: np.random.Generator) -> str:
    """A site drawn position by position from the PFM, redrawn until its relative score is high enough."""
    cumulative = np.cumsum(np.asarray(motif.pfm), axis=1)[:, :3]
    while True:
        codes = (rng.random(motif.width)[:, None] >= cumulative).sum(axis=1)
        site = decode_bases(codes)
        if motif.relative_score(site) >= config.min_site_relative_score:
            return site


def _draw_offset(motif: PlantedMotif, config: SimulationConfig, rng: np.random.Generator) -> int:
    """5'-most offset of a site: mostly inside ``core_window``, otherwise anywhere in the promoter."""
    if rng.random() < config.fraction_sites_in_core:
        low, high = config.core_window[0], config.core_window[1] - motif.width
    else:
        low, high = -config.promoter_length, -motif.width
    return int(rng.integers(low, high + 1))


def _plan_sites(genes: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> list[list[_Site]]:
    """Sites per gene: class motif copies for DE genes, independent decoys for not-DE genes, none off-edge."""
    plan: list[list[_Site]] = []
    for status, off_edge in zip(genes["status"], genes["off_edge"], strict=True):
        wanted: list[PlantedMotif] = []
        if status in ("up", "down") and not off_edge:
            copies = int(rng.integers(config.motif_copies[0], config.motif_copies[1] + 1))
            wanted = [UP_MOTIF if status == "up" else DOWN_MOTIF] * copies
        elif not off_edge:
            wanted = [motif for motif in PLANTED_MOTIFS if rng.random() < config.decoy_rate]
        sites: list[_Site] = []
        for motif in wanted:
            offset = _draw_offset(motif, config, rng)
            while any(offset < other.offset + other.motif.width and other.offset < offset + motif.width
                      for other in sites):
                offset = _draw_offset(motif, config, rng)
            strand = "+" if rng.random() < 0.5 else "-"
            sites.append(_Site(motif, offset, strand, _sample_site(motif, config, rng)))
        plan.append(sorted(sites, key=lambda site: site.offset))
    return plan


# -------------------------------------------------------------------------------------------------- genome


def _genomic_interval(t0: int, strand: str, start: int, end: int) -> tuple[int, int]:
    """0-based half-open genomic interval of transcript offsets ``[start, end)`` (TSS = 0) of a gene."""
    if strand == "+":
        return t0 + start, t0 + end
    return t0 - end + 1, t0 - start + 1


def _build_genome(genes: pd.DataFrame, sites: list[list[_Site]], lengths: dict[str, int],
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
                start, end = _genomic_interval(t0, strand, -upstream, downstream)
                start, end = max(start, 0), min(end, length)
                codes[start:end] = islands[island_cursor : island_cursor + end - start]
                island_cursor += int(island_lengths[index])
            for site in sites[index]:
                start, end = _genomic_interval(t0, strand, site.offset, site.offset + site.motif.width)
                oriented = site.transcript_sequence if strand == "+" else reverse_complement(site.transcript_sequence)
                codes[start:end] = codes_of(oriented)
        for gap_chrom, start, end in gaps:
            if gap_chrom == chrom:
                codes[start:end] = _N_CODE
        codes[_soft_mask(length, config.soft_mask_fraction, rng) & (codes < 4)] += 4
        genome[chrom] = _LETTER_OF_CODE[codes].tobytes().decode("ascii")
    return genome


def _soft_mask(length: int, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of repeat-like stretches (100-1500 bp) covering about ``fraction`` of ``length``."""
    mean_length = 800
    n_repeats = int(round(fraction * length / mean_length))
    starts = rng.integers(0, length, n_repeats)
    ends = np.minimum(starts + rng.integers(100, 1501, n_repeats), length)
    depth = np.zeros(length + 1, dtype=np.int32)
    np.add.at(depth, starts, 1)
    np.add.at(depth, ends, -1)
    return np.cumsum(depth[:-1]) > 0


def _index_fasta(fasta: Path, index: Path) -> None:
    """Build the samtools-style ``.fai`` with pyfaidx, atomically (a stale index is never left behind)."""
    with atomic_path(index) as tmp:
        tmp.unlink()
        pyfaidx.Faidx(str(fasta), indexname=tmp).close()


# -------------------------------------------------------------------------------------------------- counts


def _simulate_counts(genes: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> np.ndarray:
    """Negative-binomial (gamma-Poisson) counts, genes x samples (IS samples first, then C)."""
    group_is = np.r_[np.ones(config.n_is, dtype=bool), np.zeros(config.n_c, dtype=bool)]
    size_factors = rng.uniform(*config.size_factor_range, group_is.size)
    base_mean = genes["base_mean"].to_numpy()
    fold = 2.0 ** genes["log2fc"].to_numpy()
    mean_c = base_mean * group_is.size / (config.n_is * fold + config.n_c)
    group_mean = np.where(group_is[None, :], (mean_c * fold)[:, None], mean_c[:, None])
    mu = group_mean * size_factors[None, :]
    a, b = config.dispersion_trend
    trend = a / np.maximum(base_mean, 1e-3) + b
    dispersion = trend * np.exp(rng.normal(0.0, config.dispersion_scatter, len(genes)))
    shape = np.repeat((1.0 / dispersion)[:, None], group_is.size, axis=1)
    rate = rng.gamma(shape, mu * dispersion[:, None])
    counts = rng.poisson(rate)
    counts[genes["all_zero"].to_numpy()] = 0
    return counts


def _counts_text(genes: pd.DataFrame, counts: np.ndarray, config: SimulationConfig) -> str:
    """GSE248760 layout: ``NAME`` + sample header, ``CLASS:DOSE`` row, one row per unversioned gene id."""
    samples = [f"Sample_{index + 1}" for index in range(config.n_is + config.n_c)]
    lines = ["\t".join(["NAME", *samples]), "\t".join(["CLASS:DOSE", *(["IS"] * config.n_is), *(["C"] * config.n_c)])]
    rows = zip(genes["gene_id"], counts.tolist(), strict=True)
    lines += ["\t".join([gene_id, *map(str, row)]) for gene_id, row in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- annotation


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


def _gtf_text(genes: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> str:
    """Ensembl-style GTF (1-based inclusive) with gene, transcript and exon lines; ids carry a version."""
    lines = [f"#!genome-build sca-tf-simulated seed={config.seed}", "#!genome-version SCA-TF-SIM-1"]
    exon_number_total = 0
    for gene in genes.itertuples(index=False):
        version = int(gene.version)
        gene_id = f"{gene.gene_id}.{version}"
        transcript_id = f"{_TRANSCRIPT_ID_PREFIX}{gene.gene_id[len(_GENE_ID_PREFIX):]}.{version}"
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
            first, last = _genomic_interval(int(gene.t0), gene.strand, start, end)
            exon_attributes = (f'{transcript_attributes} exon_number "{number}"; '
                               f'exon_id "{_EXON_ID_PREFIX}{exon_number_total:010d}.1";')
            lines.append(f"{prefix}\texon\t{first + 1}\t{last}{suffix}\t{exon_attributes}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- truth, json


def _truth_table(genes: pd.DataFrame, sites: list[list[_Site]]) -> pd.DataFrame:
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


def _summary(genes: pd.DataFrame, sites: list[list[_Site]], lengths: dict[str, int],
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


def _file_fields(result: SimulationResult) -> dict[str, Path]:
    return {item.name: getattr(result, item.name) for item in dataclasses.fields(result)
            if item.name not in ("out_dir", "summary")}
