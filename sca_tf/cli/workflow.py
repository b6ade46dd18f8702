"""Whole-study verbs: ``run`` (the pipeline end to end) and ``ablate`` (the class-balance ablation)."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from sca_tf.ablation import AblationConfig, run_ablation
from sca_tf.cli.options import add_dataset_arguments, add_verb, comma_list, default, listed
from sca_tf.data import BALANCE_STRATEGIES
from sca_tf.data.build import load_builder
from sca_tf.errors import ScaInputError
from sca_tf.training import TrainConfig
from sca_tf.workflow import RunConfig, run

_EPOCHS_HELP = f"training epochs per {{}} (default {default(TrainConfig, 'epochs')})"


def _settings(cls: Any, config_file: str | None, overrides: dict[str, Any], epochs: int | None,
              deterministic: bool = False) -> Any:
    """``cls`` (RunConfig, AblationConfig) from ``--config`` and the options given; ``--epochs`` and
    ``--deterministic`` top its [train]."""
    train = {**({"epochs": epochs} if epochs is not None else {}), **({"deterministic": True} if deterministic else {})}
    if config_file:
        config = cls.from_file(config_file, **overrides)
        return dataclasses.replace(config, train={**config.train, **train})
    return cls(**{key: value for key, value in overrides.items() if value is not None}, train=train)


def _run(args: argparse.Namespace) -> None:
    overrides = {
        "out": args.out,
        "seed": args.seed,
        "counts": args.counts,
        "samples": args.samples,
        "de_table": args.de_table,
        "genome": args.genome,
        "annotation": args.annotation,
        "assembly": args.assembly,
        "models": args.models,
    }
    print(run(_settings(RunConfig, args.config, overrides, args.epochs, args.deterministic)).summary())


def _ablate(args: argparse.Namespace) -> None:
    ratios = comma_list(args.ratios)
    try:
        synthetic_ratios = tuple(float(ratio) for ratio in ratios) if ratios else None
    except ValueError as exc:
        raise ScaInputError(f"--ratios: expected comma-separated numbers, got {args.ratios!r}") from exc
    overrides = {
        "models": args.models,
        "arms": args.arms,
        "synthetic_ratios": synthetic_ratios,
        "synthetic_fasta": args.synthetic_fasta,
        "synthetic_quality": args.synthetic_quality,
        "seed": args.seed,
        "n_resamples": args.n_resamples,
    }
    config = _settings(AblationConfig, args.config, overrides, args.epochs)
    result = run_ablation(load_builder(args.data_dir, args.dataset), config, args.out)
    print(result.markdown.read_text())
    print(f"table: {result.markdown}")


def add_verbs(verbs: Any) -> None:
    """Register ``run`` and ``ablate``; options left out keep the config file's value, else the library default."""
    run_verb = add_verb(verbs, "run", _run, "the whole pipeline; with no data options, on the simulated default")
    run_verb.add_argument("--config", help="TOML or YAML run configuration (options below override it)")
    run_verb.add_argument("--out", help=f"run directory (default {default(RunConfig, 'out')})")
    run_verb.add_argument("--seed", type=int, help="seed of simulation, split, training and bootstrap "
                                                   f"(default {default(RunConfig, 'seed')})")
    run_verb.add_argument("--counts", help="count matrix (real data)")
    run_verb.add_argument("--samples", help="sample sheet for a plain count table")
    run_verb.add_argument("--de-table", help="reuse an existing de_table.tsv instead of running dge")
    run_verb.add_argument("--genome", help="genome FASTA (real data)")
    run_verb.add_argument("--annotation", help="grch38, grch37 or a GTF/GFF3 (real data)")
    run_verb.add_argument("--assembly", help="genome build of a GTF/GFF3 annotation")
    run_verb.add_argument("--models", type=comma_list,
                          help=f"comma-separated models to train (default {listed(default(RunConfig, 'models'))})")
    run_verb.add_argument("--epochs", type=int, help=_EPOCHS_HELP.format("model"))
    run_verb.add_argument("--deterministic", action="store_true",
                          help="TensorFlow op determinism in training ([train] deterministic = true)")

    ablate = add_verb(verbs, "ablate", _ablate, "class-balance ablation: models x balancing arms, test scored once")
    add_dataset_arguments(ablate)
    ablate.add_argument("--out", required=True, help="output directory (writes ablation.md/.json/.tsv)")
    ablate.add_argument("--config", help="TOML or YAML ablation settings (options below override it)")
    ablate.add_argument("--models", type=comma_list,
                        help=f"comma-separated models (default {listed(default(AblationConfig, 'models'))})")
    ablate.add_argument("--arms", type=comma_list,
                        help=f"comma-separated arms of {', '.join(BALANCE_STRATEGIES)} "
                             f"(default {listed(default(AblationConfig, 'arms'))})")
    ablate.add_argument("--ratios", help="synthetic positives per real positive "
                        f"(default {listed(default(AblationConfig, 'synthetic_ratios'))})")
    ablate.add_argument("--synthetic-fasta", help="synthetic positives for the synthetic arms")
    ablate.add_argument("--synthetic-quality", help="the passed quality.json of `sca-tf assess-synthetic` for them")
    ablate.add_argument("--epochs", type=int, help=_EPOCHS_HELP.format("arm"))
    ablate.add_argument("--seed", type=int, help="seed of training, balancing and bootstrap "
                                                 f"(default {default(AblationConfig, 'seed')})")
    ablate.add_argument("--n-resamples", type=int, help="bootstrap resamples for the 95%% CIs "
                                                        f"(default {default(AblationConfig, 'n_resamples')})")
