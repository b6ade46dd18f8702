"""Serving signatures: a fresh process loads every one and matches Keras; saved_model_cli lists them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from export.serving_model import EXAMPLE_LENGTH, encode

from sca_tf.evaluate.xgb import booster_probability
from sca_tf.export.bridge import ASSETS_EXTRA
from sca_tf.export.exporter import BRIDGE_SCRIPT, TOLERANCE
from sca_tf.export.signatures import SIGNATURE_NAMES
from sca_tf.models import feature_extractor


def test_fresh_process_loads_every_signature_and_matches_keras(exported, model, booster, sequences, tmp_path):
    """Load the export the way TF Serving does (another process, ``tf.saved_model.load``) and call everything."""
    inputs = tmp_path / "inputs.npz"
    np.savez(inputs, sequences=np.array(sequences), one_hot=encode(sequences))
    script = textwrap.dedent(f"""
        import runpy, numpy as np, tensorflow as tf
        data = np.load({str(inputs)!r})
        signatures = tf.saved_model.load({str(exported.path)!r}).signatures
        strings = tf.constant([s.encode() for s in data["sequences"]])
        bridge = runpy.run_path({str(exported.path / ASSETS_EXTRA / BRIDGE_SCRIPT)!r})["XGBoostBridge"]
        np.savez({str(tmp_path / "outputs.npz")!r},
                 names=np.array(sorted(signatures)),
                 serving_default=signatures["serving_default"](sequences=strings)["probability"].numpy(),
                 predict_onehot=signatures["predict_onehot"](one_hot=data["one_hot"])["probability"].numpy(),
                 embed=signatures["embed"](sequences=strings)["features"].numpy(),
                 bridge=bridge({str(exported.path)!r}).predict(list(data["sequences"]))["xgboost_probability"])
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=180, capture_output=True)
    outputs = np.load(tmp_path / "outputs.npz")

    encoded = encode(sequences)
    probability = model(encoded, training=False).numpy().reshape(-1)
    features = feature_extractor(model)(encoded).numpy()
    assert sorted(outputs["names"]) == sorted(SIGNATURE_NAMES)
    np.testing.assert_allclose(outputs["serving_default"], probability, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(outputs["predict_onehot"], probability, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(outputs["embed"], features, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(outputs["bridge"], booster_probability(booster, features), atol=1e-6)
    assert features.std() > 0 and np.ptp(probability) > 0, "a constant model would make this test vacuous"


def test_saved_model_cli_lists_the_signatures(exported):
    cli = Path(sys.executable).with_name("saved_model_cli")
    shown = subprocess.run([str(cli), "show", "--all", "--dir", str(exported.path)], check=True, timeout=180,
                           capture_output=True, text=True).stdout
    blocks = {block.split("']", 1)[0]: block for block in shown.split("signature_def['")[1:]}
    expected = {
        "serving_default": ("inputs['sequences']", "DT_STRING", "shape: (-1)", "outputs['probability']"),
        "predict_onehot": ("inputs['one_hot']", "DT_FLOAT", f"shape: (-1, {EXAMPLE_LENGTH}, 4)",
                           "outputs['probability']"),
        "embed": ("inputs['sequences']", "DT_STRING", "outputs['features']", "shape: (-1, 9)"),  # 8 + logit
        "variant_effect": ("inputs['sequences']", "inputs['index']", "DT_INT64", "inputs['alt']", "outputs['ref']",
                           "outputs['alt']", "outputs['delta']"),
    }
    for name, fragments in expected.items():
        assert name in blocks, f"saved_model_cli does not list {name}"
        for fragment in (*fragments, "Method name is: tensorflow/serving/predict"):
            assert fragment in blocks[name], f"{name}: {fragment!r} missing from\n{blocks[name]}"


def test_variant_effect_scores_the_window_with_the_alt_base(loaded, model, sequences):
    index = np.array([0, 1, EXAMPLE_LENGTH - 1, 1000], np.int64)
    alt = ["G", "t", "A", "N"]
    mutants = [s[:i] + base.upper() + s[i + 1:] for s, i, base in zip(sequences, index.tolist(), alt)]
    got = loaded.signatures["variant_effect"](sequences=tf.constant(sequences[:4]), index=tf.constant(index),
                                              alt=tf.constant(alt))
    reference = model(encode(sequences[:4]), training=False).numpy().reshape(-1)
    mutated = model(encode(mutants), training=False).numpy().reshape(-1)
    np.testing.assert_allclose(got["ref"].numpy(), reference, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(got["alt"].numpy(), mutated, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(got["delta"].numpy(), mutated - reference, atol=TOLERANCE, rtol=0)
    assert np.abs(mutated - reference).max() > 0, "some substitution must move the untrained model"


@pytest.mark.parametrize(("index", "alt", "message"), [
    (EXAMPLE_LENGTH, "A", f"index\\[0\\] = {EXAMPLE_LENGTH} is outside the window: expected 0 <= index < 2000"),
    (-1, "A", "index\\[0\\] = -1 is outside"),
    (3, "AC", "alt\\[0\\] = AC is not one base A, C, G, T or N"),
])
def test_variant_effect_refuses_bad_indices_and_bases(loaded, sequences, index, alt, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        loaded.signatures["variant_effect"](sequences=tf.constant(sequences[:1]), index=tf.constant([index], tf.int64),
                                            alt=tf.constant([alt]))
