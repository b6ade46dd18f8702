"""Score trained models and the baselines on the same splits and write one report (``sca-tf evaluate``)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.baselines import DEFAULT_K, LabelledSequences, run_baselines
from sca_tf.evaluate.metrics import ModelEvaluation, evaluate_scores
from sca_tf.evaluate.report import ReportFiles, write_report


def evaluate_models(
    model_scores: Mapping[str, tuple[Any, Any]],
    train: LabelledSequences,
    validation: LabelledSequences,
    test: LabelledSequences,
    output_dir: str | os.PathLike[str],
    *,
    include_baselines: bool = True,
    k: int | Sequence[int] = DEFAULT_K,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    title: str = "sca-tf evaluation",
    context: Mapping[str, Any] | None = None,
) -> tuple[list[ModelEvaluation], ReportFiles]:
    """Evaluate each model's ``(validation_scores, test_scores)`` beside the baselines and write the report.

    Every row gets its threshold from the validation split (max F1) and is scored once on the test split with
    the same bootstrap settings. ``train`` is used only to fit the baselines. Rows appear models first, then
    prevalence-only, GC/CpG, k-mer and (when baseMean is given) the baseMean confounder.
    """
    if not model_scores and not include_baselines:
        raise ScaInputError("nothing to evaluate: no model scores and baselines switched off")
    settings = {"n_resamples": n_resamples, "confidence": confidence, "seed": seed}
    rows = []
    for name, scores in model_scores.items():
        if len(scores) != 2:
            raise ScaInputError(f"model {name!r}: expected (validation_scores, test_scores), got {len(scores)} items")
        validation_scores, test_scores = scores
        rows.append(evaluate_scores(name, validation.labels, validation_scores, test.labels, test_scores,
                                    kind="model", **settings))
    if include_baselines:
        rows += run_baselines(train, validation, test, k=k, **settings)
    report_context = {**(context or {}), "seed": seed}
    return rows, write_report(rows, output_dir, title=title, context=report_context)
