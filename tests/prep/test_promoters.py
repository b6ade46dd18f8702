"""Promoter extraction on a hand-made genome where every expected window is known exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from Bio import bgzf

from sca_tf import io
from sca_tf.errors import ScaInputError
from sca_tf.prep.genome import open_genome
from sca_tf.prep.promoters import extract, read_labels, run_promoters, window_composition
from sca_tf.schema import PROMOTER_COLUMNS
from sca_tf.sequence import cpg_observed_expected, gc_fraction, n_fraction, reverse_complement


@pytest.fixture()
def annotation_path(tmp_path: Path) -> Path:
    rows = [
        ("1", 301, 350, "+", "PLUSGENE"),  # TSS 301 -> window [281, 300] 1-based with upstream 20
        ("1", 150, 250, "-", "MINUSGENE"),  # TSS 250 -> window [251, 270] 1-based, reverse-complemented
        ("1", 5, 50, "+", "EDGEGENE"),  # window would start before the contig
        ("1", 300, 430, "-", "GAPGENE"),  # window [431, 450] lies in the N gap
        ("7", 100, 200, "+", "NOCONTIG"),  # chromosome 7 is not in the FASTA
    ]
    lines = [
        f'{chrom}\tt\tgene\t{start}\t{end}\t.\t{strand}\t.\tgene_id "{gid}.1"; gene_name "{gid}"; '
        f'gene_biotype "{"lncRNA" if gid == "MINUSGENE" else "protein_coding"}";'
        for chrom, start, end, strand, gid in rows
    ]
    path = tmp_path / "genes.gtf"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture()
def de_table_path(tmp_path: Path) -> Path:
    genes = ["PLUSGENE", "MINUSGENE", "EDGEGENE", "GAPGENE", "NOCONTIG", "UNANNOTATED"]
    statuses = ["up", "down", "not_de", "not_de", "untestable", "not_de"]
    path = tmp_path / "de_table.tsv"
    pd.DataFrame({"gene_id": genes, "status": statuses, "padj": 0.5}).to_csv(path, sep="\t", index=False)
    return path


def _run(de_table: Path, genome: Path, annotation: Path, out: Path, **kwargs) -> pd.DataFrame:
    run_promoters(de_table, genome, annotation, out, upstream=20, downstream=0, **kwargs)
    return pd.read_csv(out / "promoters.tsv", sep="\t").set_index("gene_id")


def test_windows_are_exact_and_strand_aware(
    tmp_path: Path, chrom_sequence: str, genome_path: Path, annotation_path: Path, de_table_path: Path
) -> None:
    table = _run(de_table_path, genome_path, annotation_path, tmp_path / "out")
    assert list(table.reset_index().columns) == list(PROMOTER_COLUMNS)
    assert table.loc["PLUSGENE", "sequence"] == chrom_sequence[280:300]
    assert table.loc["MINUSGENE", "sequence"] == reverse_complement(chrom_sequence[250:270])
    assert (table.loc["PLUSGENE", "start"], table.loc["PLUSGENE", "end"]) == (280, 300)
    assert (table.loc["MINUSGENE", "start"], table.loc["MINUSGENE", "end"]) == (250, 270)
    assert table.loc["MINUSGENE", "chrom"] == "chr1"  # the FASTA's name, reconciled from the GTF's "1"
    assert table.loc["PLUSGENE", "status"] == "up"
    assert table["sequence"].str.fullmatch("[ACGTN]{20}").all()


def test_minus_strand_is_reverse_complemented_exactly_once(tmp_path: Path) -> None:
    # A motif written on the minus strand upstream of a minus-strand TSS must read forwards in the output.
    motif = "TTGACGTCAAGG"
    upstream_on_minus = "C" * 8 + motif  # transcript orientation: 5' ... 3' ending right before the TSS
    chrom = "A" * 100 + reverse_complement(upstream_on_minus) + "G" * 100
    genome = open_genome(io.write_fasta([("1", chrom)], tmp_path / "m.fa"))
    tss = 100  # 1-based position of the last A: the block just above it is upstream on the minus strand
    genes = pd.DataFrame(
        [{"gene_id": "G", "gene_name": "", "gene_biotype": "", "chrom": "1", "strand": "-", "tss": tss}]
    )
    kept, _ = extract(genes, genome, upstream=len(upstream_on_minus), downstream=0)
    assert kept.loc[0, "sequence"] == upstream_on_minus
    assert kept.loc[0, "sequence"].endswith(motif)


def test_unusable_genes_are_dropped_with_a_reason(
    tmp_path: Path, genome_path: Path, annotation_path: Path, de_table_path: Path
) -> None:
    result = run_promoters(de_table_path, genome_path, annotation_path, tmp_path / "out", upstream=20)
    dropped = pd.read_csv(result.dropped_path, sep="\t").set_index("gene_id")["reason"].to_dict()
    assert dropped == {
        "UNANNOTATED": "not_in_annotation",
        "EDGEGENE": "off_contig_edge",
        "GAPGENE": "too_many_n",
        "NOCONTIG": "missing_contig",
    }
    assert result.kept == 2
    assert result.dropped == {"not_in_annotation": 1, "missing_contig": 1, "off_contig_edge": 1, "too_many_n": 1}
    assert "2 promoters written" in result.summary() and "too_many_n 1" in result.summary()


def test_n_threshold_is_configurable(
    tmp_path: Path, genome_path: Path, annotation_path: Path, de_table_path: Path
) -> None:
    table = _run(de_table_path, genome_path, annotation_path, tmp_path / "out", max_n_fraction=1.0)
    assert table.loc["GAPGENE", "sequence"] == "N" * 20


def test_fasta_matches_table(tmp_path: Path, genome_path: Path, annotation_path: Path, de_table_path: Path) -> None:
    result = run_promoters(de_table_path, genome_path, annotation_path, tmp_path / "out", upstream=20)
    table = pd.read_csv(result.table_path, sep="\t")
    records = result.fasta_path.read_text().split(">")[1:]
    parsed = {rec.split()[0]: "".join(rec.splitlines()[1:]) for rec in records}
    assert parsed == dict(zip(table["gene_id"], table["sequence"]))
    headers = {rec.split()[0]: rec.splitlines()[0] for rec in records}
    assert headers["PLUSGENE"] == "PLUSGENE chr1:280-300(+)"
    assert headers["MINUSGENE"] == "MINUSGENE chr1:250-270(-)"


def test_bgzip_fasta_gives_the_same_windows(
    tmp_path: Path, genome_path: Path, annotation_path: Path, de_table_path: Path
) -> None:
    packed = tmp_path / "genome.fa.gz"
    with bgzf.BgzfWriter(str(packed), "wb") as handle:
        handle.write(genome_path.read_bytes())
    plain = _run(de_table_path, genome_path, annotation_path, tmp_path / "plain")
    compressed = _run(de_table_path, packed, annotation_path, tmp_path / "bgzip")
    assert plain["sequence"].equals(compressed["sequence"])


def test_biotype_filter(tmp_path: Path, genome_path: Path, annotation_path: Path, de_table_path: Path) -> None:
    result = run_promoters(
        de_table_path, genome_path, annotation_path, tmp_path / "out", upstream=20, biotypes={"protein_coding"}
    )
    table = pd.read_csv(result.table_path, sep="\t")
    assert table["gene_id"].tolist() == ["PLUSGENE"]
    assert result.dropped["excluded_biotype"] == 1


def test_rows_come_back_in_genomic_order_with_ties_kept(tmp_path: Path, genome_path: Path) -> None:
    genes = pd.DataFrame(
        {
            "gene_id": [f"G{i}" for i in range(9)],
            "gene_name": "",
            "gene_biotype": "",
            "chrom": ["chr2", "1", "9", "1", "chr2", "1", "chr1", "9", "1"],
            "strand": ["+", "-", "+", "+", "-", "+", "-", "-", "-"],
            "tss": [250, 300, 100, 120, 250, 120, 40, 50, 590],
        }
    )
    kept, dropped = extract(genes, open_genome(genome_path), upstream=20, max_n_fraction=1.0)
    in_order = genes.sort_values(["chrom", "tss"], kind="stable")
    assert kept["gene_id"].tolist() == [g for g in in_order["gene_id"] if g not in set(dropped["gene_id"])]
    assert dropped.to_dict("list") == {
        "gene_id": ["G8", "G7", "G2"],
        "reason": ["off_contig_edge", "missing_contig", "missing_contig"],
    }
    assert kept.index.tolist() == list(range(len(kept)))


def test_window_composition_equals_the_one_string_figures() -> None:
    rng = np.random.default_rng(3)
    windows = ["".join(rng.choice(list("ACGTN"), p=p, size=50)) for p in rng.dirichlet(np.ones(5), size=200)]
    windows += ["N" * 50, "A" * 50, "C" * 50, "CG" * 25, "GC" * 25, "ACGTR" * 10]
    gc, cpg_oe, n = window_composition([w.encode() for w in windows], 50)
    assert gc.tolist() == [gc_fraction(w) for w in windows]
    assert cpg_oe.tolist() == [cpg_observed_expected(w) for w in windows]
    assert n.tolist() == [n_fraction(w) for w in windows]


def test_no_extractable_gene_is_an_error_and_writes_nothing(
    tmp_path: Path, genome_path: Path, de_table_path: Path
) -> None:
    gtf = tmp_path / "elsewhere.gtf"
    gtf.write_text('9\tt\tgene\t100\t200\t.\t+\t.\tgene_id "PLUSGENE";\n')
    out = tmp_path / "out"
    with pytest.raises(ScaInputError, match="no promoter could be extracted.*'missing_contig': 1"):
        run_promoters(de_table_path, genome_path, gtf, out, upstream=20)
    assert list(out.glob("*")) == []


def test_de_table_without_status_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "de.tsv"
    path.write_text("gene_id\tpadj\nG1\t0.1\n")
    with pytest.raises(ScaInputError, match=r"de\.tsv: missing column\(s\) status"):
        read_labels(path)


def test_de_table_with_duplicate_genes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "de.tsv"
    path.write_text("gene_id\tstatus\nG1.1\tup\nG1.2\tdown\n")
    with pytest.raises(ScaInputError, match="gene G1 appears more than once"):
        read_labels(path)
