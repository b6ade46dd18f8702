"""Read settings files (TOML, YAML, JSON) with errors that name the file."""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sca_tf.errors import ScaInputError, reject_unknown_keys

Settings = TypeVar("Settings")


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The top-level table of a ``.toml`` file, or of a ``.yaml`` / ``.yml`` file (an empty file gives ``{}``)."""
    source = Path(path)
    if not source.is_file():
        raise ScaInputError(f"config file {source}: not found")
    try:
        if source.suffix in {".yaml", ".yml"}:
            import yaml

            values = yaml.safe_load(source.read_text()) or {}
        else:
            values = tomllib.loads(source.read_text())
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ScaInputError(f"config file {source}: cannot be parsed ({exc})") from exc
    if not isinstance(values, dict):
        raise ScaInputError(f"config file {source}: expected a table of settings, got {type(values).__name__}")
    return values


def dataclass_from_file(cls: type[Settings], path: str | os.PathLike[str], overrides: Mapping[str, Any], *,
                        tuple_fields: Sequence[str] = ()) -> Settings:
    """``cls`` built from a TOML/YAML file whose keys must be its fields; non-``None`` ``overrides`` win.

    ``tuple_fields`` are turned from the file's lists into tuples.
    """
    source = Path(path)
    values = read_config_file(source)
    known = sorted(item.name for item in dataclasses.fields(cls))
    reject_unknown_keys(values, known, f"config file {source}: unknown key(s)")
    merged = {**values, **{key: value for key, value in overrides.items() if value is not None}}
    for key in tuple_fields:
        if key in merged:
            if not isinstance(merged[key], (list, tuple)):
                raise ScaInputError(f"config file {source}: {key} must be a list, e.g. {key} = [\"a\", \"b\"]; "
                                    f"got {merged[key]!r}")
            merged[key] = tuple(merged[key])
    return cls(**merged)


def read_json_file(path: str | os.PathLike[str], missing: str) -> Any:
    """The parsed JSON of ``path``; ``ScaInputError("<path>: <missing>")`` if there is no such file."""
    source = Path(path)
    try:
        return json.loads(source.read_text())
    except FileNotFoundError as exc:
        raise ScaInputError(f"{source}: {missing}") from exc
    except json.JSONDecodeError as exc:
        raise ScaInputError(f"{source}: line {exc.lineno}: not valid JSON ({exc.msg})") from exc


def check_types(settings: Any, what: str) -> None:
    """Refuse a dataclass ``settings`` field whose value is not of its annotated type, naming it:
    ``"<what> epochs: expected an integer, got 1.5"``. Integers pass where numbers are expected; ``bool`` never
    passes as a number; a path passes as a string."""
    hints = typing.get_type_hints(type(settings))
    for item in dataclasses.fields(settings):
        value = getattr(settings, item.name)
        if not _matches(value, hints[item.name]):
            raise ScaInputError(f"{what} {item.name}: expected {_described(hints[item.name])}, got {value!r}")


def _alternatives(hint: Any) -> tuple[Any, ...]:
    return typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)


def _matches(value: Any, hint: Any) -> bool:
    for option in _alternatives(hint):
        origin = typing.get_origin(option) or option
        if option is Any or (option is type(None) and value is None):
            return True
        if option in (int, float) and not isinstance(value, bool) and isinstance(value, (int, float)):
            if option is float or isinstance(value, int):
                return True
        elif (option is bool and isinstance(value, bool)) or (option is str and isinstance(value, (str, os.PathLike))):
            return True  # a path may come as a Path
        elif origin is tuple and isinstance(value, tuple):
            element = typing.get_args(option)[0] if typing.get_args(option) else Any
            return all(_matches(entry, element) for entry in value)
        elif origin is Mapping and isinstance(value, Mapping):
            return True
    return False


_DESCRIPTIONS = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
                 type(None): "nothing", tuple: "a list", Mapping: "a table"}


def _described(hint: Any) -> str:
    """What ``hint`` accepts, in words; ``None`` (an option left out) is not something a user writes."""
    options = [option for option in _alternatives(hint) if option is not type(None)] or [type(None)]
    return " or ".join(_DESCRIPTIONS.get(typing.get_origin(option) or option, str(option)) for option in options)
