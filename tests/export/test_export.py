"""SavedModel export for TF Serving: layout, signatures, in-graph checks, REST examples, XGBoost bridge.

The documented REST examples in ``docs/serving_examples`` come from the seeded example model below; after an
intended change of the signatures, rewrite them with ``SCA_TF_WRITE_SERVING_EXAMPLES=1 pytest tests/test_export.py``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format

from sca_tf import io
from sca_tf.data.encoding import one_hot
from sca_tf.errors import ScaInputError
from sca_tf.evaluate.xgb import XGBConfig, fit_booster, save_booster
from sca_tf.export import (
    MODELS_CONFIG,
    SIGNATURE_NAMES,
    TOLERANCE,
    XGBoostBridge,
    check_one_hot,
    export_model,
    predict_request,
    run_export,
    versions,
)
from sca_tf.export.bridge import ASSETS_EXTRA, BOOSTER_FILE
from sca_tf.export.exporter import BRIDGE_SCRIPT, PROVENANCE_FILE, random_promoters
from sca_tf.export.layout import write_new_version
from sca_tf.models import build_model, feature_extractor
from sca_tf.sequence import encode_bases

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "serving_examples"
EXAMPLE_LENGTH, EXAMPLE_SEED = 2000, 7
WRITE_EXAMPLES = os.environ.get("SCA_TF_WRITE_SERVING_EXAMPLES") == "1"


def example_model() -> keras.Model:
    """The seeded, untrained CNN whose outputs the documented REST examples show."""
    keras.utils.set_random_seed(EXAMPLE_SEED)
    return build_model("cnn", EXAMPLE_LENGTH, filters=(8,), kernel_sizes=(9,), dense_units=(8,), dropout=0.0)


def encode(sequences: list[str]) -> np.ndarray:
    return one_hot(np.stack([encode_bases(sequence.upper()) for sequence in sequences])).numpy()


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return example_model()


@pytest.fixture(scope="module")
def sequences() -> list[str]:
    return random_promoters(6, EXAMPLE_LENGTH, seed=EXAMPLE_SEED)


@pytest.fixture(scope="module")
def booster(model, sequences):
    features = feature_extractor(model)(encode(random_promoters(80, EXAMPLE_LENGTH, seed=1))).numpy()
    labels = np.arange(len(features)) % 2
    return fit_booster(features, labels, features, labels, XGBConfig(n_estimators=5, early_stopping_rounds=None))


@pytest.fixture(scope="module")
def exported(tmp_path_factory, model, booster):
    return export_model(model, tmp_path_factory.mktemp("saved_models"), booster=booster)


@pytest.fixture(scope="module")
def loaded(exported):
    return tf.saved_model.load(str(exported.path))


# ----------------------------------------------------------------------------------------------- layout


def model_server_config_class() -> type:
    """TF Serving's ``ModelServerConfig`` message (the fields sca-tf writes, with TF Serving's field numbers)."""
    string, message = descriptor_pb2.FieldDescriptorProto.TYPE_STRING, descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
    repeated = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
    proto = descriptor_pb2.FileDescriptorProto(name="model_server_config.proto", package="tensorflow.serving",
                                               syntax="proto3")
    config = proto.message_type.add(name="ModelConfig")
    for name, number in (("name", 1), ("base_path", 2), ("model_platform", 4)):
        config.field.add(name=name, number=number, type=string)
    proto.message_type.add(name="ModelConfigList").field.add(
        name="config", number=1, type=message, type_name=".tensorflow.serving.ModelConfig", label=repeated)
    proto.message_type.add(name="ModelServerConfig").field.add(
        name="model_config_list", number=1, type=message, type_name=".tensorflow.serving.ModelConfigList")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow.serving.ModelServerConfig"))


def test_versions_are_numbered_never_overwritten_and_listed_in_models_config(exported, model, tmp_path):
    first = export_model(model, tmp_path, model_name="promoter_cnn")
    first_bytes = (first.path / "saved_model.pb").read_bytes()
    second = export_model(model, tmp_path, model_name="promoter_cnn", serving_root="/models")
    other = export_model(model, tmp_path, model_name="other")

    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert versions(tmp_path / "promoter_cnn") == [1, 2]
    assert (first.path / "saved_model.pb").read_bytes() == first_bytes
    assert not [p for p in (tmp_path / "promoter_cnn").iterdir() if p.name.startswith(".")], "staging left behind"
    parsed = text_format.Parse((tmp_path / MODELS_CONFIG).read_text(), model_server_config_class()())
    served = {config.name: (config.base_path, config.model_platform) for config in parsed.model_config_list.config}
    assert served == {"other": (str(tmp_path.resolve() / "other"), "tensorflow"),
                      "promoter_cnn": (str(tmp_path.resolve() / "promoter_cnn"), "tensorflow")}
    assert other.models_config == tmp_path / MODELS_CONFIG


def test_models_config_uses_the_servers_view_of_the_root(model, tmp_path):
    export_model(model, tmp_path, serving_root="/models/")
    parsed = text_format.Parse((tmp_path / MODELS_CONFIG).read_text(), model_server_config_class()())
    assert [config.base_path for config in parsed.model_config_list.config] == ["/models/cnn"]


def test_a_failed_export_publishes_no_version(tmp_path):
    def fail(folder: Path) -> None:
        (folder / "saved_model.pb").write_bytes(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_new_version(tmp_path / "cnn", fail)
    assert list((tmp_path / "cnn").iterdir()) == []


def test_a_booster_of_another_width_is_refused(model, tmp_path):
    booster = fit_booster(np.random.default_rng(0).random((40, 5)), np.arange(40) % 2,
                          np.random.default_rng(1).random((40, 5)), np.arange(40) % 2, XGBConfig(n_estimators=2))
    with pytest.raises(ScaInputError, match="takes 5 features, but model 'cnn' embeds into 8"):
        export_model(model, tmp_path, booster=booster)
    assert versions(tmp_path / "cnn") == []


def test_model_names_that_tf_serving_cannot_use_are_refused(model, tmp_path):
    with pytest.raises(ScaInputError, match="model name '../evil'"):
        export_model(model, tmp_path, model_name="../evil")


# ------------------------------------------------------------------------------------------- signatures


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
    np.testing.assert_allclose(outputs["bridge"], booster.predict_proba(features)[:, 1], atol=1e-6)
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
        "embed": ("inputs['sequences']", "DT_STRING", "outputs['features']", "shape: (-1, 8)"),
    }
    for name, fragments in expected.items():
        assert name in blocks, f"saved_model_cli does not list {name}"
        for fragment in (*fragments, "Method name is: tensorflow/serving/predict"):
            assert fragment in blocks[name], f"{name}: {fragment!r} missing from\n{blocks[name]}"


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


# ------------------------------------------------------------------------------------------ bad requests


@pytest.mark.parametrize(
    ("make_batch", "message"),
    [
        (lambda s: [s[0], s[1][:-1]], f"sequences[1] has {EXAMPLE_LENGTH - 1} bases; this model expects exactly "
                                      f"{EXAMPLE_LENGTH}"),
        (lambda s: [s[0][:41] + "X" + s[0][42:]], "sequences[0]: letter X at position 42 is not one of A, C, G, T, N"),
        (lambda s: [s[0], s[1][:9] + "U" + s[1][10:]], "sequences[1]: letter U at position 10"),
        (lambda s: [s[0][:-1] + "é"], "sequences[0]: letter (a non-ASCII or control character) at position 2000"),
        (lambda s: [s[0], s[1] + "\n"], "sequences[1]: letter (whitespace) at position 2001"),
        (lambda s: [], "empty batch: sequences must hold at least one sequence"),
    ],
    ids=["wrong_length", "bad_letter", "rna_letter", "non_ascii", "trailing_newline", "empty_batch"],
)
@pytest.mark.parametrize("signature", ["serving_default", "embed"])
def test_bad_dna_requests_fail_with_a_clear_error(loaded, sequences, make_batch, message, signature):
    batch = tf.constant([text.encode("utf-8") for text in make_batch(sequences)], dtype=tf.string)
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)):
        loaded.signatures[signature](sequences=batch)


def test_case_is_ignored_and_n_is_all_zero(loaded, model, sequences):
    upper = loaded.signatures["serving_default"](sequences=tf.constant(sequences[:2]))["probability"].numpy()
    lower = loaded.signatures["serving_default"](sequences=tf.constant([s.lower() for s in sequences[:2]]))
    np.testing.assert_array_equal(upper, lower["probability"].numpy())
    all_n = loaded.signatures["serving_default"](sequences=tf.constant(["N" * EXAMPLE_LENGTH]))["probability"]
    zeros = model(np.zeros((1, EXAMPLE_LENGTH, 4), np.float32), training=False).numpy().reshape(-1)
    np.testing.assert_allclose(all_n.numpy(), zeros, atol=TOLERANCE)


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (np.zeros((1, 10, 4)), r"one_hot has shape \[1 10 4\]; expected \[batch, 20, 4\]"),
        (np.zeros((1, 20, 5)), r"one_hot has shape \[1 20 5\]"),
        (np.zeros((0, 20, 4)), "empty batch: one_hot must hold at least one sequence"),
        (np.full((1, 20, 4), 2.0), r"one_hot values must be finite and within \[0, 1\]"),
        (np.full((1, 20, 4), np.nan), r"one_hot values must be finite"),
    ],
    ids=["wrong_length", "five_channels", "empty_batch", "out_of_range", "nan"],
)
def test_one_hot_requests_are_checked_in_graph(batch, message):
    """TF Serving feeds tensors without the signature's shape check, so the graph checks them itself."""
    checked = tf.function(lambda x: check_one_hot(x, 20), input_signature=[tf.TensorSpec(None, tf.float32)])
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        checked(tf.constant(batch, tf.float32))


