"""Base codes and one-hot encoding: the one place that fixes how DNA is stored on disk and fed to models.

On disk (the ``sca_promoters`` TFDS dataset) a promoter is a ``uint8`` vector of base codes, one byte per base:
``A=0, C=1, G=2, T=3, N=4``. Models see a float one-hot ``[length, 4]`` in ``A, C, G, T`` order in which ``N``
is a row of zeros; :func:`one_hot` makes it on the fly, so the dense float form is never stored.

>>> decode_bases(encode_bases("ACGTN"))
'ACGTN'
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from sca_tf.errors import ScaInputError

ALPHABET = "ACGT"
#: Letters of the codes 0..4 (``N`` is code 4, one past the one-hot channels).
CODE_LETTERS = ALPHABET + "N"
N_CODE = len(ALPHABET)

#: Code of each code's complement (A<->T, C<->G, N->N).
COMPLEMENT_CODES = np.array([3, 2, 1, 0, 4], dtype=np.uint8)

_INVALID = 255
_CODE_OF_BYTE = np.full(256, _INVALID, dtype=np.uint8)
for _code, _letter in enumerate(CODE_LETTERS):
    _CODE_OF_BYTE[ord(_letter)] = _code
_LETTER_OF_CODE = np.frombuffer(CODE_LETTERS.encode("ascii"), dtype=np.uint8)


def encode_bases(sequence: str, *, where: str = "sequence") -> np.ndarray:
    """Encode an upper-case ``ACGTN`` string as ``uint8`` codes; ``ScaInputError`` naming ``where`` otherwise.

    >>> encode_bases("ACGTN").tolist()
    [0, 1, 2, 3, 4]
    """
    try:
        raw = np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError as exc:
        raise ScaInputError(f"{where}: non-ASCII character at position {exc.start + 1}; expected only ACGTN") from exc
    codes = _CODE_OF_BYTE[raw]
    bad = np.flatnonzero(codes == _INVALID)
    if bad.size:
        position = int(bad[0])
        raise ScaInputError(
            f"{where}: character {sequence[position]!r} at position {position + 1} is not one of ACGTN "
            f"({bad.size} such character(s); sequences must be upper-case A, C, G, T or N)"
        )
    return codes


def decode_bases(codes: np.ndarray) -> str:
    """Turn base codes (``0..4``) back into an ``ACGTN`` string."""
    return _LETTER_OF_CODE[np.asarray(codes, dtype=np.intp)].tobytes().decode("ascii")


def one_hot(codes: tf.Tensor) -> tf.Tensor:
    """One-hot ``[..., length, 4]`` float32 in ``A, C, G, T`` order from base codes; ``N`` (code 4) gives zeros."""
    return tf.one_hot(tf.cast(codes, tf.int32), depth=N_CODE, dtype=tf.float32)


def one_hot_to_bases(encoded: np.ndarray) -> str:
    """Inverse of :func:`one_hot` for one sequence ``[length, 4]``: all-zero rows become ``N``."""
    encoded = np.asarray(encoded)
    codes = np.where(encoded.max(axis=-1) > 0, encoded.argmax(axis=-1), N_CODE)
    return decode_bases(codes)


def reverse_complement_one_hot(encoded: tf.Tensor) -> tf.Tensor:
    """Reverse complement of a one-hot ``[..., length, 4]``: flip the length axis and the ``ACGT`` channels.

    With channels in ``A, C, G, T`` order the complement is the channel order reversed (``T, G, C, A``), and
    an ``N`` row (all zeros) stays ``N``.
    """
    return tf.reverse(encoded, axis=[-2, -1])


def reverse_complement_codes(codes: tf.Tensor) -> tf.Tensor:
    """Reverse complement of base codes ``[..., length]`` (complement each code, then reverse the length axis)."""
    return tf.reverse(tf.gather(tf.constant(COMPLEMENT_CODES), tf.cast(codes, tf.int32)), axis=[-1])
