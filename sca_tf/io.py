"""Atomic file output: every artefact is written to a temporary sibling and renamed into place.

A crash or a validation error therefore never leaves a half-written file behind under the final name.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from sca_tf.errors import ScaInputError


def ensure_output_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (with parents) and check it is writable; raise ``ScaInputError`` naming it if not."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ScaInputError(f"{out}: output path exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScaInputError(f"{out}: cannot create output directory ({exc.strerror or exc})") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise ScaInputError(f"{out}: output directory is not writable")
    return out


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    ``suffix`` ends the temporary name, for writers that pick a format by extension.
    """
    final = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=suffix, dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_current_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return Path(path)


def write_json(path: str | os.PathLike[str], payload: Any) -> Path:
    """Write ``payload`` as indented JSON atomically."""
    return write_text(path, json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")


def write_tsv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as a tab-separated table (no index, missing values as ``NA``) atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, sep="\t", index=False, na_rep="NA")
    return Path(path)


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as Parquet atomically."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return Path(path)


def write_fasta(records: Iterable[tuple[str, str]], path: str | os.PathLike[str], width: int = 80) -> Path:
    """Write ``(header, sequence)`` records as FASTA with lines of ``width`` bases, atomically."""
    with atomic_path(path) as tmp, open(tmp, "w") as handle:
        for header, sequence in records:
            handle.write(f">{header}\n")
            for offset in range(0, len(sequence), width):
                handle.write(sequence[offset : offset + width] + "\n")
    return Path(path)


def write_png(figure: Any, path: str | os.PathLike[str], dpi: int = 150) -> Path:
    """Save a matplotlib ``Figure`` as PNG atomically (tight bounding box)."""
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")
    return Path(path)
