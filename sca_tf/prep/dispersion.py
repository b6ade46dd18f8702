"""Negative-binomial dispersion fits for every gene at once, on PyDESeq2's objective.

PyDESeq2's ``fit_alpha_mle`` minimises, for one gene at a time with L-BFGS-B over ``log(alpha)`` within
``[log(min_disp), log(max_disp)]``, the negative-binomial negative log-likelihood plus the Cox-Reid adjustment
``0.5 * log det(X^T W X)`` and, in the MAP pass, the log-normal prior ``(log(alpha) - log(alpha_hat))**2 /
(2 * prior_disp_var)``. Here the same objective, with its analytic first and second derivatives in
``log(alpha)``, is minimised for all genes together by a safeguarded Newton iteration: steps projected onto the
bounds and capped at ``MAX_STEP``, a unit step downhill where the curvature is not positive, bisection of the
gradient-sign bracket where a step would leave it, and a backtracking (Armijo) line search.

L-BFGS-B's stopping rule decides where PyDESeq2's answer differs from the exact minimum: a gene whose start
already has a projected gradient of at most ``PGTOL``, or whose first L-BFGS-B step ends on that rule or on a
relative decrease of at most ``FTOL``, gets the point L-BFGS-B stops at. A gene is left to the caller
(``settled`` False) where the Newton iteration does not converge, where the start lies on a stretch too flat
for the objective's rounding to tell L-BFGS-B's first step from no step, and where the minimum has a curvature
under ``MIN_CURVATURE``: any point within ``PGTOL / curvature`` of it passes L-BFGS-B's test, so only L-BFGS-B
says which one it returns. Towards ``alpha = 0`` the objective flattens out (its derivatives in ``log(alpha)``
scale with ``alpha``), so a minimum on the lower bound is such a case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln, psi, zeta

# scipy L-BFGS-B's default tolerances, PyDESeq2's stopping rule: projected gradient, relative decrease.
PGTOL = 1e-5
FTOL = 1e7 * np.finfo(float).eps
MAX_STEP = 1.0  # largest Newton step, in log(alpha)
STEP_TOLERANCE = 1e-6  # converged once a full Newton step is this small, in log(alpha)
MAX_ITERATIONS = 50
MAX_HALVINGS = 30
MIN_MOVE = 1e-10  # a step shorter than this, in log(alpha), makes no progress
ARMIJO = 1e-4  # sufficient-decrease constant of the backtracking line search
SLACK = 1e-12  # relative tolerance of the line search's decrease test, for the objective's rounding
MIN_CURVATURE = 0.1  # below it, points within PGTOL / curvature of the minimum pass L-BFGS-B's test


@dataclass(frozen=True)
class DispersionPrior:
    """The MAP pass's log-normal prior: mean ``log_mean`` (per gene), variance ``variance``."""

    log_mean: np.ndarray
    variance: float


@dataclass(frozen=True)
class DispersionFit:
    """Fitted ``log(alpha)`` per gene; ``settled`` False where the caller must fit the gene itself."""

    log_alpha: np.ndarray
    settled: np.ndarray


@dataclass(frozen=True)
class _Problem:
    """One pass's data for a subset of genes: samples along axis 0, genes along axis 1."""

    counts: np.ndarray
    mu: np.ndarray
    design: np.ndarray
    cox_reid: bool
    prior_mean: np.ndarray | None
    prior_variance: float | None
    constant: np.ndarray  # the alpha-free part of the log-likelihood, per gene
    outer: np.ndarray  # each sample's design row times itself, samples x p*p

    def take(self, genes: np.ndarray) -> _Problem:
        prior = None if self.prior_mean is None else self.prior_mean[genes]
        return _Problem(self.counts[:, genes], self.mu[:, genes], self.design, self.cox_reid, prior,
                        self.prior_variance, self.constant[genes], self.outer)


def _value(problem: _Problem, log_alpha: np.ndarray) -> np.ndarray:
    """PyDESeq2's loss per gene: NB negative log-likelihood, Cox-Reid adjustment, prior."""
    y, mu = problem.counts, problem.mu
    r = np.exp(-log_alpha)  # the negative-binomial size, 1 / alpha
    value = (y.shape[0] * r * log_alpha + problem.constant
             + (gammaln(r) - gammaln(y + r) + (y + r) * np.log(r + mu)).sum(axis=0))
    if problem.cox_reid:
        value = value + 0.5 * np.linalg.slogdet(_gram(problem, mu / (1.0 + mu / r)))[1]
    if problem.prior_mean is not None:
        value = value + (log_alpha - problem.prior_mean) ** 2 / (2 * problem.prior_variance)
    return value


