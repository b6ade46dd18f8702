"""Read settings files (TOML, YAML, JSON) with errors that name the file."""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
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
