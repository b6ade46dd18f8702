"""The quality gate's report files: ``quality.json`` and its PNG plots (matplotlib's object-oriented API, no
pyplot, so writing a report changes no process-wide backend)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sca_tf.io import ensure_output_dir, write_json, write_png
from sca_tf.synthetic.sets import HELDOUT, SYNTHETIC, TRAIN


def write_quality_report(report: Mapping[str, Any], output_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``quality.json`` and the PNG plots (k-mer JSD, composition, memorisation, motifs) atomically."""
    out = ensure_output_dir(output_dir)
    paths = {
        "kmer_jsd": _plot_kmer_jsd(report, out / "kmer_jsd.png"),
        "composition": _plot_composition(report, out / "composition.png"),
        "memorisation": _plot_memorisation(report, out / "memorisation.png"),
        "motifs": _plot_motifs(report, out / "motifs.png"),
    }
    paths["report"] = write_json(out / "quality.json", dict(report))
    return paths


def _plot_kmer_jsd(report: Mapping[str, Any], path: Path) -> Path:
    section = report["kmer_jsd"]
    figure = Figure(figsize=(10, 4))
    axes = figure.subplots(1, 2, sharey=True)
    for axis, key, title in ((axes[0], "vs_heldout_positives", "vs held-out positives"),
                             (axes[1], "vs_train_positives", "vs training positives")):
        for name, values in section[key].items():
            axis.plot(section["k"], np.maximum(values, 1e-6), marker="o", label=name.replace("_", " "))
        axis.set(yscale="log", xlabel="k", title=f"k-mer spectrum JSD {title}")
        axis.legend(fontsize="small")
    axes[0].set_ylabel("Jensen-Shannon divergence (bits)")
    return write_png(figure, path, dpi=120)


def _plot_composition(report: Mapping[str, Any], path: Path) -> Path:
    figure = Figure(figsize=(11, 4.5))
    axes = figure.subplots(1, 2)
    for axis, feature, label in ((axes[0], "gc", "GC fraction"), (axes[1], "cpg_oe", "CpG observed/expected")):
        per_sequence = report["composition"][feature]["per_sequence"]
        bins = np.histogram_bin_edges(np.concatenate(list(per_sequence.values())), bins=40)
        for name, values in per_sequence.items():
            axis.hist(values, bins=bins, density=True, histtype="step", linewidth=1.5, label=name.replace("_", " "))
        ks = report["composition"][feature]["ks_vs_heldout_positives"][SYNTHETIC]["statistic"]
        axis.set(xlabel=label, ylabel="density", title=f"{label}\nKS synthetic vs held-out positives: {ks:.3f}")
        axis.legend(fontsize="small")
    return write_png(figure, path, dpi=120)


def _plot_memorisation(report: Mapping[str, Any], path: Path) -> Path:
    section = report["memorisation"]["per_sequence"]
    figure = Figure(figsize=(6, 4))
    axis = figure.subplots()
    bins = np.linspace(0, 1, 51)
    axis.hist(section["synthetic"], bins=bins, density=True, alpha=0.6, label="synthetic")
    axis.hist(section["heldout_positives"], bins=bins, density=True, alpha=0.6, label="held-out positives")
    axis.axvline(report["thresholds"]["copy_identity"], color="black", linestyle="--", label="copy threshold")
    axis.set(xlabel="max identity to a training positive", ylabel="density", title="Memorisation")
    axis.legend(fontsize="small")
    return write_png(figure, path, dpi=120)


def _plot_motifs(report: Mapping[str, Any], path: Path) -> Path:
    per_motif = report["motifs"]["per_motif"]
    figure = Figure(figsize=(5, 5))
    axis = figure.subplots()
    heldout = [m[HELDOUT] for m in per_motif]
    axis.scatter(heldout, [m[TRAIN] for m in per_motif], s=6, alpha=0.5, label="training positives")
    axis.scatter(heldout, [m[SYNTHETIC] for m in per_motif], s=6, alpha=0.5, label="synthetic")
    axis.plot([0, 1], [0, 1], color="black", linewidth=0.8)
    mad = report["motifs"]["mad_vs_heldout_positives"][SYNTHETIC]
    axis.set(xlabel="hit rate, held-out positives", ylabel="hit rate", xlim=(0, 1), ylim=(0, 1),
             title=f"Motif hit rates ({report['motifs']['n_motifs']} motifs; MAD {mad:.3f})")
    axis.legend(fontsize="small")
    return write_png(figure, path, dpi=120)
