"""Per-gene saturation mutagenesis output: the full table of ISM effects and a heatmap + logo figure per gene.

``ism/<gene_id>.tsv`` has one row per promoter position (``index``: 0-based in the 5'->3' window, as
``window_index`` of ``sca-tf variants``), the observed base ``ref`` and ``delta_A .. delta_T``: the change of the
logit when that base is set to A, C, G or T (0 for the observed base), so the three non-zero entries of each row
are the 3 x L table. ``ism/<gene_id>.png`` draws all of it as a heatmap over the window and, below, the
:data:`LOGO_WIDTH` bases around the strongest position as an attribution logo.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sca_tf import io
from sca_tf.explain.attributions import position_scores
from sca_tf.explain.plots import attribution_logo
from sca_tf.sequence import ALPHABET, decode_bases

LOGO_WIDTH = 60
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def ism_table(effects: np.ndarray, codes: np.ndarray) -> pd.DataFrame:
    """The table of one gene (see the module docstring) from its ``[L, 4]`` effects and ``[L]`` base codes."""
    table = pd.DataFrame({"index": np.arange(len(codes)), "ref": list(decode_bases(codes))})
    for channel, base in enumerate(ALPHABET):
        table[f"delta_{base}"] = np.round(effects[:, channel].astype(np.float64), 6)
    return table


def write_gene_ism(out_dir: Path, gene_ids: list[str], codes: np.ndarray, effects: np.ndarray,
                   encoded: np.ndarray) -> Path:
    """Write ``<gene>.tsv`` and ``<gene>.png`` of every gene into ``out_dir`` (created); returns ``out_dir``."""
    folder = io.ensure_output_dir(out_dir)
    scores = position_scores(effects, encoded, "ism")
    for index, gene in enumerate(gene_ids):
        name = _UNSAFE.sub("_", gene)
        io.write_tsv(ism_table(effects[index], codes[index]), folder / f"{name}.tsv")
        _plot(effects[index], encoded[index], scores[index], gene, folder / f"{name}.png")
    return folder


def _plot(effects: np.ndarray, encoded: np.ndarray, scores: np.ndarray, gene: str, path: Path) -> None:
    length = len(scores)
    width = min(LOGO_WIDTH, length)
    smoothed = np.convolve(np.abs(scores), np.ones(width), mode="valid")
    first = int(np.argmax(smoothed))
    figure = Figure(figsize=(10, 4.2))
    heat, logo = figure.subplots(2, 1, gridspec_kw={"height_ratios": [1.2, 1]})
    limit = max(float(np.abs(effects).max()), 1e-6)
    image = heat.imshow(effects.T, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    heat.set(yticks=range(len(ALPHABET)), yticklabels=list(ALPHABET), xlabel="position in the 5'->3' window",
             title=f"{gene}: in-silico mutagenesis, change of the logit per substitution")
    heat.axvspan(first - 0.5, first + width - 0.5, color="black", alpha=0.08)
    figure.colorbar(image, ax=heat, fraction=0.025, pad=0.01, label="Δ logit")
    span = slice(first, first + width)
    contribution = np.repeat(scores[span, None] / len(ALPHABET), len(ALPHABET), axis=1)
    attribution_logo(logo, contribution, encoded[span], title=f"positions {first}-{first + width - 1}: observed "
                     f"bases scaled by minus the mean effect of their substitutions")
    logo.set_xticks(range(0, width, 10), [str(first + tick) for tick in range(0, width, 10)])
    figure.tight_layout()
    io.write_png(figure, path, dpi=110)
