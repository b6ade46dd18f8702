"""Shared fixtures.

Real-data tests read GSE248760 and GRCh37 chr20 from ``../shared/data`` beside the checkout (override with
``SCA_TF_SHARED_DATA``). In CI (``CI=true``) a missing data folder is a failure, never a skip, so a green CI run
always means the real-data checks ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
REQUIRED_FILES = (
    "GSE248760_raw_counts.txt",
    "grch37_chr20/20.fa.gz",
    "grch37_chr20/20.fa.gz.fai",
    "grch37_chr20/20.fa.gz.gzi",
)


def _running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to the read-only real data; fails under CI and skips elsewhere when any file is missing."""
    root = Path(os.environ.get("SCA_TF_SHARED_DATA", DEFAULT_SHARED_DATA))
    missing = [name for name in REQUIRED_FILES if not (root / name).is_file()]
    if missing:
        message = f"real data missing under {root}: {', '.join(missing)}"
        if _running_in_ci():
            pytest.fail(message + " (CI must provide ../shared/data beside the checkout)")
        pytest.skip(message)
    return root


@pytest.fixture(scope="session")
def gse248760_dge(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """The suite's one full DESeq2 run on GSE248760 (seconds with the batched fit), shared by real-data tests."""
    from sca_tf.prep.dge import run_dge

    return run_dge(shared_data / "GSE248760_raw_counts.txt", tmp_path_factory.mktemp("gse248760_dge"))
