"""Sequence-logo style figures drawn with matplotlib alone (letters stretched to their height).

* :func:`attribution_logo`: one window's attribution per position, the observed base drawn up (raises P(DE))
  or down (lowers it), as in DeepLIFT / TF-MoDISco figures.
* :func:`motif_logo`: a frequency matrix as an information-content logo (bits).
* :func:`plot_top_windows` / :func:`plot_motifs`: several of them stacked into one PNG.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch
from matplotlib.textpath import TextPath
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Affine2D

from sca_tf import io
from sca_tf.motifs import pwm
from sca_tf.sequence import ALPHABET

BASE_COLOURS = {"A": "#109648", "C": "#255C99", "G": "#F7B32B", "T": "#D62839"}
_FONT = FontProperties(family="DejaVu Sans", weight="bold")
_GLYPHS = {base: TextPath((0, 0), base, size=1, prop=_FONT) for base in ALPHABET}


def draw_letter(ax: Axes, base: str, x: float, bottom: float, height: float, width: float = 0.95) -> None:
    """Draw ``base`` filling the box ``[x - width/2, x + width/2] x [bottom, bottom + height]``."""
    if height == 0:
        return
    glyph = _GLYPHS[base]
    extent = glyph.get_extents()
    transform = (Affine2D().translate(-extent.x0, -extent.y0)
                 .scale(width / extent.width, height / extent.height)
                 .translate(x - width / 2, bottom))
    ax.add_patch(PathPatch(transform.transform_path(glyph), facecolor=BASE_COLOURS[base], edgecolor="none"))


def attribution_logo(ax: Axes, attributions: np.ndarray, one_hot: np.ndarray, title: str = "") -> None:
    """Plot ``[width, 4]`` attributions of one window: each observed base scaled by its position's contribution."""
    heights = np.asarray(attributions).sum(axis=1)
    for position, (height, row) in enumerate(zip(heights, np.asarray(one_hot))):
        if row.max() > 0:
            base = ALPHABET[int(row.argmax())]
            draw_letter(ax, base, position, min(height, 0.0), abs(float(height)))
    limit = max(float(np.abs(heights).max()), 1e-6) * 1.1
    ax.set(xlim=(-0.5, len(heights) - 0.5), ylim=(min(-limit * 0.25, float(heights.min()) * 1.1), limit),
           ylabel="attribution")
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=9, loc="left")


def motif_logo(ax: Axes, pfm: np.ndarray, title: str = "") -> None:
    """Plot a frequency matrix as an information-content logo, the likeliest base on top."""
    pfm = np.asarray(pfm)
    for position, (row, bits) in enumerate(zip(pfm, pwm.information_content(pfm))):
        bottom = 0.0
        for channel in np.argsort(row):
            height = float(row[channel] * bits)
            draw_letter(ax, ALPHABET[channel], position, bottom, height)
            bottom += height
    ax.set(xlim=(-0.5, len(pfm) - 0.5), ylim=(0, 2), ylabel="bits")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=9, loc="left")


def plot_top_windows(
    attributions: Sequence[np.ndarray], one_hots: Sequence[np.ndarray], titles: Sequence[str],
    path: str | os.PathLike[str],
) -> Path:
    """One attribution logo per window, stacked, saved as PNG (atomically)."""
    return _stacked(path, len(titles), lambda ax, i: attribution_logo(ax, attributions[i], one_hots[i], titles[i]))


def plot_motifs(pfms: Sequence[np.ndarray], titles: Sequence[str], path: str | os.PathLike[str]) -> Path:
    """One information-content logo per motif, stacked, saved as PNG (atomically)."""
    return _stacked(path, len(titles), lambda ax, i: motif_logo(ax, pfms[i], titles[i]))


def _stacked(path: str | os.PathLike[str], n: int, draw: Callable[[Axes, int], None]) -> Path:
    figure = Figure(figsize=(8, 1.6 * max(n, 1)))
    axes = figure.subplots(max(n, 1), 1, squeeze=False)
    for index, ax in enumerate(axes[:, 0]):
        if index < n:
            draw(ax, index)
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "nothing to show", ha="center", va="center")
        ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return io.write_png(figure, path, dpi=110)
