"""Hyperparameter search with keras-tuner, scored by validation AUPRC and shown in TensorBoard's HParams view.

Only the validation split is ever scored; the test split is not touched here.

>>> from sca_tf.training.tuning import tune                      # doctest: +SKIP
>>> result = tune(builder, "cnn", "runs/tune-cnn", tuner="bayesian", max_trials=20)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import keras_tuner as kt
import pandas as pd
import tensorflow as tf

from sca_tf import io
from sca_tf.data import PipelineConfig, make_datasets
from sca_tf.errors import ScaInputError
from sca_tf.models import build_model
from sca_tf.training.recipe import CHECKPOINT_MONITOR, compile_classifier, recipe_for
from sca_tf.training.tuner_roles import distributed_search

SearchSpace = Callable[[kt.HyperParameters], dict[str, Any]]


def cnn_space(hp: kt.HyperParameters) -> dict[str, Any]:
    """Depth, widths, kernel sizes, pooling, dense width and dropout of the 1-D CNN."""
    depth = hp.Int("blocks", 1, 3)
    return {
        "filters": tuple(hp.Choice(f"filters_{i}", [32, 64, 128, 256]) for i in range(depth)),
        "kernel_sizes": tuple(hp.Choice(f"kernel_{i}", [7, 11, 15, 19]) for i in range(depth)),
        "pool_size": hp.Choice("pool_size", [2, 4]),
        "pooling": hp.Choice("pooling", ["flatten", "global_max", "top_k"]),
        "dense_units": (hp.Choice("dense_units", [32, 64, 128]),),
        "dropout": hp.Float("dropout", 0.0, 0.5, step=0.1),
    }


def transformer_space(hp: kt.HyperParameters) -> dict[str, Any]:
    """Tower width, kernel and pooling, encoder depth (0: no attention), heads and relative-position bias (0: none;
    16 tokens), top-k and dropout of the transformer; the tower's filters are the tokens' channels, as in the
    default."""
    width = hp.Choice("tower_filters", [64, 128])
    return {
        "tower_filters": (width,),
        "tower_kernel_sizes": (hp.Choice("tower_kernel", [11, 15, 19]),),
        "pool_size": hp.Choice("pool_size", [4, 8, 16]),
        "d_model": width,
        "num_layers": hp.Int("num_layers", 0, 3),
        "num_heads": hp.Choice("num_heads", [2, 4, 8]),
        "relative_distance": hp.Choice("relative_distance", [0, 16]),
        "top_k": hp.Choice("top_k", [2, 4, 8]),
        "dropout": hp.Float("dropout", 0.0, 0.3, step=0.1),
    }


SEARCH_SPACES: dict[str, SearchSpace] = {"cnn": cnn_space, "transformer": transformer_space}
TUNERS = ("random", "hyperband", "bayesian")


class PromoterHyperModel(kt.HyperModel):
    """Builds a classifier from a search space and compiles it with the model's recipe (as training does: the
    same optimizer, schedule, clipping and weighted loss) at a log-uniform learning rate."""

    def __init__(self, model_name: str, input_length: int, space: SearchSpace, total_steps: int,
                 positive_weight: float | None) -> None:
        super().__init__(name=f"{model_name}_hypermodel")
        self.model_name, self.input_length, self.space = model_name, input_length, space
        self.total_steps, self.positive_weight = total_steps, positive_weight

    def build(self, hp: kt.HyperParameters) -> keras.Model:
        recipe = recipe_for(self.model_name, hp.Float("learning_rate", 1e-4, 3e-3, sampling="log"))
        model = build_model(self.model_name, self.input_length, **self.space(hp))
        return compile_classifier(model, recipe, total_steps=self.total_steps, positive_weight=self.positive_weight)


@dataclass(frozen=True)
class TuneResult:
    """The best trial's hyperparameters and validation AUPRC, and where the search wrote its files."""

    best_hparams: dict[str, Any]
    best_val_auprc: float
    trials: int
    run_dir: Path


