"""Keras 3 classifiers of promoter DNA: one-hot ``[batch, length, 4]`` in, probability of DE ``[batch, 1]`` out.

>>> from sca_tf.models import build_model, feature_extractor
>>> model = build_model("cnn", input_length=2000)
>>> embed = feature_extractor(model)          # cut at the layer named "features"

Every classifier saves to ``.keras`` and reloads with ``keras.models.load_model`` once this package is imported
(the classes are registered under the ``sca_tf`` package).
"""

from __future__ import annotations

import inspect
from typing import Any

from sca_tf.errors import ScaInputError, reject_unknown_keys
from sca_tf.models.base import FEATURE_LAYER, OUTPUT_LAYER, SequenceClassifier, model_target
from sca_tf.models.checkpoints import load_classifier
from sca_tf.models.cnn import CNNClassifier
from sca_tf.models.cnn_lstm import CNNLSTMClassifier
from sca_tf.models.features import feature_extractor
from sca_tf.models.layers import (
    AttentionPooling1D,
    LayerScale,
    LearnedPositionalEmbedding,
    SinusoidalPositionalEncoding,
    TopKPooling1D,
)
from sca_tf.models.losses import Log2FCHuber, WeightedBinaryCrossentropy
from sca_tf.models.metrics import AbsoluteLog2FCAUC, DEProbabilityAUC, Log2FCPearson
from sca_tf.models.transformer import TransformerClassifier

MODELS: dict[str, type[SequenceClassifier]] = {
    cls.model_name: cls for cls in (CNNClassifier, CNNLSTMClassifier, TransformerClassifier)
}
MODEL_NAMES: tuple[str, ...] = tuple(MODELS)

_NOT_HYPERPARAMETERS = {"self", "input_length", "name", "kwargs"}


def model_class(name: str) -> type[SequenceClassifier]:
    """The classifier class registered under ``name``; ``ScaInputError`` listing the valid names otherwise."""
    if name not in MODELS:
        raise ScaInputError(f"unknown model {name!r}: expected one of {', '.join(MODEL_NAMES)}")
    return MODELS[name]


def default_hparams(name: str) -> dict[str, Any]:
    """The tunable hyperparameters of model ``name`` with their defaults (tuples for layer-wise values)."""
    parameters = inspect.signature(model_class(name).__init__).parameters.values()
    return {p.name: p.default for p in parameters if p.name not in _NOT_HYPERPARAMETERS}


def build_model(name: str, input_length: int, **hparams: Any) -> SequenceClassifier:
    """Build classifier ``name`` (one of :data:`MODEL_NAMES`) for promoters of ``input_length`` bases.

    Unknown names and unknown or invalid hyperparameters raise ``ScaInputError`` listing what is accepted.
    """
    reject_unknown_keys(hparams, default_hparams(name), f"model {name!r}: unknown hyperparameter(s)",
                        expected="expected any of")
    return model_class(name)(input_length=input_length, **hparams)


__all__ = [
    "FEATURE_LAYER",
    "MODELS",
    "MODEL_NAMES",
    "OUTPUT_LAYER",
    "AbsoluteLog2FCAUC",
    "AttentionPooling1D",
    "CNNClassifier",
    "CNNLSTMClassifier",
    "DEProbabilityAUC",
    "LayerScale",
    "LearnedPositionalEmbedding",
    "Log2FCHuber",
    "Log2FCPearson",
    "SequenceClassifier",
    "SinusoidalPositionalEncoding",
    "TopKPooling1D",
    "TransformerClassifier",
    "WeightedBinaryCrossentropy",
    "build_model",
    "default_hparams",
    "feature_extractor",
    "load_classifier",
    "model_class",
    "model_target",
]
