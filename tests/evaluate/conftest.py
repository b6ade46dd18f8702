"""Fixtures shared by the evaluation tests: planted train / validation / test splits, built once."""

from __future__ import annotations

import numpy as np
import pytest
from evaluate.labelled_data import planted_split

from sca_tf.evaluate.baselines import LabelledSequences


@pytest.fixture(scope="package")
def planted() -> tuple[LabelledSequences, LabelledSequences, LabelledSequences]:
    rng = np.random.default_rng(7)
    return planted_split(rng, 300, "train"), planted_split(rng, 150, "validation"), planted_split(rng, 150, "test")
