"""The diffusion noise schedules: the paper's linear one, the cosine one, their config and bad settings."""

from __future__ import annotations

import numpy as np
import pytest

from sca_tf.errors import ScaInputError
from sca_tf.models.generative.schedule import NoiseSchedule


def test_linear_schedule_matches_the_paper_and_decays_monotonically() -> None:
    schedule = NoiseSchedule("linear", timesteps=1000)
    assert schedule.betas[0] == pytest.approx(1e-4) and schedule.betas[-1] == pytest.approx(0.02)
    assert np.all(np.diff(schedule.alphas_bar) < 0)
    assert schedule.alphas_bar[0] == pytest.approx(1 - 1e-4)
    assert schedule.alphas_bar[-1] < 1e-4  # the signal is gone by T


def test_cosine_schedule_keeps_more_signal_midway_and_ends_near_zero() -> None:
    cosine, linear = NoiseSchedule("cosine", timesteps=1000), NoiseSchedule("linear", timesteps=1000)
    assert np.all(np.diff(cosine.alphas_bar) < 0)
    assert cosine.alphas_bar[0] > 0.9999 and cosine.alphas_bar[-1] < 1e-4
    assert np.all(cosine.betas <= 0.999)
    assert cosine.alphas_bar[499] > 0.4 and linear.alphas_bar[499] < 0.1


def test_schedule_round_trips_through_its_config() -> None:
    schedule = NoiseSchedule("cosine", timesteps=64, cosine_offset=0.01)
    assert NoiseSchedule(**schedule.to_config()) == schedule


@pytest.mark.parametrize("settings, message", [
    ({"kind": "quadratic"}, "linear, cosine"),
    ({"timesteps": 1}, "timesteps"),
    ({"beta_start": 0.02, "beta_end": 0.01}, "beta_start < beta_end"),
    ({"cosine_offset": 0.0}, "cosine_offset"),
])
def test_bad_schedules_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        NoiseSchedule(**settings)
