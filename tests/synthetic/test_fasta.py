"""Synthetic FASTA files: validated reading (with the location of a fault) and atomic writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sca_tf.errors import ScaInputError
from sca_tf.synthetic.fasta import read_synthetic_fasta, write_synthetic_fasta


def test_synthetic_fasta_round_trip(tmp_path: Path) -> None:
    path = write_synthetic_fasta(["ACGT" * 20, "GGCC" * 20], tmp_path / "s.fa", annotations={"sampler": "ddim"})
    records = read_synthetic_fasta(path, expected_length=80)
    assert records.sequences == ["ACGT" * 20, "GGCC" * 20]
    assert records.ids == ["synthetic_000001", "synthetic_000002"] and records.descriptions[0] == "sampler=ddim"
    assert len(records) == 2 and records.length == 80
    assert max(len(line) for line in path.read_text().splitlines()) == 60


@pytest.mark.parametrize("text, message", [
    (">a\nACGT\n>b\nACNT\n", "record b, line 4: character 'N' at position 3"),
    (">a\nACGT\nACGX\n", "record a, line 3: character 'X' at position 8"),
    (">a\nacgt\n", "character 'a' at position 1"),
    (">a\nACGT\n>b\nACG\n", "record b: 3 bases, expected 4 like the first record"),
    (">a\nACGT\n>a\nACGT\n", "line 3: record ID 'a' appears twice"),
    ("ACGT\n>a\nACGT\n", "line 1: sequence before the first '>' header"),
    (">a\n>b\nACGT\n", "record a .* has no sequence"),
    ("", "no FASTA records"),
    (">\nACGT\n", "line 1: header has no record ID"),
])
def test_bad_synthetic_fasta_is_refused_with_its_location(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.fa"
    path.write_text(text)
    with pytest.raises(ScaInputError, match=message):
        read_synthetic_fasta(path)


def test_synthetic_fasta_must_have_the_dataset_length(tmp_path: Path) -> None:
    path = write_synthetic_fasta(["ACGT"], tmp_path / "s.fa")
    with pytest.raises(ScaInputError, match="4 bases, expected the dataset's promoter length 2000"):
        read_synthetic_fasta(path, expected_length=2000)
    with pytest.raises(ScaInputError, match="not found"):
        read_synthetic_fasta(tmp_path / "missing.fa")


def test_writing_bad_sequences_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "s.fa"
    for sequences, message in ((["ACGT", "ACGN"], "sequence 2: character 'N'"), (["ACGT", "AC"], "2 bases"),
                               ([], "no sequences")):
        with pytest.raises(ScaInputError, match=message):
            write_synthetic_fasta(sequences, target)
        assert not target.exists() and not list(tmp_path.iterdir())