def test_predict_onehot_signature_rejects_an_empty_batch(loaded):
    with pytest.raises(tf.errors.InvalidArgumentError, match="empty batch: one_hot"):
        loaded.signatures["predict_onehot"](one_hot=tf.zeros((0, EXAMPLE_LENGTH, 4)))


# --------------------------------------------------------------------------------------- REST examples


def example_requests(sequences: list[str]) -> dict[str, dict]:
    """The documented requests: every form TF Serving's REST API accepts, and the three refusals."""
    first, second = sequences[:2]
    b64 = [{"b64": base64.b64encode(text.encode("ascii")).decode("ascii")} for text in (first, second)]
    return {
        "predict_instances": {"instances": [first, second]},
        "predict_inputs": {"inputs": {"sequences": [first, second]}},
        "predict_b64": {"signature_name": "serving_default", "instances": b64},
        "embed_instances": {"signature_name": "embed", "instances": [first]},
        "predict_onehot_instances": {"signature_name": "predict_onehot",
                                     "instances": encode([first]).astype(int).tolist()},
        "error_wrong_length": {"instances": [first[:-1]]},
        "error_bad_letter": {"instances": [first, second[:99] + "X" + second[100:]]},
        "error_empty_batch": {"instances": []},
    }


def write_examples(loaded, sequences: list[str]) -> None:
    io.ensure_output_dir(EXAMPLES)
    for name, request in example_requests(sequences).items():
        io.write_text(EXAMPLES / f"{name}.request.json", json.dumps(request) + "\n")
        io.write_text(EXAMPLES / f"{name}.response.json", json.dumps(predict_request(loaded, request), indent=2) + "\n")


