"""Reference predictors scored exactly like the deep models: prevalence, GC/CpG, k-mers and baseMean.

Each is fit on the training split, has its regularisation and decision threshold chosen on the validation
split, and is scored once on the test split. Inputs are plain sequences, 0/1 labels and (optionally) DESeq2
baseMean values, so the baselines run without TensorFlow or the TFDS dataset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.metrics import ModelEvaluation, as_binary_labels, evaluate_scores
from sca_tf.sequence import N_CODE, codes_of, cpg_observed_expected, decode_bases, gc_fraction

MAX_K = 6
DEFAULT_K = (4, 5, 6)
DEFAULT_CS = (0.01, 0.1, 1.0)
CONFOUNDER_NOTE = (
    "expression-level confounder, not a sequence model: baseMean comes from the same counts that define the "
    "labels, so this row shows how much expression level alone predicts DE"
)



@dataclasses.dataclass
class LabelledSequences:
    """One split: promoter sequences, 0/1 DE labels and optionally each gene's DESeq2 baseMean."""

    sequences: Sequence[str]
    labels: np.ndarray
    base_mean: np.ndarray | None = None
    split: str = "split"

    def __post_init__(self) -> None:
        self.labels = as_binary_labels(self.labels, f"{self.split} labels")
        if len(self.sequences) != self.labels.size:
            raise ScaInputError(f"{self.split}: {len(self.sequences)} sequences but {self.labels.size} labels")
        if self.base_mean is not None:
            self.base_mean = np.asarray(self.base_mean, dtype=np.float64).ravel()
            if self.base_mean.size != self.labels.size:
                raise ScaInputError(
                    f"{self.split}: {self.base_mean.size} baseMean values but {self.labels.size} labels"
                )
            bad = ~np.isfinite(self.base_mean) | (self.base_mean < 0)
            if bad.any():
                raise ScaInputError(f"{self.split}: baseMean must be finite and >= 0; row {int(np.argmax(bad))} is "
                                    f"{self.base_mean[bad][0].item()!r}")

    @classmethod
    def from_codes(cls, codes: np.ndarray, labels: np.ndarray, base_mean: np.ndarray | None = None,
                   split: str = "split") -> LabelledSequences:
        """A split stored as base codes ``[n, length]`` (e.g. :class:`sca_tf.data.splits.SplitArrays`)."""
        return cls([decode_bases(row) for row in codes], labels, base_mean, split=split)


def gc_cpg_features(sequences: Sequence[str]) -> np.ndarray:
    """``[n, 2]`` float32: GC fraction and CpG observed/expected of each sequence."""
    return np.array([(gc_fraction(s), cpg_observed_expected(s)) for s in sequences], dtype=np.float32).reshape(-1, 2)


def kmer_frequencies(sequences: Sequence[str], k: int | Sequence[int] = DEFAULT_K) -> np.ndarray:
    """``[n, sum(4**k)]`` float32: frequency of every k-mer (A<C<G<T order) for each ``k``, strand as given.

    Windows that contain N (or any non-ACGT letter) are not counted; frequencies are over counted windows.
    """
    sizes = _check_k(k)
    features = np.zeros((len(sequences), sum(4**size for size in sizes)), dtype=np.float32)
    for row, sequence in enumerate(sequences):
        codes = codes_of(sequence)
        offset = 0
        for size in sizes:
            if codes.size >= size:
                windows = sliding_window_view(codes, size)
                windows = windows[(windows < N_CODE).all(axis=1)].astype(np.int64)
                if windows.size:
                    index = windows @ (4 ** np.arange(size - 1, -1, -1))
                    features[row, offset : offset + 4**size] = np.bincount(index, minlength=4**size) / len(index)
            offset += 4**size
    return features


def prevalence_only(train: LabelledSequences, validation: LabelledSequences, test: LabelledSequences,
                    **evaluation: Any) -> ModelEvaluation:
    """Score every gene with the training prevalence: the no-skill reference (AUROC 0.5, AUPRC = prevalence)."""
    rate = float(train.labels.mean())
    return evaluate_scores(
        "Prevalence only", validation.labels, np.full(validation.labels.size, rate),
        test.labels, np.full(test.labels.size, rate),
        kind="baseline", note="constant score = training prevalence (no skill)",
        details={"training_prevalence": rate}, **evaluation,
    )


def gc_cpg_logistic(train: LabelledSequences, validation: LabelledSequences, test: LabelledSequences, *,
                    cs: Sequence[float] = DEFAULT_CS, seed: int = 0, **evaluation: Any) -> ModelEvaluation:
    """Logistic regression on GC fraction and CpG observed/expected."""
    return _logistic_baseline(
        "GC + CpG logistic regression", lambda split: gc_cpg_features(split.sequences), (train, validation, test),
        cs=cs, seed=seed, details={"features": ["gc_fraction", "cpg_observed_expected"]}, **evaluation,
    )


