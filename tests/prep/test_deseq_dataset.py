"""BatchedDeseqDataSet: PyDESeq2's dispersion trend, parametric and mean, without the loop over genes."""

from __future__ import annotations

import pandas as pd
import pytest
from pydeseq2.dds import DeseqDataSet

from sca_tf.prep.counts import CountData
from sca_tf.prep.deseq_dataset import BatchedDeseqDataSet
from sca_tf.prep.deseq_inference import VectorizedInference


def _with_genewise(cls: type[DeseqDataSet], data: CountData, rising: bool = False) -> DeseqDataSet:
    """Gene-wise dispersions fitted, or with ``rising`` replaced by ones proportional to the mean."""
    dds = cls(counts=data.counts.T, metadata=pd.DataFrame({"condition": data.conditions}), design="~condition",
              inference=VectorizedInference(n_cpus=1), quiet=True)
    dds.fit_size_factors()
    dds.fit_genewise_dispersions()
    if rising:
        means = dds.var.loc[dds.var["non_zero"], "_normed_means"]
        dds.var.loc[dds.var["non_zero"], "genewise_dispersions"] = 0.01 + means / means.max()
    return dds


def test_parametric_trend_is_pydeseq2s(synthetic: CountData) -> None:
    ours, theirs = (_with_genewise(cls, synthetic) for cls in (BatchedDeseqDataSet, DeseqDataSet))
    ours.fit_dispersion_trend()
    theirs.fit_dispersion_trend()
    assert ours.uns["disp_function_type"] == theirs.uns["disp_function_type"] == "parametric"
    pd.testing.assert_series_equal(ours.uns["trend_coeffs"], theirs.uns["trend_coeffs"])
    pd.testing.assert_series_equal(ours.var["fitted_dispersions"], theirs.var["fitted_dispersions"])


def test_failed_parametric_fit_switches_to_the_mean_trend(synthetic: CountData) -> None:
    """Dispersions rising with the mean drive the trend's ``1 / mean`` slope to 0: both switch to the mean trend."""
    fitted = []
    for cls in (BatchedDeseqDataSet, DeseqDataSet):
        dds = _with_genewise(cls, synthetic, rising=True)
        with pytest.warns(UserWarning, match="Switching to a mean-based dispersion trend"):
            dds.fit_dispersion_trend()
        assert dds.uns["disp_function_type"] == "mean"
        fitted.append(dds.var["fitted_dispersions"])
    pd.testing.assert_series_equal(*fitted)
