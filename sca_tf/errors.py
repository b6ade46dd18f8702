"""Exceptions raised for bad user input.

Every message names the file, line, sample or gene at fault and says what was expected, so a user can fix
the input without reading the code. The command-line interface turns these into a one-line error and a
non-zero exit status.
"""

from __future__ import annotations

from collections.abc import Iterable


class ScaInputError(ValueError):
    """A user-supplied file, option or value is not what sca-tf expects."""


def reject_unknown_keys(given: Iterable[str], known: Iterable[str], what: str, expected: str = "expected") -> None:
    """Raise ``ScaInputError("<what> a, b; <expected> k1, k2")`` if ``given`` holds names outside ``known``.

    ``known`` is listed in the order given, so callers decide whether it reads sorted or in declaration order.
    """
    known = list(known)
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ScaInputError(f"{what} {', '.join(unknown)}; {expected} {', '.join(known)}")
