"""The GTF annotation agrees with the truth table: ids, strands, biotypes, TSSs, exons inside their gene."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_gtf_is_well_formed_and_agrees_with_truth(gtf, truth, small) -> None:
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
    assert len(merged) == len(truth) == small.n_genes
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
