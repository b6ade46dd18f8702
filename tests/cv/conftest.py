"""One small simulated cross-validation (3 folds, a tiny CNN) shared by the cv tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from cv.cv_data import CONFIG

from sca_tf.cv import CVConfig, cross_validate


@pytest.fixture(scope="package")
def small_cv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cv")
    result = cross_validate(CVConfig(out=str(out), **CONFIG))
    assert result.report_markdown == out / "cv_report.md"
    return out
