"""The ``sca-tf`` command line: argument parsing only; every verb calls one library function.

Bad input raises :class:`sca_tf.errors.ScaInputError`, printed as ``sca-tf: error: …`` with exit status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sca_tf import __version__
from sca_tf.errors import ScaInputError

Handler = Callable[[argparse.Namespace], None]


def _dge(args: argparse.Namespace) -> None:
    from sca_tf.prep.dge import DERule, run_dge

    result = run_dge(
        args.counts,
        args.out,
        samples_path=args.samples,
        treatment=args.treatment,
        reference=args.reference,
        alpha=args.alpha,
        rule=DERule(lfc_threshold=args.lfc_threshold, padj_threshold=args.padj_threshold),
        n_cpus=args.n_cpus,
        condition_column=args.condition_column,
    )
    print(result.summary())


def _promoters(args: argparse.Namespace) -> None:
    from sca_tf.prep.promoters import run_promoters

    result = run_promoters(
        args.de_table,
        args.genome,
        args.annotation,
        args.out,
        upstream=args.upstream,
        downstream=args.downstream,
        assembly=args.assembly,
        max_n_fraction=args.max_n_fraction,
        biotypes=set(args.biotypes.split(",")) if args.biotypes else None,
    )
    print(result.summary())


def _simulate(args: argparse.Namespace) -> None:
    from sca_tf.simulate import SimulationConfig, simulate

    result = simulate(args.out, SimulationConfig(seed=args.seed, n_genes=args.n_genes))
    summary = result.summary
    print(
        f"simulated {summary['genome_length']:,} bp genome with {args.n_genes} genes "
        f"({summary['n_up']} up, {summary['n_down']} down; seed {args.seed}) in {result.out_dir}"
    )


def _build_dataset(args: argparse.Namespace) -> None:
    from sca_tf.data.build import build_dataset

    build_dataset(
        args.data_dir,
        config=args.config,
        manual_dir=args.manual_dir,
        de_table=args.de_table,
        promoters=args.promoters,
        upstream=args.upstream,
        downstream=args.downstream,
        assembly=args.assembly,
        split_scheme=args.split,
        seed=args.seed,
        test_chromosomes=args.test_chromosomes.split(",") if args.test_chromosomes else None,
        validation_chromosomes=args.validation_chromosomes.split(",") if args.validation_chromosomes else None,
        keep_untestable=args.keep_untestable or None,
        download=args.download,
        overwrite=args.overwrite,
    )


def _train(args: argparse.Namespace) -> None:
    from sca_tf.data.build import load_builder
    from sca_tf.training import TrainConfig, train_classifier, train_classifier_multi_worker
    from sca_tf.training.multi_worker import strategy_from_environment

    # Before TensorFlow touches any device (logical CPU replicas, cluster set-up).
    strategy = strategy_from_environment(args.strategy, cpu_replicas=args.cpu_replicas)
    config = TrainConfig(
        model=args.model,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
        balance=args.balance,
        synthetic_fasta=args.synthetic_fasta,
        synthetic_quality=args.synthetic_quality,
        rc_augment=args.rc_augment,
        patience=args.patience,
        steps_per_epoch=args.steps_per_epoch,
    )
    builder = load_builder(args.data_dir, args.dataset)
    if isinstance(strategy, tf_multi_worker_strategy()):
        saved = train_classifier_multi_worker(builder, config, args.out, strategy)
        print(f"multi-worker training finished; model: {saved}" if saved else "worker finished; the chief saved")
        return
    result = train_classifier(builder, config, args.out, strategy=strategy)
    print(f"best validation AUPRC {result.best_val_auprc:.4f} at epoch {result.best_epoch}; model: {result.model_path}")


def tf_multi_worker_strategy() -> type:
    """The MultiWorkerMirroredStrategy class (imported lazily: the CLI starts without TensorFlow)."""
    import tensorflow as tf

    return tf.distribute.MultiWorkerMirroredStrategy


def _tune(args: argparse.Namespace) -> None:
    from sca_tf.data import PipelineConfig
    from sca_tf.data.build import load_builder
    from sca_tf.training.tuning import tune

    result = tune(
        load_builder(args.data_dir, args.dataset),
        args.model,
        args.out,
        tuner=args.tuner,
        max_trials=args.max_trials,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        pipeline=PipelineConfig(batch_size=args.batch_size, seed=args.seed),
    )
    if result is None:
        print("keras-tuner worker finished; the chief holds the results")
        return
    print(f"best validation AUPRC {result.best_val_auprc:.4f} over {result.trials} trials: {result.best_hparams}")


def _evaluate(args: argparse.Namespace) -> None:
    from pathlib import Path

    from sca_tf.data.build import load_builder
    from sca_tf.workflow import evaluate_run

    models = dict(item.split("=", 1) if "=" in item else (Path(item).parent.name, item) for item in args.model)
    rows, _ = evaluate_run(
        load_builder(args.data_dir, args.dataset),
        {name: Path(path) for name, path in models.items()},
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


def _settings(cls: Any, config_file: str | None, overrides: dict[str, Any], train: dict[str, Any]) -> Any:
    """``cls`` (RunConfig, AblationConfig) from ``--config`` and the options given; ``train`` tops its [train]."""
    if config_file:
        config = cls.from_file(config_file, **overrides)
        return dataclasses.replace(config, train={**config.train, **train})
    return cls(**{key: value for key, value in overrides.items() if value is not None}, train=train)


def _run(args: argparse.Namespace) -> None:
    from sca_tf.workflow import RunConfig, parse_models, run

    overrides = {
        "out": args.out,
        "seed": args.seed,
        "counts": args.counts,
        "samples": args.samples,
        "de_table": args.de_table,
        "genome": args.genome,
        "annotation": args.annotation,
        "assembly": args.assembly,
        "models": parse_models(args.models),
    }
    run(_settings(RunConfig, args.config, overrides, {"epochs": args.epochs} if args.epochs else {}))


def _ablate(args: argparse.Namespace) -> None:
    from sca_tf.ablation import AblationConfig, run_ablation
    from sca_tf.data.build import load_builder
    from sca_tf.workflow import parse_models

    ratios = parse_models(args.ratios)
    try:
        synthetic_ratios = tuple(float(ratio) for ratio in ratios) if ratios else None
    except ValueError as exc:
        raise ScaInputError(f"--ratios: expected comma-separated numbers, got {args.ratios!r}") from exc
    overrides = {
        "models": parse_models(args.models),
        "arms": parse_models(args.arms),
        "synthetic_ratios": synthetic_ratios,
        "synthetic_fasta": args.synthetic_fasta,
        "synthetic_quality": args.synthetic_quality,
        "seed": args.seed,
        "n_resamples": args.n_resamples,
    }
    config = _settings(AblationConfig, args.config, overrides, {"epochs": args.epochs} if args.epochs else {})
    result = run_ablation(load_builder(args.data_dir, args.dataset), config, args.out)
    print(result.markdown.read_text())
    print(f"table: {result.markdown}")


def _export(args: argparse.Namespace) -> None:
    from sca_tf.export import run_export

    exported = run_export(
        args.model, args.out, model_name=args.name, booster_path=args.booster, serving_root=args.serving_root
    )
    print(exported.summary())


def _explain(args: argparse.Namespace) -> None:
    from sca_tf.explain import ExplainConfig, run_explain

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


def _generate(args: argparse.Namespace) -> None:
    from sca_tf.synthetic.generate import generate

    result = generate(
        args.checkpoint,
        args.n,
        args.out,
        sampler=args.sampler,
        steps=args.steps,
        eta=args.eta,
        guidance=args.guidance,
        seed=args.seed,
        condition=args.condition,
        batch_size=args.batch_size,
        expected_length=args.expected_length,
    )
    print(f"{result.n} sequences in {result.fasta} ({result.sequences_per_second:.1f} seq/s)")


def _assess_synthetic(args: argparse.Namespace) -> None:
    from sca_tf.synthetic.assess import assess_synthetic

    report = assess_synthetic(
        args.synthetic,
        args.out,
        de_table=args.de_table,
        promoters=args.promoters,
        split_scheme=args.split_scheme,
        split_seed=args.split_seed,
        heldout_split=args.heldout_split,
        train_positives_fasta=args.train_positives,
        heldout_positives_fasta=args.heldout_positives,
        heldout_negatives_fasta=args.heldout_negatives,
        thresholds=args.thresholds,
        planted_motifs=args.planted_motifs,
        status=args.status,
        seed=args.seed,
    )
    for check in report["checks"]:
        print(f"{'pass' if check['passed'] else 'FAIL'}  {check['name']}: {check['value']:.4g} "
              f"(threshold {check['threshold']:.4g})")
    print(f"quality gate {'passed' if report['passed'] else 'failed'}; report in {args.out}")


def build_parser() -> argparse.ArgumentParser:
    """The ``sca-tf`` argument parser (one sub-command per pipeline stage)."""
    parser = argparse.ArgumentParser(
        prog="sca-tf", description="Learn differential gene expression from promoter DNA (Keras/TensorFlow)."
    )
    parser.add_argument("--version", action="version", version=f"sca-tf {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    dge = verbs.add_parser("dge", help="differential expression (PyDESeq2) -> labelled DE table")
    dge.add_argument("--counts", required=True, help="GEO-style matrix with a CLASS:DOSE row, or a counts TSV/CSV")
    dge.add_argument("--samples", help="sample sheet (columns: sample, condition) for a plain counts table")
    dge.add_argument("--out", required=True, help="output directory for de_table.tsv/.parquet and de_run.json")
    dge.add_argument("--treatment", default="IS", help="group compared against the reference (default: IS)")
    dge.add_argument("--reference", default="C", help="reference group (default: C)")
    dge.add_argument("--condition-column", default="condition", help="group column of the sample sheet")
    dge.add_argument("--alpha", type=float, default=0.1, help="independent-filtering alpha (R default 0.1)")
    dge.add_argument("--lfc-threshold", type=float, default=2.0, help="DE needs |log2FC| above this (default 2)")
    dge.add_argument("--padj-threshold", type=float, default=0.05, help="DE needs padj below this (default 0.05)")
    dge.add_argument("--n-cpus", type=int, default=None, help="PyDESeq2 worker processes (default: all cores)")
    dge.set_defaults(handler=_dge)

    promoters = verbs.add_parser("promoters", help="strand-aware promoter windows from a genome FASTA")
    promoters.add_argument("--de-table", required=True, help="de_table.tsv or .parquet from `sca-tf dge`")
    promoters.add_argument("--genome", required=True, help="genome FASTA (plain or bgzip, .fai made if absent)")
    promoters.add_argument(
        "--annotation", required=True, help="grch38 or grch37 (packaged Ensembl 100 tables) or a GTF/GFF3 path"
    )
    promoters.add_argument("--out", required=True, help="output directory for promoters.tsv/.fa")
    promoters.add_argument("--upstream", type=int, default=2000, help="bases 5' of the TSS (default 2000)")
    promoters.add_argument("--downstream", type=int, default=0, help="bases from the TSS on (default 0)")
    promoters.add_argument("--assembly", help="genome build of a GTF/GFF3 (e.g. GRCh38), checked against the FASTA")
    promoters.add_argument("--max-n-fraction", type=float, default=0.1, help="drop windows with more N than this")
    promoters.add_argument("--biotypes", help="comma-separated gene biotypes to keep (default: all)")
    promoters.set_defaults(handler=_promoters)

    simulate = verbs.add_parser("simulate", help="seeded synthetic genome, annotation, counts and ground truth")
    simulate.add_argument("--out", required=True, help="output directory")
    simulate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    simulate.add_argument("--n-genes", type=int, default=3000, help="number of genes (default 3000)")
    simulate.set_defaults(handler=_simulate)

    dataset = verbs.add_parser("build-dataset", help="TFDS dataset sca_promoters from a DE table and promoters")
    dataset.add_argument("--data-dir", required=True, help="TFDS data directory to write the dataset into")
    dataset.add_argument("--config", help="registered config (default grch37_up2000_down0_random)")
    dataset.add_argument("--de-table", help="de_table.tsv from `sca-tf dge` (with --promoters)")
    dataset.add_argument("--promoters", help="promoters.tsv from `sca-tf promoters` (with --de-table)")
    dataset.add_argument("--manual-dir", help="folder holding de_table.tsv and promoters.tsv (TFDS manual_dir)")
    dataset.add_argument("--upstream", type=int, help="override the config's bases upstream of the TSS")
    dataset.add_argument("--downstream", type=int, help="override the config's bases from the TSS on")
    dataset.add_argument("--assembly", help="override the config's assembly (GRCh37, GRCh38, sca-tf-simulated)")
    dataset.add_argument("--split", choices=("random", "chrom"), help="override the config's split scheme")
    dataset.add_argument("--seed", type=int, help="override the split seed (default 0)")
    dataset.add_argument("--test-chromosomes", help="comma-separated chromosomes held out for test (chrom split)")
    dataset.add_argument("--validation-chromosomes", help="comma-separated chromosomes held out for validation")
    dataset.add_argument("--keep-untestable", action="store_true", help="keep untestable genes as their own split")
    dataset.add_argument("--download", action="store_true", help="download GEO/Ensembl raw data, run dge+promoters")
    dataset.add_argument("--overwrite", action="store_true", help="rebuild a config that is already prepared")
    dataset.set_defaults(handler=_build_dataset)

    train = verbs.add_parser("train", help="model.fit a classifier on a prepared sca_promoters dataset")
    _dataset_arguments(train)
    train.add_argument("--model", default="cnn", help="cnn, cnn_lstm or transformer (default cnn)")
    train.add_argument("--out", required=True, help="run directory (rerun the same one to resume)")
    train.add_argument("--epochs", type=int, default=20, help="epochs (default 20, as in the paper)")
    train.add_argument("--batch-size", type=int, default=256, help="global batch size (default 256)")
    train.add_argument("--learning-rate", type=float, help="Adam learning rate (default 1e-3)")
    train.add_argument("--seed", type=int, default=0, help="seed of weights, shuffling and balancing")
    train.add_argument("--balance", default="none",
                       help="none, class_weight, downsample, oversample or synthetic (training split only)")
    train.add_argument("--synthetic-fasta", help="synthetic positives for --balance synthetic")
    train.add_argument("--synthetic-quality", help="the passed quality.json of `sca-tf assess-synthetic` for them")
    train.add_argument("--rc-augment", action="store_true", help="reverse-complement augmentation")
    train.add_argument("--patience", type=int, default=5, help="early-stopping patience in epochs")
    train.add_argument("--steps-per-epoch", type=int, help="cap the steps of an epoch")
    train.add_argument("--cpu-replicas", type=int, help="split the CPU into N logical devices for MirroredStrategy")
    train.add_argument("--strategy", default="auto",
                       help="auto (TF_CONFIG -> multi_worker, TPU_NAME -> tpu, else mirrored), default, mirrored, "
                            "multi_worker or tpu; see docs/distributed.md")
    train.set_defaults(handler=_train)

    tune = verbs.add_parser("tune", help="keras-tuner search, objective validation AUPRC")
    _dataset_arguments(tune)
    tune.add_argument("--model", default="cnn", help="cnn or transformer")
    tune.add_argument("--out", required=True, help="search directory (best_hparams.json, trials.tsv, logs/)")
    tune.add_argument("--tuner", default="bayesian", help="random, hyperband or bayesian")
    tune.add_argument("--max-trials", type=int, default=10)
    tune.add_argument("--epochs", type=int, default=5)
    tune.add_argument("--steps-per-epoch", type=int)
    tune.add_argument("--batch-size", type=int, default=256)
    tune.add_argument("--seed", type=int, default=0)
    tune.set_defaults(handler=_tune)

    evaluate = verbs.add_parser("evaluate", help="XGBoost bridge + test-split report beside the baselines")
    _dataset_arguments(evaluate)
    evaluate.add_argument("--model", action="append", required=True,
                          help="NAME=PATH.keras (repeatable); PATH alone names it after its run directory")
    evaluate.add_argument("--out", required=True, help="output directory (writes evaluation/report.md)")
    evaluate.add_argument("--no-xgboost", action="store_true", help="skip the CNN-features → XGBoost bridge")
    evaluate.add_argument("--tune-xgboost", action="store_true", help="the paper's staged tuning, on validation")
    evaluate.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples for the 95%% CIs")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.set_defaults(handler=_evaluate)

    run = verbs.add_parser("run", help="the whole pipeline; with no data options, on the simulated default")
    run.add_argument("--config", help="TOML or YAML run configuration (options below override it)")
    run.add_argument("--out", help="run directory (default runs/sca-tf)")
    run.add_argument("--seed", type=int, help="seed of simulation, split, training and bootstrap (default 0)")
    run.add_argument("--counts", help="count matrix (real data)")
    run.add_argument("--samples", help="sample sheet for a plain count table")
    run.add_argument("--de-table", help="reuse an existing de_table.tsv instead of running dge")
    run.add_argument("--genome", help="genome FASTA (real data)")
    run.add_argument("--annotation", help="grch38, grch37 or a GTF/GFF3 (real data)")
    run.add_argument("--assembly", help="genome build of a GTF/GFF3 annotation")
    run.add_argument("--models", help="comma-separated models to train (default cnn)")
    run.add_argument("--epochs", type=int, help="training epochs per model (default 20)")
    run.set_defaults(handler=_run)

    ablate = verbs.add_parser("ablate", help="class-balance ablation: models x balancing arms, test scored once")
    _dataset_arguments(ablate)
    ablate.add_argument("--out", required=True, help="output directory (writes ablation.md/.json/.tsv)")
    ablate.add_argument("--config", help="TOML or YAML ablation settings (options below override it)")
    ablate.add_argument("--models", help="comma-separated models (default cnn,transformer)")
    ablate.add_argument("--arms", help="comma-separated arms of none, class_weight, downsample, oversample, "
                                       "synthetic (default all)")
    ablate.add_argument("--ratios", help="synthetic positives per real positive (default 0.25,0.5,1)")
    ablate.add_argument("--synthetic-fasta", help="synthetic positives for the synthetic arms")
    ablate.add_argument("--synthetic-quality", help="the passed quality.json of `sca-tf assess-synthetic` for them")
    ablate.add_argument("--epochs", type=int, help="training epochs per arm (default 20)")
    ablate.add_argument("--seed", type=int, help="seed of training, balancing and bootstrap (default 0)")
    ablate.add_argument("--n-resamples", type=int, help="bootstrap resamples for the 95%% CIs (default 1000)")
    ablate.set_defaults(handler=_ablate)

    export = verbs.add_parser("export", help="SavedModel for TF Serving: saved_models/<name>/<version>/")
    export.add_argument("--model", required=True, help="trained classifier (.keras)")
    export.add_argument("--booster", help="XGBoost booster (.json/.ubj) on the model's feature layer")
    export.add_argument("--out", default="saved_models", help="model base folder (default saved_models)")
    export.add_argument("--name", help="model name (default: the classifier's model name)")
    export.add_argument("--serving-root", help="base path as TF Serving sees it, for models.config (e.g. /models)")
    export.set_defaults(handler=_export)

    explain = verbs.add_parser("explain", help="attributions -> discovered motifs -> JASPAR enrichment")
    explain.add_argument("--model", required=True, help="trained classifier (.keras)")
    explain.add_argument("--out", required=True, help="output directory")
    explain.add_argument("--promoters", help="promoters.tsv of `sca-tf promoters` (with optional --genes)")
    explain.add_argument("--genes", nargs="+", help="explain only these gene IDs of --promoters")
    explain.add_argument("--dataset", help="TFDS config of sca_promoters (with --split and --data-dir)")
    explain.add_argument("--split", help="split of --dataset to explain (e.g. test)")
    explain.add_argument("--data-dir", help="TFDS data directory of --dataset")
    explain.add_argument("--method", default="integrated_gradients", help="integrated_gradients or ism")
    explain.add_argument("--reference", default="shuffle", help="integrated-gradients baseline: shuffle or zero")
    explain.add_argument("--steps", type=int, default=32, help="integrated-gradients steps")
    explain.add_argument("--references", type=int, default=4, help="shuffled references per sequence")
    explain.add_argument("--window", type=int, default=20, help="width of high-attribution windows")
    explain.add_argument("--windows-per-gene", type=int, default=3)
    explain.add_argument("--threshold", type=float, default=0.5, help="probability above which a gene is called DE")
    explain.add_argument("--jaspar-release", default="JASPAR2026", help="pyjaspar release of the vertebrate motifs")
    explain.add_argument("--min-relative-score", type=float, default=0.85, help="motif hit threshold")
    explain.add_argument("--motifs", type=int, default=3, help="motifs to discover per group")
    explain.add_argument("--logos", type=int, default=12, help="top windows drawn as logos")
    explain.add_argument("--seed", type=int, default=0)
    explain.set_defaults(handler=_explain)

    generate = verbs.add_parser("generate", help="sample synthetic promoters from a trained DDPM or GAN")
    generate.add_argument("checkpoint", help="trained generator (.keras) from trainers/train_diffusion.py")
    generate.add_argument("-n", type=int, required=True, help="number of sequences")
    generate.add_argument("-o", "--out", required=True, help="output FASTA")
    generate.add_argument("--sampler", help="ddim (fast, deterministic) or ddpm (ancestral)")
    generate.add_argument("--steps", type=int, help="sampling steps (DDIM)")
    generate.add_argument("--eta", type=float, default=0.0, help="DDIM stochasticity (0: deterministic)")
    generate.add_argument("--guidance", type=float, default=1.0, help="classifier-free guidance scale")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--condition", help="up or down, for a status-conditioned model")
    generate.add_argument("--batch-size", type=int, default=64)
    generate.add_argument("--expected-length", type=int, help="refuse a model of another sequence length")
    generate.set_defaults(handler=_generate)

    assess = verbs.add_parser("assess-synthetic", help="quality gate of synthetic promoters before augmentation")
    assess.add_argument("synthetic", help="synthetic FASTA")
    assess.add_argument("-o", "--out", required=True, help="report directory (quality.json + plots)")
    assess.add_argument("--de-table", help="de_table.tsv (with --promoters): real positives split as the dataset")
    assess.add_argument("--promoters", help="promoters.tsv of the same run")
    assess.add_argument("--split-scheme", default="random", help="random or chrom, as the dataset config")
    assess.add_argument("--split-seed", type=int, default=0)
    assess.add_argument("--heldout-split", default="validation", help="validation (default) or test, once")
    assess.add_argument("--train-positives", help="FASTA of training positives (instead of --de-table)")
    assess.add_argument("--heldout-positives", help="FASTA of held-out positives")
    assess.add_argument("--heldout-negatives", help="FASTA of held-out negatives")
    assess.add_argument("--thresholds", help="JSON of QualityThresholds fields")
    assess.add_argument("--planted-motifs", action="store_true", help="also check sca-tf simulate's motif rates")
    assess.add_argument("--status", help="up or down: compare with real positives of that status only")
    assess.add_argument("--seed", type=int, default=0)
    assess.set_defaults(handler=_assess_synthetic)
    return parser


def _dataset_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", required=True, help="TFDS data directory holding sca_promoters")
    parser.add_argument("--dataset", help="dataset config name (default grch37_up2000_down0_random)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sca-tf`` command line; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except ScaInputError as exc:
        print(f"sca-tf: error: {exc}", file=sys.stderr)
        return 2
    return 0
