"""Negative-binomial counts and their GEO-style table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sca_tf.simulate.config import SimulationConfig


def simulate_counts(genes: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> np.ndarray:
    """Negative-binomial (gamma-Poisson) counts, genes x samples (IS samples first, then C)."""
    group_is = np.r_[np.ones(config.n_is, dtype=bool), np.zeros(config.n_c, dtype=bool)]
    size_factors = rng.uniform(*config.size_factor_range, group_is.size)
    base_mean = genes["base_mean"].to_numpy()
    fold = 2.0 ** genes["log2fc"].to_numpy()
    mean_c = base_mean * group_is.size / (config.n_is * fold + config.n_c)
    group_mean = np.where(group_is[None, :], (mean_c * fold)[:, None], mean_c[:, None])
    mu = group_mean * size_factors[None, :]
    a, b = config.dispersion_trend
    trend = a / np.maximum(base_mean, 1e-3) + b
    dispersion = trend * np.exp(rng.normal(0.0, config.dispersion_scatter, len(genes)))
    shape = np.repeat((1.0 / dispersion)[:, None], group_is.size, axis=1)
    rate = rng.gamma(shape, mu * dispersion[:, None])
    counts = rng.poisson(rate)
    counts[genes["all_zero"].to_numpy()] = 0
    return counts


def counts_text(genes: pd.DataFrame, counts: np.ndarray, config: SimulationConfig) -> str:
    """GSE248760 layout: ``NAME`` + sample header, ``CLASS:DOSE`` row, one row per unversioned gene id."""
    samples = [f"Sample_{index + 1}" for index in range(config.n_is + config.n_c)]
    lines = ["\t".join(["NAME", *samples]), "\t".join(["CLASS:DOSE", *(["IS"] * config.n_is), *(["C"] * config.n_c)])]
    rows = zip(genes["gene_id"], counts.tolist(), strict=True)
    lines += ["\t".join([gene_id, *map(str, row)]) for gene_id, row in rows]
    return "\n".join(lines) + "\n"
