"""Tests for sca_tf.simulate: files, determinism, planted signal (checked by an independent oracle), counts."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyfaidx
import pytest

from sca_tf.errors import ScaInputError
from sca_tf.sequence import cpg_observed_expected, gc_fraction, reverse_complement
from sca_tf.simulate import SimulationConfig, dinucleotide_chain, sample_markov, simulate

SMALL = SimulationConfig(seed=7, n_genes=300, decoy_rate=0.15)
OUTPUT_FILES = ("genome.fa", "genome.fa.fai", "annotation.gtf", "counts.tsv", "truth.tsv", "motifs.json",
                "simulation.json")
GTF_COLUMNS = ["seqname", "source", "feature", "start", "end", "score", "strand", "frame", "attributes"]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory):
    return simulate(tmp_path_factory.mktemp("small"), SMALL)


@pytest.fixture(scope="module")
def genome(small_run) -> dict[str, str]:
    """Chromosome name -> upper-case sequence, read with pyfaidx."""
    with pyfaidx.Fasta(str(small_run.genome_fasta)) as fasta:
        return {name: str(fasta[name][:]).upper() for name in fasta.keys()}


@pytest.fixture(scope="module")
def truth(small_run) -> pd.DataFrame:
    return pd.read_csv(small_run.truth_tsv, sep="\t", keep_default_na=False)


@pytest.fixture(scope="module")
def gtf(small_run) -> pd.DataFrame:
    return pd.read_csv(small_run.annotation_gtf, sep="\t", comment="#", header=None, names=GTF_COLUMNS)


def promoter(genome: dict[str, str], chrom: str, strand: str, tss: int, length: int) -> str:
    """Oracle: the ``length`` bases upstream of a 1-based TSS, read 5'->3' on the gene's strand."""
    sequence = genome[chrom]
    if strand == "+":
        return sequence[tss - 1 - length : tss - 1]
    return reverse_complement(sequence[tss : tss + length])


def split_list(cell: str) -> list[str]:
    return cell.split(",") if cell else []


def on_edge(truth: pd.DataFrame) -> pd.Series:
    return truth["notes"] == "off_edge"


# ------------------------------------------------------------------------------------------ files, determinism


def test_writes_every_file_and_reports_their_paths(small_run) -> None:
    assert sorted(path.name for path in small_run.out_dir.iterdir()) == sorted(OUTPUT_FILES)
    assert small_run.genome_index == small_run.out_dir / "genome.fa.fai"
    recorded = json.loads(small_run.simulation_json.read_text())
    assert recorded["seed"] == SMALL.seed
    assert recorded["config"]["n_genes"] == SMALL.n_genes
    assert recorded["summary"] == json.loads(json.dumps(dict(small_run.summary)))


def test_same_seed_gives_identical_bytes_and_another_seed_a_different_genome(small_run, tmp_path: Path) -> None:
    again = simulate(tmp_path / "again", SMALL)
    for name in OUTPUT_FILES:
        assert (again.out_dir / name).read_bytes() == (small_run.out_dir / name).read_bytes(), name
    other = simulate(tmp_path / "other", dataclasses.replace(SMALL, seed=SMALL.seed + 1))
    assert other.genome_fasta.read_bytes() != small_run.genome_fasta.read_bytes()
    assert other.counts_tsv.read_bytes() != small_run.counts_tsv.read_bytes()


def test_counts_stream_is_independent_of_the_genome(small_run, tmp_path: Path) -> None:
    noisier = simulate(tmp_path / "noisier", dataclasses.replace(SMALL, dispersion_trend=(2.0, 0.3)))
    assert noisier.genome_fasta.read_bytes() == small_run.genome_fasta.read_bytes()
    assert noisier.counts_tsv.read_bytes() != small_run.counts_tsv.read_bytes()


# ------------------------------------------------------------------------------------------------ genome


def test_fasta_is_indexed_with_advertised_lengths_line_width_and_case_mix(small_run, genome) -> None:
    lengths = small_run.summary["chromosome_lengths"]
    assert list(genome) == [f"chrS{index}" for index in range(1, SMALL.n_chromosomes + 1)]
    assert {name: len(sequence) for name, sequence in genome.items()} == lengths
    index = pd.read_csv(small_run.genome_index, sep="\t", header=None)
    assert dict(zip(index[0], index[1], strict=True)) == lengths
    assert set(index[3]) == {SMALL.fasta_line_width}
    raw = small_run.genome_fasta.read_text()
    body = raw.replace("\n", "")
    lower = sum(body.count(base) for base in "acgt")
    assert 0.05 < lower / len(body) < 0.3
    assert set("".join(genome.values())) == set("ACGTN")


