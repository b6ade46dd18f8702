"""Train a promoter classifier with plain ``model.fit``: read it, copy it, change it.

    sca-tf build-dataset --data-dir data --de-table out/dge/de_table.tsv --promoters out/promoters/promoters.tsv
    python trainers/train_classifier.py --data-dir data --model cnn --out runs/cnn
    python trainers/train_classifier.py --data-dir data --model transformer --out runs/tf --cpu-replicas 2
    tensorboard --logdir runs

Rerunning the same command after a crash resumes from the last finished epoch (BackupAndRestore).
``sca-tf train`` runs the same steps through ``sca_tf.training.train_classifier``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import keras

from sca_tf.cli.app import run_reporting_errors
from sca_tf.data import BALANCE_STRATEGIES, make_datasets
from sca_tf.data.build import load_builder
from sca_tf.models import MODEL_NAMES, build_model
from sca_tf.models.presets import PRESETS
from sca_tf.training import TrainConfig
from sca_tf.training.classifier import resolve_recipe, training_callbacks
from sca_tf.training.multi_worker import strategy_from_environment
from sca_tf.training.recipe import compile_classifier


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="TFDS data directory holding sca_promoters")
    parser.add_argument("--dataset", help="dataset config (default grch37_up2000_down0_random)")
    parser.add_argument("--model", choices=MODEL_NAMES, default="cnn")
    parser.add_argument("--out", type=Path, required=True, help="run directory")
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    parser.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    parser.add_argument("--balance", choices=BALANCE_STRATEGIES, default=TrainConfig.balance)
    parser.add_argument("--preset", choices=PRESETS, default=TrainConfig.preset,
                        help="the model's default recipe, or the paper's architecture and training values")
    parser.add_argument("--rc-augment", action=argparse.BooleanOptionalAction,
                        help="reverse-complement augmentation (default: the preset's)")
    parser.add_argument("--cpu-replicas", type=int, help="split the CPU into N logical devices")
    parser.add_argument("--strategy", default="mirrored", help="mirrored, default or tpu (see docs/distributed.md)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return run_reporting_errors(lambda: train(args), prog="train_classifier.py")


def train(args: argparse.Namespace) -> None:
    strategy = strategy_from_environment(args.strategy, cpu_replicas=args.cpu_replicas)  # before any TF op
    config = TrainConfig(model=args.model, preset=args.preset, epochs=args.epochs, batch_size=args.batch_size,
                         seed=args.seed, balance=args.balance, rc_augment=args.rc_augment)
    builder = load_builder(args.data_dir, args.dataset)
    args.out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(config.seed)

    with strategy.scope():  # variables are created once per replica
        data = make_datasets(builder, config.pipeline_config())
        model = build_model(config.model, data.sequence_length, **config.hparams)
        recipe, positive_weight = resolve_recipe(config, data)  # the model's optimizer, schedule and loss
        compile_classifier(model, recipe, total_steps=config.epochs * data.steps_per_epoch,
                           positive_weight=positive_weight)

    model.fit(
        data.train,  # repeats forever: steps_per_epoch says where an epoch ends
        steps_per_epoch=data.steps_per_epoch,
        epochs=config.epochs,
        validation_data=data.validation,  # natural prevalence, never rebalanced
        class_weight=data.class_weight,
        callbacks=training_callbacks(args.out, data.validation, config.patience),
        shuffle=False,
    )
    best = keras.models.load_model(args.out / "checkpoints" / "best.keras")
    best.save(args.out / "model.keras")
    print(f"best model (validation AUPRC) saved to {args.out / 'model.keras'}")


if __name__ == "__main__":
    sys.exit(main())
