"""Range checks of ``sca-tf run``'s settings, made before the first stage writes anything."""

from __future__ import annotations

from typing import Any

from sca_tf.errors import ScaInputError
from sca_tf.schema import SPLIT_SCHEMES

#: ``(key, test, what is expected)`` for every numeric setting of :class:`sca_tf.workflow.RunConfig`.
RANGES: tuple[tuple[str, Any, str], ...] = (
    ("simulate_genes", lambda value: value >= 10, "at least 10 genes"),
    ("alpha", lambda value: 0 < value < 1, "a number between 0 and 1"),
    ("lfc_threshold", lambda value: value >= 0, "a number >= 0"),
    ("padj_threshold", lambda value: 0 < value <= 1, "a number in (0, 1]"),
    ("upstream", lambda value: value >= 0, "a number of bases >= 0"),
    ("downstream", lambda value: value >= 0, "a number of bases >= 0"),
    ("max_n_fraction", lambda value: 0 <= value <= 1, "a fraction in [0, 1]"),
    ("n_resamples", lambda value: value >= 1, "at least 1"),
)


def check_ranges(config: Any) -> None:
    """Refuse the first setting of ``config`` out of its range, naming the key, what is expected and what was found."""
    for key, test, expected in RANGES:
        value = getattr(config, key)
        if not test(value):
            raise ScaInputError(f"run option {key}: expected {expected}, got {value!r}")
    if config.upstream + config.downstream < 1:
        raise ScaInputError(f"run options upstream + downstream: expected a window of at least 1 base, got "
                            f"upstream {config.upstream}, downstream {config.downstream}")
    if config.split not in SPLIT_SCHEMES:
        raise ScaInputError(f"run option split: expected one of {', '.join(SPLIT_SCHEMES)}, got {config.split!r}")
    if not config.models:
        raise ScaInputError("run option models: expected at least one model, got none")
