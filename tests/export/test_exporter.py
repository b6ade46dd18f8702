"""export_model and run_export: booster checks, provenance, and the bridge carried in the export."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from export.serving_model import EXAMPLE_LENGTH

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.xgb import XGBConfig, fit_booster, save_booster
from sca_tf.export.bridge import ASSETS_EXTRA, BOOSTER_FILE, XGBoostBridge
from sca_tf.export.exporter import (
    BRIDGE_SCRIPT,
    PROVENANCE_FILE,
    TOLERANCE,
    export_model,
    random_promoters,
    run_export,
)
from sca_tf.export.layout import versions
from sca_tf.export.signatures import PREDICT_ONEHOT, SIGNATURE_NAMES
from sca_tf.models import build_model
from sca_tf.precision import precision_policy


def test_a_booster_of_another_width_is_refused(model, tmp_path):
    booster = fit_booster(np.random.default_rng(0).random((40, 5)), np.arange(40) % 2,
                          np.random.default_rng(1).random((40, 5)), np.arange(40) % 2, XGBConfig(n_estimators=2))
    with pytest.raises(ScaInputError, match="takes 5 features, but model 'cnn' embeds into 9"):  # 8 + the logit
        export_model(model, tmp_path, booster=booster)
    assert versions(tmp_path / "cnn") == []


def test_export_records_provenance_and_carries_the_bridge(exported):
    extra = exported.path / ASSETS_EXTRA
    provenance = json.loads((extra / PROVENANCE_FILE).read_text())
    assert provenance["model_name"] == "cnn" and provenance["input_length"] == EXAMPLE_LENGTH
    assert set(provenance["signatures"]) == set(SIGNATURE_NAMES)
    assert provenance["verification_max_abs_difference"] <= TOLERANCE
    assert (extra / BOOSTER_FILE).is_file() and (extra / BRIDGE_SCRIPT).is_file()


def test_run_export_loads_checkpoint_and_booster_and_hashes_them(model, booster, tmp_path):
    checkpoint, booster_file = tmp_path / "cnn.keras", tmp_path / "booster.json"
    model.save(checkpoint)
    save_booster(booster, booster_file)
    exported = run_export(checkpoint, tmp_path / "saved_models", model_name="cnn_xgb", booster_path=booster_file)
    provenance = json.loads((exported.path / ASSETS_EXTRA / PROVENANCE_FILE).read_text())
    assert exported.has_booster and exported.version == 1
    assert len(provenance["sources"]["model"]["sha256"]) == 64
    assert provenance["sources"]["booster"]["path"] == str(booster_file.resolve())
    bridge = XGBoostBridge(exported.path).predict(random_promoters(3, EXAMPLE_LENGTH, seed=3))
    assert bridge["xgboost_probability"].shape == (3,) and bridge["network_probability"].shape == (3,)


def test_a_bfloat16_model_exports_with_float32_in_and_out_and_records_its_policy(tmp_path):
    with precision_policy("mixed_bfloat16"):
        model = build_model("cnn", 60, filters=(4,), kernel_sizes=(5,), dense_units=(4,), dropout=0.0)
    assert keras.mixed_precision.global_policy().name != "mixed_bfloat16"
    exported = export_model(model, tmp_path)
    provenance = json.loads((exported.path / ASSETS_EXTRA / PROVENANCE_FILE).read_text())
    assert provenance["dtype_policy"] == "mixed_bfloat16"
    serving = tf.saved_model.load(str(exported.path)).signatures[PREDICT_ONEHOT]
    assert serving.structured_input_signature[1]["one_hot"].dtype == tf.float32
    assert all(output.dtype == tf.float32 for output in serving.structured_outputs.values())
