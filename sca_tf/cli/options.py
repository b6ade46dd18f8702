"""What every verb module shares: a verb's sub-parser, library defaults, and the dataset options."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from sca_tf.data.build import DEFAULT_CONFIG

Handler = Callable[[argparse.Namespace], None]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Appends ``(default X)`` to an option's help when it has a real default (the library's, stated once)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        unset = action.default is None or action.default is False or action.default == argparse.SUPPRESS
        if action.option_strings and not unset and "%(default)" not in text:
            text += " (default %(default)s)"
        return text


def add_verb(verbs: Any, name: str, handler: Handler, summary: str) -> argparse.ArgumentParser:
    """A sub-command ``name`` whose parsed arguments go to ``handler``."""
    parser = verbs.add_parser(name, help=summary, description=summary, formatter_class=HelpFormatter)
    parser.set_defaults(handler=handler)
    return parser


def default(owner: Any, name: str) -> Any:
    """The library's default for ``name``: a field of dataclass ``owner`` or a parameter of function ``owner``."""
    if dataclasses.is_dataclass(owner):
        field = next(item for item in dataclasses.fields(owner) if item.name == name)
        return field.default_factory() if field.default is dataclasses.MISSING else field.default
    return inspect.signature(owner).parameters[name].default


def listed(values: Iterable[Any]) -> str:
    """``values`` as a comma-separated option value (``cnn,transformer``)."""
    return ",".join(str(value) for value in values)


def add_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data-dir`` and ``--dataset``: which prepared ``sca_promoters`` config a verb reads."""
    parser.add_argument("--data-dir", required=True, help="TFDS data directory holding sca_promoters")
    parser.add_argument("--dataset", help=f"dataset config name (default {DEFAULT_CONFIG})")


def comma_list(text: str | None) -> tuple[str, ...] | None:
    """An option's comma-separated values: ``"cnn, transformer"`` -> ``("cnn", "transformer")``; ``None`` stays."""
    return tuple(name.strip() for name in text.split(",") if name.strip()) if text else None
