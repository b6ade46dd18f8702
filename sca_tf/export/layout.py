"""TF Serving's model-base-path layout: ``<root>/<model_name>/<version>/``, plus a ``models.config``.

Versions are positive integers; a new export takes the highest existing version + 1 and is written into a hidden
temporary folder that is renamed into place only once complete, so TF Serving (which polls for numeric folders)
never sees a half-written version and an existing version is never overwritten.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sca_tf import io
from sca_tf.errors import ScaExportError, ScaInputError

MODELS_CONFIG = "models.config"
_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CLAIM_ATTEMPTS = 100


def check_model_name(name: str) -> str:
    """``name`` if it is usable as a TF Serving model name and folder name (letters, digits, ``_ . -``)."""
    if not _MODEL_NAME.match(name):
        raise ScaInputError(
            f"model name {name!r}: expected letters, digits, '_', '.' or '-', starting with a letter or digit"
        )
    return name


def versions(model_base_path: str | os.PathLike[str]) -> list[int]:
    """The numeric versions under ``model_base_path``, ascending (empty when it does not exist)."""
    base = Path(model_base_path)
    if not base.is_dir():
        return []
    return sorted(int(child.name) for child in base.iterdir() if child.is_dir() and child.name.isdigit())


def next_version(model_base_path: str | os.PathLike[str]) -> int:
    """One past the highest existing version (1 for a new model)."""
    existing = versions(model_base_path)
    return existing[-1] + 1 if existing else 1


def write_new_version(model_base_path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(folder)`` on an empty hidden folder, then publish it as the next version; return its path.

    The version number is taken only at publication: a numeric folder is claimed with ``mkdir`` (which fails if
    another export took that number meanwhile, and the next number is tried) and the finished folder renamed onto
    it. If ``write`` raises, the hidden folder is removed and nothing appears under a numeric name.
    """
    base = io.ensure_output_dir(model_base_path)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=base))
    try:
        write(staging)
        for _ in range(_CLAIM_ATTEMPTS):
            final = base / str(next_version(base))
            try:
                final.mkdir()
            except FileExistsError:
                continue
            os.replace(staging, final)  # replaces only the empty folder just claimed
            return final
        raise ScaExportError(f"{base}: could not claim a new version folder after {_CLAIM_ATTEMPTS} attempts")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def served_models(root: str | os.PathLike[str]) -> dict[str, Path]:
    """Model name -> model base path for every folder under ``root`` that holds at least one numeric version."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {child.name: child for child in sorted(root.iterdir()) if child.is_dir() and versions(child)}


def models_config_text(models: dict[str, str]) -> str:
    """A TF Serving ``ModelServerConfig`` (protobuf text format) serving each ``name -> base path``."""
    blocks = []
    for name, base_path in models.items():
        escaped = base_path.replace("\\", "\\\\").replace('"', '\\"')
        blocks.append(
            "  config {\n"
            f'    name: "{name}"\n'
            f'    base_path: "{escaped}"\n'
            '    model_platform: "tensorflow"\n'
            "  }\n"
        )
    return "model_config_list {\n" + "".join(blocks) + "}\n"


def write_models_config(root: str | os.PathLike[str], serving_root: str | None = None) -> Path:
    """Write ``<root>/models.config`` listing every model under ``root``.

    ``serving_root`` is where the server sees ``root`` (e.g. ``/models`` inside the ``tensorflow/serving``
    container); by default the absolute local path is written.
    """
    root = Path(root).resolve()
    prefix = serving_root.rstrip("/") if serving_root else str(root)
    models = {name: f"{prefix}/{name}" for name in served_models(root)}
    return io.write_text(root / MODELS_CONFIG, models_config_text(models))
