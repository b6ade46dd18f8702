"""Load saved sca-tf classifiers, refusing files that hold something else."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.base import SequenceClassifier


def load_classifier(path: str | os.PathLike[str], expected_model: str | None = None) -> SequenceClassifier:
    """Load a ``.keras`` sca-tf classifier; if ``expected_model`` is given, insist it is that model.

    Raises ``ScaInputError`` when the file is missing, is not a Keras archive, holds something other than an
    sca-tf classifier, or holds a different model than ``expected_model``.
    """
    path = _existing_checkpoint(path, suffixes=(".keras",))
    if not zipfile.is_zipfile(path):
        raise ScaInputError(f"{path}: not a complete .keras archive (truncated, still being written, or another "
                            f"kind of file); retrain or copy the model again")
    try:
        model = keras.models.load_model(path)
    except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise ScaInputError(f"{path}: cannot load a Keras model from this file ({exc})") from exc
    if not isinstance(model, SequenceClassifier):
        raise ScaInputError(f"{path}: holds a {type(model).__name__}, not an sca-tf classifier")
    if expected_model is not None and model.model_name != expected_model:
        raise ScaInputError(f"{path}: holds a {model.model_name!r} classifier, expected {expected_model!r}")
    return model


def check_input_length(model: keras.Model, length: int, where: str | os.PathLike[str]) -> None:
    """Refuse to apply ``model`` (loaded from ``where``) to sequences of another ``length`` than it was built for."""
    expected = model.input_shape[1]
    if expected is not None and expected != length:
        raise ScaInputError(f"{where}: the model reads {expected}-base sequences, but these are {length} bases; use "
                            f"a model trained on the same promoter window")



def _existing_checkpoint(path: str | os.PathLike[str], suffixes: tuple[str, ...]) -> Path:
    path = Path(path)
    if not path.name.endswith(suffixes):
        raise ScaInputError(f"{path}: expected a file ending in {' or '.join(suffixes)}")
    if not path.is_file():
        raise ScaInputError(f"{path}: checkpoint file not found")
    return path
