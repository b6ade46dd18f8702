"""The ``sca-tf`` parser, ``main()``, and how each kind of error becomes one line and an exit status."""

from __future__ import annotations

import argparse
import errno
import logging
import sys
from collections.abc import Callable, Sequence

from sca_tf import __version__
from sca_tf.cli import cv, data, evaluate, predict, prep, synthetic, train, workflow
from sca_tf.cli.options import HelpFormatter
from sca_tf.errors import ScaError, ScaExportError, ScaInputError, ScaTrainingError

#: Each error kind's exit status and what it means (argparse's usage errors exit 2 too).
EXIT_STATUSES: tuple[tuple[type[ScaError], int, str], ...] = (
    (ScaInputError, 2, "bad input or usage: a file, option or value is not what sca-tf expects"),
    (ScaTrainingError, 3, "training failed, e.g. the loss became NaN or infinite"),
    (ScaExportError, 4, "export mismatch: the SavedModel disagrees with the Keras model, or the layout is off"),
)
#: A system error (disk full, permission denied, ...) outside sca-tf's own checks.
SYSTEM_ERROR = 5
INTERRUPTED = 130
INTERRUPTED_MESSAGE = "interrupted; rerun to resume"


def exit_status_table() -> str:
    """The exit statuses for ``--help`` (and README): success, each error kind, interruption."""
    rows = [(0, "success"), *((status, f"{meaning} ({kind.__name__})") for kind, status, meaning in EXIT_STATUSES),
            (SYSTEM_ERROR, "system error: a file could not be read or written (disk full, permission denied, ...)"),
            (INTERRUPTED, "interrupted (Ctrl-C); rerun the same command to resume")]
    return "exit status:\n" + "\n".join(f"  {status:<4} {meaning}" for status, meaning in rows)


def build_parser() -> argparse.ArgumentParser:
    """The ``sca-tf`` argument parser (one sub-command per pipeline stage)."""
    parser = argparse.ArgumentParser(
        prog="sca-tf",
        description="Learn differential gene expression from promoter DNA (Keras/TensorFlow).",
        epilog=exit_status_table() + "\n\nErrors are printed as one line: sca-tf: error: <message>",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sca-tf {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    for group in (prep, data, train, evaluate, predict, synthetic, workflow, cv):
        group.add_verbs(verbs)
    return parser


class _ProgressHandler(logging.Handler):
    """Writes each message to the *current* ``sys.stderr`` (which tests and wrappers may replace)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(self.format(record), file=sys.stderr)


def show_progress() -> None:
    """Send the library's progress messages (``logging`` INFO of ``sca_tf.*``) to stderr, once per process."""
    logger = logging.getLogger("sca_tf")
    if not any(isinstance(handler, _ProgressHandler) for handler in logger.handlers):
        logger.addHandler(_ProgressHandler())
        logger.setLevel(logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sca-tf`` command line; returns the process exit status (see :func:`exit_status_table`)."""
    args = build_parser().parse_args(argv)
    return run_reporting_errors(lambda: args.handler(args))


def run_reporting_errors(work: Callable[[], object], prog: str = "sca-tf") -> int:
    """Run ``work`` as a command does: progress on stderr, each error kind one line and its exit status.

    The ``sca-tf`` verbs and the ``trainers/`` scripts share it, so a script reports errors as the CLI does.
    """
    show_progress()
    try:
        work()
    except KeyboardInterrupt:
        print(f"{prog}: {INTERRUPTED_MESSAGE}", file=sys.stderr)
        return INTERRUPTED
    except tuple(kind for kind, _, _ in EXIT_STATUSES) as exc:
        print(f"{prog}: error: {' '.join(line.strip() for line in str(exc).splitlines())}", file=sys.stderr)
        return next(status for kind, status, _ in EXIT_STATUSES if isinstance(exc, kind))
    except OSError as exc:
        print(f"{prog}: error: {_os_error_message(exc)}", file=sys.stderr)
        return SYSTEM_ERROR
    return 0


def _os_error_message(exc: OSError) -> str:
    """``<file>: <what the system said> (<errno name>)`` on one line; nothing already written is left half-done."""
    where = " -> ".join(str(name) for name in (exc.filename, exc.filename2) if name is not None)
    reason = exc.strerror or str(exc) or type(exc).__name__
    code = f" ({errno.errorcode[exc.errno]})" if exc.errno in errno.errorcode else ""
    return " ".join(f"{where + ': ' if where else ''}{reason}{code}".split())
