"""Open a trained model for prediction: a ``.keras`` classifier, an exported SavedModel version folder, or a
``sca-tf train`` / ``sca-tf run`` directory (with its XGBoost bridge when one was trained).

Every form gives a :class:`Predictor`: base codes ``[batch, L]`` (``uint8``, ``0..4``) in, P(DE), the
pre-sigmoid logit and optionally the feature-layer embedding out. The input length ``L`` is read off the model.
A ``log2fc``-target model gives its predicted log2 fold change in place of the logit (the linear head's output);
a ``direction`` model (a softmax over three classes) is refused.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
import xgboost

from sca_tf.data.encoding import one_hot
from sca_tf.errors import ScaInputError
from sca_tf.evaluate.xgb import load_booster
from sca_tf.export.bridge import ASSETS_EXTRA, BOOSTER_FILE
from sca_tf.export.signatures import EMBED, FEATURES_OUTPUT, PREDICT_ONEHOT, PROBABILITY_OUTPUT, input_length_of
from sca_tf.models import feature_extractor, load_classifier, model_target
from sca_tf.predict.local import LocalScorer, local_scorer
from sca_tf.schema import DE_TARGET, LOG2FC_TARGET
from sca_tf.sequence import decode_bases

logger = logging.getLogger(__name__)

#: File names inside a ``sca-tf train`` directory (a ``sca-tf run`` directory holds them under ``train/<model>``).
MODEL_FILE, BOOSTER_IN_RUN = "model.keras", "xgboost.json"
_SAVED_MODEL = "saved_model.pb"
_LOGIT_CLIP = 1e-7  # a SavedModel returns probabilities only; logits are recovered from them within this clip


@dataclass(frozen=True)
class Predictor:
    """A loaded model: ``scores(codes) -> (logit, features or None)``, the input length and where it came from."""

    source: Path
    kind: str  # "keras" or "saved_model"
    input_length: int
    _scores: Callable[[np.ndarray, bool], tuple[np.ndarray, np.ndarray | None]]
    booster: xgboost.XGBClassifier | None = None
    local: LocalScorer | None = None  # the exact SNV shortcut of CNNs (Keras models only)
    target: str = DE_TARGET  # de: scores are logits of P(DE); log2fc: predicted log2 fold changes

    def scores(self, codes: np.ndarray, *, features: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """``(logit [n] float64, features [n, width] or None)`` for base codes ``[n, input_length]``."""
        if codes.ndim != 2 or codes.shape[1] != self.input_length:
            raise ScaInputError(f"model {self.source} takes sequences of {self.input_length} bases, got an array "
                                f"of shape {list(codes.shape)}")
        return self._scores(codes, features or self.booster is not None)


def probability(logit: np.ndarray) -> np.ndarray:
    """P(DE) of logits (the classifier's sigmoid), in float64."""
    return 1.0 / (1.0 + np.exp(-np.asarray(logit, np.float64)))


def load_predictor(path: str | os.PathLike[str]) -> Predictor:
    """The model at ``path`` (see the module docstring); ``ScaInputError`` naming the path for anything else."""
    source = Path(path)
    if source.is_file():
        return _keras_predictor(source, None)
    if not source.is_dir():
        raise ScaInputError(f"model {source}: no such file or directory; expected a .keras file, a SavedModel "
                            f"version folder or a `sca-tf train` / `sca-tf run` directory")
    if (source / _SAVED_MODEL).is_file():
        return _saved_model_predictor(source)
    if (source / MODEL_FILE).is_file():
        return _keras_predictor(source / MODEL_FILE, source / BOOSTER_IN_RUN)
    trained = sorted(source.glob(f"train/*/{MODEL_FILE}"))
    if len(trained) == 1:
        return _keras_predictor(trained[0], trained[0].parent / BOOSTER_IN_RUN)
    if trained:
        names = ", ".join(str(model.parent) for model in trained)
        raise ScaInputError(f"model {source}: a run directory with several models ({names}); give one of them")
    raise ScaInputError(f"model {source}: a directory without {MODEL_FILE}, {_SAVED_MODEL} or train/*/{MODEL_FILE}")


def _keras_predictor(model_path: Path, booster_path: Path | None) -> Predictor:
    model = load_classifier(model_path)
    target = model_target(model)
    if target not in (DE_TARGET, LOG2FC_TARGET):
        raise ScaInputError(f"model {model_path} predicts the {target!r} target (three class probabilities); "
                            "predict and variants score 'de' and 'log2fc' models")
    length = input_length_of(model)
    features = feature_extractor(model)  # the embedding, then the model's logit as its last column

    @tf.function(input_signature=[tf.TensorSpec([None, length], tf.uint8)], reduce_retracing=True)
    def logits_only(codes: tf.Tensor) -> tf.Tensor:
        return features(one_hot(codes), training=False)[:, -1]

    @tf.function(input_signature=[tf.TensorSpec([None, length], tf.uint8)], reduce_retracing=True)
    def logits_and_features(codes: tf.Tensor) -> list[tf.Tensor]:
        embedded = features(one_hot(codes), training=False)
        return [embedded[:, -1], embedded]

    def scores(codes: np.ndarray, with_features: bool) -> tuple[np.ndarray, np.ndarray | None]:
        if with_features:
            logits, embedded = logits_and_features(codes)
            return logits.numpy().astype(np.float64), embedded.numpy()
        return logits_only(codes).numpy().astype(np.float64), None

    booster = load_booster(booster_path) if booster_path is not None and booster_path.is_file() else None
    logger.info("loaded %s (%d bases%s)", model_path, length, ", with its XGBoost booster" if booster else "")
    return Predictor(model_path, "keras", length, scores, booster, local_scorer(model), target)


def _saved_model_predictor(folder: Path) -> Predictor:
    try:
        signatures = tf.saved_model.load(str(folder)).signatures
        predict, embed = signatures[PREDICT_ONEHOT], signatures[EMBED]
    except (KeyError, OSError, ValueError) as exc:
        raise ScaInputError(f"model {folder}: not an sca-tf export (signatures {PREDICT_ONEHOT!r} and "
                            f"{EMBED!r} expected; {exc})") from exc
    length = int(predict.structured_input_signature[1]["one_hot"].shape[1])

    def scores(codes: np.ndarray, with_features: bool) -> tuple[np.ndarray, np.ndarray | None]:
        p = predict(one_hot=one_hot(tf.constant(codes)))[PROBABILITY_OUTPUT].numpy().astype(np.float64)
        p = np.clip(p, _LOGIT_CLIP, 1 - _LOGIT_CLIP)
        embedded = None
        if with_features:
            strings = tf.constant([decode_bases(row) for row in codes])
            embedded = embed(sequences=strings)[FEATURES_OUTPUT].numpy()
        return np.log(p) - np.log1p(-p), embedded

    booster_path = folder / ASSETS_EXTRA / BOOSTER_FILE
    booster = load_booster(booster_path) if booster_path.is_file() else None
    logger.info("loaded SavedModel %s (%d bases%s)", folder, length, ", with its XGBoost booster" if booster else "")
    return Predictor(folder, "saved_model", length, scores, booster)
