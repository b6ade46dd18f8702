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
    try:
        model = keras.models.load_model(path)
    except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise ScaInputError(f"{path}: cannot load a Keras model from this file ({exc})") from exc
    if not isinstance(model, SequenceClassifier):
        raise ScaInputError(f"{path}: holds a {type(model).__name__}, not an sca-tf classifier")
    if expected_model is not None and model.model_name != expected_model:
        raise ScaInputError(f"{path}: holds a {model.model_name!r} classifier, expected {expected_model!r}")
    return model



def _existing_checkpoint(path: str | os.PathLike[str], suffixes: tuple[str, ...]) -> Path:
    path = Path(path)
    if not path.name.endswith(suffixes):
        raise ScaInputError(f"{path}: expected a file ending in {' or '.join(suffixes)}")
    if not path.is_file():
        raise ScaInputError(f"{path}: checkpoint file not found")
    return path
