"""The DNA codec: one byte -> code table, one-hot and reverse complement, consistent with each other."""

from __future__ import annotations

import numpy as np
import pytest

from sca_tf import sequence
from sca_tf.errors import ScaInputError


def test_the_byte_table_maps_both_cases_of_acgtn_and_nothing_else() -> None:
    table = sequence.CODE_OF_BYTE
    valid = {ord(letter): code for code, letter in enumerate("ACGTN")}
    valid |= {ord(letter.lower()): code for letter, code in zip("ACGTN", range(5))}
    for byte in range(256):
        assert table[byte] == valid.get(byte, sequence.INVALID_CODE), chr(byte)
    with pytest.raises(ValueError):
        table[0] = 1  # read-only: no stage can change the codec under another


def test_codes_of_is_lenient_where_asked() -> None:
    assert sequence.codes_of("ACgtNR").tolist() == [0, 1, 2, 3, 4, 255]
    assert sequence.codes_of(b"RY", unknown_as_n=True).tolist() == [4, 4]


def test_encode_bases_is_strict_and_names_where() -> None:
    assert sequence.encode_bases("ACGTN").tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ScaInputError, match=r"promoters.fa: character 'a' at position 2 is not one of ACGTN"):
        sequence.encode_bases("Aa", where="promoters.fa")
    with pytest.raises(ScaInputError, match="non-ASCII character at position 3"):
        sequence.encode_bases("ACé")


def test_encode_many_checks_equal_lengths() -> None:
    assert sequence.encode_many(["AC", "GT"]).tolist() == [[0, 1], [2, 3]]
    with pytest.raises(ScaInputError, match="sequence 2 has 3 bases, expected 2"):
        sequence.encode_many(["AC", "GTA"])
    with pytest.raises(ScaInputError, match="no sequences given"):
        sequence.encode_many([])


def test_one_hot_round_trips_and_n_is_zeros() -> None:
    codes = sequence.encode_bases("ACGTN")
    encoded = sequence.one_hot(codes)
    assert encoded.dtype == np.float32 and encoded.shape == (5, 4)
    np.testing.assert_array_equal(encoded[:4], np.eye(4))
    assert not encoded[4].any()
    assert sequence.one_hot_to_bases(encoded) == "ACGTN"
    assert sequence.decode_bases(sequence.one_hot_to_codes(encoded)) == "ACGTN"


def test_the_three_reverse_complements_agree() -> None:
    text = "AACGTNGGT"
    flipped = sequence.reverse_complement(text)
    assert flipped == "ACCNACGTT"
    codes = sequence.encode_bases(text)
    assert sequence.decode_bases(sequence.reverse_complement_codes(codes)) == flipped
    one_hot = sequence.one_hot(codes)
    assert sequence.one_hot_to_bases(sequence.reverse_complement_one_hot(one_hot)) == flipped
    assert sequence.reverse_complement("acgT") == "Acgt"  # case kept (soft-masked input)
