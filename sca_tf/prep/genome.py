"""Opening a genome FASTA with pyfaidx and reconciling contig names between annotation and FASTA."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pyfaidx

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
    try:
        # An existing index is trusted as is: pyfaidx would otherwise rebuild it when its mtime is older than
        # the FASTA's, which fails in read-only data folders.
        return pyfaidx.Fasta(str(fasta), as_raw=True, sequence_always_upper=True, rebuild=not index.exists())
    except pyfaidx.UnsupportedCompressionFormat as exc:
        raise ScaInputError(
            f"genome FASTA {fasta}: compressed with plain gzip; pyfaidx needs bgzip (`bgzip -d` then `bgzip`) "
            f"or an uncompressed file ({exc})"
        ) from exc
    except (pyfaidx.FastaIndexingError, ValueError, OSError) as exc:
        raise ScaInputError(f"genome FASTA {fasta}: cannot be indexed by pyfaidx ({exc})") from exc


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
