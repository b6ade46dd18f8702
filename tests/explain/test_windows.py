"""Top windows: the best non-overlapping positive windows of each sequence."""

from __future__ import annotations

import numpy as np
import pytest

from sca_tf.explain import top_windows


def test_top_windows_are_the_best_non_overlapping_positive_windows():
    scores = np.zeros((2, 60))
    scores[0, 10:15] = 1.0  # best window holds 10..14
    scores[0, 40:42] = 0.8
    scores[1] = -1.0  # nothing positive
    windows = top_windows(scores, width=5, per_sequence=3)
    assert windows["sequence_index"].tolist() == [0, 0]
    assert (windows["start"].iloc[0], windows["end"].iloc[0], windows["score"].iloc[0]) == (10, 15, 5.0)
    assert windows["score"].iloc[1] == pytest.approx(1.6)
    assert windows["start"].iloc[1] in range(37, 41)
