"""Reading VCF records with pysam (plain or bgzip VCF, htslib underneath) and writing them back annotated.

A record htslib cannot parse ends the read with ``ScaInputError`` naming the file, the line number and the line.
Alleles come back exactly as written; :func:`allele_kind` sorts each ALT into what can be scored and what is
skipped (symbolic, breakend, missing, spanning deletion, non-ACGTN letters, too long).
"""

from __future__ import annotations

import contextlib
import gzip
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pysam

from sca_tf import io
from sca_tf.errors import ScaInputError

#: Longest REF or ALT allele (after trimming shared bases) that is scored; longer ones are skipped.
MAX_ALLELE = 50
INFO_KEY = "SCA_TF"
INFO_FORMAT = "ALT|gene_id|strand|window_index|delta_prob|delta_logit|flag"
_BASES = frozenset("ACGTN")

pysam.set_verbosity(0)  # htslib's own warnings (e.g. contigs missing from the header) would bypass logging


@dataclass(frozen=True)
class VcfRecord:
    """One VCF line: its 0-based record number, CHROM, 1-based POS, ID, REF and ALT alleles."""

    index: int
    chrom: str
    pos: int
    id: str
    ref: str
    alts: tuple[str, ...]


def _failed_line(path: Path, record: int) -> tuple[int, str]:
    """Line number and text of the 0-based ``record`` of the file (header lines counted)."""
    seen, number = -1, 0
    with _text(path) as handle:
        for number, line in enumerate(handle, start=1):
            seen += not line.startswith("#")
            if seen == record:
                return number, line.rstrip("\n")[:80]
    return number, ""


def open_vcf(path: str | os.PathLike[str]) -> pysam.VariantFile:
    """The VCF at ``path`` opened with pysam; ``ScaInputError`` naming it when it is missing or not a VCF."""
    source = Path(path)
    if not source.is_file():
        raise ScaInputError(f"VCF {source}: file not found")
    try:
        return pysam.VariantFile(str(source))
    except (OSError, ValueError) as exc:
        raise ScaInputError(f"VCF {source}: not a VCF/BCF file htslib can read ({exc}); expected a '##fileformat' "
                            f"header and a '#CHROM' line") from exc


def read_vcf(path: str | os.PathLike[str]) -> Iterator[VcfRecord]:
    """Every record of the VCF at ``path``, in file order."""
    source = Path(path)
    with open_vcf(source) as vcf:
        index = 0
        records = iter(vcf)
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except (OSError, ValueError) as exc:
                number, line = _failed_line(source, index)
                raise ScaInputError(f"VCF {source} line {number}: cannot be parsed ({exc}); expected tab-separated "
                                    f"CHROM, POS (a number), ID, REF, ALT, ...; the line reads {line!r}") from exc
            yield VcfRecord(index, record.chrom, record.pos, record.id or ".", record.ref or "", record.alts or ())
            index += 1


def allele_kind(ref: str, alt: str) -> str:
    """``"substitution"`` (SNV or MNV), ``"indel"`` or the reason an ALT is skipped."""
    if alt in {".", ""}:
        return "missing_alt"
    if alt == "*":
        return "spanning_deletion"
    if alt.startswith("<") or "[" in alt or "]" in alt:
        return "symbolic_alt"
    if not set(alt.upper()) <= _BASES or not set(ref.upper()) <= _BASES:
        return "non_acgtn_allele"
    ref_min, alt_min, _ = trim(ref.upper(), alt.upper())
    if max(len(ref_min), len(alt_min)) > MAX_ALLELE:
        return "allele_too_long"
    if ref_min == alt_min:
        return "no_change"
    return "substitution" if len(ref_min) == len(alt_min) else "indel"


def trim(ref: str, alt: str) -> tuple[str, str, int]:
    """Drop the bases REF and ALT share at the end, then at the start: ``(ref, alt, bases dropped at the start)``.

    >>> trim("ACT", "AT"), trim("A", "AGG"), trim("CAT", "CGT")
    (('C', '', 1), ('', 'GG', 1), ('A', 'G', 1))
    """
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    shift = 0
    while ref and alt and ref[0] == alt[0]:
        ref, alt, shift = ref[1:], alt[1:], shift + 1
    return ref, alt, shift


def write_annotated(source: str | os.PathLike[str], target: Path, info: Callable[[int], list[str]]) -> Path:
    """Copy the VCF ``source`` line by line to ``target`` (bgzip when it ends in ``.gz``) adding ``INFO/SCA_TF``.

    ``info(record index)`` gives the ``|``-separated entries (:data:`INFO_FORMAT`) of that record. Lines are
    copied as text, so every other header line and field stays exactly as it was.
    """
    header = (f'##INFO=<ID={INFO_KEY},Number=.,Type=String,Description="sca-tf variant effects, one per ALT and '
              f'promoter window: {INFO_FORMAT}">\n')
    gz = target.suffix == ".gz"
    with _text(Path(source)) as lines, io.atomic_path(target, suffix="".join(target.suffixes)) as tmp, \
            _binary_writer(tmp, bgzip=gz) as writer:
        index = 0
        for line in lines:
            if line.startswith("#CHROM"):
                writer.write(header.encode())
            elif not line.startswith("#") and line.strip():
                entries = info(index)
                if entries:
                    fields = line.rstrip("\r\n").split("\t")
                    annotation = f"{INFO_KEY}={','.join(entries)}"
                    fields[7] = annotation if fields[7] in {"", "."} else f"{fields[7]};{annotation}"
                    line = "\t".join(fields) + "\n"
                index += 1
            writer.write(line.encode())
    return target


def _binary_writer(path: Path, *, bgzip: bool) -> contextlib.AbstractContextManager:
    return contextlib.closing(pysam.BGZFile(str(path), "wb")) if bgzip else open(path, "wb")


@contextlib.contextmanager
def _text(path: Path) -> Iterator[Iterator[str]]:
    with open(path, "rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    with (gzip.open(path, "rt") if compressed else open(path)) as handle:
        yield handle