def tune(
    source: Any,
    model_name: str,
    run_dir: str | os.PathLike[str],
    *,
    tuner: str = "bayesian",
    max_trials: int = 10,
    epochs: int = 5,
    steps_per_epoch: int | None = None,
    pipeline: PipelineConfig = PipelineConfig(),
    space: SearchSpace | None = None,
    strategy: tf.distribute.Strategy | None = None,
    verbose: int | str = "auto",
) -> TuneResult | None:
    """Search ``model_name``'s space on a prepared dataset; objective: validation AUPRC (maximised).

    Under keras-tuner's distributed mode (``KERASTUNER_*`` variables) the chief returns the result and a
    worker returns ``None`` once the oracle has no trials left.

    Writes ``best_hparams.json`` and ``trials.tsv`` into ``run_dir``; TensorBoard logs (with the HParams view)
    under ``run_dir/logs``; keras-tuner's own state under ``run_dir/tuner`` (a rerun resumes it).
    """
    if tuner not in TUNERS:
        raise ScaInputError(f"unknown tuner {tuner!r}: expected one of {', '.join(TUNERS)}")
    if space is None and model_name not in SEARCH_SPACES:
        raise ScaInputError(f"no search space for model {model_name!r}: expected one of {', '.join(SEARCH_SPACES)}")
    out = io.ensure_output_dir(run_dir)
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        data = make_datasets(source, pipeline)
    steps = steps_per_epoch or data.steps_per_epoch
    positive_weight = recipe_for(model_name).positive_weight(data.epoch.prevalence,
                                                             class_weighted_epoch=data.class_weight is not None)
    hypermodel = PromoterHyperModel(model_name, data.sequence_length, space or SEARCH_SPACES[model_name],
                                    total_steps=epochs * steps, positive_weight=positive_weight)
    search = _make_tuner(tuner, hypermodel, max_trials, epochs, pipeline.seed, out, strategy)
    holds_results = distributed_search(
        search,
        data.train,
        steps_per_epoch=steps,
        epochs=epochs,
        validation_data=data.validation,
        class_weight=data.class_weight,
        callbacks=[keras.callbacks.TensorBoard(log_dir=str(out / "logs"))],
        verbose=verbose,
    )
    if not holds_results:  # a keras-tuner worker (KERASTUNER_TUNER_ID=tunerN): the chief writes the results
        return None
    trials = search.oracle.get_best_trials(num_trials=max_trials)
    if not trials or trials[0].score is None:
        raise ScaInputError(f"the search in {out} finished without a scored trial")
    best = trials[0]
    io.write_json(out / "best_hparams.json", {"model": model_name, "val_auprc": best.score,
                                              "hparams": best.hyperparameters.values, "tuner": tuner,
                                              "seed": pipeline.seed, "pipeline": dataclasses.asdict(pipeline)})
    rows = [{"trial": t.trial_id, "val_auprc": t.score, **t.hyperparameters.values} for t in trials]
    io.write_tsv(pd.DataFrame(rows), out / "trials.tsv")
    return TuneResult(dict(best.hyperparameters.values), float(best.score), len(trials), out)


def _make_tuner(kind: str, hypermodel: kt.HyperModel, max_trials: int, epochs: int, seed: int, out: Path,
                strategy: tf.distribute.Strategy) -> kt.Tuner:
    objective = kt.Objective(CHECKPOINT_MONITOR, direction="max")
    common: Mapping[str, Any] = {"objective": objective, "seed": seed, "directory": str(out),
                                 "project_name": "tuner", "overwrite": False, "distribution_strategy": strategy}
    if kind == "random":
        return kt.RandomSearch(hypermodel, max_trials=max_trials, **common)
    if kind == "hyperband":
        return kt.Hyperband(hypermodel, max_epochs=epochs, factor=3, max_retries_per_trial=0, **common)
    return kt.BayesianOptimization(hypermodel, max_trials=max_trials, **common)
