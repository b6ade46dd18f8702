"""The forward process of the diffusion model: the noise variances ``beta_t`` and the signal left at each step.

>>> schedule = NoiseSchedule("cosine", timesteps=100)
>>> bool(schedule.alphas_bar[0] > 0.999 > 1e-3 > schedule.alphas_bar[-1])
True
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import numpy as np

from sca_tf.errors import ScaInputError

SCHEDULES = ("linear", "cosine")
_MAX_BETA = 0.999


def check_schedule(kind: str) -> str:
    """``kind`` if it is one of :data:`SCHEDULES`; ``ScaInputError`` listing them otherwise."""
    if kind not in SCHEDULES:
        raise ScaInputError(f"noise schedule {kind!r}: expected one of {', '.join(SCHEDULES)}")
    return kind


@dataclasses.dataclass(frozen=True)
class NoiseSchedule:
    """The forward-process variances ``beta_t`` for ``t = 0 .. timesteps - 1``.

    ``linear``: ``beta`` rises linearly from ``beta_start`` to ``beta_end`` (the paper's 1e-4 -> 0.02 over
    ``T = 1000``). ``cosine`` (Nichol & Dhariwal 2021): ``alpha_bar(t) = cos²(((t / T) + s) / (1 + s) · π/2)``
    normalised to 1 at ``t = 0``, with ``beta`` capped at 0.999; it destroys information more evenly over time.

    >>> schedule = NoiseSchedule("linear", timesteps=1000)
    >>> round(float(schedule.alphas_bar[-1]), 5)
    4e-05
    """

    kind: str = "linear"
    timesteps: int = 1000
    beta_start: float = 1e-4
    beta_end: float = 0.02
    cosine_offset: float = 0.008

    def __post_init__(self) -> None:
        check_schedule(self.kind)
        if isinstance(self.timesteps, bool) or not isinstance(self.timesteps, int) or self.timesteps < 2:
            raise ScaInputError(f"noise schedule: timesteps must be an integer >= 2, got {self.timesteps!r}")
        if not 0 < self.beta_start < self.beta_end < 1:
            raise ScaInputError(
                f"noise schedule: need 0 < beta_start < beta_end < 1, got {self.beta_start} and {self.beta_end}"
            )
        if not self.cosine_offset > 0:
            raise ScaInputError(f"noise schedule: cosine_offset must be > 0, got {self.cosine_offset}")

    @functools.cached_property
    def betas(self) -> np.ndarray:
        """``beta_t`` (float64, ``[timesteps]``)."""
        if self.kind == "linear":
            return np.linspace(self.beta_start, self.beta_end, self.timesteps, dtype=np.float64)
        fraction = np.arange(self.timesteps + 1, dtype=np.float64) / self.timesteps
        cumulative = np.cos((fraction + self.cosine_offset) / (1 + self.cosine_offset) * math.pi / 2) ** 2
        cumulative /= cumulative[0]
        return np.clip(1.0 - cumulative[1:] / cumulative[:-1], 0.0, _MAX_BETA)

    @functools.cached_property
    def alphas_bar(self) -> np.ndarray:
        """``alpha_bar_t = prod_{s <= t} (1 - beta_s)``: the signal fraction left at step ``t`` (decreasing)."""
        return np.cumprod(1.0 - self.betas)

    def to_config(self) -> dict[str, Any]:
        """JSON-ready fields (``NoiseSchedule(**config)`` rebuilds it)."""
        return dataclasses.asdict(self)
