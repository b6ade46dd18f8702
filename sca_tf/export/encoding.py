"""In-graph checks and one-hot encoding of serving requests, so a served model never sees malformed input.

Everything here is TensorFlow graph code: it runs inside the SavedModel's signatures, in TF Serving as in
Python. A bad request fails with ``InvalidArgumentError`` whose message names the offending sequence (by its
index in the batch), the position and what was expected, instead of returning a wrong probability.

>>> import tensorflow as tf
>>> dna_strings_to_one_hot(tf.constant(["ACGTN"]), 5).numpy()[0, :, 0].tolist()  # the A channel
[1.0, 0.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import tensorflow as tf

from sca_tf.data.encoding import one_hot
from sca_tf.sequence import CODE_LETTERS, CODE_OF_BYTE

#: Letters a served model accepts; lower case (soft-masked FASTA) is read as upper case.
ACCEPTED_LETTERS = CODE_LETTERS + CODE_LETTERS.lower()
_ACCEPTED_RUN = f"[{ACCEPTED_LETTERS}]*"


def _first_index(failing: tf.Tensor) -> tf.Tensor:
    """Index of the first ``True`` of a boolean vector (``-1`` if none; safe on an empty vector)."""
    indices = tf.where(failing)[:, 0]
    return tf.concat([indices, tf.constant([-1], tf.int64)], axis=0)[0]


def _assert(condition: tf.Tensor, message: tf.Tensor) -> tf.Operation:
    return tf.debugging.Assert(condition, [message], summarize=1)


def check_batch_not_empty(batch_size: tf.Tensor, what: str) -> tf.Operation:
    """An assertion that ``batch_size`` is at least one."""
    return _assert(batch_size > 0, tf.constant(f"empty batch: {what} must hold at least one sequence"))


def dna_strings_to_one_hot(sequences: tf.Tensor, input_length: int) -> tf.Tensor:
    """Check a ``[batch]`` string tensor of DNA and return its one-hot ``[batch, input_length, 4]`` float32.

    Each string must be exactly ``input_length`` letters of ``A``, ``C``, ``G``, ``T`` or ``N`` (either case);
    ``N`` becomes a row of zeros. The checks run in this order and the first failure is reported: empty batch,
    a letter outside the alphabet (sequence index, letter, 1-based position), a wrong length.
    """
    sequences = tf.convert_to_tensor(sequences, dtype=tf.string)
    not_empty = check_batch_not_empty(tf.size(sequences), "sequences")
    with tf.control_dependencies([not_empty]):
        valid_letters = tf.strings.regex_full_match(sequences, _ACCEPTED_RUN)
    bad_sequence = _first_index(~valid_letters)
    first_bad = tf.gather(sequences, tf.maximum(bad_sequence, 0))  # any sequence when all are valid
    tail = tf.strings.regex_replace(first_bad, f"^{_ACCEPTED_RUN}", "")  # starts at the first bad letter
    bad_position = tf.strings.length(first_bad) - tf.strings.length(tail) + 1
    bad_letter = tf.strings.substr(tail, 0, 1, unit="UTF8_CHAR")
    shown_letter = tf.where(
        tf.strings.regex_full_match(bad_letter, "[!-~]"), bad_letter,
        tf.where(tf.strings.regex_full_match(bad_letter, r"\s"), "(whitespace)", "(a non-ASCII or control character)"),
    )
    letters_ok = _assert(
        tf.reduce_all(valid_letters),
        tf.strings.join([
            "sequences[", tf.strings.as_string(bad_sequence), "]: letter ", shown_letter, " at position ",
            tf.strings.as_string(bad_position), " is not one of A, C, G, T, N",
        ]),
    )
    with tf.control_dependencies([letters_ok]):
        lengths = tf.strings.length(sequences)
    wrong_length = lengths != input_length
    bad_length = _first_index(wrong_length)
    length_ok = _assert(
        ~tf.reduce_any(wrong_length),
        tf.strings.format(
            "sequences[{}] has {} bases; this model expects exactly {} (A, C, G, T or N)",
            (bad_length, tf.gather(lengths, tf.maximum(bad_length, 0)), input_length),
        ),
    )
    with tf.control_dependencies([length_ok]):
        raw = tf.io.decode_raw(sequences, tf.uint8, fixed_length=input_length)
    codes = tf.gather(tf.constant(CODE_OF_BYTE), tf.cast(raw, tf.int32))
    encoded = one_hot(codes)
    return tf.ensure_shape(encoded, [None, input_length, len(CODE_LETTERS) - 1])


def check_one_hot(encoded: tf.Tensor, input_length: int) -> tf.Tensor:
    """Return ``encoded`` unchanged after checking it is a non-empty ``[batch, input_length, 4]`` batch in [0, 1].

    The signature's input spec fixes the shape for Python callers; TF Serving feeds tensors without that check,
    so the shape is checked again here, with the expected shape in the message.
    """
    encoded = tf.convert_to_tensor(encoded, dtype=tf.float32)
    shape = tf.shape(encoded)
    shape_ok = _assert(
        tf.logical_and(tf.equal(tf.size(shape), 3),
                       tf.reduce_all(tf.equal(tf.concat([shape, [0, 0, 0]], 0)[1:3], [input_length, 4]))),
        tf.strings.format("one_hot has shape {}; expected [batch, {}, 4] (A, C, G, T channels)",
                          (shape, input_length)),
    )
    with tf.control_dependencies([shape_ok]):
        not_empty = check_batch_not_empty(shape[0], "one_hot")
    with tf.control_dependencies([not_empty]):
        in_range = tf.reduce_all(tf.logical_and(encoded >= 0.0, encoded <= 1.0))
    range_ok = _assert(in_range, tf.constant("one_hot values must be finite and within [0, 1]"))
    with tf.control_dependencies([range_ok]):
        return tf.ensure_shape(tf.identity(encoded), [None, input_length, 4])


def substitute_base(sequences: tf.Tensor, index: tf.Tensor, alt: tf.Tensor, input_length: int) -> tf.Tensor:
    """``sequences`` with the base at 0-based ``index`` replaced by ``alt``, one per sequence, after checks.

    ``index`` and ``alt`` must hold one entry per sequence; each ``index`` must lie in ``[0, input_length)`` and
    each ``alt`` be one letter of ``A, C, G, T, N`` (either case). The sequences themselves are checked by
    :func:`dna_strings_to_one_hot` when they are encoded.
    """
    sequences = tf.convert_to_tensor(sequences, dtype=tf.string)
    index = tf.cast(index, tf.int32)
    sizes_ok = _assert(
        tf.logical_and(tf.equal(tf.size(index), tf.size(sequences)), tf.equal(tf.size(alt), tf.size(sequences))),
        tf.strings.format("index and alt need one entry per sequence: got {} sequences, {} indices, {} alt bases",
                          (tf.size(sequences), tf.size(index), tf.size(alt))),
    )
    with tf.control_dependencies([sizes_ok]):
        outside = tf.logical_or(index < 0, index >= input_length)
    bad_index = _first_index(outside)
    index_ok = _assert(~tf.reduce_any(outside), tf.strings.format(
        "index[{}] = {} is outside the window: expected 0 <= index < {}",
        (bad_index, tf.gather(index, tf.maximum(bad_index, 0)), input_length)))
    not_a_base = ~tf.strings.regex_full_match(alt, f"[{ACCEPTED_LETTERS}]")
    bad_alt = _first_index(not_a_base)
    alt_ok = _assert(~tf.reduce_any(not_a_base), tf.strings.join([
        "alt[", tf.strings.as_string(bad_alt), "] = ", tf.gather(alt, tf.maximum(bad_alt, 0)),
        " is not one base A, C, G, T or N"]))
    with tf.control_dependencies([index_ok, alt_ok]):  # both cuts: a bad index must fail the check, not a cut
        head = tf.strings.substr(sequences, tf.zeros_like(index), index)
        tail = tf.strings.substr(sequences, index + 1, tf.maximum(tf.strings.length(sequences) - index - 1, 0))
    return tf.strings.join([head, alt, tail])
