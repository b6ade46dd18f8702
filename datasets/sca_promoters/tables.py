"""Read and cross-check the dataset's inputs: the DE table (``sca-tf dge``) and the promoters (``sca-tf promoters``).

Everything a user can get wrong is checked here, before a single example is written: missing files or columns,
unknown statuses, duplicated genes, a window or assembly other than the config's, sequences of the wrong length
or with letters outside ``ACGTN``, a FASTA that disagrees with the table, and tables whose gene IDs do not match.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from Bio.SeqIO.FastaIO import SimpleFastaParser

from sca_tf.errors import ScaInputError
from sca_tf.provenance import describe_file
from sca_tf.schema import DE_STATUSES, STATUSES
from sca_tf.sequence import encode_bases

DE_TABLE = "de_table.tsv"
DE_RUN = "de_run.json"
PROMOTERS_TABLE = "promoters.tsv"
PROMOTERS_FASTA = "promoters.fa"
PROMOTERS_RUN = "promoters.json"

#: The columns of the DE and promoter tables that the dataset reads (of :mod:`sca_tf.schema`'s full tables).
DE_COLUMNS = ("gene_id", "baseMean", "log2FoldChange", "padj", "status")
PROMOTER_COLUMNS = ("gene_id", "chrom", "strand", "upstream", "downstream", "assembly", "status", "sequence")
UNKNOWN_ASSEMBLY = "unknown"
#: Columns of the frame returned by :func:`load_examples`, one row per gene.
EXAMPLE_COLUMNS = ("gene_id", "chrom", "strand", "status", "label", "log2FoldChange", "padj", "baseMean", "codes")

_HEADER_LINES = 1  # line numbers in messages count the header as line 1


@dataclass(frozen=True)
class InputFiles:
    """The files one dataset is built from; the two JSON provenance files and the FASTA are optional."""

    de_table: Path
    promoters: Path
    promoters_fasta: Path | None = None
    de_run: Path | None = None
    promoters_run: Path | None = None

    @classmethod
    def in_directory(cls, directory: str | os.PathLike[str], instructions: str = "") -> InputFiles:
        """The standard file names inside ``directory`` (a TFDS ``manual_dir``); ``ScaInputError`` if one is missing."""
        folder = Path(directory)
        missing = [name for name in (DE_TABLE, PROMOTERS_TABLE) if not (folder / name).is_file()]
        if missing:
            raise ScaInputError(
                f"{folder}: missing {', '.join(missing)}; put the outputs of `sca-tf dge` and `sca-tf promoters` "
                f"there (or pass their paths to `sca-tf build-dataset --de-table … --promoters …`).\n{instructions}"
            )
        return cls(
            de_table=folder / DE_TABLE,
            promoters=folder / PROMOTERS_TABLE,
            promoters_fasta=_if_file(folder / PROMOTERS_FASTA),
            de_run=_if_file(folder / DE_RUN),
            promoters_run=_if_file(folder / PROMOTERS_RUN),
        )

    @classmethod
    def beside(cls, de_table: str | os.PathLike[str], promoters: str | os.PathLike[str]) -> InputFiles:
        """Two explicit tables, each with the FASTA / JSON provenance files that ``sca-tf`` writes beside it."""
        de_path, promoters_path = Path(de_table), Path(promoters)
        for path, what in ((de_path, "DE table"), (promoters_path, "promoter table")):
            if not path.is_file():
                raise ScaInputError(f"{what} {path}: file not found")
        return cls(
            de_table=de_path,
            promoters=promoters_path,
            promoters_fasta=_if_file(promoters_path.with_suffix(".fa")),
            de_run=_if_file(de_path.parent / DE_RUN),
            promoters_run=_if_file(promoters_path.parent / PROMOTERS_RUN),
        )


def load_examples(files: InputFiles, *, upstream: int, downstream: int, assembly: str) -> pd.DataFrame:
    """Join the DE table and the promoters into one row per gene (columns :data:`EXAMPLE_COLUMNS`).

    ``label`` is 1 for ``up``/``down`` genes and 0 otherwise; ``codes`` holds the promoter as ``uint8`` base
    codes. Raises ``ScaInputError`` naming the file, line and gene for any inconsistency.
    """
    de = read_de_table(files.de_table)
    promoters = read_promoters(files.promoters, upstream=upstream, downstream=downstream, assembly=assembly)
    if files.promoters_fasta is not None:
        check_fasta_matches(files.promoters_fasta, promoters, files.promoters)
    joined = _join(de, promoters, files)
    joined["label"] = joined["status"].isin(DE_STATUSES).astype(np.int64)
    return joined.loc[:, list(EXAMPLE_COLUMNS)].reset_index(drop=True)


def read_de_table(path: Path) -> pd.DataFrame:
    """The DE table's ``gene_id, baseMean, log2FoldChange, padj, status`` (``NA`` read as NaN)."""
    table = _read_tsv(path, "DE table", DE_COLUMNS)
    _check_unique_genes(table, path)
    bad_status = ~table["status"].isin(STATUSES)
    if bad_status.any():
        row = int(np.flatnonzero(bad_status.to_numpy())[0])
        raise ScaInputError(
            f"{path}: line {row + 1 + _HEADER_LINES} (gene {table['gene_id'].iloc[row]}): status "
            f"{table['status'].iloc[row]!r} is not one of {', '.join(STATUSES)}"
        )
    for column in ("baseMean", "log2FoldChange", "padj"):
        values = pd.to_numeric(table[column], errors="coerce")
        not_numeric = values.isna() & table[column].notna()
        if not_numeric.any():
            row = int(np.flatnonzero(not_numeric.to_numpy())[0])
            raise ScaInputError(
                f"{path}: line {row + 1 + _HEADER_LINES} (gene {table['gene_id'].iloc[row]}): {column} "
                f"{table[column].iloc[row]!r} is not a number or NA"
            )
        table[column] = values.astype(np.float64)
    return table.loc[:, list(DE_COLUMNS)]


