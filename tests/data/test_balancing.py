"""Epoch composition of the balancing strategies (training split only)."""

from __future__ import annotations

import pytest

from sca_tf.data.balancing import EpochComposition, composition
from sca_tf.errors import ScaInputError


def test_synthetic_adds_exactly_the_ratio_asked_for() -> None:
    sizes = composition("synthetic", 900, 100, target_ratio=1.0, n_synthetic_available=300, synthetic_ratio=0.5)
    assert sizes == EpochComposition(900, 100, 50)
    assert composition("synthetic", 900, 100, target_ratio=1.0, n_synthetic_available=100,
                       synthetic_ratio=1.0).synthetic == 100


def test_a_synthetic_set_too_small_for_the_ratio_is_refused_not_silently_capped() -> None:
    # An ablation row called synthetic_x1 must hold one synthetic per real positive, or not run at all.
    with pytest.raises(ScaInputError, match="synthetic_ratio 1 x 100 real training positives needs 100 synthetic "
                                            "sequences, but the approved set holds 60"):
        composition("synthetic", 900, 100, target_ratio=1.0, n_synthetic_available=60, synthetic_ratio=1.0)


def test_down_and_oversampling_reach_the_target_ratio() -> None:
    assert composition("downsample", 900, 100, target_ratio=0.5) == EpochComposition(200, 100)
    assert composition("oversample", 900, 100, target_ratio=0.5) == EpochComposition(900, 450)
    assert composition("none", 900, 100, target_ratio=1.0).prevalence == pytest.approx(0.1)
