"""VectorizedInference: batched IRLS gives PyDESeq2's per-gene solver results, fallback included."""

from __future__ import annotations

import numpy as np
from prep.dge_data import GROUPS
from pydeseq2.default_inference import DefaultInference

from sca_tf.prep.counts import CountData
from sca_tf.prep.deseq_inference import VectorizedInference


def test_irls_fallback_matches_pydeseq2_per_gene_solver(synthetic: CountData) -> None:
    """With ``maxiter=1`` every gene leaves batched IRLS for PyDESeq2's L-BFGS-B fallback; results must agree."""
    counts = synthetic.counts.to_numpy()[::5][:50].T.astype(float)  # up, down and null genes
    design = np.column_stack([np.ones(8), (np.array(GROUPS) == "IS").astype(float)])
    size_factors = np.linspace(0.8, 1.2, 8)
    disp = np.full(counts.shape[1], 0.05)
    for maxiter in (1, 250):
        ours = VectorizedInference(n_cpus=1).irls(counts, size_factors, design, disp, 0.5, 1e-8, maxiter=maxiter)
        reference = DefaultInference(n_cpus=1).irls(counts, size_factors, design, disp, 0.5, 1e-8, maxiter=maxiter)
        for mine, theirs in zip(ours, reference, strict=True):
            np.testing.assert_allclose(mine, theirs, rtol=1e-7, err_msg=f"maxiter={maxiter}")