def _derivatives(problem: _Problem, log_alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and second derivatives of :func:`_value` in ``log(alpha)``."""
    y, mu = problem.counts, problem.mu
    alpha = np.exp(log_alpha)
    r = 1.0 / alpha
    first = (psi(r) - psi(y + r) + np.log1p(mu * alpha) + (y - mu) / (mu + r)).sum(axis=0)  # d/dr per gene
    second = (zeta(2, r) - zeta(2, y + r) - mu / (r * (r + mu)) + (mu - y) / (r + mu) ** 2).sum(axis=0)
    gradient = -r * first  # d/d(log alpha) = -r d/dr
    hessian = r**2 * second + r * first
    if problem.cox_reid:
        weights = mu / (1.0 + mu * alpha)
        d_weights = -alpha * weights**2  # dW / d(log alpha)
        inverse = np.linalg.inv(_gram(problem, weights))
        product = inverse @ _gram(problem, d_weights)
        gradient = gradient + 0.5 * np.trace(product, axis1=1, axis2=2)
        d2_information = _gram(problem, d_weights + 2 * alpha**2 * weights**3)
        hessian = hessian + 0.5 * (np.einsum("gij,gji->g", inverse, d2_information)
                                   - np.einsum("gij,gji->g", product, product))
    if problem.prior_mean is not None:
        gradient = gradient + (log_alpha - problem.prior_mean) / problem.prior_variance
        hessian = hessian + 1.0 / problem.prior_variance
    return gradient, hessian


def _gram(problem: _Problem, weights: np.ndarray) -> np.ndarray:
    """``X^T diag(w) X`` for each gene's column of ``weights`` (genes x p x p)."""
    p = problem.design.shape[1]
    return (weights.T @ problem.outer).reshape(-1, p, p)


def _projected(gradient: np.ndarray, log_alpha: np.ndarray, low: float, high: float) -> np.ndarray:
    """L-BFGS-B's projected gradient: zero where the gradient pushes a parameter out through its bound."""
    outward = ((log_alpha <= low) & (gradient > 0)) | ((log_alpha >= high) & (gradient < 0))
    return np.where(outward, 0.0, gradient)


def fit_log_dispersions(
    counts: np.ndarray,
    design_matrix: np.ndarray,
    mu: np.ndarray,
    alpha_hat: np.ndarray,
    min_disp: float,
    max_disp: float,
    prior: DispersionPrior | None = None,
    cox_reid: bool = True,
) -> DispersionFit:
    """Minimise PyDESeq2's dispersion objective for every gene (columns of ``counts`` and ``mu``) at once.

    Starts from ``log(alpha_hat)`` within ``[log(min_disp), log(max_disp)]``, as ``fit_alpha_mle`` does.
    """
    counts = np.asarray(counts, dtype=float)
    low, high = np.log(min_disp), np.log(max_disp)
    constant = (gammaln(counts + 1) - counts * np.log(mu)).sum(axis=0)
    design = np.asarray(design_matrix, dtype=float)
    outer = (design[:, :, None] * design[:, None, :]).reshape(design.shape[0], -1)
    prior_mean = None if prior is None else np.asarray(prior.log_mean, dtype=float)
    problem = _Problem(counts, mu, design, cox_reid, prior_mean, None if prior is None else prior.variance,
                       constant, outer)
    log_alpha = np.clip(np.log(alpha_hat), low, high)
    value = _value(problem, log_alpha)
    gradient, hessian = _derivatives(problem, log_alpha)
    # Where L-BFGS-B stops at its start or after its first step, that is PyDESeq2's answer.
    stopped = np.abs(_projected(gradient, log_alpha, low, high)) <= PGTOL
    moving = np.flatnonzero(~stopped)
    first, first_stops, first_unresolved = _lbfgsb_first_step(problem.take(moving), log_alpha[moving],
                                                              value[moving], gradient[moving], low, high)
    log_alpha[moving[first_stops]] = first[first_stops]
    stopped[moving[first_stops]] = True
    unresolved = np.zeros(log_alpha.shape, dtype=bool)
    unresolved[moving[first_unresolved]] = True
    converged = stopped | unresolved
    below, above = np.full(log_alpha.shape, low), np.full(log_alpha.shape, high)  # gradient-sign bracket
    running = np.flatnonzero(~converged)
    for _ in range(MAX_ITERATIONS):
        if running.size == 0:
            break
        state = _newton_step(problem.take(running), log_alpha[running], value[running], gradient[running],
                             hessian[running], below[running], above[running], low, high)
        log_alpha[running], value[running], gradient[running], hessian[running] = state[:4]
        below[running], above[running] = state[4:6]
        done, stuck = state[6:]
        converged[running[done]] = True
        running = running[~done & ~stuck]
    flat = (log_alpha < high) & (hessian < MIN_CURVATURE)  # on the lower bound too: see the module docstring
    return DispersionFit(log_alpha, stopped | (converged & ~flat & ~unresolved))


def _lbfgsb_first_step(problem: _Problem, t: np.ndarray, f: np.ndarray, g: np.ndarray, low: float, high: float
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L-BFGS-B's first iterate from ``t``, whether it stops there, and whether rounding decides that.

    Its first trial point is the projected steepest-descent step ``clip(t - g)``, with the step length capped at
    1. It is taken as is when it decreases the objective enough (Moré-Thuente, ``ftol = 1e-3``) and either meets
    the curvature condition (``gtol = 0.9``) or still descends (the cap); L-BFGS-B then stops there on a
    projected gradient at most ``PGTOL`` or a relative decrease of the objective at most ``FTOL``. Where the
    decrease the step promises is below the objective's rounding error, its tests are decided by rounding
    (a start in a flat stretch): such genes are reported ``unresolved``, and not stopped.
    """
    trial = np.clip(t - g, low, high)
    step = trial - t
    f1, (g1, _) = _value(problem, trial), _derivatives(problem, trial)
    slope, new_slope = g * step, g1 * step
    taken = (f1 <= f + 1e-3 * slope) & ((np.abs(new_slope) <= -0.9 * slope) | (new_slope <= 1e-3 * slope))
    small_decrease = (f - f1) <= FTOL * np.maximum(np.maximum(np.abs(f), np.abs(f1)), 1.0)
    unresolved = -slope <= _rounding(problem, t)
    stops = taken & ((np.abs(_projected(g1, trial, low, high)) <= PGTOL) | small_decrease) & ~unresolved
    return trial, stops, unresolved


def _rounding(problem: _Problem, log_alpha: np.ndarray) -> np.ndarray:
    """An estimate of the rounding error of the objective: machine epsilon times the size of its terms."""
    y, mu = problem.counts, problem.mu
    r = np.exp(-log_alpha)
    size = (np.abs(y.shape[0] * r * log_alpha) + np.abs(problem.constant)
            + (np.abs(gammaln(y + r)) + np.abs(gammaln(r)) + (y + r) * np.abs(np.log(r + mu))).sum(axis=0))
    return np.finfo(float).eps * size


def _newton_step(problem: _Problem, t: np.ndarray, f: np.ndarray, g: np.ndarray, h: np.ndarray,
                 below: np.ndarray, above: np.ndarray, low: float, high: float) -> tuple[np.ndarray, ...]:
    """One safeguarded, projected Newton step with backtracking for the genes in ``problem``.

    Returns the new ``log(alpha)``, objective, gradient, curvature and bracket, and which genes converged
    and which could make no progress.
    """
    below = np.where(g < 0, np.maximum(below, t), below)
    above = np.where(g > 0, np.minimum(above, t), above)
    positive = h > 0
    step = np.clip(np.where(positive, -g / np.where(positive, h, 1.0), -np.sign(g) * MAX_STEP),
                   -MAX_STEP, MAX_STEP)
    target = np.clip(t + step, low, high)
    # A step past a bracket end set by a gradient sign (a poor quadratic model) bisects the bracket instead.
    outside = ((step < 0) & (target <= below) & (below > low)) | ((step > 0) & (target >= above) & (above < high))
    step = np.where(outside, 0.5 * (below + above), target) - t
    accepted = np.zeros(t.shape, dtype=bool)
    f = f.copy()
    slack = SLACK * (1.0 + np.abs(f))  # descent this small is not measurable: accepted, if not counted as progress
    for _ in range(MAX_HALVINGS):
        trying = np.flatnonzero(~accepted)
        if trying.size == 0:
            break
        trial = _value(problem.take(trying), t[trying] + step[trying])
        ok = trial <= f[trying] + ARMIJO * g[trying] * step[trying] + slack[trying]
        accepted[trying[ok]] = True
        f[trying[ok]] = trial[ok]
        step[trying[~ok]] *= 0.5
    moved = accepted & (np.abs(step) > MIN_MOVE)
    t = np.where(accepted, t + step, t)
    g, h = _derivatives(problem, t)
    projected = _projected(g, t, low, high)
    newton_length = np.where(h > 0, np.abs(g) / np.where(h > 0, h, 1.0), np.inf)
    # Where the gradient test passes on a flat stretch, iterating further cannot tell which point L-BFGS-B gives.
    done = (projected == 0) | ((np.abs(projected) <= PGTOL) & ((newton_length <= STEP_TOLERANCE)
                                                               | (h < MIN_CURVATURE)))
    return t, f, g, h, below, above, done, ~moved & ~done
