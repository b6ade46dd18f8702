"""The one scanner: relative scores and best hits (explain), hit counts and hit rates (the quality gate)."""

from __future__ import annotations

import numpy as np
import pytest

from sca_tf.errors import ScaInputError
from sca_tf.motifs import pwm
from sca_tf.motifs.planted import DOWN_MOTIF, UP_MOTIF
from sca_tf.motifs.scan import best_hits, hit_counts, scan_motifs
from sca_tf.sequence import encode_many, one_hot

CRE = "TGACGTCA"
KB_SITE = "GGGAATTTCC"
KB_SITE_RC = "GGAAATTCCC"


def encode(sequences: list[str]) -> np.ndarray:
    return one_hot(encode_many(sequences))


def consensus_matrix(name: str, consensus: str) -> pwm.Motif:
    return pwm.motif_from_counts(name, name, 10 * encode([consensus])[0])


def test_scanning_finds_a_site_on_either_strand_with_relative_score_one():
    up = np.array(UP_MOTIF.pfm)
    weights = pwm.log_odds(up)
    forward = "A" * 7 + UP_MOTIF.consensus + "A" * 10
    nonpalindrome = np.array(DOWN_MOTIF.pfm)
    site = DOWN_MOTIF.consensus
    reverse = "C" * 4 + "".join({"A": "T", "C": "G", "G": "C", "T": "A"}[b] for b in reversed(site)) + "C" * 6
    score, start, _ = best_hits(encode([forward]), weights)
    assert (round(float(score[0]), 6), int(start[0])) == (1.0, 7)
    score, start, strand = best_hits(encode([reverse]), pwm.log_odds(nonpalindrome))
    assert (round(float(score[0]), 6), int(start[0]), int(strand[0])) == (1.0, 4, 1)


def test_motif_scan_finds_sites_on_both_strands() -> None:
    background = "T" * 30
    sequences = [background[:10] + CRE + background[18:], background[:5] + KB_SITE_RC + background[15:], background]
    scan = scan_motifs(sequences, [consensus_matrix("cre", CRE), consensus_matrix("kb", KB_SITE)],
                       relative_score=0.9)
    np.testing.assert_allclose(scan.hit_fraction, [1 / 3, 1 / 3])
    assert scan.hits_per_kb[0] == pytest.approx(1 / 0.09)  # a palindrome hits both strands at one position: once


def test_hit_counts_group_motifs_of_several_widths_and_skip_longer_ones():
    regions = encode(["AAA" + CRE + "AAA", "C" * 14])
    motifs = [consensus_matrix("cre", CRE), consensus_matrix("kb", KB_SITE), consensus_matrix("long", "A" * 20)]
    assert hit_counts(regions, motifs, 0.9, chunk_size=1).tolist() == [[1, 0, 0], [0, 0, 0]]


def test_motif_scan_refuses_what_it_cannot_scan():
    with pytest.raises(ScaInputError, match="relative_score"):
        scan_motifs(["ACGT"], [consensus_matrix("a", "A")], relative_score=0)
    with pytest.raises(ScaInputError, match="same length"):
        scan_motifs(["ACGT", "ACG"], [consensus_matrix("a", "A")])
    with pytest.raises(ScaInputError, match="longer than the sequences"):
        scan_motifs(["ACG"], [consensus_matrix("cre", CRE)])
