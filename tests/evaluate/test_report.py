"""Reports: rows must come from one test set."""

from __future__ import annotations

from pathlib import Path

import pytest

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.metrics import evaluate_scores
from sca_tf.evaluate.report import write_report


def test_report_refuses_rows_from_different_test_sets(tmp_path: Path) -> None:
    first = evaluate_scores("a", [0, 1], [0.2, 0.8], [0, 1, 1], [0.1, 0.7, 0.9], n_resamples=10)
    second = evaluate_scores("b", [0, 1], [0.2, 0.8], [0, 1], [0.1, 0.7], n_resamples=10)
    with pytest.raises(ScaInputError, match="different test sets"):
        write_report([first, second], tmp_path)
    assert not any(tmp_path.iterdir())
