"""The genome: indexed FASTA, N gaps away from promoters, human-like background, CpG islands, planted sites in
place (checked by an independent oracle)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sca_tf.sequence import cpg_observed_expected, gc_fraction, reverse_complement


def test_fasta_is_indexed_with_advertised_lengths_line_width_and_case_mix(small_run, genome, small) -> None:
    lengths = small_run.summary["chromosome_lengths"]
    assert list(genome) == [f"chrS{index}" for index in range(1, small.n_chromosomes + 1)]
    assert {name: len(sequence) for name, sequence in genome.items()} == lengths
    index = pd.read_csv(small_run.genome_index, sep="\t", header=None)
    assert dict(zip(index[0], index[1], strict=True)) == lengths
    assert set(index[3]) == {small.fasta_line_width}
    raw = small_run.genome_fasta.read_text()
    body = raw.replace("\n", "")
    lower = sum(body.count(base) for base in "acgt")
    assert 0.05 < lower / len(body) < 0.3
    assert set("".join(genome.values())) == set("ACGTN")


def test_gaps_lie_away_from_promoters(small_run, genome, truth, small, promoter, off_edge) -> None:
    n_bases = sum(sequence.count("N") for sequence in genome.values())
    assert n_bases >= small_run.summary["n_gaps"] * small.gap_length[0] > 0
    for row in truth[~off_edge].itertuples():
        assert "N" not in promoter(row.chrom, row.strand, row.tss, small.promoter_length + 100), row.gene_id


def test_off_edge_genes_have_promoters_running_off_the_contig(genome, truth, small, off_edge) -> None:
    edge = truth[off_edge]
    assert set(edge["strand"]) == {"+", "-"}
    for row in edge.itertuples():
        if row.strand == "+":
            assert row.tss - 1 - small.promoter_length < 0
        else:
            assert row.tss + small.promoter_length > len(genome[row.chrom])
        assert row.motifs == ""


def test_background_has_human_like_gc_and_cpg_depletion(genome, truth, small, promoter, off_edge) -> None:
    assert 0.38 <= gc_fraction("".join(genome.values())) <= 0.45
    distal = "".join(promoter(row.chrom, row.strand, row.tss, small.promoter_length)[:1000]
                     for row in truth[~off_edge].itertuples())
    assert 0.38 <= gc_fraction(distal) <= 0.45
    assert cpg_observed_expected(distal) < 0.35


@pytest.mark.parametrize("strand", ["+", "-"])
def test_cpg_island_promoters_are_cpg_rich_next_to_the_tss_on_each_strand(truth, strand: str, promoter,
                                                                          off_edge) -> None:
    def near_and_far(rows: pd.DataFrame) -> tuple[float, float]:
        sequences = [promoter(row.chrom, row.strand, row.tss, 2000) for row in rows.itertuples()]
        return (float(np.mean([cpg_observed_expected(sequence[-500:]) for sequence in sequences])),
                float(np.mean([cpg_observed_expected(sequence[:500]) for sequence in sequences])))

    genes = truth[(truth["strand"] == strand) & ~off_edge]
    island_near, island_far = near_and_far(genes[genes["cpg_island"]])
    plain_near, plain_far = near_and_far(genes[~genes["cpg_island"]])
    assert island_near > 0.6 and island_far < 0.35
    assert island_near > 2 * island_far
    assert abs(plain_near - plain_far) < 0.1


def test_planted_sites_are_found_at_recorded_offsets_on_both_strands(small_run, truth, small, promoter,
                                                                    split_list) -> None:
    motifs = {motif["name"]: motif for motif in json.loads(small_run.motifs_json.read_text())["motifs"]}
    checked = {"+": 0, "-": 0}
    for row in truth[truth["motifs"] != ""].itertuples():
        sequence = promoter(row.chrom, row.strand, row.tss, small.promoter_length)
        for name, offset, site_strand, site in zip(split_list(row.motifs), split_list(row.motif_offsets),
                                                   split_list(row.motif_strands), split_list(row.motif_sites),
                                                   strict=True):
            start = small.promoter_length + int(offset)
            found = sequence[start : start + len(site)]
            assert found == (site if site_strand == "+" else reverse_complement(site)), (row.gene_id, offset)
            assert relative_score(np.asarray(motifs[name]["pfm"]), site) >= small.min_site_relative_score
            checked[row.strand] += 1
    assert min(checked.values()) > 10


def relative_score(pfm: np.ndarray, site: str) -> float:
    """Independent PWM relative score (log2 odds against a uniform background), as JASPAR reports it."""
    pwm = np.log2(pfm / 0.25)
    score = sum(pwm[position, "ACGT".index(base)] for position, base in enumerate(site))
    return (score - pwm.min(axis=1).sum()) / (pwm.max(axis=1).sum() - pwm.min(axis=1).sum())