def test_gaps_lie_away_from_promoters(small_run, genome, truth) -> None:
    n_bases = sum(sequence.count("N") for sequence in genome.values())
    assert n_bases >= small_run.summary["n_gaps"] * SMALL.gap_length[0] > 0
    for row in truth[~on_edge(truth)].itertuples():
        assert "N" not in promoter(genome, row.chrom, row.strand, row.tss, SMALL.promoter_length + 100), row.gene_id


def test_off_edge_genes_have_promoters_running_off_the_contig(genome, truth) -> None:
    edge = truth[on_edge(truth)]
    assert set(edge["strand"]) == {"+", "-"}
    for row in edge.itertuples():
        if row.strand == "+":
            assert row.tss - 1 - SMALL.promoter_length < 0
        else:
            assert row.tss + SMALL.promoter_length > len(genome[row.chrom])
        assert row.motifs == ""


def test_background_has_human_like_gc_and_cpg_depletion(genome, truth) -> None:
    assert 0.38 <= gc_fraction("".join(genome.values())) <= 0.45
    distal = "".join(promoter(genome, row.chrom, row.strand, row.tss, SMALL.promoter_length)[:1000]
                     for row in truth[~on_edge(truth)].itertuples())
    assert 0.38 <= gc_fraction(distal) <= 0.45
    assert cpg_observed_expected(distal) < 0.35


@pytest.mark.parametrize("strand", ["+", "-"])
def test_cpg_island_promoters_are_cpg_rich_next_to_the_tss_on_each_strand(genome, truth, strand: str) -> None:
    def near_and_far(rows: pd.DataFrame) -> tuple[float, float]:
        sequences = [promoter(genome, row.chrom, row.strand, row.tss, 2000) for row in rows.itertuples()]
        return (float(np.mean([cpg_observed_expected(sequence[-500:]) for sequence in sequences])),
                float(np.mean([cpg_observed_expected(sequence[:500]) for sequence in sequences])))

    genes = truth[(truth["strand"] == strand) & ~on_edge(truth)]
    island_near, island_far = near_and_far(genes[genes["cpg_island"]])
    plain_near, plain_far = near_and_far(genes[~genes["cpg_island"]])
    assert island_near > 0.6 and island_far < 0.35
    assert island_near > 2 * island_far
    assert abs(plain_near - plain_far) < 0.1


def test_markov_chain_reaches_requested_gc_and_cpg_ratio() -> None:
    frequencies, transitions = dinucleotide_chain(0.41, 0.22)
    np.testing.assert_allclose(transitions.sum(axis=1), 1.0)
    np.testing.assert_allclose(frequencies @ transitions, frequencies)
    sequence = "".join("ACGT"[code] for code in sample_markov(np.random.default_rng(3), 0.41, 0.22, 200_000))
    assert gc_fraction(sequence) == pytest.approx(0.41, abs=0.01)
    assert cpg_observed_expected(sequence) == pytest.approx(0.22, abs=0.03)
    assert cpg_observed_expected(reverse_complement(sequence)) == pytest.approx(0.22, abs=0.03)


# ------------------------------------------------------------------------------------------------ annotation


def test_gtf_is_well_formed_and_agrees_with_truth(gtf, truth) -> None:
    assert set(gtf["feature"]) == {"gene", "transcript", "exon"}
    assert (gtf["start"] <= gtf["end"]).all() and (gtf["start"] >= 1).all()
    assert set(gtf["strand"]) == {"+", "-"}
    genes = gtf[gtf["feature"] == "gene"].copy()
    genes["versioned_id"] = genes["attributes"].str.extract(r'gene_id "([^"]+)"')[0]
    genes["biotype"] = genes["attributes"].str.extract(r'gene_biotype "([^"]+)"')[0]
    assert genes["versioned_id"].str.fullmatch(r"SIMG\d{10}\.\d+").all()
    assert set(genes["biotype"]) == {"protein_coding", "lncRNA"}
    merged = truth.merge(genes.assign(gene_id=genes["versioned_id"].str.split(".").str[0]), on="gene_id",
                         suffixes=("_truth", "_gtf"))
    assert len(merged) == len(truth) == SMALL.n_genes
    assert (merged["strand_truth"] == merged["strand_gtf"]).all()
    assert (merged["chrom"] == merged["seqname"]).all()
    assert 0.35 < (genes["strand"] == "+").mean() < 0.65


