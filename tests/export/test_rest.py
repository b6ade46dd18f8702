"""TF Serving's REST JSON mapping, checked against the documented examples in ``docs/serving_examples``.

The examples come from the seeded example model (``serving_model.py``); after an intended change of the
signatures, rewrite them with ``SCA_TF_WRITE_SERVING_EXAMPLES=1 pytest tests/export/test_rest.py``.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from export.serving_model import encode

from sca_tf import io
from sca_tf.export.rest import predict_request

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "serving_examples"
WRITE_EXAMPLES = os.environ.get("SCA_TF_WRITE_SERVING_EXAMPLES") == "1"


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
        "variant_effect_instances": {"signature_name": "variant_effect", "instances": [
            {"sequences": first, "index": 0, "alt": "C" if first[0] == "A" else "A"}, {"sequences": second, "index": len(second) - 1, "alt": "T"}]},
        "error_variant_index": {"signature_name": "variant_effect",
                                "instances": [{"sequences": first, "index": len(first), "alt": "G"}]},
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