def read_promoters(path: Path, *, upstream: int, downstream: int, assembly: str) -> pd.DataFrame:
    """The promoter table, checked against the config's window and assembly, with sequences encoded as ``codes``."""
    table = _read_tsv(path, "promoter table", PROMOTER_COLUMNS)
    _check_unique_genes(table, path)
    _check_constant(table, path, "upstream", upstream)
    _check_constant(table, path, "downstream", downstream)
    _check_assembly(table, path, assembly)
    bad_strand = ~table["strand"].isin(("+", "-"))
    if bad_strand.any():
        row = int(np.flatnonzero(bad_strand.to_numpy())[0])
        raise ScaInputError(
            f"{path}: line {row + 1 + _HEADER_LINES} (gene {table['gene_id'].iloc[row]}): strand "
            f"{table['strand'].iloc[row]!r} is not '+' or '-'"
        )
    length = upstream + downstream
    codes = []
    for row, (gene_id, sequence) in enumerate(zip(table["gene_id"], table["sequence"].fillna(""))):
        where = f"{path}: line {row + 1 + _HEADER_LINES} (gene {gene_id})"
        if len(sequence) != length:
            raise ScaInputError(
                f"{where}: sequence has {len(sequence)} bases, expected {length} "
                f"(upstream {upstream} + downstream {downstream})"
            )
        codes.append(encode_bases(sequence, where=where))
    return table.assign(codes=codes).drop(columns=["sequence", "upstream", "downstream", "assembly"])


def check_fasta_matches(fasta: Path, promoters: pd.DataFrame, table_path: Path) -> None:
    """Refuse a ``promoters.fa`` whose genes or sequences differ from the promoter table's."""
    expected = dict(zip(promoters["gene_id"], promoters["codes"]))
    seen = set()
    with open(fasta) as handle:
        for header, sequence in SimpleFastaParser(handle):
            gene_id = header.split(maxsplit=1)[0] if header.strip() else ""
            if gene_id not in expected:
                raise ScaInputError(
                    f"{fasta}: record {gene_id!r} is not in {table_path}; the files are from different runs"
                )
            codes = encode_bases(sequence.upper(), where=f"{fasta}: record {gene_id}")
            if not np.array_equal(codes, expected[gene_id]):
                raise ScaInputError(f"{fasta}: sequence of {gene_id} differs from the one in {table_path}")
            seen.add(gene_id)
    if len(seen) != len(expected):
        absent = sorted(set(expected) - seen)
        raise ScaInputError(f"{fasta}: lacks {len(absent)} gene(s) of {table_path}, e.g. {', '.join(absent[:3])}")


