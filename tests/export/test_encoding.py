"""In-graph request checks and DNA string encoding: bad requests fail with a clear error."""

from __future__ import annotations

import re

import numpy as np
import pytest
import tensorflow as tf
from export.serving_model import EXAMPLE_LENGTH

from sca_tf.export.encoding import check_one_hot
from sca_tf.export.exporter import TOLERANCE


@pytest.mark.parametrize(
    ("make_batch", "message"),
    [
        (lambda s: [s[0], s[1][:-1]], (f"sequences[1] has {EXAMPLE_LENGTH - 1} bases; this model expects exactly "
                                       f"{EXAMPLE_LENGTH}")),
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
