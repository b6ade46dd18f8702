"""De novo motif discovery from the top windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from explain.explain_data import encode, random_dna

from sca_tf.explain import discover_motifs
from sca_tf.motifs import pwm
from sca_tf.motifs.planted import UP_MOTIF


def test_discovery_recovers_a_planted_kmer_from_foreground_windows():
    rng = np.random.default_rng(3)
    promoters = random_dna(rng, 120, 60)
    for index in range(60):  # the first 60 promoters carry a site in their window
        site = UP_MOTIF.consensus
        promoters[index] = promoters[index][:25] + site + promoters[index][25 + len(site):]
    windows = pd.DataFrame({"sequence_index": np.arange(120), "start": 20, "end": 40})
    motifs = discover_motifs(encode(promoters), promoters, windows[:60].reset_index(drop=True),
                             windows[60:].reset_index(drop=True), group="up", n_motifs=2, flank=3)
    assert motifs, "nothing discovered"
    assert pwm.similarity(np.array(UP_MOTIF.pfm), motifs[0].pfm)[0] > 0.8
    assert motifs[0].foreground_hits >= 58 and motifs[0].background_hits <= 10
    assert len(motifs) == 1, "random background should not yield a second significant motif"
