"""Answer TensorFlow Serving REST ``:predict`` bodies with a loaded SavedModel, without a model server.

TF Serving maps a REST body to signature inputs with fixed rules (the "row" ``instances`` form and the
"columnar" ``inputs`` form; ``{"b64": ...}`` for binary strings) and maps outputs back to ``predictions`` /
``outputs``. :func:`predict_request` applies the same rules to ``tf.saved_model.load`` output, so clients and
the example files in ``docs/serving_examples`` can be checked where no ``tensorflow_model_server`` binary is
installed (none is on PyPI or Debian).

>>> loaded = tf.saved_model.load("saved_models/cnn/1")  # doctest: +SKIP
>>> predict_request(loaded, {"instances": ["ACGT..."]})  # doctest: +SKIP
{'predictions': [0.83]}
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from sca_tf.export.signatures import SERVING_DEFAULT

_ASSERTION = re.compile(r"assertion failed: \[(.*)\]")


class RestRequestError(ValueError):
    """A body TF Serving would reject before running the model (HTTP 400 with ``{"error": ...}``)."""


def predict_request(loaded: Any, body: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object TF Serving returns for ``body`` posted to ``/v1/models/<name>:predict``.

    A request the model refuses (an in-graph check failing, a malformed body) gives ``{"error": message}``
    with the check's own message, as TF Serving reports it with HTTP status 400.
    """
    try:
        signature = _signature(loaded, body.get("signature_name", SERVING_DEFAULT))
        row_format = _row_format(body)
        input_specs = signature.structured_input_signature[1]
        values = _named_inputs(body["instances"] if row_format else body["inputs"], input_specs, row_format)
        tensors = {name: _tensor(values[name], spec) for name, spec in input_specs.items()}
        outputs = {name: tensor.numpy() for name, tensor in signature(**tensors).items()}
    except RestRequestError as exc:
        return {"error": str(exc)}
    except tf.errors.InvalidArgumentError as exc:
        return {"error": error_message(exc)}
    return _response(outputs, row_format)


def error_message(error: tf.errors.OpError) -> str:
    """The sentence of a failed in-graph check (the text inside ``assertion failed: [...]``), else the message."""
    found = _ASSERTION.search(error.message)
    return found.group(1) if found else error.message.strip().splitlines()[-1]


def _signature(loaded: Any, name: str) -> Any:
    if name not in loaded.signatures:
        raise RestRequestError(f'Serving signature name: "{name}" not found in signature def')
    return loaded.signatures[name]


def _row_format(body: Mapping[str, Any]) -> bool:
    if ("instances" in body) == ("inputs" in body):
        raise RestRequestError("JSON body must hold exactly one of 'instances' (row format) or 'inputs' (columnar)")
    return "instances" in body


def _named_inputs(payload: Any, specs: Mapping[str, tf.TensorSpec], row_format: bool) -> dict[str, Any]:
    """Input name -> nested list of values, from either request form."""
    names = list(specs)
    if row_format:
        if not isinstance(payload, list):
            raise RestRequestError("'instances' must be a list with one entry per example")
        if payload and all(_is_named_object(item) for item in payload):
            return {name: [_field(item, name) for item in payload] for name in names}
        if len(names) != 1:
            raise RestRequestError(f"this signature has inputs {names}: send each instance as an object")
        return {names[0]: payload}
    if _is_named_object(payload):
        return {name: _field(payload, name) for name in names}
    if len(names) != 1:
        raise RestRequestError(f"this signature has inputs {names}: send 'inputs' as an object")
    return {names[0]: payload}


def _is_named_object(item: Any) -> bool:
    return isinstance(item, Mapping) and set(item) != {"b64"}


def _field(item: Mapping[str, Any], name: str) -> Any:
    if name not in item:
        raise RestRequestError(f"missing input '{name}' (got {', '.join(map(repr, item))})")
    return item[name]


def _decoded(value: Any) -> Any:
    """Replace every ``{"b64": text}`` by its bytes, and text by UTF-8 bytes, recursively."""
    if isinstance(value, Mapping) and set(value) == {"b64"}:
        return base64.b64decode(value["b64"])
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    if isinstance(value, str):
        return value.encode("utf-8")
    return value


def _tensor(value: Any, spec: tf.TensorSpec) -> tf.Tensor:
    if spec.dtype == tf.string:
        array = np.array(_decoded(value), dtype=object)
        if array.size == 0:
            array = array.reshape([0])
    else:
        try:
            array = np.asarray(value, dtype=spec.dtype.as_numpy_dtype)
        except (TypeError, ValueError) as exc:
            raise RestRequestError(f"input '{spec.name}': expected numbers of type {spec.dtype.name} ({exc})") from exc
    if not spec.shape.is_compatible_with(array.shape):
        raise RestRequestError(f"input '{spec.name}' has shape {list(array.shape)}; the signature takes "
                               f"{spec.shape.as_list()} (None = any size)")
    return tf.constant(array, dtype=spec.dtype)


def _response(outputs: dict[str, np.ndarray], row_format: bool) -> dict[str, Any]:
    if row_format:
        if len(outputs) == 1:
            return {"predictions": next(iter(outputs.values())).tolist()}
        batch = len(next(iter(outputs.values())))
        return {"predictions": [{name: value[row].tolist() for name, value in outputs.items()} for row in range(batch)]}
    if len(outputs) == 1:
        return {"outputs": next(iter(outputs.values())).tolist()}
    return {"outputs": {name: value.tolist() for name, value in outputs.items()}}
