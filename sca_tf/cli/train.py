"""Training verbs: ``train`` (``model.fit`` a classifier, or the multi-worker loop) and ``tune`` (keras-tuner)."""

from __future__ import annotations

import argparse
from typing import Any

from sca_tf.cli.options import add_dataset_arguments, add_verb, default
from sca_tf.data import BALANCE_STRATEGIES, PipelineConfig
from sca_tf.data.build import load_builder
from sca_tf.models import MODEL_NAMES
from sca_tf.models.presets import PRESETS
from sca_tf.precision import PRECISIONS
from sca_tf.schema import TARGETS
from sca_tf.training import TrainConfig, train
from sca_tf.training.multi_worker import STRATEGY_KINDS, strategy_from_environment
from sca_tf.training.tuning import SEARCH_SPACES, TUNERS, tune


def _train(args: argparse.Namespace) -> None:
    # Before TensorFlow touches any device (logical CPU replicas, cluster set-up).
    strategy = strategy_from_environment(args.strategy, cpu_replicas=args.cpu_replicas)
    config = TrainConfig(
        model=args.model,
        preset=args.preset,
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
        precision=args.precision,
        deterministic=args.deterministic,
        target=args.target,
    )
    result = train(load_builder(args.data_dir, args.dataset), config, args.out, strategy=strategy)
    print(result.summary() if result else "worker finished; the chief saved")


def _tune(args: argparse.Namespace) -> None:
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


def add_verbs(verbs: Any) -> None:
    """Register ``train`` and ``tune``."""
    train_verb = add_verb(verbs, "train", _train, "model.fit a classifier on a prepared sca_promoters dataset")
    add_dataset_arguments(train_verb)
    train_verb.add_argument("--model", choices=MODEL_NAMES, default=default(TrainConfig, "model"), help="classifier")
    train_verb.add_argument("--out", required=True, help="run directory (rerun the same one to resume)")
    train_verb.add_argument("--epochs", type=int, default=default(TrainConfig, "epochs"),
                            help="training epochs (default: the model's recipe)")
    train_verb.add_argument("--batch-size", type=int, default=default(TrainConfig, "batch_size"),
                            help="global batch size")
    train_verb.add_argument("--learning-rate", type=float, default=default(TrainConfig, "learning_rate"),
                            help="learning rate (default: the model's recipe)")
    train_verb.add_argument("--seed", type=int, default=default(TrainConfig, "seed"),
                            help="seed of weights, shuffling and balancing")
    train_verb.add_argument("--balance", choices=BALANCE_STRATEGIES, default=default(TrainConfig, "balance"),
                            help="class balancing of the training split only")
    train_verb.add_argument("--synthetic-fasta", help="synthetic positives for --balance synthetic")
    train_verb.add_argument("--synthetic-quality", help="the passed quality.json of `sca-tf assess-synthetic` for them")
    train_verb.add_argument("--rc-augment", action=argparse.BooleanOptionalAction, default=None,
                            help="reverse-complement augmentation (default: the model's recipe)")
    train_verb.add_argument("--preset", choices=PRESETS, default=default(TrainConfig, "preset"),
                            help="the model's recipe and architecture: default, or the paper's")
    train_verb.add_argument("--patience", type=int, default=default(TrainConfig, "patience"),
                            help="early-stopping patience in epochs")
    train_verb.add_argument("--steps-per-epoch", type=int, default=default(TrainConfig, "steps_per_epoch"),
                            help="cap the steps of an epoch")
    train_verb.add_argument("--cpu-replicas", type=int, default=default(TrainConfig, "cpu_replicas"),
                            help="split the CPU into N logical devices for MirroredStrategy")
    train_verb.add_argument("--precision", choices=PRECISIONS, default=default(TrainConfig, "precision"),
                            help="dtype policy; auto: mixed_bfloat16 on a bf16 CPU or GPU, mixed_float16 on an "
                                 "older GPU, else float32")
    train_verb.add_argument("--target", choices=TARGETS, default=default(TrainConfig, "target"),
                            help="de: P(DE); direction: not_de / up / down (softmax); log2fc: the log2 fold change "
                                 "(regression); the last two train with --balance none")
    train_verb.add_argument("--deterministic", action="store_true",
                            help="TensorFlow op determinism: the same seed gives the same weights and metrics "
                                 "(slower; see README)")
    train_verb.add_argument("--strategy", choices=STRATEGY_KINDS, default=default(strategy_from_environment, "kind"),
                            help="auto: TF_CONFIG -> multi_worker, TPU_NAME -> tpu, else mirrored; "
                                 "see docs/distributed.md")

    tune_verb = add_verb(verbs, "tune", _tune, "keras-tuner search, objective validation AUPRC")
    add_dataset_arguments(tune_verb)
    tune_verb.add_argument("--model", choices=tuple(SEARCH_SPACES), default=default(TrainConfig, "model"),
                           help="classifier with a search space")
    tune_verb.add_argument("--out", required=True, help="search directory (best_hparams.json, trials.tsv, logs/)")
    tune_verb.add_argument("--tuner", choices=TUNERS, default=default(tune, "tuner"), help="keras-tuner search")
    tune_verb.add_argument("--max-trials", type=int, default=default(tune, "max_trials"), help="trials to run")
    tune_verb.add_argument("--epochs", type=int, default=default(tune, "epochs"), help="epochs per trial")
    tune_verb.add_argument("--steps-per-epoch", type=int, default=default(tune, "steps_per_epoch"),
                           help="cap the steps of an epoch")
    tune_verb.add_argument("--batch-size", type=int, default=default(PipelineConfig, "batch_size"),
                           help="global batch size")
    tune_verb.add_argument("--seed", type=int, default=default(PipelineConfig, "seed"), help="seed of the search")
