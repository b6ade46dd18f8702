"""Writing small VCFs and turning promoter-string positions into VCF records (import as ``predict.vcf_data``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sca_tf.sequence import reverse_complement

HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


def write_vcf(path: Path, records: Iterable[tuple[str, int, str, str, str]]) -> Path:
    """A VCF of ``(chrom, pos, id, ref, alt)`` records (no contig lines, INFO ``.``)."""
    lines = [f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt}\t.\t.\t." for chrom, pos, vid, ref, alt in records]
    path.write_text(HEADER + "".join(line + "\n" for line in lines))
    return path


def snv_at(promoter, index: int, alt_on_gene: str, vid: str = ".") -> tuple[str, int, str, str, str]:
    """The VCF record (plus-strand alleles) that sets base ``index`` of the 5'->3' promoter to ``alt_on_gene``."""
    ref_on_gene = promoter.sequence[index]
    if promoter.strand == "+":
        return promoter.chrom, int(promoter.start) + index + 1, vid, ref_on_gene, alt_on_gene
    genomic = int(promoter.end) - 1 - index
    return promoter.chrom, genomic + 1, vid, reverse_complement(ref_on_gene), reverse_complement(alt_on_gene)
