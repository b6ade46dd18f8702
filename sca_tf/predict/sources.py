"""What ``sca-tf predict`` scores: FASTA records (streamed), BED regions or genes, as base codes of the model's length.

BED regions and genes are read through :mod:`sca_tf.prep.fasta_windows` and, for genes, the promoter extraction
of ``sca-tf promoters`` (:func:`sca_tf.prep.promoters.extract`), so strand handling and coordinates are the same.
Lower case is read as upper case and IUPAC ambiguity codes become ``N``; any other letter is an error naming the
record. A sequence of another length than the model's is an error unless ``fit="center"`` crops it (keeping the
middle) or pads it with ``N`` on both sides; BED regions are instead re-centred on the genome.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from sca_tf.errors import ScaInputError
from sca_tf.prep.annotation import load_annotation, strip_version
from sca_tf.prep.fasta_windows import read_windows
from sca_tf.prep.genome import contig_lengths, contig_resolver, open_genome
from sca_tf.prep.promoters import extract
from sca_tf.sequence import codes_of

FITS = ("error", "center")
_IUPAC = re.compile(r"[^ACGTURYSWKMBDHVN]")
_BED_COLUMNS = 3


def fasta_records(path: str | os.PathLike[str]) -> Iterator[tuple[str, str, int]]:
    """``(record id, sequence, header line number)`` of a plain or gzip/bgzip FASTA, one record at a time."""
    source = Path(path)
    if not source.is_file():
        raise ScaInputError(f"FASTA {source}: file not found")
    with open(source, "rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if compressed else open
    name, line_number, chunks = None, 0, []
    with opener(source, "rt", encoding="ascii", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith(">"):
                if name is not None:
                    yield name, "".join(chunks), line_number
                fields = line[1:].split()
                if not fields:
                    raise ScaInputError(f"FASTA {source} line {number}: a header without a record name")
                name, line_number, chunks = fields[0], number, []
            elif line.strip():
                if name is None:
                    raise ScaInputError(f"FASTA {source} line {number}: sequence before the first '>' header")
                chunks.append(line.strip())
    if name is None:
        raise ScaInputError(f"FASTA {source}: no records")
    yield name, "".join(chunks), line_number


def fitted_codes(sequence: str, length: int, fit: str, where: str) -> np.ndarray:
    """Base codes of ``sequence`` for a model of ``length`` bases (see the module docstring for ``fit``)."""
    upper = sequence.upper()
    bad = _IUPAC.search(upper)
    if bad:
        raise ScaInputError(f"{where}: letter {bad.group()!r} at position {bad.start() + 1} is not a DNA base "
                            f"(A, C, G, T, N or an IUPAC code)")
    codes = codes_of(upper, unknown_as_n=True)
    if len(codes) == length:
        return codes
    if fit != "center":
        raise ScaInputError(f"{where}: {len(codes)} bases, but the model takes {length}; use sequences of "
                            f"{length} bases or --fit center (crop or pad with N around the middle)")
    if len(codes) > length:
        first = (len(codes) - length) // 2
        return codes[first:first + length]
    padded = np.full(length, codes_of("N")[0], np.uint8)
    first = (length - len(codes)) // 2
    padded[first:first + len(codes)] = codes
    return padded


def bed_windows(bed: str | os.PathLike[str], genome_path: str | os.PathLike[str], length: int,
                fit: str) -> tuple[list[str], list[str]]:
    """``(ids, sequences)`` of the regions of a BED file (strand in column 6, ``+`` if absent).

    The id is the BED name (column 4) or ``chrom:start-end(strand)``. Minus-strand regions are
    reverse-complemented; regions of another length than ``length`` are re-centred when ``fit="center"``.
    """
    path = Path(bed)
    if not path.is_file():
        raise ScaInputError(f"BED {path}: file not found")
    genome = open_genome(genome_path)
    lengths = contig_lengths(genome)
    resolve = contig_resolver(lengths)
    ids, contigs, starts, ends, minus = [], [], [], [], []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t")
        where = f"BED {path} line {number}"
        if len(fields) < _BED_COLUMNS or not fields[1].isdigit() or not fields[2].isdigit():
            raise ScaInputError(f"{where}: expected chrom, start, end (0-based, tab-separated), got {line[:60]!r}")
        chrom, start, end = fields[0], int(fields[1]), int(fields[2])
        strand = fields[5] if len(fields) > 5 and fields[5] in {"+", "-"} else "+"
        if chrom not in resolve:
            raise ScaInputError(f"{where}: contig {chrom!r} is not in the genome {genome_path} "
                                f"(it has {', '.join(list(lengths)[:5])}...)")
        if end - start != length:
            if fit != "center":
                raise ScaInputError(f"{where}: region of {end - start} bases, but the model takes {length}; "
                                    f"use --fit center to re-centre it")
            start = (start + end) // 2 - length // 2
            end = start + length
        contig = resolve[chrom]
        if start < 0 or end > lengths[contig]:
            raise ScaInputError(f"{where}: region {chrom}:{start}-{end} runs off the contig "
                                f"(length {lengths[contig]})")
        name = fields[3] if len(fields) > 3 and fields[3] not in {"", "."} else f"{chrom}:{start}-{end}({strand})"
        ids.append(name)
        contigs.append(contig)
        starts.append(start)
        ends.append(end)
        minus.append(strand == "-")
    if not ids:
        raise ScaInputError(f"BED {path}: no regions")
    windows = read_windows(genome, contigs, np.array(starts), np.array(ends), np.array(minus))
    return ids, [window.decode("ascii") for window in windows]


def gene_promoters(genes_file: str | os.PathLike[str], genome_path: str | os.PathLike[str],
                   annotation: str | os.PathLike[str], length: int, *, downstream: int = 0,
                   assembly: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Promoters of the gene ids listed in ``genes_file`` (one a line), as ``sca-tf promoters`` cuts them.

    Returns ``(kept, dropped)`` of :func:`sca_tf.prep.promoters.extract` (upstream = ``length - downstream``);
    genes absent from the annotation are dropped with reason ``not_in_annotation``. No N filter is applied.
    """
    path = Path(genes_file)
    if not path.is_file():
        raise ScaInputError(f"gene list {path}: file not found")
    wanted = [strip_version(line.split()[0]) for line in path.read_text().splitlines() if line.strip()]
    if not wanted:
        raise ScaInputError(f"gene list {path}: no gene ids")
    table = load_annotation(annotation, assembly=assembly).genes
    known = table[table["gene_id"].isin(wanted)].drop_duplicates("gene_id").astype({"tss": "int64"})
    kept, dropped = extract(known, open_genome(genome_path), upstream=length - downstream, downstream=downstream,
                            max_n_fraction=1.0)
    missing = sorted(set(wanted) - set(known["gene_id"]))
    dropped = pd.concat([dropped, pd.DataFrame({"gene_id": missing, "reason": "not_in_annotation"})],
                        ignore_index=True)
    order = {gene: index for index, gene in enumerate(wanted)}
    kept = kept.sort_values("gene_id", key=lambda ids: ids.map(order)).reset_index(drop=True)
    return kept, dropped
