"""sca_tf.errors: the error kinds, what they remain for callers that catch built-in kinds, and where they arise."""

from __future__ import annotations

import pytest

from sca_tf.errors import ScaError, ScaExportError, ScaInputError, ScaTrainingError, reject_unknown_keys
from sca_tf.export import layout
from sca_tf.training.nan_guard import NonFiniteLossError


@pytest.mark.parametrize(
    "kind, builtin", [(ScaInputError, ValueError), (ScaTrainingError, RuntimeError), (ScaExportError, RuntimeError)]
)
def test_each_kind_is_an_sca_error_and_its_builtin_kind(kind: type[ScaError], builtin: type[Exception]) -> None:
    assert issubclass(kind, ScaError) and issubclass(kind, builtin)


def test_the_kinds_are_disjoint() -> None:
    kinds = (ScaInputError, ScaTrainingError, ScaExportError)
    assert not any(issubclass(a, b) for a in kinds for b in kinds if a is not b)


def test_a_non_finite_loss_is_a_training_failure_not_bad_input() -> None:
    assert issubclass(NonFiniteLossError, ScaTrainingError)
    assert not issubclass(NonFiniteLossError, ScaInputError)


def test_unknown_keys_are_named_beside_the_known_ones() -> None:
    with pytest.raises(ScaInputError, match=r"^run.toml: unknown key\(s\) epoch_count, sed; expected epochs, seed$"):
        reject_unknown_keys(["seed", "sed", "epoch_count"], ["epochs", "seed"], "run.toml: unknown key(s)")
    reject_unknown_keys(["seed"], ["epochs", "seed"], "unused")


def test_a_serving_layout_that_never_yields_a_free_version_is_an_export_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "_CLAIM_ATTEMPTS", 0)
    with pytest.raises(ScaExportError, match="could not claim a new version folder after 0 attempts"):
        layout.write_new_version(tmp_path / "cnn", lambda folder: None)
    assert list((tmp_path / "cnn").iterdir()) == []
