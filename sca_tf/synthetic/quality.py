"""Quality gate for generated promoters: are they like real positives, new, and usable for augmentation?

:func:`assess` compares a synthetic set with the real training positives (what the generator saw) and with
held-out real positives (what it should generalise to), and puts every figure beside reference points that give
it a scale:

* **k-mer spectra** (k = 1..6): Jensen-Shannon divergence (bits) of the pooled k-mer frequencies. References:
  the real training positives themselves (sampling floor), the real positives with each sequence's bases
  shuffled (composition kept, order destroyed) and real held-out negatives (the other class).
* **composition**: GC fraction and CpG observed/expected per sequence; two-sample Kolmogorov-Smirnov statistic.

The k-mer, GC and CpG gates have an absolute limit and a sampling floor: a set also passes when it is within
``max_floor_ratio`` of the training positives' own figure against the same held-out positives. With few held-out
positives (e.g. 32 of 300 bp) the figures of real positives themselves exceed the absolute limits (KS noise
alone is ~0.2), and a gate that rejects real data measures the held-out set's size, not the generator.
* **memorisation**: each synthetic sequence's highest position-by-position identity to any training sequence
  (ungapped; all sequences share the window, so a copied promoter would sit at the same offsets). Reference:
  the same figure for held-out real positives.
* **discriminability**: cross-validated AUROC of a small logistic-regression classifier (k-mer frequencies up to
  k = 4, GC and CpG o/e, GC in 10 bins along the sequence) trained to tell synthetic from held-out real
  positives (0.5: indistinguishable). Reference: training vs held-out real positives.
* **motif content**: share of sequences with a JASPAR (CORE vertebrates) motif hit, per motif; mean absolute
  difference (MAD) between synthetic and held-out positives. Reference: training vs held-out positives, the
  sampling floor; the gate is the ratio of the two.
* **planted motifs** (simulated data, optional): hit rates of the motifs planted by ``sca-tf simulate`` in the
  synthetic set vs the training positives.

Each gate in :class:`QualityThresholds` gives ``passed`` true or false; a synthetic set is meant for augmentation
only when every check passes (``report["passed"]``).

>>> report = assess(synthetic, train_pos, heldout_pos, heldout_neg, QualityThresholds())  # doctest: +SKIP
>>> write_quality_report(report, "out/quality")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import ks_2samp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sca_tf.errors import ScaInputError, reject_unknown_keys
from sca_tf.evaluate.baselines import kmer_frequencies
from sca_tf.io import atomic_path, ensure_output_dir, write_json
from sca_tf.motifs.scan import ScoringMatrix, jaspar_matrices, jaspar_release, scan_motifs
from sca_tf.sequence import codes_of, cpg_observed_expected, gc_fraction, one_hot

KMER_SIZES = (1, 2, 3, 4, 5, 6)
SYNTHETIC, TRAIN, HELDOUT, NEGATIVES, SHUFFLED = (
    "synthetic", "train_positives", "heldout_positives", "heldout_negatives", "shuffled_positives",
)
_DISCRIMINATOR_K = (1, 2, 3, 4)
_GC_BINS = 10


@dataclasses.dataclass(frozen=True)
class QualityThresholds:
    """The gates a synthetic set must pass to be used for augmentation (all configurable, all in the report).

    Attributes:
        kmer_k: k at which the k-mer gate is applied.
        max_kmer_jsd_ratio: JSD(synthetic, held-out positives) / JSD(shuffled positives, held-out positives)
            at ``kmer_k``: the synthetic spectrum must be this much closer than a composition-matched shuffle.
        max_gc_ks, max_cpg_ks: largest KS statistic of GC fraction / CpG o/e vs held-out positives.
        max_floor_ratio: the k-mer, GC and CpG gates also pass up to this multiple of the training positives' own
            figure against the held-out positives (the sampling floor at this many held-out sequences).
        copy_identity: identity to a training sequence at or above which a synthetic sequence counts as a copy.
        max_copy_fraction: largest share of copies allowed.
        max_discriminator_auroc: largest cross-validated AUROC of the real-vs-synthetic classifier.
        max_motif_mad_ratio: mean absolute difference of per-motif hit rates vs held-out positives, relative to the
            same figure for the training positives (the sampling floor at this many sequences).
        max_planted_rate_difference: largest absolute difference of a planted motif's hit rate vs the training
            positives (simulated data only).
        motif_relative_score: relative PWM score of a motif hit (0.85 = 85 % of the way from worst to best).
        motif_sequences: sequences per set scanned for motifs (a seeded subsample; scanning is the slow part).
    """

    kmer_k: int = 6
    max_kmer_jsd_ratio: float = 0.5
    max_gc_ks: float = 0.15
    max_cpg_ks: float = 0.15
    max_floor_ratio: float = 1.5
    copy_identity: float = 0.95
    max_copy_fraction: float = 0.01
    max_discriminator_auroc: float = 0.75
    max_motif_mad_ratio: float = 1.5
    max_planted_rate_difference: float = 0.10
    motif_relative_score: float = 0.85
    motif_sequences: int = 250

    def __post_init__(self) -> None:
        if self.kmer_k not in KMER_SIZES:
            raise ScaInputError(f"quality threshold kmer_k: expected one of {KMER_SIZES}, got {self.kmer_k!r}")
        for field in ("max_gc_ks", "max_cpg_ks", "copy_identity", "max_copy_fraction", "max_discriminator_auroc",
                      "max_planted_rate_difference", "motif_relative_score"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ScaInputError(f"quality threshold {field}: expected a number in [0, 1], got {value!r}")
        for field in ("max_kmer_jsd_ratio", "max_floor_ratio", "max_motif_mad_ratio"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ScaInputError(f"quality threshold {field}: expected a number > 0, got {value!r}")
        sequences = self.motif_sequences
        if isinstance(sequences, bool) or not isinstance(sequences, int) or sequences < 2:
            raise ScaInputError(f"quality threshold motif_sequences: expected an integer >= 2, got {sequences!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, where: str = "thresholds") -> QualityThresholds:
        """Thresholds from a mapping (e.g. a JSON config); unknown names raise ``ScaInputError`` listing the known."""
        known = sorted(field.name for field in dataclasses.fields(cls))
        reject_unknown_keys(values, known, f"{where}: unknown threshold(s)", expected="expected any of")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ---------------------------------------------------------------------------------------------- metrics
def kmer_spectrum(sequences: Sequence[str], k: int) -> np.ndarray:
    """Pooled k-mer frequencies ``[4**k]`` (A<C<G<T order): the mean of the per-sequence frequencies.

    With sequences of one length and no ``N`` this equals counting all k-mers together.
    """
    return kmer_frequencies(sequences, k).astype(np.float64).mean(axis=0)


def jensen_shannon(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits (0 for identical distributions, at most 1); inputs are normalised."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.shape != q.shape or p.sum() <= 0 or q.sum() <= 0 or (p < 0).any() or (q < 0).any():
        raise ScaInputError("Jensen-Shannon divergence needs two non-negative, non-empty vectors of the same shape")
    p, q = p / p.sum(), q / q.sum()
    middle = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        present = a > 0
        return float(np.sum(a[present] * np.log2(a[present] / middle[present])))

    return max(0.0, (kl(p) + kl(q)) / 2)


def kmer_jsd(first: Sequence[str], second: Sequence[str], sizes: Sequence[int] = KMER_SIZES) -> list[float]:
    """JSD (bits) between the k-mer spectra of two sets, one value per k in ``sizes``."""
    return [jensen_shannon(kmer_spectrum(first, k), kmer_spectrum(second, k)) for k in sizes]


def shuffle_sequences(sequences: Sequence[str], seed: int = 0) -> list[str]:
    """Each sequence with its bases randomly permuted (composition kept, order destroyed); seeded."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(np.frombuffer(s.encode("ascii"), dtype=np.uint8)).tobytes().decode("ascii")
            for s in sequences]


