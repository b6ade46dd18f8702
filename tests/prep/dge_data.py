"""The planted count matrix the DE tests share: 300 genes x (4 IS + 4 C), import it as ``prep.dge_data``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sca_tf.prep.counts import CountData

N_GENES, N_UP, N_DOWN, N_ZERO = 300, 30, 30, 20
GROUPS = ["IS"] * 4 + ["C"] * 4
SAMPLES = [f"S{i}" for i in range(1, 9)]
OUTLIER_GENE = N_GENES - N_ZERO - 1  # one huge count in one sample: Cook's distance removes its p-value


def synthetic_counts(seed: int = 7) -> CountData:
    """Negative-binomial counts, 300 genes x (4 IS + 4 C): 30 up and 30 down 8-fold, 20 all-zero, one outlier."""
    rng = np.random.default_rng(seed)
    base = np.exp(rng.uniform(np.log(50), np.log(2000), N_GENES))
    log2_fold = np.zeros(N_GENES)
    log2_fold[:N_UP], log2_fold[N_UP:N_UP + N_DOWN] = 3.0, -3.0
    size_factors = rng.uniform(0.7, 1.3, len(SAMPLES))
    mean = base[:, None] * size_factors * np.where(np.array(GROUPS) == "IS", 2.0 ** log2_fold[:, None], 1.0)
    dispersion = 0.03 + 3.0 / mean
    counts = rng.negative_binomial(1 / dispersion, 1 / (1 + mean * dispersion))
    counts[-N_ZERO:] = 0
    counts[OUTLIER_GENE] = [200, 210, 190, 205, 198, 202, 195, 20000]
    genes = pd.Index([f"ENSG{i:011d}" for i in range(N_GENES)], name="gene_id")
    samples = pd.Index(SAMPLES, name="sample")
    return CountData(
        counts=pd.DataFrame(counts, index=genes, columns=samples),
        conditions=pd.Series(GROUPS, index=samples, name="condition"),
        source=Path("synthetic"),
    )
