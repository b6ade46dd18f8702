"""Verbs on a trained classifier: ``evaluate`` (test report), ``explain`` (motifs) and ``export`` (TF Serving)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sca_tf.cli.options import add_dataset_arguments, add_verb, default
from sca_tf.cv.ensemble import export_fold_ensemble, is_cv_directory
from sca_tf.data.build import load_builder
from sca_tf.errors import ScaInputError
from sca_tf.explain import ExplainConfig, run_explain
from sca_tf.explain.attributions import METHODS, REFERENCES
from sca_tf.export import run_export
from sca_tf.models import load_classifier
from sca_tf.workflow import evaluate_run


def _named_model(item: str) -> tuple[str | None, Path]:
    """``NAME=PATH`` -> ``(NAME, PATH)``; a bare ``PATH`` -> ``(None, PATH)``, named by its model later."""
    name, path = item.split("=", 1) if "=" in item else (None, item)
    return name, Path(path)


def _models(named: list[tuple[str | None, Path]]) -> dict[str, Path]:
    """Each ``--model`` by name; a bare path takes the name of the model it holds (``cnn``, ``transformer``)."""
    models: dict[str, Path] = {}
    for name, path in named:
        name = name or load_classifier(path).model_name
        if name in models:
            raise ScaInputError(f"--model: two models named {name!r} ({models[name]}, {path}); give NAME=PATH")
        models[name] = path
    return models


def _evaluate(args: argparse.Namespace) -> None:
    rows, _ = evaluate_run(
        load_builder(args.data_dir, args.dataset),
        _models(args.model),
        Path(args.out),
        xgboost=not args.no_xgboost,
        tune_xgboost=args.tune_xgboost,
        n_resamples=args.n_resamples,
        seed=args.seed,
    )
    for row in rows:
        metrics = row.to_dict()["metrics"]
        print(f"{row.name:<24} AUROC {metrics['auroc']}  AUPRC {metrics['auprc']}")
    print(f"report: {Path(args.out) / 'evaluation' / 'report.md'}")


def _explain(args: argparse.Namespace) -> None:
    config = ExplainConfig(
        method=args.method,
        reference=args.reference,
        steps=args.steps,
        n_references=args.references,
        window=args.window,
        windows_per_gene=args.windows_per_gene,
        threshold=args.threshold,
        jaspar_release=args.jaspar_release,
        min_relative_score=args.min_relative_score,
        n_motifs=args.motifs,
        n_logos=args.logos,
        seed=args.seed,
    )
    result = run_explain(
        args.model,
        args.out,
        promoters=args.promoters,
        genes=args.genes,
        dataset=args.dataset,
        split=args.split,
        data_dir=args.data_dir,
        config=config,
    )
    print(result.summary())


def _export(args: argparse.Namespace) -> None:
    if is_cv_directory(args.model):
        if args.booster:
            raise ScaInputError("--booster goes with one classifier, not with a cv directory's fold ensemble")
        exported = export_fold_ensemble(args.model, args.out, model=args.cv_model, model_name=args.name,
                                        serving_root=args.serving_root)
    else:
        exported = run_export(
            args.model, args.out, model_name=args.name, booster_path=args.booster, serving_root=args.serving_root
        )
    print(exported.summary())


def add_verbs(verbs: Any) -> None:
    """Register ``evaluate``, ``explain`` and ``export``."""
    evaluate = add_verb(verbs, "evaluate", _evaluate, "XGBoost bridge + test-split report beside the baselines")
    add_dataset_arguments(evaluate)
    evaluate.add_argument("--model", action="append", required=True, type=_named_model,
                          help="NAME=PATH.keras (repeatable); PATH alone is named by the model it holds")
    evaluate.add_argument("--out", required=True, help="output directory (writes evaluation/report.md)")
    evaluate.add_argument("--no-xgboost", action="store_true", help="skip the CNN-features → XGBoost bridge")
    evaluate.add_argument("--tune-xgboost", action="store_true", help="the paper's staged tuning, on validation")
    evaluate.add_argument("--n-resamples", type=int, default=default(evaluate_run, "n_resamples"),
                          help="bootstrap resamples for the 95%% CIs")
    evaluate.add_argument("--seed", type=int, default=default(evaluate_run, "seed"), help="seed of the bootstrap")

    explain = add_verb(verbs, "explain", _explain, "attributions -> discovered motifs -> JASPAR enrichment")
    explain.add_argument("--model", required=True, help="trained classifier (.keras)")
    explain.add_argument("--out", required=True, help="output directory")
    explain.add_argument("--promoters", help="promoters.tsv of `sca-tf promoters` (with optional --genes)")
    explain.add_argument("--genes", nargs="+", help="explain only these gene IDs of --promoters")
    explain.add_argument("--dataset", help="TFDS config of sca_promoters (with --split and --data-dir)")
    explain.add_argument("--split", help="split of --dataset to explain (e.g. test)")
    explain.add_argument("--data-dir", help="TFDS data directory of --dataset")
    explain.add_argument("--method", choices=METHODS, default=default(ExplainConfig, "method"),
                         help="attribution method")
    explain.add_argument("--reference", choices=REFERENCES, default=default(ExplainConfig, "reference"),
                         help="integrated-gradients baseline")
    explain.add_argument("--steps", type=int, default=default(ExplainConfig, "steps"), help="integrated-gradients steps")
    explain.add_argument("--references", type=int, default=default(ExplainConfig, "n_references"),
                         help="shuffled references per sequence")
    explain.add_argument("--window", type=int, default=default(ExplainConfig, "window"),
                         help="width of high-attribution windows")
    explain.add_argument("--windows-per-gene", type=int, default=default(ExplainConfig, "windows_per_gene"),
                         help="high-attribution windows taken from each gene")
    explain.add_argument("--threshold", type=float, default=default(ExplainConfig, "threshold"),
                         help="probability above which a gene is called DE")
    explain.add_argument("--jaspar-release", default=default(ExplainConfig, "jaspar_release"),
                         help="pyjaspar release of the vertebrate motifs")
    explain.add_argument("--min-relative-score", type=float, default=default(ExplainConfig, "min_relative_score"),
                         help="motif hit threshold")
    explain.add_argument("--motifs", type=int, default=default(ExplainConfig, "n_motifs"),
                         help="motifs to discover per group")
    explain.add_argument("--logos", type=int, default=default(ExplainConfig, "n_logos"),
                         help="top windows drawn as logos")
    explain.add_argument("--seed", type=int, default=default(ExplainConfig, "seed"), help="seed of the references")

    export = add_verb(verbs, "export", _export, "SavedModel for TF Serving: saved_models/<name>/<version>/")
    export.add_argument("--model", required=True, help="trained classifier (.keras), or a `sca-tf cv` directory "
                                                       "(exports the mean of its fold models)")
    export.add_argument("--cv-model", help="which model of a cv directory (default: its first)")
    export.add_argument("--booster", help="XGBoost booster (.json/.ubj) on the model's feature layer")
    export.add_argument("--out", default=default(run_export, "root"), help="model base folder")
    export.add_argument("--name", help="model name (default: the classifier's model name)")
    export.add_argument("--serving-root", help="base path as TF Serving sees it, for models.config (e.g. /models)")
