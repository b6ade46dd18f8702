"""SimulationConfig: an invalid knob is refused with its name."""

from __future__ import annotations

import pytest

from sca_tf.errors import ScaInputError
from sca_tf.simulate import SimulationConfig


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seed", -1),
        ("seed", True),
        ("n_chromosomes", 2),
        ("n_genes", 10),
        ("n_is", 1),
        ("fraction_up", 1.5),
        ("fraction_down", float("nan")),
        ("decoy_rate", -0.1),
        ("promoter_length", 100),
        ("motif_copies", (3, 1)),
        ("core_window", (-50, -300)),
        ("core_window", (-300, -290)),
        ("cpg_island_length", (500, 5000)),
        ("island_gc", 0.75),
        ("size_factor_range", (1.4, 0.7)),
        ("dispersion_trend", (1.0, 0.0)),
        ("fasta_line_width", 0),
    ],
)
def test_invalid_config_names_the_field(field: str, value: object) -> None:
    with pytest.raises(ScaInputError, match=field):
        SimulationConfig(**{field: value})


def test_invalid_fraction_sum_is_rejected() -> None:
    with pytest.raises(ScaInputError, match="fraction_up"):
        SimulationConfig(fraction_up=0.5, fraction_down=0.5)
