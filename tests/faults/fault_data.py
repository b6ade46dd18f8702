"""What the fault cases share: the tiny study's paths, and running a verb the way a user does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sca_tf.cli import main

TINY_CNN = {"filters": (8,), "kernel_sizes": (9,), "pooling": "global_max", "dense_units": (8,)}


@dataclass(frozen=True)
class Study:
    root: Path
    counts: Path
    genome: Path
    annotation: Path
    de_table: Path
    promoters: Path
    data_dir: Path
    dataset: str

    def dataset_args(self) -> list[str]:
        return ["--data-dir", str(self.data_dir), "--dataset", self.dataset]


def run_verb(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``sca-tf argv`` in-process; return its exit status and its one ``sca-tf:`` line (asserting there is at
    most one, and no traceback)."""
    status = main([str(arg) for arg in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("sca-tf:")]
    assert len(lines) <= 1, lines
    return status, lines[0] if lines else ""


def files_under(folder: Path) -> list[str]:
    """Every path under ``folder`` (relative), sorted; ``[]`` if it does not exist."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) if folder.exists() else []
