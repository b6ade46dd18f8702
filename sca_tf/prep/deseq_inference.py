"""PyDESeq2 inference with its per-gene steps batched in numpy (the same results, less time).

PyDESeq2's :class:`~pydeseq2.default_inference.DefaultInference` dispatches one joblib task per gene for the
mean fit, the dispersion fits, the IRLS log-fold-change fit and the Wald test. Here those run on the whole
matrix at once; the few genes the batched fits cannot settle go to PyDESeq2's own per-gene solvers.
"""

from __future__ import annotations

import logging
from typing import Literal

import numpy as np
from pydeseq2.default_inference import DefaultInference
from pydeseq2.utils import fit_alpha_mle, irls_solver, nb_nll
from scipy.linalg import lstsq, solve
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from sca_tf.prep.dispersion import DispersionPrior, fit_log_dispersions

logger = logging.getLogger(__name__)

POOL_MIN_GENES = 4096  # fewer per-gene dispersion fallbacks than this run in-process: a pool costs more to start


class VectorizedInference(DefaultInference):
    """PyDESeq2's default inference with its closed-form steps run without one joblib task per gene.

    ``alpha_mle`` minimises PyDESeq2's dispersion objective for all genes together
    (:func:`sca_tf.prep.dispersion.fit_log_dispersions`); the genes it leaves unsettled are fitted by PyDESeq2's
    own ``fit_alpha_mle``, and ``dispersion_fallbacks`` counts them, one entry per call. ``irls`` and
    ``wald_test`` apply the formulas of PyDESeq2's per-gene ``irls_solver`` and ``wald_test`` to the whole
    samples x genes matrix at once; genes whose IRLS diverges are handed to PyDESeq2's own ``irls_solver``, which
    falls back to L-BFGS-B as before. ``lin_reg_mu`` solves the least-squares problems of all genes at once.
    Dispersions agree with :class:`~pydeseq2.default_inference.DefaultInference` to ``|delta log alpha| <
    1e-4`` except where PyDESeq2's L-BFGS-B itself fails and it falls back to a grid search; worker processes
    start only for a fallback set of at least ``POOL_MIN_GENES`` genes.
    """

    def __init__(self, joblib_verbosity: int = 0, batch_size: int = 128, n_cpus: int | None = None,
                 backend: str = "loky") -> None:
        super().__init__(joblib_verbosity, batch_size, n_cpus, backend)
        self.dispersion_fallbacks: list[int] = []

    def lin_reg_mu(
        self, counts: np.ndarray, size_factors: np.ndarray, design_matrix: np.ndarray, min_mu: float
    ) -> np.ndarray:
        """Least-squares fit of normalised counts on the design, one solve with a column per gene.

        As scikit-learn's ``LinearRegression`` in PyDESeq2's ``fit_lin_mu``: ``scipy.linalg.lstsq`` without an
        intercept, the fitted means floored at ``min_mu``.
        """
        coefficients = lstsq(design_matrix, counts / size_factors[:, None], check_finite=False)[0]
        return np.maximum(size_factors[:, None] * (design_matrix @ coefficients), min_mu)

    def alpha_mle(
        self,
        counts: np.ndarray,
        design_matrix: np.ndarray,
        mu: np.ndarray,
        alpha_hat: np.ndarray,
        min_disp: float,
        max_disp: float,
        prior_disp_var: float | None = None,
        cr_reg: bool = True,
        prior_reg: bool = False,
        optimizer: Literal["BFGS", "L-BFGS-B"] = "L-BFGS-B",
    ) -> tuple[np.ndarray, np.ndarray]:
        """Dispersions of all genes by the batched Newton fit; unsettled genes by PyDESeq2's ``fit_alpha_mle``.

        Only PyDESeq2's default optimizer, L-BFGS-B, has the bounds and stopping rule the batched fit follows;
        ``BFGS`` goes to PyDESeq2's per-gene fit for every gene.
        """
        if optimizer != "L-BFGS-B":
            return super().alpha_mle(counts, design_matrix, mu, alpha_hat, min_disp, max_disp, prior_disp_var,
                                     cr_reg, prior_reg, optimizer)
        if prior_reg and prior_disp_var is None:
            raise ValueError("prior_disp_var is required for prior regularization")
        prior = DispersionPrior(np.log(alpha_hat), prior_disp_var) if prior_reg else None
        fallback_options = (min_disp, max_disp, prior_disp_var, cr_reg, prior_reg, optimizer)
        with threadpool_limits(1):  # small matrices per gene, where BLAS threads only contend
            fit = fit_log_dispersions(counts, design_matrix, mu, alpha_hat, min_disp, max_disp, prior, cr_reg)
            dispersions, converged = np.exp(fit.log_alpha), np.ones(len(alpha_hat), dtype=bool)
            fallback = np.flatnonzero(~fit.settled)
            if fallback.size < POOL_MIN_GENES:
                for gene in fallback:
                    dispersions[gene], converged[gene] = fit_alpha_mle(
                        counts[:, gene], design_matrix, mu[:, gene], alpha_hat[gene], *fallback_options)
        if fallback.size >= POOL_MIN_GENES:
            dispersions[fallback], converged[fallback] = super().alpha_mle(
                counts[:, fallback], design_matrix, mu[:, fallback], alpha_hat[fallback], *fallback_options)
        self.dispersion_fallbacks.append(int(fallback.size))
        logger.info("dispersions (%s): %d of %d genes fitted one at a time by PyDESeq2",
                    "MAP" if prior_reg else "gene-wise", fallback.size, len(alpha_hat))
        return dispersions, converged

    def irls(
        self,
        counts: np.ndarray,
        size_factors: np.ndarray,
        design_matrix: np.ndarray,
        disp: np.ndarray,
        min_mu: float,
        beta_tol: float,
        min_beta: float = -30,
        max_beta: float = 30,
        optimizer: Literal["BFGS", "L-BFGS-B"] = "L-BFGS-B",
        maxiter: int = 250,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Negative-binomial GLM fit by IRLS, one batched iteration for all still-running genes at a time.

        Needs a full-rank design (PyDESeq2 cannot fit any other).
        """
        design = design_matrix
        n_vars = design.shape[1]
        sf = size_factors[:, None]
        q, r = np.linalg.qr(design)
        beta = solve(r, q.T @ np.log(counts / sf + 0.1))  # (n_vars, genes), as irls_solver initialises
        ridge = np.diag(np.repeat(1e-6, n_vars))
        mu = np.maximum(sf * np.exp(design @ beta), min_mu)
        deviance = np.full(counts.shape[1], 1000.0)
        running = np.arange(counts.shape[1])
        diverged: list[np.ndarray] = []
        for iteration in range(1, maxiter + 1):
            if running.size == 0:
                break
            mu_run, disp_run = mu[:, running], disp[running]
            weights = mu_run / (1.0 + mu_run * disp_run)
            working = np.log(mu_run / sf) + (counts[:, running] - mu_run) / mu_run
            gram = np.einsum("si,sg,sj->gij", design, weights, design) + ridge
            beta_hat = np.linalg.solve(gram, np.einsum("si,sg->gi", design, weights * working)[..., None])[..., 0].T
            lost = (np.abs(beta_hat) > max_beta).any(axis=0) | (iteration >= maxiter)
            diverged.append(running[lost])
            kept, beta_kept = running[~lost], beta_hat[:, ~lost]
            beta[:, kept] = beta_kept
            mu[:, kept] = np.maximum(sf * np.exp(design @ beta_kept), min_mu)
            new_deviance = -2 * np.asarray(nb_nll(counts[:, kept], mu[:, kept], disp[kept])).reshape(-1)
            ratio = np.abs(new_deviance - deviance[kept]) / (np.abs(new_deviance) + 0.1)
            deviance[kept] = new_deviance
            running = kept[ratio > beta_tol]

        weights = mu / (1.0 + mu * disp)
        inverse = np.linalg.inv(np.einsum("si,sg,sj->gij", design, weights, design) + ridge)
        hat_diagonals = np.einsum("si,gij,sj->sg", design, inverse, design) * weights
        mu = sf * np.exp(design @ beta)  # unthresholded, as irls_solver returns it
        beta, converged = beta.T, np.ones(counts.shape[1], dtype=bool)
        for gene in np.concatenate(diverged) if diverged else ():
            beta[gene], mu[:, gene], hat_diagonals[:, gene], converged[gene] = irls_solver(
                counts=counts[:, gene], size_factors=size_factors, design_matrix=design, disp=disp[gene],
                min_mu=min_mu, beta_tol=beta_tol, min_beta=min_beta, max_beta=max_beta,
                optimizer=optimizer, maxiter=maxiter,
            )
        return beta, mu, hat_diagonals, converged

    def wald_test(
        self,
        design_matrix: np.ndarray,
        disp: np.ndarray,
        lfc: np.ndarray,
        mu: np.ndarray,
        ridge_factor: np.ndarray,
        contrast: np.ndarray,
        lfc_null: np.ndarray,
        alt_hypothesis: Literal["greaterAbs", "lessAbs", "greater", "less"] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Two-sided Wald test for every gene at once (other alternatives go to PyDESeq2's per-gene test)."""
        if alt_hypothesis is not None:
            return super().wald_test(design_matrix, disp, lfc, mu, ridge_factor, contrast, lfc_null, alt_hypothesis)
        contrast = np.asarray(contrast, dtype=float)
        n_genes = mu.shape[1]
        p_values, statistics, standard_errors = (np.full(n_genes, np.nan) for _ in range(3))
        fitted = np.isfinite(mu).all(axis=0) & np.isfinite(disp) & np.isfinite(lfc).all(axis=1)
        weights = mu[:, fitted] / (1 + mu[:, fitted] * disp[fitted])
        information = np.einsum("si,sg,sj->gij", design_matrix, weights, design_matrix)
        h_contrast = np.linalg.inv(information + ridge_factor) @ contrast
        standard_errors[fitted] = np.sqrt(np.einsum("gi,gij,gj->g", h_contrast, information, h_contrast))
        statistics[fitted] = ((lfc[fitted] - lfc_null) @ contrast) / standard_errors[fitted]
        p_values[fitted] = 2 * norm.sf(np.abs(statistics[fitted]))
        return p_values, statistics, standard_errors
