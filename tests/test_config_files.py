"""Config files: keys checked by name, list settings checked to be lists."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sca_tf.config_files import check_types, dataclass_from_file
from sca_tf.errors import ScaInputError
from sca_tf.workflow import RunConfig


def test_list_settings_become_tuples(tmp_path: Path) -> None:
    config = tmp_path / "run.toml"
    config.write_text('models = ["cnn", "transformer"]\n')
    assert dataclass_from_file(RunConfig, config, {}, tuple_fields=("models",)).models == ("cnn", "transformer")


def test_a_string_where_a_list_belongs_is_refused_not_read_letter_by_letter(tmp_path: Path) -> None:
    config = tmp_path / "run.toml"
    config.write_text('models = "cnn"\n')
    with pytest.raises(ScaInputError, match=r"run.toml: models must be a list, e.g. models = \[\"a\", \"b\"\]; "
                                            r"got 'cnn'"):
        dataclass_from_file(RunConfig, config, {}, tuple_fields=("models",))


def test_check_types_names_the_field_the_type_and_the_value() -> None:
    @dataclasses.dataclass
    class Settings:
        epochs: int = 1
        rate: float | None = None
        names: tuple[str, ...] = ()

    check_types(Settings(epochs=2, rate=1, names=("a",)), "option")  # an integer is a number
    for bad, message in ((Settings(epochs=True), "option epochs: expected an integer, got True"),
                         (Settings(rate="x"), "option rate: expected a number, got 'x'"),
                         (Settings(names=("a", 1)), r"option names: expected a list, got \('a', 1\)")):
        with pytest.raises(ScaInputError, match=message):
            check_types(bad, "option")
