"""Provenance recorded beside every output: file hashes, library versions, the seed."""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

#: The distributions whose versions every run records.
CORE_DISTRIBUTIONS = (
    "sca-tf", "numpy", "pandas", "pyfaidx", "pydeseq2", "tensorflow", "tensorflow-cpu", "keras",
    "tensorflow-datasets", "keras-tuner", "xgboost", "xgboost-cpu", "scikit-learn",
)


def sha256_of(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def library_versions(distributions: Iterable[str] = CORE_DISTRIBUTIONS) -> dict[str, str]:
    """Python's version and the installed version of each distribution that is installed."""
    versions = {"python": platform.python_version()}
    for distribution in distributions:
        try:
            versions[distribution] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return versions


def describe_file(path: str | os.PathLike[str]) -> dict[str, object]:
    """Absolute path, size and SHA-256 of an input file."""
    source = Path(path)
    return {"path": str(source.resolve()), "bytes": source.stat().st_size, "sha256": sha256_of(source)}
