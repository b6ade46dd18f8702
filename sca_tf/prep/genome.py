"""Opening a genome FASTA with pyfaidx and reconciling contig names between annotation and FASTA."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pyfaidx
from isal import isal_zlib as zlib

from sca_tf.errors import ScaInputError
from sca_tf.prep.assemblies import assemblies_matching, bare_contig_name


def open_genome(path: str | os.PathLike[str]) -> pyfaidx.Fasta:
    """Open a plain or bgzip-compressed FASTA with pyfaidx, indexing it if no ``.fai`` exists yet.

    Raises ``ScaInputError`` naming the file when it is missing, plain-gzip compressed (not bgzip) or cannot be
    indexed (e.g. lines of unequal length inside a record).
    """
    fasta = Path(path)
    if not fasta.is_file():
        raise ScaInputError(f"genome FASTA {fasta}: file not found")
    index = Path(f"{fasta}.fai")
    if not index.exists() and not os.access(fasta.parent, os.W_OK):
        raise ScaInputError(f"genome FASTA {fasta}: has no .fai index and its folder is read-only, so none can be "
                            f"made; run `samtools faidx {fasta}` where you can write, or copy the FASTA somewhere "
                            f"writable")
    try:
        # An existing index is not rebuilt (pyfaidx would when its mtime is older than the FASTA's, which fails
        # in read-only data folders) but checked against the file's size below.
        genome = pyfaidx.Fasta(str(fasta), as_raw=True, sequence_always_upper=True, rebuild=not index.exists())
    except pyfaidx.UnsupportedCompressionFormat as exc:
        raise ScaInputError(
            f"genome FASTA {fasta}: compressed with plain gzip; pyfaidx needs bgzip (`bgzip -d` then `bgzip`) "
            f"or an uncompressed file ({exc})"
        ) from exc
    except (pyfaidx.FastaIndexingError, ValueError, OSError) as exc:
        raise ScaInputError(f"genome FASTA {fasta}: cannot be indexed by pyfaidx ({exc})") from exc
    check_index(genome)
    return genome


def check_index(genome: pyfaidx.Fasta) -> None:
    """Refuse a ``.fai`` that does not describe the file: the bases of its last record must end where the
    (uncompressed) file ends, give or take trailing line ends."""
    faidx = genome.faidx
    if not faidx.index:
        raise ScaInputError(f"genome FASTA {faidx.filename}: holds no sequence records")
    name, last = max(faidx.index.items(), key=lambda item: item[1].offset)
    full_lines, rest = divmod(last.rlen, last.lenc)
    needed = last.offset + full_lines * last.lenb + rest
    size = _uncompressed_size(faidx)
    if not needed <= size <= needed + 2 * (last.lenb - last.lenc) + 2:
        raise ScaInputError(
            f"genome FASTA {faidx.filename}: its .fai index puts the last record {name} ({last.rlen:,} bases from "
            f"byte {last.offset:,}) at bytes up to {needed:,}, but the file holds {size:,} (uncompressed); the index "
            f"is stale or belongs to another file: delete {faidx.filename}.fai (and .gzi) to have it rebuilt"
        )


def _uncompressed_size(faidx: pyfaidx.Faidx) -> int:
    """Bytes of the FASTA as pyfaidx reads it: the file's size, or a bgzip file's inflated size via its .gzi."""
    blocks = getattr(faidx, "gzi_index", None)
    if blocks is None:
        return os.path.getsize(faidx.filename)
    last = blocks[-1]
    with open(faidx.filename, "rb") as handle:
        handle.seek(last.cstart)
        data, size = handle.read(), last.ustart
    while data:
        member = zlib.decompressobj(31)
        try:
            size += len(member.decompress(data))
        except zlib.error as exc:
            raise ScaInputError(f"genome FASTA {faidx.filename}: its last bgzip block is corrupt ({exc})") from exc
        data = member.unused_data
    return size


def contig_lengths(genome: pyfaidx.Fasta) -> dict[str, int]:
    """Length of every contig in ``genome``, by its FASTA name."""
    return {name: len(record) for name, record in genome.records.items()}


def contig_resolver(fasta_contigs: Mapping[str, int]) -> dict[str, str]:
    """Map every spelling an annotation may use (``20``, ``chr20``, ``M``/``MT``) to the FASTA's own name."""
    resolver: dict[str, str] = {}
    for name in fasta_contigs:
        bare = bare_contig_name(name)
        aliases = {bare, f"chr{bare}"} | ({"M", "chrM"} if bare == "MT" else set())
        for alias in aliases:
            resolver.setdefault(alias, name)
        resolver[name] = name
    return resolver


def check_assembly(genome_path: str | os.PathLike[str], lengths: Mapping[str, int], assembly: str | None) -> None:
    """Refuse a FASTA whose chromosome lengths belong to another build than the annotation's ``assembly``.

    Fetching coordinates of one build from a genome of another silently yields wrong sequences; comparing the
    primary-chromosome lengths catches it. Unknown assemblies and synthetic contigs are not checked.
    """
    if assembly is None:
        return
    matches = assemblies_matching(lengths)
    wanted = assembly.split(".")[0]
    if matches and wanted in {"GRCh37", "GRCh38"} and wanted not in matches:
        raise ScaInputError(
            f"genome FASTA {genome_path}: chromosome lengths match {', '.join(matches)}, but the annotation is "
            f"{assembly}; use a FASTA and an annotation of the same genome build"
        )
