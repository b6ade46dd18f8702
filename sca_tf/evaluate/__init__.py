"""Evaluation: validation-chosen thresholds, test metrics with bootstrap CIs, baselines, reports and plots.

Typical use, with ``train`` / ``validation`` / ``test`` as :class:`LabelledSequences`::

    rows, files = evaluate_models({"cnn": (validation_scores, test_scores)}, train, validation, test, "out/")

Imports no TensorFlow: inputs are arrays of labels and scores plus plain sequence strings.
"""

from sca_tf.evaluate.baselines import (
    CONFOUNDER_NOTE,
    LabelledSequences,
    basemean_logistic,
    gc_cpg_features,
    gc_cpg_logistic,
    kmer_frequencies,
    kmer_logistic,
    prevalence_only,
    run_baselines,
)
from sca_tf.evaluate.compare import evaluate_models
from sca_tf.evaluate.metrics import (
    METRIC_NAMES,
    ModelEvaluation,
    bootstrap_intervals,
    confusion_counts,
    evaluate_scores,
    max_f1_threshold,
    metrics_at_threshold,
    prevalence,
)
from sca_tf.evaluate.report import (
    PAPER_COLUMNS,
    REPORT_COLUMNS,
    ReportFiles,
    json_report,
    markdown_report,
    plot_pr_curves,
    plot_roc_curves,
    results_table,
    write_report,
)

__all__ = [
    "CONFOUNDER_NOTE",
    "METRIC_NAMES",
    "PAPER_COLUMNS",
    "REPORT_COLUMNS",
    "LabelledSequences",
    "ModelEvaluation",
    "ReportFiles",
    "basemean_logistic",
    "bootstrap_intervals",
    "confusion_counts",
    "evaluate_models",
    "evaluate_scores",
    "gc_cpg_features",
    "gc_cpg_logistic",
    "json_report",
    "kmer_frequencies",
    "kmer_logistic",
    "markdown_report",
    "max_f1_threshold",
    "metrics_at_threshold",
    "plot_pr_curves",
    "plot_roc_curves",
    "prevalence",
    "prevalence_only",
    "results_table",
    "run_baselines",
    "write_report",
]
