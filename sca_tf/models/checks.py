"""Checks of model hyperparameters and layer arguments: each returns the value or raises ``ScaInputError``
(a ``ValueError``) naming it. Shared by the model builders and the custom layers, which cannot import
:mod:`sca_tf.models.base` (it builds on them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sca_tf.errors import ScaInputError


def positive_int(name: str, value: Any) -> int:
    """``value`` as an int >= 1, or ``ScaInputError`` naming the hyperparameter."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ScaInputError(f"hyperparameter {name!r}: expected a positive integer, got {value!r}")
    return value


def non_negative_int(name: str, value: Any) -> int:
    """``value`` as an int >= 0, or ``ScaInputError`` naming the hyperparameter."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScaInputError(f"hyperparameter {name!r}: expected an integer >= 0, got {value!r}")
    return value


def positive_ints(name: str, values: Any, length: int | None = None) -> tuple[int, ...]:
    """``values`` as a non-empty tuple of positive ints (of ``length`` items when given)."""
    if isinstance(values, int) and not isinstance(values, bool):
        values = (values,)
    if not isinstance(values, Sequence) or isinstance(values, str) or not values:
        raise ScaInputError(f"hyperparameter {name!r}: expected a non-empty list of positive integers, got {values!r}")
    checked = tuple(positive_int(name, value) for value in values)
    if length is not None and len(checked) != length:
        raise ScaInputError(f"hyperparameter {name!r}: expected {length} values (one per layer), got {len(checked)}")
    return checked


def dropout_rate(name: str, value: Any) -> float:
    """``value`` as a float in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ScaInputError(f"hyperparameter {name!r}: expected a dropout rate in [0, 1), got {value!r}")
    return float(value)


def choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    """``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise ScaInputError(f"hyperparameter {name!r}: expected one of {', '.join(allowed)}, got {value!r}")
    return value
