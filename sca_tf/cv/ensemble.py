"""A fold ensemble of a ``sca-tf cv`` directory: the mean of the fold models' probabilities, one SavedModel.

``sca-tf export --model OUT`` (a cv directory) builds it from ``OUT/fold_<k>/train/<model>/model.keras`` and
exports it like any classifier; its ``embed`` signature returns the fold models' feature layers side by side.
The export's provenance records, per fold, the genes it trained on (and validated on), their chromosomes, the
genes it held out, and the SHA-256 of its model file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import keras

from sca_tf.config_files import read_json_file
from sca_tf.cv.run import FOLD_FILE
from sca_tf.errors import ScaInputError
from sca_tf.export import ExportedModel, export_model
from sca_tf.models import FEATURE_LAYER, OUTPUT_LAYER, load_classifier, model_target
from sca_tf.provenance import describe_file
from sca_tf.schema import DE_TARGET

COMBINATION = "arithmetic mean of the fold models' probabilities"


@keras.saving.register_keras_serializable(package="sca_tf")
class FeatureSlice(keras.layers.Layer):
    """Columns ``start:stop`` of a ``[batch, width]`` feature matrix (one fold's part of the ensemble's)."""

    def __init__(self, start: int, stop: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start, self.stop = int(start), int(stop)

    def call(self, features: Any) -> Any:
        return features[:, self.start : self.stop]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "start": self.start, "stop": self.stop}


def is_cv_directory(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a ``sca-tf cv`` output directory (it has a finished ``fold_0``)."""
    return (Path(path) / "fold_0" / FOLD_FILE).is_file()


def fold_ensemble(models: list[keras.Model], name: str) -> keras.Model:
    """One functional model: layer ``features`` joins the fold models' features, the output averages their heads.

    Each fold's head (the layers after its feature layer) reads that fold's columns of ``features``, so the
    ensemble's probability is exactly the mean of the fold models' probabilities.
    """
    targets = sorted({model_target(model) for model in models})
    if targets != [DE_TARGET]:
        raise ScaInputError(f"the fold models predict the {', '.join(targets)} target; a fold ensemble averages "
                            "P(DE), so only 'de'-target cross-validations make one")
    lengths = sorted({int(model.inputs[0].shape[1]) for model in models})
    if len(lengths) != 1:
        raise ScaInputError(f"the fold models take promoters of different lengths: {lengths}")
    inputs = keras.Input(shape=tuple(models[0].inputs[0].shape[1:]), name="one_hot")
    parts = [keras.Model(model.inputs[0], model.get_layer(FEATURE_LAYER).output, name=f"fold_{k}_features")(inputs)
             for k, model in enumerate(models)]
    joined = keras.layers.Concatenate(name=FEATURE_LAYER)(parts)
    probabilities, start = [], 0
    for k, (model, part) in enumerate(zip(models, parts, strict=True)):
        stop = start + int(part.shape[-1])
        head = keras.Model(inputs=model.get_layer(FEATURE_LAYER).output, outputs=model.output, name=f"fold_{k}_head")
        own = FeatureSlice(start, stop)(joined)
        probabilities.append(keras.layers.Activation("linear", dtype="float32")(head(own)))
        start = stop
    mean = keras.layers.Average(name=OUTPUT_LAYER)(probabilities)
    return keras.Model(inputs=inputs, outputs=mean, name=name)


def load_fold_ensemble(cv_dir: str | os.PathLike[str], model: str | None = None) -> tuple[keras.Model, dict[str, Any]]:
    """The fold ensemble of ``model`` (default: the cv's first model) in ``cv_dir``, and its provenance."""
    root = Path(cv_dir)
    records = []
    fold = 0
    while (root / f"fold_{fold}" / FOLD_FILE).is_file():
        records.append(read_json_file(root / f"fold_{fold}" / FOLD_FILE, "missing"))
        fold += 1
    if not records:
        raise ScaInputError(f"{root}: not a finished `sca-tf cv` directory (no fold_0/{FOLD_FILE})")
    expected = records[0]["settings"]["folds"]
    if len(records) != expected:
        raise ScaInputError(f"{root}: {len(records)} of {expected} folds are finished; rerun `sca-tf cv` first")
    name = model or next(iter(records[0]["models"]))
    members, folds = [], []
    for record in records:
        if name not in record["models"]:
            raise ScaInputError(f"{root}: fold {record['fold']} has no model {name!r}; it has "
                                f"{', '.join(record['models'])}")
        path = root / f"fold_{record['fold']}" / record["models"][name]
        members.append(load_classifier(path, expected_model=name))
        folds.append({"fold": record["fold"], "model": describe_file(path), "dataset": record["dataset"],
                      "trained_on": record["trained_on"], "held_out_genes": record["test_genes"]})
    provenance = {"ensemble": {"cv_directory": str(root.resolve()), "model": name, "combination": COMBINATION,
                               "n_folds": len(records), "folds": folds}}
    return fold_ensemble(members, f"{name}_cv{len(records)}_ensemble"), provenance


def export_fold_ensemble(cv_dir: str | os.PathLike[str], root: str | os.PathLike[str] = "saved_models", *,
                         model: str | None = None, model_name: str | None = None,
                         serving_root: str | None = None) -> ExportedModel:
    """Export the fold ensemble of ``cv_dir`` as ``<root>/<name>/<next version>/`` (see ``export_model``)."""
    ensemble, provenance = load_fold_ensemble(cv_dir, model)
    return export_model(ensemble, root, model_name=model_name, serving_root=serving_root, provenance=provenance)