def kmer_logistic(train: LabelledSequences, validation: LabelledSequences, test: LabelledSequences, *,
                  k: int | Sequence[int] = DEFAULT_K, cs: Sequence[float] = DEFAULT_CS, seed: int = 0,
                  **evaluation: Any) -> ModelEvaluation:
    """Logistic regression on k-mer frequencies (``k`` <= 6, one or several sizes)."""
    sizes = _check_k(k)
    return _logistic_baseline(
        f"k-mer (k={','.join(map(str, sizes))}) logistic regression",
        lambda split: kmer_frequencies(split.sequences, sizes), (train, validation, test),
        cs=cs, seed=seed, details={"k": list(sizes)}, **evaluation,
    )


def basemean_logistic(train: LabelledSequences, validation: LabelledSequences, test: LabelledSequences, *,
                      cs: Sequence[float] = DEFAULT_CS, seed: int = 0, **evaluation: Any) -> ModelEvaluation:
    """Logistic regression on ``log1p(baseMean)`` alone, reported as an expression-level confounder."""
    for split in (train, validation, test):
        if split.base_mean is None:
            raise ScaInputError(f"{split.split}: the baseMean-only baseline needs baseMean values for every split")
    return _logistic_baseline(
        "baseMean only (expression confounder)", lambda split: np.log1p(split.base_mean).reshape(-1, 1),
        (train, validation, test), cs=cs, seed=seed, details={"features": ["log1p_baseMean"]},
        kind="confounder", note=CONFOUNDER_NOTE, **evaluation,
    )


def run_baselines(train: LabelledSequences, validation: LabelledSequences, test: LabelledSequences, *,
                  k: int | Sequence[int] = DEFAULT_K, cs: Sequence[float] = DEFAULT_CS, seed: int = 0,
                  **evaluation: Any) -> list[ModelEvaluation]:
    """All baselines in report order; baseMean-only is included when every split has baseMean values.

    ``evaluation`` goes to :func:`~sca_tf.evaluate.metrics.evaluate_scores` (``n_resamples``, ``confidence``).
    """
    rows = [
        prevalence_only(train, validation, test, seed=seed, **evaluation),
        gc_cpg_logistic(train, validation, test, cs=cs, seed=seed, **evaluation),
        kmer_logistic(train, validation, test, k=k, cs=cs, seed=seed, **evaluation),
    ]
    if all(split.base_mean is not None for split in (train, validation, test)):
        rows.append(basemean_logistic(train, validation, test, cs=cs, seed=seed, **evaluation))
    return rows


def _logistic_baseline(
    name: str,
    featurize: Callable[[LabelledSequences], np.ndarray],
    splits: tuple[LabelledSequences, LabelledSequences, LabelledSequences],
    *,
    cs: Sequence[float],
    seed: int,
    details: dict[str, Any],
    kind: str = "baseline",
    **evaluation: Any,
) -> ModelEvaluation:
    """Fit scaled, class-balanced logistic regressions on train; keep the C with the best validation AUPRC."""
    train, validation, test = splits
    if not cs or any(not c > 0 for c in cs):
        raise ScaInputError(f"cs: expected positive inverse regularisation strengths, got {cs!r}")
    if np.unique(train.labels).size < 2:
        raise ScaInputError(f"{train.split}: training labels need both classes to fit {name}")
    x_train, x_validation = featurize(train), featurize(validation)
    fits = []
    for c in cs:
        model = _logistic_pipeline(c, seed).fit(x_train, train.labels)
        validation_scores = model.predict_proba(x_validation)[:, 1]
        fits.append((average_precision_score(validation.labels, validation_scores), c, model, validation_scores))
    best_auprc, best_c, best_model, validation_scores = max(fits, key=lambda fit: fit[0])
    return evaluate_scores(
        name, validation.labels, validation_scores, test.labels, best_model.predict_proba(featurize(test))[:, 1],
        kind=kind, details={**details, "C": best_c, "validation_auprc": float(best_auprc)}, seed=seed, **evaluation,
    )


def _logistic_pipeline(c: float, seed: int) -> Pipeline:
    return make_pipeline(
        StandardScaler(),
        LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=seed),
    )


def _check_k(k: int | Sequence[int]) -> tuple[int, ...]:
    sizes = (k,) if isinstance(k, int) else tuple(k)
    if not sizes or any(isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_K
                        for size in sizes):
        raise ScaInputError(f"k-mer sizes must be integers from 1 to {MAX_K}, got {k!r}")
    return tuple(sorted(set(sizes)))
