"""``sca-tf export``: a trained classifier (and optionally its XGBoost booster) -> a new TF Serving version.

Each export is verified before it is published: the written SavedModel is loaded back with
``tf.saved_model.load`` and every signature must agree with the Keras model within :data:`TOLERANCE` on a few
seeded random promoters; otherwise nothing is published.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf
import xgboost

from sca_tf import io
from sca_tf.data.encoding import one_hot
from sca_tf.errors import ScaExportError, ScaInputError
from sca_tf.evaluate.xgb import load_booster, save_booster
from sca_tf.export import bridge, layout
from sca_tf.export.signatures import (
    ALT_OUTPUT,
    DELTA_OUTPUT,
    EMBED,
    FEATURES_OUTPUT,
    PREDICT_ONEHOT,
    PROBABILITY_OUTPUT,
    REF_OUTPUT,
    SERVING_DEFAULT,
    VARIANT_EFFECT,
    describe_signatures,
    embedding_width,
    export_archive,
    input_length_of,
)
from sca_tf.models import feature_extractor, load_classifier, model_target
from sca_tf.provenance import describe_file, library_versions
from sca_tf.schema import DE_TARGET
from sca_tf.sequence import encode_bases

TOLERANCE = 1e-5
PROVENANCE_FILE = "sca_tf_export.json"
BRIDGE_SCRIPT = "xgboost_bridge.py"
_VERIFY_SEQUENCES = 8


@dataclass(frozen=True)
class ExportedModel:
    """Where an export went and how closely the reloaded SavedModel matched the Keras model."""

    name: str
    version: int
    path: Path
    model_base_path: Path
    models_config: Path
    max_abs_difference: float
    has_booster: bool

    def summary(self) -> str:
        """One line for the command line."""
        booster = " + XGBoost booster" if self.has_booster else ""
        return (f"exported {self.name!r} version {self.version}{booster} to {self.path} "
                f"(signatures match Keras within {self.max_abs_difference:.1e}); config: {self.models_config}")


def export_model(
    model: keras.Model,
    root: str | os.PathLike[str] = "saved_models",
    *,
    model_name: str | None = None,
    booster: xgboost.XGBClassifier | None = None,
    serving_root: str | None = None,
    provenance: dict[str, Any] | None = None,
    seed: int = 0,
) -> ExportedModel:
    """Export ``model`` as ``<root>/<model_name>/<next version>/`` and rewrite ``<root>/models.config``.

    Args:
        model: a classifier taking one-hot ``[batch, L, 4]`` (any sca-tf model).
        root: folder holding one model base path per model name.
        model_name: TF Serving model name (default: the classifier's registry name, e.g. ``cnn``).
        booster: an XGBoost classifier trained on this model's feature layer; saved in ``assets.extra`` with
            the standalone :mod:`sca_tf.export.bridge` predictor.
        serving_root: where the server sees ``root``, for ``models.config`` (default: the local absolute path).
        provenance: extra JSON-ready facts recorded in ``assets.extra/sca_tf_export.json``.
        seed: seeds the random promoters used to verify the export.
    """
    name = layout.check_model_name(model_name or getattr(model, "model_name", model.name))
    target = model_target(model)
    if target != DE_TARGET:
        raise ScaInputError(f"model {name!r} predicts the {target!r} target; the serving signatures return one P(DE) "
                            "per promoter, so only 'de'-target models export (score others with `sca-tf predict`)")
    width = embedding_width(model)
    if booster is not None and booster.n_features_in_ != width:
        raise ScaInputError(f"the XGBoost booster takes {booster.n_features_in_} features, but model {name!r} "
                            f"embeds into {width}: was it trained on another model's features?")
    measured: dict[str, float] = {}

    def write(folder: Path) -> None:
        export_archive(model).write_out(str(folder), verbose=False)
        measured["max_abs_difference"] = verify_export(folder, model, seed=seed)
        extra = io.ensure_output_dir(folder / bridge.ASSETS_EXTRA)
        if booster is not None:
            save_booster(booster, extra / bridge.BOOSTER_FILE)
            shutil.copyfile(bridge.__file__, extra / BRIDGE_SCRIPT)
        io.write_json(extra / PROVENANCE_FILE, _provenance(model, name, booster, measured, provenance or {}))

    model_base_path = Path(root) / name
    path = layout.write_new_version(model_base_path, write)
    config = layout.write_models_config(root, serving_root=serving_root)
    return ExportedModel(name=name, version=int(path.name), path=path, model_base_path=model_base_path,
                         models_config=config, max_abs_difference=measured["max_abs_difference"],
                         has_booster=booster is not None)


def run_export(
    model_path: str | os.PathLike[str],
    root: str | os.PathLike[str] = "saved_models",
    *,
    model_name: str | None = None,
    booster_path: str | os.PathLike[str] | None = None,
    serving_root: str | None = None,
) -> ExportedModel:
    """Export the ``.keras`` classifier at ``model_path`` (and the booster at ``booster_path``); see
    :func:`export_model`. The source files' SHA-256 are recorded in the export's provenance."""
    model = load_classifier(model_path)
    booster = load_booster(booster_path) if booster_path is not None else None
    sources = {"model": describe_file(model_path)}
    if booster_path is not None:
        sources["booster"] = describe_file(booster_path)
    return export_model(model, root, model_name=model_name, booster=booster, serving_root=serving_root,
                        provenance={"sources": sources})


def verify_export(path: str | os.PathLike[str], model: keras.Model, *, seed: int = 0) -> float:
    """Load the SavedModel at ``path`` as TF Serving would and compare each signature with ``model``.

    Returns the largest absolute difference; raises :class:`~sca_tf.errors.ScaExportError` if it exceeds
    :data:`TOLERANCE`.
    """
    length = input_length_of(model)
    sequences = random_promoters(_VERIFY_SEQUENCES, length, seed=seed)
    encoded = one_hot(np.stack([encode_bases(sequence) for sequence in sequences]))
    expected_probability = np.asarray(model(encoded, training=False), np.float32).reshape(-1)
    expected_features = np.asarray(feature_extractor(model)(encoded, training=False), np.float32)
    index, alt, mutants = _verification_variants(sequences, seed)
    expected_alt = np.asarray(model(one_hot(np.stack([encode_bases(m) for m in mutants])), training=False),
                              np.float32).reshape(-1)
    signatures = tf.saved_model.load(str(path)).signatures
    strings = tf.constant(sequences)
    effect = signatures[VARIANT_EFFECT](sequences=strings, index=tf.constant(index), alt=tf.constant(alt))
    got = {
        SERVING_DEFAULT: (signatures[SERVING_DEFAULT](sequences=strings)[PROBABILITY_OUTPUT], expected_probability),
        PREDICT_ONEHOT: (signatures[PREDICT_ONEHOT](one_hot=encoded)[PROBABILITY_OUTPUT], expected_probability),
        EMBED: (signatures[EMBED](sequences=strings)[FEATURES_OUTPUT], expected_features),
        f"{VARIANT_EFFECT}.{REF_OUTPUT}": (effect[REF_OUTPUT], expected_probability),
        f"{VARIANT_EFFECT}.{ALT_OUTPUT}": (effect[ALT_OUTPUT], expected_alt),
        f"{VARIANT_EFFECT}.{DELTA_OUTPUT}": (effect[DELTA_OUTPUT], expected_alt - expected_probability),
    }
    differences = {name: float(np.max(np.abs(actual.numpy() - expected))) for name, (actual, expected) in got.items()}
    worst = max(differences, key=differences.get)
    if differences[worst] > TOLERANCE:
        raise ScaExportError(f"{path}: signature {worst!r} differs from the Keras model by {differences[worst]:.3g} "
                             f"(> {TOLERANCE}); the export was not published")
    return differences[worst]


def _verification_variants(sequences: list[str], seed: int) -> tuple[np.ndarray, list[str], list[str]]:
    """One seeded SNV per sequence: 0-based indices, ALT bases and the mutated sequences (the ends included)."""
    rng = np.random.default_rng(seed + 1)
    length = len(sequences[0])
    index = rng.integers(0, length, size=len(sequences))
    index[:2] = [0, length - 1]
    alt = [str(rng.choice([base for base in "ACGT" if base != sequence[i]])) for sequence, i in zip(sequences, index)]
    mutants = [s[:i] + base + s[i + 1:] for s, i, base in zip(sequences, index.tolist(), alt)]
    return index.astype(np.int64), alt, mutants


def random_promoters(n: int, length: int, *, seed: int = 0) -> list[str]:
    """``n`` seeded random promoters of ``length`` letters (about 1 % ``N``), for checks and examples."""
    rng = np.random.default_rng(seed)
    letters = rng.choice(np.frombuffer(b"ACGTN", np.uint8), size=(n, length), p=[0.2475] * 4 + [0.01])
    return [row.tobytes().decode("ascii") for row in letters]


def _provenance(model: keras.Model, name: str, booster: xgboost.XGBClassifier | None,
                measured: dict[str, float], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "model_name": name,
        "model_class": keras.saving.get_registered_name(type(model)),
        "hparams": getattr(model, "hparams", {}),
        "input_length": input_length_of(model),
        "dtype_policy": model.dtype_policy.name,  # the compute policy it was trained under; inputs/outputs float32
        "signatures": describe_signatures(input_length_of(model), embedding_width(model)),
        "xgboost_booster": bridge.BOOSTER_FILE if booster is not None else None,
        "verification_max_abs_difference": measured["max_abs_difference"],
        "exported_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "library_versions": library_versions(),
        **extra,
    }
