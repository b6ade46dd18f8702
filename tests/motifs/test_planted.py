"""The planted motifs: one definition, scored alike by the simulator, the quality gate and explain."""

from __future__ import annotations

import numpy as np
import pytest

from sca_tf.motifs.planted import PLANTED_MOTIFS, PlantedMotif, planted_motifs
from sca_tf.motifs.scan import best_hits, scan_motifs
from sca_tf.sequence import encode_bases, one_hot, reverse_complement

CRE = "TGACGTCA"
KB_SITE = "GGGAATTTCC"


def test_planted_motif_matrices_score_their_consensus_as_best() -> None:
    up, down = planted_motifs()
    assert (up.name, down.name) == ("CREB1", "NFKB1")
    assert scan_motifs([CRE + "A" * 12], [up], relative_score=0.95).hit_fraction[0] == 1.0
    assert scan_motifs([KB_SITE + "T" * 10], [down], relative_score=0.95).hit_fraction[0] == 1.0
    assert scan_motifs(["A" * 20], [up, down], relative_score=0.85).hit_fraction.tolist() == [0.0, 0.0]


def degenerate_sites(planted: PlantedMotif) -> list[str]:
    """Every single-base variant of the consensus: sites the simulator keeps or rejects by their score."""
    return [planted.consensus[:i] + base + planted.consensus[i + 1:]
            for i in range(planted.width) for base in "ACGT" if base != planted.consensus[i]]


@pytest.mark.parametrize("planted", PLANTED_MOTIFS, ids=lambda motif: motif.name)
def test_a_planted_site_scores_the_same_for_the_simulator_the_gate_and_explain(planted: PlantedMotif) -> None:
    """The simulator keeps a site by ``PlantedMotif.relative_score``; explain's best hit gives that very score and the
    quality gate's hit threshold falls exactly there (the gate once smoothed the planted matrices on its own)."""
    motif = planted.motif()
    for site in degenerate_sites(planted):
        sequence = site  # one window: flanks of N (scoring 0) could outscore a mismatch
        expected = max(planted.relative_score(site), planted.relative_score(reverse_complement(site)))
        score, start, _ = best_hits(one_hot(encode_bases(sequence))[None], motif.log_odds)
        assert float(score[0]) == pytest.approx(expected, abs=1e-5) and int(start[0]) == 0, site
        assert scan_motifs([sequence], [motif], relative_score=expected).hit_fraction[0] == 1.0, site
        if expected < 0.999:
            assert scan_motifs([sequence], [motif], relative_score=expected + 1e-4).hit_fraction[0] == 0.0, site
    scores = [planted.relative_score(site) for site in degenerate_sites(planted)]
    assert min(scores) < 0.9 < max(scores) < 1.0, "the variants straddle the simulator's default cut-off"


def test_motifs_json_describes_the_matrix() -> None:
    described = PLANTED_MOTIFS[0].to_json()
    assert described["alphabet"] == ["A", "C", "G", "T"] and described["consensus"] == CRE
    np.testing.assert_allclose(described["pfm"], PLANTED_MOTIFS[0].motif().pfm)
