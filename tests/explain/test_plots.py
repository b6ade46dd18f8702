"""Attribution and motif logos."""

from __future__ import annotations

import numpy as np
from explain.explain_data import encode
from matplotlib.figure import Figure

from sca_tf.explain import plots
from sca_tf.motifs.planted import UP_MOTIF


def test_logos_draw_one_letter_per_informative_position(tmp_path):
    x = encode(["ACGTNACGTA"])[0]
    attributions = x * np.array([-1, -0.5, 0, 0.5, 1, 0.7, 0.2, 0.3, 0.4, 0.5])[:, None]
    ax = Figure().subplots()
    plots.attribution_logo(ax, attributions, x)
    assert len(ax.patches) == 8  # N and the zero-height position draw nothing
    ax = Figure().subplots()
    plots.motif_logo(ax, np.array(UP_MOTIF.pfm))
    assert len(ax.patches) == 4 * UP_MOTIF.width
    path = plots.plot_motifs([np.array(UP_MOTIF.pfm)], ["up"], tmp_path / "logo.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
