"""The gate's thresholds: validated on construction, read from a mapping with unknown names refused."""

from __future__ import annotations

import pytest

from sca_tf.errors import ScaInputError
from sca_tf.synthetic.thresholds import QualityThresholds


def test_thresholds_are_validated() -> None:
    assert QualityThresholds.from_mapping({"max_discriminator_auroc": 0.6}).max_discriminator_auroc == 0.6
    with pytest.raises(ScaInputError, match="unknown threshold\\(s\\) max_auroc"):
        QualityThresholds.from_mapping({"max_auroc": 0.6})
    with pytest.raises(ScaInputError, match="kmer_k"):
        QualityThresholds(kmer_k=8)
    with pytest.raises(ScaInputError, match="max_gc_ks"):
        QualityThresholds(max_gc_ks=1.5)
    with pytest.raises(ScaInputError, match="max_floor_ratio"):
        QualityThresholds(max_floor_ratio=0)