def test_gtf_tss_matches_truth_and_exons_lie_in_their_gene(gtf, truth) -> None:
    gene_rows = gtf[gtf["feature"] == "gene"]
    ids = gene_rows["attributes"].str.extract(r'gene_id "(SIMG\d+)\.')[0]
    gtf_tss = pd.Series(np.where(gene_rows["strand"] == "+", gene_rows["start"], gene_rows["end"]), index=ids.values)
    assert (gtf_tss.loc[truth["gene_id"]].to_numpy() == truth["tss"].to_numpy()).all()
    spans = dict(zip(ids, zip(gene_rows["start"], gene_rows["end"], strict=True), strict=True))
    exons = gtf[gtf["feature"] == "exon"]
    exon_gene = exons["attributes"].str.extract(r'gene_id "(SIMG\d+)\.')[0]
    for gene_id, start, end in zip(exon_gene, exons["start"], exons["end"], strict=True):
        assert spans[gene_id][0] <= start <= end <= spans[gene_id][1]
    first_exon = exons[exons["attributes"].str.contains('exon_number "1";')]
    first_ids = first_exon["attributes"].str.extract(r'gene_id "(SIMG\d+)\.')[0]
    first_tss = np.where(first_exon["strand"] == "+", first_exon["start"], first_exon["end"])
    assert (first_tss == gtf_tss.loc[first_ids].to_numpy()).all()


# ------------------------------------------------------------------------------------------------ planted signal


def test_planted_sites_are_found_at_recorded_offsets_on_both_strands(small_run, genome, truth) -> None:
    motifs = {motif["name"]: motif for motif in json.loads(small_run.motifs_json.read_text())["motifs"]}
    checked = {"+": 0, "-": 0}
    for row in truth[truth["motifs"] != ""].itertuples():
        sequence = promoter(genome, row.chrom, row.strand, row.tss, SMALL.promoter_length)
        for name, offset, site_strand, site in zip(split_list(row.motifs), split_list(row.motif_offsets),
                                                   split_list(row.motif_strands), split_list(row.motif_sites),
                                                   strict=True):
            start = SMALL.promoter_length + int(offset)
            found = sequence[start : start + len(site)]
            assert found == (site if site_strand == "+" else reverse_complement(site)), (row.gene_id, offset)
            assert relative_score(np.asarray(motifs[name]["pfm"]), site) >= SMALL.min_site_relative_score
            checked[row.strand] += 1
    assert min(checked.values()) > 10


def relative_score(pfm: np.ndarray, site: str) -> float:
    """Independent PWM relative score (log2 odds against a uniform background), as JASPAR reports it."""
    pwm = np.log2(pfm / 0.25)
    score = sum(pwm[position, "ACGT".index(base)] for position, base in enumerate(site))
    return (score - pwm.min(axis=1).sum()) / (pwm.max(axis=1).sum() - pwm.min(axis=1).sum())


def test_each_class_carries_its_own_motif_mostly_in_the_core_window(small_run, truth) -> None:
    motifs = json.loads(small_run.motifs_json.read_text())["motifs"]
    by_class = {motif["marks"]: motif["name"] for motif in motifs}
    assert set(by_class) == {"up", "down"} and len(set(by_class.values())) == 2
    offsets = []
    for status in ("up", "down"):
        rows = truth[truth["true_status"] == status]
        assert len(rows) == round(getattr(SMALL, f"fraction_{status}") * SMALL.n_genes)
        for row in rows.itertuples():
            names = split_list(row.motifs)
            assert SMALL.motif_copies[0] <= len(names) <= SMALL.motif_copies[1]
            assert set(names) == {by_class[status]}
            offsets += [int(offset) for offset in split_list(row.motif_offsets)]
    in_core = np.mean([SMALL.core_window[0] <= offset <= SMALL.core_window[1] for offset in offsets])
    assert 0.6 < in_core < 0.95
    assert min(offsets) < SMALL.core_window[0]


def test_sites_are_sampled_from_the_matrix_on_either_strand(truth) -> None:
    sites = [site for cell in truth["motif_sites"] for site in split_list(cell)]
    strands = [strand for cell in truth["motif_strands"] for strand in split_list(cell)]
    assert len(set(sites)) > 10
    assert 0.35 < strands.count("+") / len(strands) < 0.65


