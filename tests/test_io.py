"""Atomic output: a failed write leaves neither a partial file nor a temporary one behind."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sca_tf import io
from sca_tf.errors import ScaInputError


def test_successful_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "table.tsv"
    target.write_text("old\n")
    io.write_tsv(pd.DataFrame({"gene_id": ["G1"], "padj": [float("nan")]}), target)
    assert target.read_text() == "gene_id\tpadj\nG1\tNA\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.tsv"]
    assert target.stat().st_mode & 0o044 == 0o044  # readable by group and others under the usual umask


def test_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("previous\n")
    with pytest.raises(RuntimeError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_fasta_is_wrapped(tmp_path: Path) -> None:
    path = io.write_fasta([("G1 chr1:0-5(+)", "ACGTA"), ("G2", "CC")], tmp_path / "x.fa", width=2)
    assert path.read_text() == ">G1 chr1:0-5(+)\nAC\nGT\nA\n>G2\nCC\n"


def test_output_dir_below_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(ScaInputError, match="a_file/out: cannot create output directory"):
        io.ensure_output_dir(blocker / "out")
    with pytest.raises(ScaInputError, match="exists and is not a directory"):
        io.ensure_output_dir(blocker)


def test_png_is_written_whole_and_in_place(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    figure.subplots().plot([0, 1], [0, 1])
    path = io.write_png(figure, tmp_path / "curve.png", dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]
