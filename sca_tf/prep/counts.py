"""Read a raw RNA-seq count matrix and the group of each sample, and check both before any model sees them.

Two layouts are accepted:

* the GEO layout of GSE248760: tab-separated, a header ``NAME  Sample_1 … Sample_8``, a ``CLASS:DOSE`` row
  giving each sample's group, then one row of integer counts per gene;
* a plain counts table (TSV / TXT / CSV, gzip ok: genes in rows, samples in columns) with the groups taken
  from a sample sheet that has a ``sample`` column and a condition column.

Every problem raises :class:`~sca_tf.errors.ScaInputError` naming the file, the line (1-based) or the
gene / sample, and what was expected.

Example::

    from sca_tf.prep.counts import read_counts
    data = read_counts("GSE248760_raw_counts.txt")
    data.counts.shape, data.conditions.value_counts().to_dict()   # ((58174, 8), {'IS': 4, 'C': 4})
"""

from __future__ import annotations

import csv
import gzip
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from sca_tf.errors import ScaInputError
from sca_tf.prep.annotation import strip_version

CLASS_ROW = "CLASS:DOSE"
MIN_SAMPLES_PER_GROUP = 2
_DELIMITERS = {".tsv": "\t", ".txt": "\t", ".csv": ","}


@dataclass(frozen=True)
class CountData:
    """A validated count matrix and the group of each of its samples.

    ``counts`` is genes x samples (int64, index ``gene_id`` without Ensembl versions, columns ``sample``);
    ``conditions`` maps each sample, in column order, to its group label.
    """

    counts: pd.DataFrame
    conditions: pd.Series
    source: Path

    def require_groups(self, *groups: str) -> None:
        """Raise ``ScaInputError`` unless every one of ``groups`` labels at least one sample."""
        present = set(self.conditions)
        for group in groups:
            if group not in present:
                raise ScaInputError(
                    f"{self.source}: group {group!r} not found; the samples' groups are {sorted(present)}"
                )


def read_counts(
    counts_path: str | os.PathLike[str],
    samples_path: str | os.PathLike[str] | None = None,
    condition_column: str = "condition",
) -> CountData:
    """Read and validate a count matrix; groups come from its ``CLASS:DOSE`` row and/or a sample sheet.

    When both are given they must agree sample by sample.
    """
    path = Path(counts_path)
    header, body = _read_table(path)
    samples = header[1:]
    is_class_row = body[0].str.strip().str.upper() == CLASS_ROW
    counts = _parse_counts(path, samples, body[~is_class_row])
    class_groups = _class_row_groups(path, samples, body[is_class_row])
    sheet_groups = None if samples_path is None else read_sample_sheet(samples_path, condition_column)
    conditions = _resolve_groups(path, samples, class_groups, sheet_groups, samples_path)
    _check_samples_have_reads(path, counts)
    _check_groups(path, conditions)
    return CountData(counts=counts, conditions=conditions, source=path)


def read_sample_sheet(path: str | os.PathLike[str], condition_column: str = "condition") -> pd.Series:
    """Read a sample sheet (TSV / CSV with ``sample`` and ``condition_column`` columns) as sample -> group."""
    sheet_path = Path(path)
    header, body = _read_table(sheet_path)
    missing = [name for name in ("sample", condition_column) if name not in header]
    if missing:
        raise ScaInputError(
            f"{sheet_path}: line 1: missing column(s) {', '.join(missing)}; expected a sample sheet with columns "
            f"'sample' and {condition_column!r} (found {', '.join(header)})"
        )
    samples = body[header.index("sample")].str.strip()
    groups = body[header.index(condition_column)].str.strip()
    for name, column in (("sample", samples), (condition_column, groups)):
        if (column == "").any():
            line = column.index[column == ""][0]
            raise ScaInputError(f"{sheet_path}: line {line}: empty {name!r} cell; every sample needs a value")
    duplicated = samples.duplicated()
    if duplicated.any():
        line = samples.index[duplicated][0]
        raise ScaInputError(f"{sheet_path}: line {line}: sample {samples[duplicated].iloc[0]!r} is listed twice")
    return pd.Series(groups.to_numpy(), index=pd.Index(samples.to_numpy(), name="sample"), name="condition")


