"""The DNA codec: letters <-> base codes <-> one-hot <-> reverse complement, in numpy (no TensorFlow).

One byte per base on disk and in memory: ``A=0, C=1, G=2, T=3, N=4`` (:data:`CODE_LETTERS`). Models see a float
one-hot ``[..., length, 4]`` in ``A, C, G, T`` order in which ``N`` is a row of zeros. With channels in that order
the complement of a base is the channel order reversed, so a one-hot's reverse complement flips both axes.
Every stage that turns letters into numbers goes through :data:`CODE_OF_BYTE` here; ``sca_tf.data.encoding`` is
the thin TensorFlow wrapper of the same codes.

>>> decode_bases(encode_bases("ACGTN"))
'ACGTN'
>>> one_hot(encode_bases("AN")).tolist()
[[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
>>> reverse_complement("AACGTN")
'NACGTT'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sca_tf.errors import ScaInputError

ALPHABET = "ACGT"
#: Letters of the codes 0..4 (``N`` is code 4, one past the one-hot channels).
CODE_LETTERS = ALPHABET + "N"
N_CODE = len(ALPHABET)
#: Code of a byte that is not an (upper- or lower-case) ``A, C, G, T`` or ``N``.
INVALID_CODE = 255
#: Code of each code's complement (A<->T, C<->G, N->N).
COMPLEMENT_CODES = np.array([3, 2, 1, 0, 4], dtype=np.uint8)


def _code_of_byte() -> np.ndarray:
    table = np.full(256, INVALID_CODE, dtype=np.uint8)
    for code, letter in enumerate(CODE_LETTERS):
        table[ord(letter)] = table[ord(letter.lower())] = code
    table.flags.writeable = False
    return table


#: The one byte -> code table: ``ACGTN`` in either case to ``0..4``, every other byte to :data:`INVALID_CODE`.
CODE_OF_BYTE = _code_of_byte()
_LETTER_OF_CODE = np.frombuffer(CODE_LETTERS.encode("ascii"), dtype=np.uint8)
_ONE_HOT_OF_CODE = np.eye(len(CODE_LETTERS), len(ALPHABET), dtype=np.float32)
_COMPLEMENT_LETTERS = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def _bytes_of(sequence: str | bytes) -> np.ndarray:
    raw = sequence if isinstance(sequence, bytes) else sequence.encode("ascii", errors="replace")
    return np.frombuffer(raw, dtype=np.uint8)


def codes_of(sequence: str | bytes, *, unknown_as_n: bool = False) -> np.ndarray:
    """Codes of ``sequence`` (either case) without checks: other letters give :data:`INVALID_CODE`, or ``N``.

    >>> codes_of("acgtR").tolist(), codes_of("acgtR", unknown_as_n=True).tolist()
    ([0, 1, 2, 3, 255], [0, 1, 2, 3, 4])
    """
    codes = CODE_OF_BYTE[_bytes_of(sequence)]
    return np.where(codes == INVALID_CODE, np.uint8(N_CODE), codes) if unknown_as_n else codes


def encode_bases(sequence: str, *, where: str = "sequence") -> np.ndarray:
    """Encode an upper-case ``ACGTN`` string as ``uint8`` codes; ``ScaInputError`` naming ``where`` otherwise.

    >>> encode_bases("ACGTN").tolist()
    [0, 1, 2, 3, 4]
    """
    try:
        raw = np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError as exc:
        raise ScaInputError(f"{where}: non-ASCII character at position {exc.start + 1}; expected only ACGTN") from exc
    codes = CODE_OF_BYTE[raw]
    bad = np.flatnonzero((codes == INVALID_CODE) | (raw >= ord("a")))
    if bad.size:
        position = int(bad[0])
        raise ScaInputError(
            f"{where}: character {sequence[position]!r} at position {position + 1} is not one of ACGTN "
            f"({bad.size} such character(s); sequences must be upper-case A, C, G, T or N)"
        )
    return codes


def encode_many(sequences: Sequence[str], *, where: str = "sequences") -> np.ndarray:
    """``[n, length]`` codes of equal-length upper-case ``ACGTN`` strings, each checked by :func:`encode_bases`.

    Raises ``ScaInputError`` naming the sequence for an empty list or unequal lengths.
    """
    if len(sequences) == 0:
        raise ScaInputError(f"{where}: no sequences given")
    length = len(sequences[0])
    codes = np.empty((len(sequences), length), dtype=np.uint8)
    for index, sequence in enumerate(sequences):
        if len(sequence) != length:
            raise ScaInputError(
                f"{where}: sequence {index + 1} has {len(sequence)} bases, expected {length} like the first one"
            )
        codes[index] = encode_bases(sequence, where=f"{where}: sequence {index + 1}")
    return codes


def decode_bases(codes: np.ndarray) -> str:
    """Turn base codes (``0..4``) back into an ``ACGTN`` string."""
    return _LETTER_OF_CODE[np.asarray(codes, dtype=np.intp)].tobytes().decode("ascii")


def one_hot(codes: np.ndarray) -> np.ndarray:
    """Float32 one-hot ``[..., length, 4]`` (``A, C, G, T``) of base codes; ``N`` (code 4) gives a row of zeros."""
    return _ONE_HOT_OF_CODE[np.asarray(codes, dtype=np.intp)]


def one_hot_to_codes(encoded: np.ndarray) -> np.ndarray:
    """Codes of a one-hot (or score) array ``[..., length, 4]`` by argmax; all-zero rows become ``N``."""
    encoded = np.asarray(encoded)
    return np.where(encoded.max(axis=-1) > 0, encoded.argmax(axis=-1), N_CODE).astype(np.uint8)


def one_hot_to_bases(encoded: np.ndarray) -> str:
    """Inverse of :func:`one_hot` for one sequence ``[length, 4]``: all-zero rows become ``N``."""
    return decode_bases(one_hot_to_codes(encoded))


def reverse_complement(sequence: str) -> str:
    """Return the reverse complement of an ACGTN string (case preserved).

    >>> reverse_complement("AACGTN")
    'NACGTT'
    """
    return sequence.translate(_COMPLEMENT_LETTERS)[::-1]


def reverse_complement_codes(codes: np.ndarray) -> np.ndarray:
    """Reverse complement of base codes ``[..., length]`` (complement each code, reverse the length axis)."""
    return COMPLEMENT_CODES[np.asarray(codes, dtype=np.intp)][..., ::-1]


def reverse_complement_one_hot(encoded: np.ndarray) -> np.ndarray:
    """Reverse complement of a one-hot ``[..., length, 4]``: flip the length axis and the ``ACGT`` channels."""
    return np.asarray(encoded)[..., ::-1, ::-1]


def gc_fraction(sequence: str) -> float:
    """Fraction of G or C among the non-N bases (0.0 for an all-N sequence)."""
    upper = sequence.upper()
    called = len(upper) - upper.count("N")
    if called == 0:
        return 0.0
    return (upper.count("G") + upper.count("C")) / called


def cpg_observed_expected(sequence: str) -> float:
    """CpG observed/expected ratio (Gardiner-Garden & Frommer): ``n_CG * length / (n_C * n_G)``.

    Returns 0.0 where the sequence has no C or no G.
    """
    upper = sequence.upper()
    n_c, n_g = upper.count("C"), upper.count("G")
    if n_c == 0 or n_g == 0:
        return 0.0
    return upper.count("CG") * len(upper) / (n_c * n_g)


def n_fraction(sequence: str) -> float:
    """Fraction of bases that are N (any case)."""
    if not sequence:
        return 0.0
    return sequence.upper().count("N") / len(sequence)