@pytest.mark.parametrize("motif_index", [0, 1])
def test_decoy_rate_in_not_de_genes_is_near_the_configured_one(small_run, truth, motif_index: int) -> None:
    name = json.loads(small_run.motifs_json.read_text())["motifs"][motif_index]["name"]
    not_de = truth[(truth["true_status"] == "not_de") & ~on_edge(truth)]
    carriers = not_de["motifs"].map(lambda cell: name in split_list(cell)).sum()
    expected = SMALL.decoy_rate * len(not_de)
    assert abs(carriers - expected) < 4 * math.sqrt(expected * (1 - SMALL.decoy_rate))
    assert carriers == small_run.summary["n_decoy_genes"][name]


# ------------------------------------------------------------------------------------------------ counts


def read_counts(path: Path) -> tuple[pd.Series, pd.DataFrame]:
    raw = pd.read_csv(path, sep="\t", index_col=0, dtype=str)
    return raw.iloc[0], raw.iloc[1:].astype(np.int64)


def test_counts_follow_the_geo_layout(small_run, truth) -> None:
    lines = small_run.counts_tsv.read_text().splitlines()
    assert lines[0].split("\t") == ["NAME", *(f"Sample_{index}" for index in range(1, 9))]
    assert lines[1].split("\t") == ["CLASS:DOSE", *["IS"] * SMALL.n_is, *["C"] * SMALL.n_c]
    groups, counts = read_counts(small_run.counts_tsv)
    assert list(counts.index) == list(truth["gene_id"])
    assert not counts.index.str.contains(r"\.").any()
    assert (counts.to_numpy() >= 0).all()


def test_counts_carry_the_planted_fold_changes_and_all_zero_genes(small_run, truth) -> None:
    groups, counts = read_counts(small_run.counts_tsv)
    normalised = counts / counts.sum(axis=0) * counts.sum(axis=0).mean()
    is_mean = normalised.loc[:, (groups == "IS").to_numpy()].mean(axis=1).to_numpy()
    c_mean = normalised.loc[:, (groups == "C").to_numpy()].mean(axis=1).to_numpy()
    expressed = truth["base_mean"].to_numpy() >= 20
    up = expressed & (truth["true_status"] == "up").to_numpy()
    down = expressed & (truth["true_status"] == "down").to_numpy()
    assert up.sum() >= 5 and down.sum() >= 5
    assert (is_mean[up] > 2 * c_mean[up]).all()
    assert (c_mean[down] > 2 * is_mean[down]).all()
    zero_rows = (counts.sum(axis=1) == 0).to_numpy()
    assert zero_rows.sum() >= round(SMALL.fraction_all_zero * SMALL.n_genes)
    assert zero_rows[(truth["notes"] == "all_zero").to_numpy()].all()


def test_expression_level_does_not_reveal_the_class(truth) -> None:
    expressed = truth[truth["base_mean"] > 0]
    de = np.log10(expressed.loc[expressed["true_status"] != "not_de", "base_mean"])
    not_de = np.log10(expressed.loc[expressed["true_status"] == "not_de", "base_mean"])
    assert abs(de.median() - not_de.median()) < 0.5
    assert de.max() > 2.5 and de.min() < 1.0


# ------------------------------------------------------------------------------------------------ defaults, config


def test_default_run_is_modest(tmp_path: Path) -> None:
    result = simulate(tmp_path)
    assert 3_000_000 < result.summary["genome_length"] < 15_000_000
    assert result.summary["n_genes"] == 3000
    assert result.summary["n_up"] == result.summary["n_down"] == 240
    assert sum(path.stat().st_size for path in result.out_dir.iterdir()) < 25_000_000


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seed", -1),
        ("seed", True),
        ("n_chromosomes", 2),
        ("n_genes", 10),
        ("n_is", 1),
        ("fraction_up", 1.5),
        ("fraction_down", float("nan")),
        ("decoy_rate", -0.1),
        ("promoter_length", 100),
        ("motif_copies", (3, 1)),
        ("core_window", (-50, -300)),
        ("core_window", (-300, -290)),
        ("cpg_island_length", (500, 5000)),
        ("island_gc", 0.75),
        ("size_factor_range", (1.4, 0.7)),
        ("dispersion_trend", (1.0, 0.0)),
        ("fasta_line_width", 0),
    ],
)
def test_invalid_config_names_the_field(field: str, value: object) -> None:
    with pytest.raises(ScaInputError, match=field):
        SimulationConfig(**{field: value})


def test_invalid_fraction_sum_is_rejected() -> None:
    with pytest.raises(ScaInputError, match="fraction_up"):
        SimulationConfig(fraction_up=0.5, fraction_down=0.5)
