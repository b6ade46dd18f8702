"""Sampling a trained denoiser: ancestral DDPM steps or deterministic DDIM steps, with classifier-free guidance.

Generation starts from Gaussian noise and denoises step by step, either ancestrally over all ``T`` training steps
(DDPM, Ho et al. 2020) or over a few evenly spaced ones (DDIM, Song et al. 2021; ``eta = 0`` is deterministic
given the starting noise). At every step the denoiser's output gives an estimate of the clean sequence ``x0``
(how depends on the model's parameterization) and the sampler steps towards it. ``DiffusionModel.sample_one_hot``
checks a request and runs it through :class:`ReverseProcess`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
from tqdm.auto import tqdm

from sca_tf.errors import ScaInputError
from sca_tf.models.generative.base import N_BASES, check_positive
from sca_tf.models.generative.schedule import NoiseSchedule

SAMPLERS = ("ddpm", "ddim")
DEFAULT_DDIM_STEPS = 50
#: ``sca-tf generate``'s sampler defaults (with ``ddim`` and :data:`DEFAULT_DDIM_STEPS`): eta 1 keeps DDIM
#: stochastic, close to ancestral sampling; guidance 2.5 applies only with a condition, and with it the
#: clean-base logits of a ``categorical_x0`` model are divided by :data:`DEFAULT_GUIDED_TEMPERATURE`. Chosen on the
#: default 2 kb model's samples against its training positives (docs/measured-facts.md, session 19).
DEFAULT_ETA = 1.0
DEFAULT_GUIDANCE = 2.5
#: Where along the noise schedule guidance applies (fractions of the training timesteps, ``0`` = clean, ``1`` =
#: pure noise; Kynkäänniemi et al. 2024): everywhere by default. Outside it a step takes one conditional call.
DEFAULT_GUIDANCE_INTERVAL = (0.0, 1.0)
#: Temperature of a guided ``categorical_x0`` model's clean-base logits (> 1 flattens them). Guidance sharpens
#: them, and on the 2 kb model that moved the samples' GC up by ~0.01 (1/3 of the real spread); a temperature of
#: 1.2 takes most of it back and keeps the planted sites. Without guidance the default temperature is 1.
DEFAULT_GUIDED_TEMPERATURE = 1.2

#: ``(x_t, t, labels, estimate) -> the denoiser's raw output`` (``labels`` is ``None`` for an unconditional model;
#: ``estimate`` the previous step's clean estimate for a self-conditioning network, else ``None``).
Denoise = Callable[[np.ndarray, int, np.ndarray | None, np.ndarray | None], np.ndarray]
#: ``(x_t, t, output) -> the signed one-hot x0 in [-1, 1] that the output points to``.
CleanEstimate = Callable[[np.ndarray, int, np.ndarray], np.ndarray]


def default_steps(sampler: str, timesteps: int) -> int:
    """Steps ``sampler`` takes when none are asked for: all ``timesteps`` (DDPM), else 50 or ``timesteps``."""
    return timesteps if sampler == "ddpm" else min(DEFAULT_DDIM_STEPS, timesteps)


def sampling_plan(timesteps: int, sampler: str, steps: int | None, eta: float) -> np.ndarray:
    """The training timesteps ``sampler`` visits (increasing; it walks them backwards), after checking the request.

    ``ddpm`` visits all ``timesteps`` (``steps`` must be ``None`` or ``timesteps``); ``ddim`` takes ``steps``
    evenly spaced ones (default :func:`default_steps`). ``eta`` must lie in ``[0, 1]``.
    """
    if sampler not in SAMPLERS:
        raise ScaInputError(f"sampler {sampler!r}: expected one of {', '.join(SAMPLERS)}")
    if not (isinstance(eta, (int, float)) and 0 <= eta <= 1):
        raise ScaInputError(f"eta: expected a number in [0, 1], got {eta!r}")
    if sampler == "ddpm":
        if steps not in (None, timesteps):
            raise ScaInputError(
                f"ancestral DDPM sampling runs all {timesteps} steps, got steps={steps}; use sampler='ddim' "
                "(eta=1 for a stochastic sampler) to take fewer steps"
            )
        return np.arange(timesteps)
    steps = default_steps(sampler, timesteps) if steps is None else check_positive("steps", steps)
    if steps > timesteps:
        raise ScaInputError(f"steps: DDIM takes at most the {timesteps} training timesteps, got {steps}")
    return np.unique(np.linspace(0, timesteps - 1, min(steps, timesteps)).round().astype(np.int64))


def check_guidance(guidance: float, condition: str | None, condition_dropout: float) -> float:
    """The classifier-free guidance weight (Ho & Salimans 2022), refused where it cannot apply.

    A weight other than 1 mixes the conditional and the unconditional outputs, so it needs a ``condition`` and a
    model trained with ``condition_dropout > 0``.
    """
    if isinstance(guidance, bool) or not isinstance(guidance, (int, float)) or not guidance >= 0:
        raise ScaInputError(f"guidance: expected a number >= 0, got {guidance!r}")
    if guidance != 1 and (condition is None or condition_dropout == 0):
        raise ScaInputError(
            "guidance other than 1 needs a condition and a model trained with condition dropout (it mixes the "
            "conditional and the unconditional noise predictions)"
        )
    return float(guidance)


def check_guidance_interval(interval: tuple[float, float]) -> tuple[float, float]:
    """``(low, high)`` with ``0 <= low < high <= 1``: the fractions of the schedule where guidance applies."""
    try:
        low, high = (float(value) for value in interval)
    except (TypeError, ValueError):
        raise ScaInputError(f"guidance_interval: expected two numbers (low, high), got {interval!r}") from None
    if not 0 <= low < high <= 1:
        raise ScaInputError(f"guidance_interval: expected 0 <= low < high <= 1, got ({low:g}, {high:g})")
    return low, high


def check_temperature(temperature: float, parameterization: str) -> float:
    """A logit temperature > 0; other than 1 only for a ``categorical_x0`` model (it has logits to scale)."""
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ScaInputError(f"temperature: expected a number > 0, got {temperature!r}")
    if temperature != 1 and parameterization != "categorical_x0":
        raise ScaInputError(f"temperature scales clean-base logits: it needs a categorical_x0 model, not "
                            f"{parameterization!r}")
    return float(temperature)


def default_temperature(guided: bool, parameterization: str) -> float:
    """``sca-tf generate``'s temperature: :data:`DEFAULT_GUIDED_TEMPERATURE` for a guided ``categorical_x0``
    model, else 1 (a noise-predicting model has no logits to scale).

    >>> default_temperature(True, "categorical_x0"), default_temperature(False, "categorical_x0")
    (1.2, 1.0)
    """
    return DEFAULT_GUIDED_TEMPERATURE if guided and parameterization == "categorical_x0" else 1.0


@dataclasses.dataclass(frozen=True)
class ReverseProcess:
    """One checked sampling request: denoise Gaussian noise along ``plan`` (from :func:`sampling_plan`).

    ``label`` is the class index to sample (``no_class``: the "no class" token; ``None``: an unconditional
    model). With ``guidance`` other than 1 every step whose timestep lies in ``guidance_interval`` (fractions of
    the schedule, from :func:`check_guidance_interval`) also asks for the unconditional output and uses
    ``uncond + guidance * (cond - uncond)`` (noise, or logits for ``categorical_x0``). ``temperature`` divides
    the (guided) output before ``clean_estimate`` reads it: logits only (:func:`check_temperature`). With
    ``self_conditioning`` every step hands the network the clean estimate of the step before (zeros at the
    first), as it was trained to refine.
    """

    schedule: NoiseSchedule
    denoise: Denoise
    clean_estimate: CleanEstimate
    sampler: str
    plan: np.ndarray
    eta: float = 0.0
    self_conditioning: bool = False
    label: int | None = None
    no_class: int = 0
    guidance: float = 1.0
    guidance_interval: tuple[float, float] = DEFAULT_GUIDANCE_INTERVAL
    temperature: float = 1.0

    def sample(self, n: int, length: int, *, seed: int = 0, batch_size: int = 64,
               progress: bool = False) -> np.ndarray:
        """Signed one-hot scores ``[n, length, 4]``; the same ``seed`` and ``batch_size`` give the same values."""
        rng = np.random.default_rng(seed)
        batches = [min(batch_size, n - start) for start in range(0, n, batch_size)]
        with tqdm(total=len(batches) * len(self.plan), desc=f"{self.sampler} sampling", unit="step",
                  disable=not progress) as bar:
            return np.concatenate([self._sample_batch(size, length, rng, bar) for size in batches])

    def _sample_batch(self, size: int, length: int, rng: np.random.Generator, bar: tqdm) -> np.ndarray:
        labels = None if self.label is None else np.full(size, self.label, dtype=np.int32)
        x = rng.standard_normal((size, length, N_BASES)).astype(np.float32)
        alphas_bar = self.schedule.alphas_bar
        x0 = np.zeros_like(x) if self.self_conditioning else None
        for index in range(len(self.plan) - 1, -1, -1):
            t = int(self.plan[index])
            output = self._guided_output(x, t, labels, x0)
            x0 = self.clean_estimate(x, t, output if self.temperature == 1 else output / self.temperature)
            if self.sampler == "ddpm":
                x = self._ddpm_step(x, x0, t, rng)
            else:
                previous = alphas_bar[self.plan[index - 1]] if index > 0 else 1.0
                x = _ddim_step(x, x0, alphas_bar[t], previous, self.eta, rng)
            bar.update()
        return x

    def _guided_output(self, x: np.ndarray, t: int, labels: np.ndarray | None,
                       previous: np.ndarray | None) -> np.ndarray:
        estimate = previous if self.self_conditioning else None
        output = self.denoise(x, t, labels, estimate)
        low, high = self.guidance_interval
        if self.guidance == 1 or not low <= t / max(self.schedule.timesteps - 1, 1) <= high:
            return output
        unconditional = self.denoise(x, t, np.full(x.shape[0], self.no_class, dtype=np.int32), estimate)
        return unconditional + self.guidance * (output - unconditional)

    def _ddpm_step(self, x: np.ndarray, x0: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
        """One ancestral step: the Gaussian posterior ``q(x_{t-1} | x_t, x0)`` at the predicted (clipped) ``x0``."""
        betas, alphas_bar = self.schedule.betas, self.schedule.alphas_bar
        previous = alphas_bar[t - 1] if t > 0 else 1.0
        mean = (betas[t] * math.sqrt(previous) / (1 - alphas_bar[t])) * x0 + (
            (1 - previous) * math.sqrt(1 - betas[t]) / (1 - alphas_bar[t])
        ) * x
        if t == 0:
            return mean.astype(np.float32)
        variance = betas[t] * (1 - previous) / (1 - alphas_bar[t])
        return (mean + math.sqrt(variance) * rng.standard_normal(x.shape)).astype(np.float32)


def _ddim_step(x: np.ndarray, x0: np.ndarray, current: float, previous: float, eta: float,
               rng: np.random.Generator) -> np.ndarray:
    """One DDIM step from ``alpha_bar = current`` to ``previous`` (Song et al. 2021, eq. 12)."""
    noise = (x - math.sqrt(current) * x0) / math.sqrt(1 - current)  # consistent with the clipped x0
    sigma = eta * math.sqrt((1 - previous) / (1 - current) * (1 - current / previous))
    x = math.sqrt(previous) * x0 + math.sqrt(max(1 - previous - sigma**2, 0.0)) * noise
    if sigma > 0:
        x = x + sigma * rng.standard_normal(x.shape)
    return x.astype(np.float32)
