"""Read a TOML or YAML settings file into a mapping, with errors that name the file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from sca_tf.errors import ScaInputError


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
