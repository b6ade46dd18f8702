"""keras-tuner search: validation-AUPRC objective, results files, TensorBoard HParams view."""

from __future__ import annotations

import json
from pathlib import Path

import keras_tuner as kt
import pandas as pd
import pytest
import tensorflow as tf
from training_data import planted_splits

from sca_tf.data import PipelineConfig
from sca_tf.errors import ScaInputError
from sca_tf.models import build_model
from sca_tf.training.recipe import recipe_for
from sca_tf.training.tuning import SEARCH_SPACES, tune


def tiny_space(hp: kt.HyperParameters) -> dict:
    return {"filters": (hp.Choice("filters", [4, 8]),), "kernel_sizes": (9,), "pooling": "global_max",
            "dense_units": (4,)}


def _hparams_logged(log_dir: Path) -> bool:
    for events in log_dir.rglob("events.out.tfevents.*"):
        for record in tf.compat.v1.train.summary_iterator(str(events)):
            for value in record.summary.value:
                if value.metadata.plugin_data.plugin_name == "hparams":
                    return True
    return False


def test_random_search_scores_validation_auprc_and_logs_hparams(tmp_path: Path) -> None:
    result = tune(planted_splits(), "cnn", tmp_path / "search", tuner="random", max_trials=2, epochs=1,
                  steps_per_epoch=2, pipeline=PipelineConfig(batch_size=32, seed=1), space=tiny_space, verbose=0)
    assert result is not None and result.trials == 2
    best = json.loads((tmp_path / "search" / "best_hparams.json").read_text())
    assert best["val_auprc"] == pytest.approx(result.best_val_auprc)
    assert best["hparams"]["filters"] in (4, 8) and 1e-4 <= best["hparams"]["learning_rate"] <= 3e-3
    trials = pd.read_csv(tmp_path / "search" / "trials.tsv", sep="\t")
    assert len(trials) == 2 and trials["val_auprc"].max() == pytest.approx(result.best_val_auprc)
    assert _hparams_logged(tmp_path / "search" / "logs")


def test_search_spaces_build_valid_models() -> None:
    for name, space in SEARCH_SPACES.items():
        hp = kt.HyperParameters()
        assert space(hp)  # every choice has a default that the model accepts
        build_model(name, 2000, **space(hp))


def test_unknown_tuner_and_model_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match="unknown tuner 'grid'"):
        tune(planted_splits(), "cnn", tmp_path, tuner="grid")
    with pytest.raises(ScaInputError, match="no search space for model 'cnn_lstm'"):
        tune(planted_splits(), "cnn_lstm", tmp_path)


def test_the_tuner_compiles_with_the_training_recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trials are scored on the recipe training will use: the transformer's default recipe, clipping included."""
    from sca_tf.training import tuning

    compiled = []
    real_compile = tuning.compile_classifier

    def spy(model, recipe, **kwargs):
        compiled.append((recipe, kwargs))
        return real_compile(model, recipe, **kwargs)

    monkeypatch.setattr(tuning, "compile_classifier", spy)

    def tiny_transformer(hp: kt.HyperParameters) -> dict:
        return {"stride": 8, "d_model": hp.Choice("d_model", [8]), "num_layers": 1, "num_heads": 2, "ff_dim": 8,
                "dense_units": (4,)}

    tune(planted_splits(), "transformer", tmp_path / "search", tuner="random", max_trials=1, epochs=1,
         steps_per_epoch=2, pipeline=PipelineConfig(batch_size=32, seed=1), space=tiny_transformer, verbose=0)
    recipe, kwargs = compiled[-1]
    assert recipe == recipe_for("transformer", learning_rate=recipe.learning_rate)  # what training compiles with
    assert recipe.clipnorm == 1.0 and kwargs["total_steps"] == 2
    assert kwargs["positive_weight"] is None  # the default recipe's loss is unweighted, as in training


@pytest.mark.parametrize("relative_distance", [0, 16])
def test_the_transformer_space_builds_with_and_without_relative_positions(relative_distance: int) -> None:
    hp = kt.HyperParameters()
    hp.Fixed("num_layers", 1)  # the space's first value is 0 layers (no attention)
    hp.Fixed("relative_distance", relative_distance)
    model = build_model("transformer", 256, **SEARCH_SPACES["transformer"](hp))
    attention = type(model.get_layer("encoder_1_attention")).__name__
    assert attention == ("RelativePositionAttention" if relative_distance else "ByteDropoutAttention")
