"""Load saved classifiers and checkpoints, refusing ones built for another architecture.

Keras restores weights by position and silently skips layers it cannot match, so weights saved from one
architecture can end up half-loaded into another. Here the checkpoint's inventory of weight arrays (path and
shape inside the HDF5 file) is compared with the model's before anything is loaded.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import h5py
import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.base import SequenceClassifier

_KERAS_WEIGHTS_MEMBER = "model.weights.h5"
_KERAS_CONFIG_MEMBER = "config.json"
_LAYER_WEIGHTS_PREFIX = "layers/"


def load_classifier(path: str | os.PathLike[str], expected_model: str | None = None) -> SequenceClassifier:
    """Load a ``.keras`` sca-tf classifier; if ``expected_model`` is given, insist it is that model.

    Raises ``ScaInputError`` when the file is missing, is not a Keras archive, holds something other than an
    sca-tf classifier, or holds a different model than ``expected_model``.
    """
    path = _existing_checkpoint(path, suffixes=(".keras",))
    try:
        model = keras.models.load_model(path)
    except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise ScaInputError(f"{path}: cannot load a Keras model from this file ({exc})") from exc
    if not isinstance(model, SequenceClassifier):
        raise ScaInputError(f"{path}: holds a {type(model).__name__}, not an sca-tf classifier")
    if expected_model is not None and model.model_name != expected_model:
        raise ScaInputError(f"{path}: holds a {model.model_name!r} classifier, expected {expected_model!r}")
    return model


def load_classifier_weights(model: keras.Model, path: str | os.PathLike[str]) -> keras.Model:
    """Load weights from a ``.weights.h5`` or ``.keras`` checkpoint into ``model`` and return it.

    The checkpoint must hold exactly the weight arrays ``model`` has (same layers, same shapes); otherwise a
    ``ScaInputError`` says which arrays are missing, extra or of another shape, and ``model`` is left untouched.
    """
    path = _existing_checkpoint(path, suffixes=(".weights.h5", ".keras"))
    if path.name.endswith(".keras"):
        _check_same_class(model, path)
    saved = _checkpoint_weight_shapes(path)
    expected = _model_weight_shapes(model)
    if saved != expected:
        mismatch = _describe_mismatch(saved, expected)
        raise ScaInputError(f"{path}: checkpoint does not fit model {model.name!r}: {mismatch}")
    model.load_weights(path)
    return model


def _existing_checkpoint(path: str | os.PathLike[str], suffixes: tuple[str, ...]) -> Path:
    path = Path(path)
    if not path.name.endswith(suffixes):
        raise ScaInputError(f"{path}: expected a file ending in {' or '.join(suffixes)}")
    if not path.is_file():
        raise ScaInputError(f"{path}: checkpoint file not found")
    return path


def _check_same_class(model: keras.Model, path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read(_KERAS_CONFIG_MEMBER))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise ScaInputError(f"{path}: not a Keras .keras archive ({exc})") from exc
    saved_class = config.get("registered_name") or config.get("class_name")
    model_class = keras.saving.get_registered_name(type(model))
    if saved_class != model_class:
        raise ScaInputError(f"{path}: checkpoint holds a {saved_class} model, but the model to load into is a "
                            f"{model_class} ({model.name!r})")


def _weight_shapes(weights_file: h5py.File) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}

    def visit(name: str, item: h5py.HLObject) -> None:
        if isinstance(item, h5py.Dataset) and name.startswith(_LAYER_WEIGHTS_PREFIX):
            shapes[name] = tuple(item.shape)

    weights_file.visititems(visit)
    return shapes


def _checkpoint_weight_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    try:
        if path.name.endswith(".keras"):
            with zipfile.ZipFile(path) as archive:
                payload = io.BytesIO(archive.read(_KERAS_WEIGHTS_MEMBER))
            with h5py.File(payload, "r") as weights_file:
                return _weight_shapes(weights_file)
        with h5py.File(path, "r") as weights_file:
            return _weight_shapes(weights_file)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ScaInputError(f"{path}: cannot read weights from this file ({exc})") from exc


def _model_weight_shapes(model: keras.Model) -> dict[str, tuple[int, ...]]:
    with tempfile.TemporaryDirectory() as scratch:
        reference = Path(scratch) / "reference.weights.h5"
        model.save_weights(reference)
        with h5py.File(reference, "r") as weights_file:
            return _weight_shapes(weights_file)


def _describe_mismatch(saved: dict[str, tuple[int, ...]], expected: dict[str, tuple[int, ...]]) -> str:
    missing = sorted(set(expected) - set(saved))
    extra = sorted(set(saved) - set(expected))
    reshaped = sorted(name for name in set(saved) & set(expected) if saved[name] != expected[name])
    parts = [f"{len(saved)} weight arrays in the checkpoint, {len(expected)} in the model"]
    if missing:
        parts.append(f"{len(missing)} missing from the checkpoint (e.g. {missing[0]} {expected[missing[0]]})")
    if extra:
        parts.append(f"{len(extra)} not in the model (e.g. {extra[0]} {saved[extra[0]]})")
    if reshaped:
        name = reshaped[0]
        parts.append(f"{len(reshaped)} of another shape (e.g. {name}: {saved[name]} saved, {expected[name]} expected)")
    return "; ".join(parts) + " - was it saved from another architecture or other hyperparameters?"
