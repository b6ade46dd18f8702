"""Read and write FASTA files of generated promoters, refusing anything but fixed-length upper-case ACGT.

Generated sequences never contain ``N`` or lower case, so a synthetic FASTA with such letters (or with records of
different lengths) was not made by sca-tf or was damaged; every error names the file, the record, the line and
the position of the first bad character.

>>> write_synthetic_fasta(["ACGT", "GGCC"], "synthetic.fa", prefix="ddim")  # doctest: +SKIP
>>> read_synthetic_fasta("synthetic.fa", expected_length=4).sequences  # doctest: +SKIP
['ACGT', 'GGCC']
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sca_tf.errors import ScaInputError
from sca_tf.io import write_fasta

_BAD_CHARACTER = re.compile(r"[^ACGT]")


@dataclass(frozen=True)
class SyntheticRecords:
    """Records of a synthetic FASTA: IDs, the rest of each header, and the sequences, in file order."""

    ids: list[str]
    descriptions: list[str]
    sequences: list[str]

    @property
    def length(self) -> int:
        """Bases per sequence (all records have the same length)."""
        return len(self.sequences[0])

    def __len__(self) -> int:
        return len(self.sequences)


def write_synthetic_fasta(
    sequences: Sequence[str],
    path: str | os.PathLike[str],
    *,
    prefix: str = "synthetic",
    annotations: Mapping[str, object] | None = None,
) -> Path:
    """Write ``sequences`` atomically as ``>{prefix}_{i:06d} key=value ...`` records (60 bases a line).

    The sequences are validated first (:func:`check_sequences`), so a bad one leaves no file behind.
    ``annotations`` (e.g. sampler, steps, seed, condition) are appended to every header.
    """
    check_sequences(sequences, where=str(path))
    if not prefix or any(character.isspace() for character in prefix):
        raise ScaInputError(f"{path}: record prefix must be non-empty and contain no whitespace, got {prefix!r}")
    tags = " ".join(f"{key}={value}" for key, value in (annotations or {}).items())
    headers = [f"{prefix}_{index:06d}" + (f" {tags}" if tags else "") for index in range(1, len(sequences) + 1)]
    return write_fasta(zip(headers, sequences), path, width=60)


def check_sequences(sequences: Sequence[str], *, where: str, expected_length: int | None = None) -> int:
    """Check a non-empty list of equal-length ``ACGT`` strings; return their length or raise ``ScaInputError``."""
    if len(sequences) == 0:
        raise ScaInputError(f"{where}: no sequences")
    length = expected_length if expected_length is not None else len(sequences[0])
    for index, sequence in enumerate(sequences, start=1):
        _check_letters(sequence, f"{where}: sequence {index}")
        _check_length(sequence, length, f"{where}: sequence {index}", expected_length is not None)
    return length


def read_synthetic_fasta(path: str | os.PathLike[str], *, expected_length: int | None = None) -> SyntheticRecords:
    """Read a synthetic FASTA; ``ScaInputError`` naming the record, line and position of any problem.

    Checks: the file exists and holds at least one record, no sequence line comes before the first header,
    record IDs are unique and non-empty, every base is one of ``A, C, G, T`` (upper case), and every record has
    the same length, equal to ``expected_length`` when given (the dataset's promoter length).
    """
    path = Path(path)
    if not path.is_file():
        raise ScaInputError(f"{path}: synthetic FASTA not found")
    ids: list[str] = []
    descriptions: list[str] = []
    sequences: list[str] = []
    chunks: list[str] = []
    start_line = 0
    with open(path, encoding="ascii", errors="replace") as handle:
        for line_number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            if line.startswith(">"):
                if ids:
                    sequences.append(_finish(path, ids[-1], chunks, start_line))
                record_id, _, description = line[1:].strip().partition(" ")
                if not record_id:
                    raise ScaInputError(f"{path}: line {line_number}: header has no record ID")
                if record_id in ids:
                    raise ScaInputError(f"{path}: line {line_number}: record ID {record_id!r} appears twice")
                ids.append(record_id)
                descriptions.append(description.strip())
                chunks, start_line = [], line_number + 1
            elif line.strip():
                if not ids:
                    raise ScaInputError(f"{path}: line {line_number}: sequence before the first '>' header")
                chunks.append(line.strip())
    if not ids:
        raise ScaInputError(f"{path}: no FASTA records (expected lines starting with '>')")
    sequences.append(_finish(path, ids[-1], chunks, start_line))
    length = expected_length if expected_length is not None else len(sequences[0])
    for record_id, sequence in zip(ids, sequences):
        _check_length(sequence, length, f"{path}: record {record_id}", expected_length is not None)
    return SyntheticRecords(ids, descriptions, sequences)


def _finish(path: Path, record_id: str, chunks: list[str], start_line: int) -> str:
    """Join a record's sequence lines after checking their letters (errors give the line and column)."""
    offset = 0
    for line_index, chunk in enumerate(chunks):
        bad = _BAD_CHARACTER.search(chunk)
        if bad:
            column = bad.start()
            raise ScaInputError(
                f"{path}: record {record_id}, line {start_line + line_index}: character {chunk[column]!r} at "
                f"position {offset + column + 1} of the sequence is not A, C, G or T "
                "(synthetic sequences are upper-case ACGT only, no N)"
            )
        offset += len(chunk)
    sequence = "".join(chunks)
    if not sequence:
        raise ScaInputError(f"{path}: record {record_id} (header on line {start_line - 1}) has no sequence")
    return sequence


def _check_letters(sequence: str, where: str) -> None:
    bad = _BAD_CHARACTER.search(sequence)
    if bad:
        raise ScaInputError(
            f"{where}: character {sequence[bad.start()]!r} at position {bad.start() + 1} is not A, C, G or T "
            "(synthetic sequences are upper-case ACGT only, no N)"
        )


def _check_length(sequence: str, length: int, where: str, from_dataset: bool) -> None:
    if len(sequence) != length:
        expected = f"the dataset's promoter length {length}" if from_dataset else f"{length} like the first record"
        raise ScaInputError(f"{where}: {len(sequence)} bases, expected {expected}")
