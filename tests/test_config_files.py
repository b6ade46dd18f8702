"""Config files: keys checked by name, list settings checked to be lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from sca_tf.config_files import dataclass_from_file
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
