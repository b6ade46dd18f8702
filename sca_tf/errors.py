"""Exceptions raised for bad user input.

Every message names the file, line, sample or gene at fault and says what was expected, so a user can fix
the input without reading the code. The command-line interface turns these into a one-line error and a
non-zero exit status.
"""

from __future__ import annotations


class ScaInputError(ValueError):
    """A user-supplied file, option or value is not what sca-tf expects."""
