"""pyproject.toml lists every package directory, so a non-editable install ships all of them."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _package_dirs(root: Path, import_name: str) -> set[str]:
    return {
        ".".join([import_name, *init.parent.relative_to(root).parts])
        for init in root.rglob("__init__.py")
        if "dummy_data" not in init.parts and "__pycache__" not in init.parts
    }


def test_every_package_directory_is_listed() -> None:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(settings["packages"])
    on_disk = _package_dirs(REPO / "sca_tf", "sca_tf") | _package_dirs(REPO / "datasets", "sca_tf_datasets")
    assert on_disk == listed
    assert settings["package-dir"]["sca_tf_datasets"] == "datasets"


def test_console_script_points_at_the_cli() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["sca-tf"] == "sca_tf.cli:main"