def assert_same_json(actual, expected, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), f"{where}: keys {actual} vs {expected}"
        for key in expected:
            assert_same_json(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: lengths differ"
        for index, (got, want) in enumerate(zip(actual, expected)):
            assert_same_json(got, want, f"{where}[{index}]")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, abs=1e-4), f"{where}: {actual} vs {expected}"
    else:
        assert actual == expected, f"{where}: {actual!r} vs {expected!r}"


def test_documented_rest_examples_match_the_loaded_signatures(loaded, sequences):
    if WRITE_EXAMPLES:
        write_examples(loaded, sequences)
    requests = sorted(EXAMPLES.glob("*.request.json"))
    assert {path.name.split(".")[0] for path in requests} == set(example_requests(sequences))
    for request_path in requests:
        request = json.loads(request_path.read_text())
        expected = json.loads(request_path.with_name(request_path.name.replace(".request", ".response")).read_text())
        assert_same_json(predict_request(loaded, request), expected, request_path.name)
    predictions = json.loads((EXAMPLES / "predict_instances.response.json").read_text())["predictions"]
    assert json.loads((EXAMPLES / "predict_inputs.response.json").read_text())["outputs"] == predictions
    assert json.loads((EXAMPLES / "predict_b64.response.json").read_text())["predictions"] == predictions


def test_rest_mapping_refuses_malformed_bodies(loaded, sequences):
    assert predict_request(loaded, {"signature_name": "nope", "instances": []}) == {
        "error": 'Serving signature name: "nope" not found in signature def'}
    assert "exactly one of" in predict_request(loaded, {"instances": [], "inputs": []})["error"]
    assert "shape" in predict_request(loaded, {"signature_name": "predict_onehot", "instances": [[1, 0]]})["error"]