def _read_table(path: Path) -> tuple[list[str], pd.DataFrame]:
    """Return the header cells and the body as strings.

    Body columns are numbered like the header; the index is the 1-based line number in the file; blank lines
    are dropped; cells missing from a short row are empty strings.
    """
    if not path.is_file():
        raise ScaInputError(f"{path}: file not found")
    delimiter = _delimiter(path)
    header = _header(path, delimiter)
    try:
        with warnings.catch_warnings():  # pandas only warns when the first data row is longer than the header
            warnings.simplefilter("error", pd.errors.ParserWarning)
            body = pd.read_csv(
                path, sep=delimiter, header=None, skiprows=1, names=range(len(header)), dtype=str,
                na_filter=False, skip_blank_lines=False, index_col=False, encoding="utf-8-sig",
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise _long_row_error(path, delimiter, len(header)) from exc
    except pd.errors.EmptyDataError:
        body = pd.DataFrame(columns=range(len(header)), dtype=str)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise ScaInputError(f"{path}: cannot be read as text ({exc})") from exc
    body.index = pd.RangeIndex(2, len(body) + 2, name="line")
    return header, body[~(body == "").all(axis=1)]


def _open_text(path: Path) -> TextIO:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", newline="", encoding="utf-8-sig")
    return open(path, newline="", encoding="utf-8-sig")


def _long_row_error(path: Path, delimiter: str, width: int) -> ScaInputError:
    """Name the first line with more fields than the header (only called once pandas refused the table)."""
    with _open_text(path) as handle:
        for line, cells in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
            if len(cells) > width:
                return ScaInputError(
                    f"{path}: line {line}: {len(cells)} fields, but the header has {width}; "
                    f"expected one value per header column"
                )
    return ScaInputError(f"{path}: cannot be parsed as a {width}-column table like its header line")


def _fields_on_line(path: Path, number: int) -> int:
    """How many fields line ``number`` (1-based) of the table holds (pandas pads a short row with empty cells)."""
    with _open_text(path) as handle:
        for line, cells in enumerate(csv.reader(handle, delimiter=_delimiter(path)), start=1):
            if line == number:
                return len(cells)
    return 0


def _delimiter(path: Path) -> str:
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    if not suffixes or suffixes[-1] not in _DELIMITERS:
        raise ScaInputError(
            f"{path}: unknown table format; expected a name ending in {', '.join(_DELIMITERS)} (optionally .gz)"
        )
    return _DELIMITERS[suffixes[-1]]


def _header(path: Path, delimiter: str) -> list[str]:
    try:
        with _open_text(path) as handle:
            first = next(csv.reader(handle, delimiter=delimiter), None)
    except (OSError, UnicodeDecodeError, EOFError, csv.Error) as exc:
        raise ScaInputError(f"{path}: cannot be read as text ({exc})") from exc
    if not first or not any(cell.strip() for cell in first):
        raise ScaInputError(f"{path}: file is empty; expected a header line naming the samples")
    header = [cell.strip() for cell in first]
    if len(header) < 2:
        raise ScaInputError(
            f"{path}: line 1: a single column {header[0]!r}; expected {delimiter!r}-separated columns "
            f"(an ID column, then one column per sample)"
        )
    for column, name in enumerate(header[1:], start=2):
        if not name:
            raise ScaInputError(f"{path}: line 1: column {column} has no name; expected a sample name")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise ScaInputError(f"{path}: line 1: column name {name!r} appears twice; names must be unique")
        seen.add(name)
    return header


def _class_row_groups(path: Path, samples: list[str], rows: pd.DataFrame) -> pd.Series | None:
    """The sample -> group mapping of the ``CLASS:DOSE`` row, or None when the table has no such row."""
    if rows.empty:
        return None
    if len(rows) > 1:
        raise ScaInputError(f"{path}: line {rows.index[1]}: a second {CLASS_ROW} row; expected at most one")
    groups = rows.iloc[0, 1:].str.strip()
    if (groups == "").any():
        sample = samples[int(np.flatnonzero(groups == "")[0])]
        raise ScaInputError(f"{path}: line {rows.index[0]}: {CLASS_ROW} has no group for sample {sample!r}")
    return pd.Series(groups.to_numpy(), index=pd.Index(samples, name="sample"), name="condition")


def _resolve_groups(
    path: Path,
    samples: list[str],
    class_groups: pd.Series | None,
    sheet_groups: pd.Series | None,
    sheet_path: str | os.PathLike[str] | None,
) -> pd.Series:
    """Pick the groups of ``samples`` from the CLASS row and/or the sheet, checking that they agree."""
    if sheet_groups is None:
        if class_groups is None:
            raise ScaInputError(
                f"{path}: no {CLASS_ROW} row giving each sample's group; pass a sample sheet "
                f"(columns: sample, condition)"
            )
        return class_groups
    missing = [sample for sample in samples if sample not in sheet_groups.index]
    if missing:
        raise ScaInputError(f"{sheet_path}: sample(s) {', '.join(missing)} of {path} are not in the sample sheet")
    extra = [sample for sample in sheet_groups.index if sample not in set(samples)]
    if extra:
        raise ScaInputError(f"{sheet_path}: sample(s) {', '.join(extra)} of the sample sheet are not in {path}")
    groups = sheet_groups.reindex(samples)
    if class_groups is not None:
        disagree = groups != class_groups
        if disagree.any():
            sample = groups.index[disagree][0]
            raise ScaInputError(
                f"{sheet_path}: sample {sample!r} is in group {groups[sample]!r}, but the {CLASS_ROW} row of "
                f"{path} says {class_groups[sample]!r}; the two must agree"
            )
    return groups


def _parse_counts(path: Path, samples: list[str], rows: pd.DataFrame) -> pd.DataFrame:
    """Turn the gene rows into an int64 genes x samples frame, or say which cell is wrong."""
    ids = rows[0].str.strip()
    if ids.empty:
        raise ScaInputError(f"{path}: no gene rows; expected one row of counts per gene after the header")
    if (ids == "").any():
        line = ids.index[ids == ""][0]
        raise ScaInputError(f"{path}: line {line}: empty gene ID; expected an ID such as ENSG00000223972")
    stripped_ids = ids.map(strip_version)
    _check_unique_ids(path, ids, stripped_ids)

    values = rows.iloc[:, 1:]
    cells = _Cells(path, samples, stripped_ids, values)
    try:
        matrix = values.to_numpy().astype(np.int64)
    except (TypeError, ValueError, OverflowError):
        matrix = cells.integral_or_raise()
    cells.raise_first(matrix < 0, "a count of 0 or more")
    return pd.DataFrame(matrix, index=pd.Index(stripped_ids.to_numpy(), name="gene_id"),
                        columns=pd.Index(samples, name="sample"))


def _check_unique_ids(path: Path, ids: pd.Series, stripped_ids: pd.Series) -> None:
    duplicated = stripped_ids.duplicated(keep=False)
    if not duplicated.any():
        return
    first = stripped_ids[duplicated].iloc[0]
    same = stripped_ids == first
    originals = ids[same].tolist()
    lines = ", ".join(str(line) for line in ids.index[same])
    detail = f" ({' and '.join(originals)} once versions are stripped)" if len(set(originals)) > 1 else ""
    raise ScaInputError(f"{path}: lines {lines}: gene {first} appears more than once{detail}; expected unique IDs")


@dataclass(frozen=True)
class _Cells:
    """The count cells of a table as read, for locating the first bad one (only used once something is wrong)."""

    path: Path
    samples: list[str]
    gene_ids: pd.Series
    values: pd.DataFrame

    def integral_or_raise(self) -> np.ndarray:
        """Accept integer-valued numbers such as ``12.0``; otherwise raise naming the first bad cell."""
        stripped = self.values.apply(lambda column: column.str.strip())
        numbers = stripped.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        self.raise_first((stripped == "").to_numpy(), "a count")
        self.raise_first(~np.isfinite(numbers), "an integer count")
        self.raise_first(numbers != np.round(numbers), "an integer count")
        self.raise_first(np.abs(numbers) >= 2.0**63, "a count below 2^63")
        return numbers.astype(np.int64)

    def raise_first(self, bad: np.ndarray, expected: str) -> None:
        """Raise for the first True cell of ``bad`` (row-major order, i.e. file order); return if none."""
        if not bad.any():
            return
        row, column = (int(index[0]) for index in np.nonzero(bad))
        found = self.values.iat[row, column]
        line = self.values.index[row]
        if not found.strip():
            fields = _fields_on_line(self.path, line)
            if fields < len(self.samples) + 1:
                raise ScaInputError(f"{self.path}: line {line}: {fields} fields, but the header has "
                                    f"{len(self.samples) + 1}; expected one value per header column")
        found_text = repr(found) if found.strip() else "an empty cell"
        raise ScaInputError(
            f"{self.path}: line {self.values.index[row]}: gene {self.gene_ids.iloc[row]}, "
            f"sample {self.samples[column]}: expected {expected}, found {found_text}"
        )


def _check_samples_have_reads(path: Path, counts: pd.DataFrame) -> None:
    empty = counts.columns[(counts == 0).all(axis=0)]
    if len(empty):
        raise ScaInputError(f"{path}: sample {empty[0]!r} has no reads (all counts are 0); size factors need reads")


def _check_groups(path: Path, conditions: pd.Series) -> None:
    sizes = conditions.value_counts()
    if len(sizes) < 2:
        raise ScaInputError(
            f"{path}: every sample is in group {sizes.index[0]!r}; expected at least two groups to compare"
        )
    small = sizes[sizes < MIN_SAMPLES_PER_GROUP]
    if not small.empty:
        raise ScaInputError(
            f"{path}: group {small.index[0]!r} has {small.iloc[0]} sample(s) "
            f"({', '.join(conditions.index[conditions == small.index[0]])}); "
            f"expected at least {MIN_SAMPLES_PER_GROUP} per group"
        )