def composition(sequences: Sequence[str]) -> dict[str, np.ndarray]:
    """Per-sequence GC fraction and CpG observed/expected."""
    return {
        "gc": np.array([gc_fraction(s) for s in sequences]),
        "cpg_oe": np.array([cpg_observed_expected(s) for s in sequences]),
    }


def max_identity(queries: Sequence[str], references: Sequence[str],
                 chunk_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """For each query, the highest fraction of identical positions to any reference, and that reference's index.

    Ungapped and position by position (queries and references must share one length); ``N`` matches nothing.
    """
    length = _common_length({"queries": queries, "references": references})
    reference = _one_hot_flat(references)
    best = np.empty(len(queries))
    nearest = np.empty(len(queries), dtype=np.int64)
    for start in range(0, len(queries), chunk_size):
        matches = _one_hot_flat(queries[start : start + chunk_size]) @ reference.T
        best[start : start + matches.shape[0]] = matches.max(axis=1) / length
        nearest[start : start + matches.shape[0]] = matches.argmax(axis=1)
    return best, nearest


def discriminator_auroc(real: Sequence[str], other: Sequence[str], *, seed: int = 0, folds: int = 5) -> float:
    """Cross-validated AUROC of a logistic regression telling ``other`` (1) from ``real`` (0); 0.5 = no difference.

    The larger set is subsampled (seeded) to the size of the smaller, so both classes weigh the same.
    """
    rng = np.random.default_rng(seed)
    size = min(len(real), len(other))
    if size < 2:
        raise ScaInputError(f"discriminability needs at least 2 sequences per set, got {len(real)} and {len(other)}")
    real, other = _subsample(real, size, rng), _subsample(other, size, rng)
    features = _discriminator_features(list(real) + list(other))
    labels = np.r_[np.zeros(size), np.ones(size)]
    splitter = StratifiedKFold(n_splits=min(folds, size), shuffle=True, random_state=seed)
    classifier = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    scores = cross_val_predict(classifier, features, labels, cv=splitter, method="predict_proba")[:, 1]
    return float(roc_auc_score(labels, scores))


def _discriminator_features(sequences: Sequence[str]) -> np.ndarray:
    kmers = kmer_frequencies(sequences, _DISCRIMINATOR_K)
    values = composition(sequences)
    binned_gc = np.array([[gc_fraction(piece) for piece in _pieces(s, _GC_BINS)] for s in sequences])
    return np.column_stack([kmers, values["gc"], values["cpg_oe"], binned_gc])


def _pieces(sequence: str, count: int) -> list[str]:
    edges = np.linspace(0, len(sequence), count + 1).astype(int)
    return [sequence[a:b] for a, b in zip(edges[:-1], edges[1:])]


# ---------------------------------------------------------------------------------------------- the gate
def assess(
    synthetic: Sequence[str],
    train_positives: Sequence[str],
    heldout_positives: Sequence[str],
    heldout_negatives: Sequence[str],
    thresholds: QualityThresholds | None = None,
    *,
    motifs: Sequence[ScoringMatrix] | None = None,
    planted_motifs: Sequence[ScoringMatrix] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Compare ``synthetic`` with the real sets and apply ``thresholds``; return the JSON-ready report.

    All sets must be non-empty ``ACGTN`` strings of one length. ``motifs`` defaults to JASPAR CORE vertebrates
    (pyjaspar); ``planted_motifs`` (e.g. :func:`sca_tf.motifs.scan.planted_matrices` on data from
    ``sca-tf simulate``) adds the planted-rate check. ``seed`` fixes every subsample, shuffle and CV split.
    """
    thresholds = thresholds or QualityThresholds()
    sets = {SYNTHETIC: list(synthetic), TRAIN: list(train_positives), HELDOUT: list(heldout_positives),
            NEGATIVES: list(heldout_negatives)}
    length = _common_length(sets)
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    size = len(sets[SYNTHETIC])
    matched = {name: _subsample(values, size, rng) for name, values in sets.items() if name != SYNTHETIC}
    matched[SHUFFLED] = shuffle_sequences(matched[TRAIN], seed)
    matched[SYNTHETIC] = sets[SYNTHETIC]

    report: dict[str, Any] = {
        "sizes": {name: len(values) for name, values in sets.items()},
        "sequence_length": length,
        "seed": seed,
        "thresholds": thresholds.to_dict(),
        "kmer_jsd": _kmer_section(matched, shuffled_heldout=shuffle_sequences(matched[HELDOUT], seed + 1)),
        "composition": _composition_section(sets, matched[SHUFFLED]),
        "memorisation": _memorisation_section(sets, thresholds.copy_identity),
        "discriminability": {
            "classifier": "logistic regression on k-mer (k<=4), GC, CpG o/e and 10-bin GC profile; "
                          "5-fold cross-validated, classes size-matched",
            "synthetic_vs_heldout_positives": discriminator_auroc(sets[HELDOUT], sets[SYNTHETIC], seed=seed),
            "synthetic_vs_train_positives": discriminator_auroc(sets[TRAIN], sets[SYNTHETIC], seed=seed),
            "reference_train_vs_heldout_positives": discriminator_auroc(sets[HELDOUT], sets[TRAIN], seed=seed),
            "reference_negatives_vs_heldout_positives": discriminator_auroc(sets[HELDOUT], sets[NEGATIVES], seed=seed),
        },
    }
    report["motifs"] = _motif_section(sets, motifs, thresholds, rng)
    if planted_motifs:
        report["planted_motifs"] = _planted_section(sets, planted_motifs, thresholds)
    report["checks"] = _checks(report, thresholds)
    report["passed"] = all(check["passed"] for check in report["checks"])
    report["seconds"] = round(time.perf_counter() - began, 2)
    return report


def _kmer_section(matched: dict[str, list[str]], shuffled_heldout: list[str]) -> dict[str, Any]:
    versus_heldout = {name: kmer_jsd(matched[name], matched[HELDOUT])
                      for name in (SYNTHETIC, TRAIN, SHUFFLED, NEGATIVES)}
    versus_train = {name: kmer_jsd(values, matched[TRAIN])
                    for name, values in ((SYNTHETIC, matched[SYNTHETIC]), (HELDOUT, matched[HELDOUT]),
                                         (SHUFFLED, shuffled_heldout), (NEGATIVES, matched[NEGATIVES]))}
    return {
        "k": list(KMER_SIZES),
        "unit": "bits",
        "note": "every set subsampled to the synthetic set's size; shuffled = real positives of the other set "
                "with bases permuted within each sequence",
        "vs_heldout_positives": versus_heldout,
        "vs_train_positives": versus_train,
    }


def _composition_section(sets: dict[str, list[str]], shuffled: list[str]) -> dict[str, Any]:
    values = {name: composition(sequences) for name, sequences in sets.items()}
    values[SHUFFLED] = composition(shuffled)
    section: dict[str, Any] = {}
    for feature in ("gc", "cpg_oe"):
        section[feature] = {
            "summary": {name: _summary(per[feature]) for name, per in values.items()},
            "ks_vs_heldout_positives": {name: _ks(values[name][feature], values[HELDOUT][feature])
                                        for name in (SYNTHETIC, TRAIN, SHUFFLED, NEGATIVES)},
            "ks_vs_train_positives": {name: _ks(values[name][feature], values[TRAIN][feature])
                                      for name in (SYNTHETIC, HELDOUT, SHUFFLED, NEGATIVES)},
            "per_sequence": {name: _rounded(values[name][feature]) for name in (SYNTHETIC, TRAIN, HELDOUT)},
        }
    return section


def _memorisation_section(sets: dict[str, list[str]], copy_identity: float) -> dict[str, Any]:
    synthetic, nearest = max_identity(sets[SYNTHETIC], sets[TRAIN])
    heldout, _ = max_identity(sets[HELDOUT], sets[TRAIN])
    return {
        "method": "ungapped position-by-position identity to the closest training positive",
        "synthetic": {**_summary(synthetic), "copy_fraction": float(np.mean(synthetic >= copy_identity))},
        "reference_heldout_positives": {**_summary(heldout), "copy_fraction": float(np.mean(heldout >= copy_identity))},
        "per_sequence": {"synthetic": _rounded(synthetic), "synthetic_nearest_train_index": nearest.tolist(),
                         "heldout_positives": _rounded(heldout)},
    }


def _motif_section(sets: dict[str, list[str]], motifs: Sequence[ScoringMatrix] | None,
                   thresholds: QualityThresholds, rng: np.random.Generator) -> dict[str, Any]:
    source = "custom"
    if motifs is None:
        motifs, source = jaspar_matrices(), f"{jaspar_release()} CORE vertebrates (pyjaspar)"
    rates = {}
    for name, sequences in sets.items():
        sample = _subsample(sequences, thresholds.motif_sequences, rng)
        rates[name] = scan_motifs(sample, motifs, relative_score=thresholds.motif_relative_score).hit_fraction
    synthetic, heldout = rates[SYNTHETIC], rates[HELDOUT]
    return {
        "source": source,
        "relative_score": thresholds.motif_relative_score,
        "n_motifs": len(motifs),
        "sequences_scanned_per_set": {name: min(len(s), thresholds.motif_sequences) for name, s in sets.items()},
        "mad_vs_heldout_positives": {name: float(np.mean(np.abs(rates[name] - heldout)))
                                     for name in (SYNTHETIC, TRAIN, NEGATIVES)},
        "pearson_vs_heldout_positives": {name: _pearson(rates[name], heldout)
                                         for name in (SYNTHETIC, TRAIN, NEGATIVES)},
        "per_motif": [
            {"matrix_id": motif.matrix_id, "name": motif.name,
             **{name: round(float(values[i]), 4) for name, values in rates.items()}}
            for i, motif in enumerate(motifs)
        ],
        "largest_differences": [
            {"matrix_id": motifs[i].matrix_id, "name": motifs[i].name, "synthetic": float(synthetic[i]),
             "heldout_positives": float(heldout[i])}
            for i in np.argsort(-np.abs(synthetic - heldout))[:10]
        ],
    }


def _planted_section(sets: dict[str, list[str]], planted: Sequence[ScoringMatrix],
                     thresholds: QualityThresholds) -> dict[str, Any]:
    scans = {name: scan_motifs(sets[name], planted, relative_score=thresholds.motif_relative_score).hit_fraction
             for name in (SYNTHETIC, TRAIN, HELDOUT, NEGATIVES)}
    return {
        "relative_score": thresholds.motif_relative_score,
        "per_motif": [
            {"matrix_id": motif.matrix_id, "name": motif.name,
             **{name: float(scans[name][i]) for name in scans},
             "difference_vs_train": float(scans[SYNTHETIC][i] - scans[TRAIN][i])}
            for i, motif in enumerate(planted)
        ],
    }


def _checks(report: dict[str, Any], thresholds: QualityThresholds) -> list[dict[str, Any]]:
    k_index = KMER_SIZES.index(thresholds.kmer_k)
    jsd = report["kmer_jsd"]["vs_heldout_positives"]
    motif_mad = report["motifs"]["mad_vs_heldout_positives"]
    shuffled_jsd = jsd[SHUFFLED][k_index]
    ks = {feature: report["composition"][feature]["ks_vs_heldout_positives"] for feature in ("gc", "cpg_oe")}
    factor = thresholds.max_floor_ratio
    checks = [
        _floored_check(f"kmer_jsd_ratio_k{thresholds.kmer_k}", _ratio(jsd[SYNTHETIC][k_index], shuffled_jsd),
                       thresholds.max_kmer_jsd_ratio, _ratio(jsd[TRAIN][k_index], shuffled_jsd), factor,
                       "k-mer JSD to held-out positives, relative to a composition-matched shuffle"),
        _floored_check("gc_ks", ks["gc"][SYNTHETIC]["statistic"], thresholds.max_gc_ks, ks["gc"][TRAIN]["statistic"],
                       factor, "KS statistic of GC fraction vs held-out positives"),
        _floored_check("cpg_oe_ks", ks["cpg_oe"][SYNTHETIC]["statistic"], thresholds.max_cpg_ks,
                       ks["cpg_oe"][TRAIN]["statistic"], factor, "KS statistic of CpG o/e vs held-out positives"),
        _check("copy_fraction", report["memorisation"]["synthetic"]["copy_fraction"], thresholds.max_copy_fraction,
               f"share of synthetic sequences >= {thresholds.copy_identity:.0%} identical to a training sequence"),
        _check("discriminator_auroc", report["discriminability"]["synthetic_vs_heldout_positives"],
               thresholds.max_discriminator_auroc, "AUROC of a real-vs-synthetic classifier (0.5 = indistinguishable)"),
        _check("motif_mad_ratio", _ratio(motif_mad[SYNTHETIC], motif_mad[TRAIN]), thresholds.max_motif_mad_ratio,
               "per-motif hit-rate difference to held-out positives, relative to the training positives' difference"),
    ]
    for motif in report.get("planted_motifs", {}).get("per_motif", []):
        checks.append(_check(f"planted_{motif['name']}_rate_difference", abs(motif["difference_vs_train"]),
                             thresholds.max_planted_rate_difference,
                             f"|hit rate of planted motif {motif['name']} - its rate in training positives|"))
    return checks


def _ratio(value: float, reference: float) -> float:
    """``value / reference``; 0 when both are 0, infinite when only the reference is."""
    if reference > 0:
        return value / reference
    return 0.0 if value == 0 else math.inf


def _check(name: str, value: float, threshold: float, description: str) -> dict[str, Any]:
    return {"name": name, "value": float(value), "threshold": float(threshold), "passed": bool(value <= threshold),
            "description": description}


def _floored_check(name: str, value: float, absolute: float, floor: float, factor: float,
                   description: str) -> dict[str, Any]:
    """A check whose limit is the larger of ``absolute`` and ``factor`` x the real training positives' ``floor``."""
    check = _check(name, value, max(absolute, factor * floor),
                   f"{description} (limit: the larger of {absolute:g} and {factor:g} x the training positives' "
                   f"own figure)")
    return {**check, "absolute_threshold": float(absolute), "training_positives_value": float(floor)}


# ---------------------------------------------------------------------------------------------- report files
def write_quality_report(report: Mapping[str, Any], output_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``quality.json`` and the PNG plots (k-mer JSD, composition, memorisation, motifs) atomically."""
    import matplotlib  # noqa: PLC0415 - plotting only when writing a report

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt  # noqa: PLC0415

    out = ensure_output_dir(output_dir)
    paths = {
        "kmer_jsd": _plot_kmer_jsd(plt, report, out / "kmer_jsd.png"),
        "composition": _plot_composition(plt, report, out / "composition.png"),
        "memorisation": _plot_memorisation(plt, report, out / "memorisation.png"),
        "motifs": _plot_motifs(plt, report, out / "motifs.png"),
    }
    paths["report"] = write_json(out / "quality.json", dict(report))
    return paths


def _plot_kmer_jsd(plt: Any, report: Mapping[str, Any], path: Path) -> Path:
    section = report["kmer_jsd"]
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for axis, key, title in ((axes[0], "vs_heldout_positives", "vs held-out positives"),
                             (axes[1], "vs_train_positives", "vs training positives")):
        for name, values in section[key].items():
            axis.plot(section["k"], np.maximum(values, 1e-6), marker="o", label=name.replace("_", " "))
        axis.set(yscale="log", xlabel="k", title=f"k-mer spectrum JSD {title}")
        axis.legend(fontsize="small")
    axes[0].set_ylabel("Jensen-Shannon divergence (bits)")
    return _save(plt, figure, path)


def _plot_composition(plt: Any, report: Mapping[str, Any], path: Path) -> Path:
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for axis, feature, label in ((axes[0], "gc", "GC fraction"), (axes[1], "cpg_oe", "CpG observed/expected")):
        per_sequence = report["composition"][feature]["per_sequence"]
        bins = np.histogram_bin_edges(np.concatenate(list(per_sequence.values())), bins=40)
        for name, values in per_sequence.items():
            axis.hist(values, bins=bins, density=True, histtype="step", linewidth=1.5, label=name.replace("_", " "))
        ks = report["composition"][feature]["ks_vs_heldout_positives"][SYNTHETIC]["statistic"]
        axis.set(xlabel=label, ylabel="density", title=f"{label}\nKS synthetic vs held-out positives: {ks:.3f}")
        axis.legend(fontsize="small")
    return _save(plt, figure, path)


def _plot_memorisation(plt: Any, report: Mapping[str, Any], path: Path) -> Path:
    section = report["memorisation"]["per_sequence"]
    figure, axis = plt.subplots(figsize=(6, 4))
    bins = np.linspace(0, 1, 51)
    axis.hist(section["synthetic"], bins=bins, density=True, alpha=0.6, label="synthetic")
    axis.hist(section["heldout_positives"], bins=bins, density=True, alpha=0.6, label="held-out positives")
    axis.axvline(report["thresholds"]["copy_identity"], color="black", linestyle="--", label="copy threshold")
    axis.set(xlabel="max identity to a training positive", ylabel="density", title="Memorisation")
    axis.legend(fontsize="small")
    return _save(plt, figure, path)


def _plot_motifs(plt: Any, report: Mapping[str, Any], path: Path) -> Path:
    per_motif = report["motifs"]["per_motif"]
    figure, axis = plt.subplots(figsize=(5, 5))
    heldout = [m[HELDOUT] for m in per_motif]
    axis.scatter(heldout, [m[TRAIN] for m in per_motif], s=6, alpha=0.5, label="training positives")
    axis.scatter(heldout, [m[SYNTHETIC] for m in per_motif], s=6, alpha=0.5, label="synthetic")
    axis.plot([0, 1], [0, 1], color="black", linewidth=0.8)
    mad = report["motifs"]["mad_vs_heldout_positives"][SYNTHETIC]
    axis.set(xlabel="hit rate, held-out positives", ylabel="hit rate", xlim=(0, 1), ylim=(0, 1),
             title=f"Motif hit rates ({report['motifs']['n_motifs']} motifs; MAD {mad:.3f})")
    axis.legend(fontsize="small")
    return _save(plt, figure, path)


def _save(plt: Any, figure: Any, path: Path) -> Path:
    with atomic_path(path, suffix=".png") as tmp:
        figure.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    plt.close(figure)
    return path


# ---------------------------------------------------------------------------------------------- helpers
def _common_length(sets: Mapping[str, Sequence[str]]) -> int:
    lengths: dict[int, str] = {}
    for name, sequences in sets.items():
        if len(sequences) == 0:
            raise ScaInputError(f"{name}: no sequences")
        for index, sequence in enumerate(sequences, start=1):
            lengths.setdefault(len(sequence), f"{name} sequence {index}")
    if len(lengths) > 1:
        described = ", ".join(f"{length} bases ({where})" for length, where in lengths.items())
        raise ScaInputError(f"all sequences must have one length to be compared; found {described}")
    return next(iter(lengths))


def _one_hot_flat(sequences: Sequence[str]) -> np.ndarray:
    """Flattened one-hot ``[n, 4 * length]`` of equal-length sequences; letters other than ACGT give zeros."""
    codes = codes_of("".join(sequences), unknown_as_n=True)
    return one_hot(codes).reshape(len(sequences), -1)


def _subsample(sequences: Sequence[str], size: int, rng: np.random.Generator) -> list[str]:
    if len(sequences) <= size:
        return list(sequences)
    return [sequences[i] for i in np.sort(rng.choice(len(sequences), size, replace=False))]


def _summary(values: np.ndarray) -> dict[str, float]:
    return {"mean": float(np.mean(values)), "sd": float(np.std(values)), "median": float(np.median(values)),
            "p95": float(np.percentile(values, 95)), "max": float(np.max(values))}


def _ks(first: np.ndarray, second: np.ndarray) -> dict[str, float]:
    result = ks_2samp(first, second)
    return {"statistic": float(result.statistic), "pvalue": float(result.pvalue)}


def _pearson(first: np.ndarray, second: np.ndarray) -> float | None:
    if np.std(first) == 0 or np.std(second) == 0:
        return None
    return float(np.corrcoef(first, second)[0, 1])


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(value), 4) for value in values]
