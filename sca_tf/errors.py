"""The errors sca-tf raises on purpose, by kind, all under :class:`ScaError`.

================  =====================================================================================
ScaInputError     a user-supplied file, option or value is not what sca-tf expects (a ``ValueError``)
ScaTrainingError  training failed on valid input, e.g. the loss became NaN or infinite
ScaExportError    an export does not match its Keras model, or the serving layout is inconsistent
================  =====================================================================================

Every message says what was expected, what was received and where (the file, line, sample, gene or folder at
fault), so a user can act without reading the code. The command line prints each as one line
``sca-tf: error: <message>`` with an exit status per kind (``sca-tf --help`` lists them).
"""

from __future__ import annotations

from collections.abc import Iterable


class ScaError(Exception):
    """Base of the sca-tf error kinds; raise one of its subclasses, never this class itself."""


class ScaInputError(ScaError, ValueError):
    """A user-supplied file, option or value is not what sca-tf expects."""


class ScaTrainingError(ScaError, RuntimeError):
    """Training failed although its input was accepted (e.g. a non-finite loss)."""


class ScaExportError(ScaError, RuntimeError):
    """An export's outputs disagree with the Keras model, or the serving folder layout is inconsistent."""


def reject_unknown_keys(given: Iterable[str], known: Iterable[str], what: str, expected: str = "expected") -> None:
    """Raise ``ScaInputError("<what> a, b; <expected> k1, k2")`` if ``given`` holds names outside ``known``.

    ``known`` is listed in the order given, so callers decide whether it reads sorted or in declaration order.
    """
    known = list(known)
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ScaInputError(f"{what} {', '.join(unknown)}; {expected} {', '.join(known)}")
