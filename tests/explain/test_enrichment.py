"""Motif enrichment of predicted up / down genes against the not-DE background."""

from __future__ import annotations

import numpy as np
import pytest

from sca_tf.errors import ScaInputError
from sca_tf.explain import motif_enrichment
from sca_tf.motifs.pwm import Motif


def test_enrichment_ranks_the_motif_carried_by_the_group_first():
    motifs = [Motif(f"M{i}", f"TF{i}", "class", "family", np.full((6, 4), 0.25)) for i in range(3)]
    groups = np.array(["up"] * 20 + ["down"] * 20 + ["not_de"] * 60 + [""] * 5)
    hits = np.zeros((len(groups), 3), bool)
    hits[:18, 1] = True  # up genes carry TF1
    hits[20:30, 2] = True  # half the down genes carry TF2
    hits[40:46, 1] = hits[40:46, 2] = True  # a few background genes carry both
    hits[:, 0] = True  # TF0 is everywhere
    table = motif_enrichment(hits, groups, motifs)
    up, down = table[table["group"] == "up"], table[table["group"] == "down"]
    assert up.iloc[0]["name"] == "TF1" and down.iloc[0]["name"] == "TF2"
    assert up.iloc[0]["genes_with_hit"] == 18 and up.iloc[0]["background_with_hit"] == 6
    assert up.iloc[0]["qvalue"] < 1e-6 and up.set_index("name").loc["TF0", "pvalue"] == pytest.approx(1.0)
    with pytest.raises(ScaInputError, match="no 'not_de' genes"):
        motif_enrichment(hits[:40], groups[:40], motifs)