def provenance(files: InputFiles) -> dict[str, Any]:
    """What the dataset was built from: file paths, sizes and SHA-256, and the stages' own JSON provenance."""
    record: dict[str, Any] = {"de_table": describe_file(files.de_table), "promoters": describe_file(files.promoters)}
    for key, path in (("de_run", files.de_run), ("promoters_run", files.promoters_run)):
        record[key] = json.loads(path.read_text()) if path is not None else None
    return record


def _if_file(path: Path) -> Path | None:
    return path if path.is_file() else None


def _read_tsv(path: Path, what: str, required: Iterable[str]) -> pd.DataFrame:
    try:
        table = pd.read_csv(
            path, sep="\t", dtype=str, na_values=["NA"], keep_default_na=False, low_memory=False
        )
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScaInputError(f"{what} {path}: cannot be read as a tab-separated table ({exc})") from exc
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise ScaInputError(
            f"{what} {path}: missing column(s) {', '.join(missing)} "
            f"(found {', '.join(map(str, table.columns))})"
        )
    if table.empty:
        raise ScaInputError(f"{what} {path}: no rows below the header")
    return table


def _check_unique_genes(table: pd.DataFrame, path: Path) -> None:
    duplicated = table["gene_id"].duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise ScaInputError(
            f"{path}: line {row + 1 + _HEADER_LINES}: gene {table['gene_id'].iloc[row]} appears more than once"
        )


def _check_constant(table: pd.DataFrame, path: Path, column: str, expected: int) -> None:
    values = pd.to_numeric(table[column], errors="coerce")
    wrong = values != expected
    if wrong.any():
        row = int(np.flatnonzero(wrong.to_numpy())[0])
        raise ScaInputError(
            f"{path}: line {row + 1 + _HEADER_LINES} (gene {table['gene_id'].iloc[row]}): {column} is "
            f"{table[column].iloc[row]}, but this dataset config expects {column}={expected}; pick a config with "
            "the same window or re-run `sca-tf promoters`"
        )


def _check_assembly(table: pd.DataFrame, path: Path, expected: str) -> None:
    found = sorted(set(table["assembly"].fillna(UNKNOWN_ASSEMBLY)))
    if [name.lower() for name in found] != [expected.lower()]:
        raise ScaInputError(
            f"{path}: assembly column says {', '.join(found)}, but this dataset config is for {expected}; "
            "pick the config of that assembly (or pass --assembly to `sca-tf build-dataset`)"
        )


def _join(de: pd.DataFrame, promoters: pd.DataFrame, files: InputFiles) -> pd.DataFrame:
    shared = promoters["gene_id"].isin(de["gene_id"])
    if not shared.any():
        raise ScaInputError(
            f"{files.promoters} and {files.de_table} share no gene ID (e.g. {promoters['gene_id'].iloc[0]} vs "
            f"{de['gene_id'].iloc[0]}); build the promoters from this DE table"
        )
    if not shared.all():
        absent = promoters.loc[~shared, "gene_id"]
        raise ScaInputError(
            f"{files.promoters}: {len(absent)} gene(s) are not in {files.de_table}, e.g. "
            f"{', '.join(absent.iloc[:3])}; the two tables come from different runs"
        )
    joined = promoters.merge(de, on="gene_id", how="left", suffixes=("", "_de"))
    disagree = joined["status"] != joined["status_de"]
    if disagree.any():
        row = int(np.flatnonzero(disagree.to_numpy())[0])
        raise ScaInputError(
            f"{files.promoters}: gene {joined['gene_id'].iloc[row]} has status {joined['status'].iloc[row]!r} "
            f"but {files.de_table} says {joined['status_de'].iloc[row]!r}; the two tables come from different runs"
        )
    return joined.drop(columns="status_de")
