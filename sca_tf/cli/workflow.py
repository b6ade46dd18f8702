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


def settings_from(cls: Any, config_file: str | None, overrides: dict[str, Any], epochs: int | None,
                  deterministic: bool = False) -> Any:
    """``cls`` (RunConfig, CVConfig, AblationConfig) from ``--config`` and the options given; ``--epochs`` and
    ``--deterministic`` top its [train]."""
    train = {**({"epochs": epochs} if epochs is not None else {}), **({"deterministic": True} if deterministic else {})}
    if config_file:
        config = cls.from_file(config_file, **overrides)
        return dataclasses.replace(config, train={**config.train, **train})
    return cls(**{key: value for key, value in overrides.items() if value is not None}, train=train)


def run_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The options of :func:`add_run_options` as :class:`RunConfig` keys (``None`` where not given)."""
    return {
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


def _run(args: argparse.Namespace) -> None:
    print(run(settings_from(RunConfig, args.config, run_overrides(args), args.epochs, args.deterministic)).summary())


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
    config = settings_from(AblationConfig, args.config, overrides, args.epochs)
    result = run_ablation(load_builder(args.data_dir, args.dataset), config, args.out)
    print(result.markdown.read_text())
    print(f"table: {result.markdown}")


def add_verbs(verbs: Any) -> None:
    """Register ``run`` and ``ablate``; options left out keep the config file's value, else the library default."""
    run_verb = add_verb(verbs, "run", _run, "the whole pipeline; with no data options, on the simulated default")
    add_run_options(run_verb, RunConfig)

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


def add_run_options(verb: argparse.ArgumentParser, config_class: Any) -> None:
    """The data, model and config options of ``run``, shared by ``cv``; defaults shown are ``config_class``'s."""
    verb.add_argument("--config", help="TOML or YAML run configuration (options below override it)")
    verb.add_argument("--out", help=f"run directory (default {default(config_class, 'out')})")
    verb.add_argument("--seed", type=int, help="seed of simulation, split, training and bootstrap "
                                               f"(default {default(config_class, 'seed')})")
    verb.add_argument("--counts", help="count matrix (real data)")
    verb.add_argument("--samples", help="sample sheet for a plain count table")
    verb.add_argument("--de-table", help="reuse an existing de_table.tsv instead of running dge")
    verb.add_argument("--genome", help="genome FASTA (real data)")
    verb.add_argument("--annotation", help="grch38, grch37 or a GTF/GFF3 (real data)")
    verb.add_argument("--assembly", help="genome build of a GTF/GFF3 annotation")
    verb.add_argument("--models", type=comma_list,
                      help=f"comma-separated models to train (default {listed(default(config_class, 'models'))})")
    verb.add_argument("--epochs", type=int, help=_EPOCHS_HELP.format("model"))
    verb.add_argument("--deterministic", action="store_true",
                      help="TensorFlow op determinism in training ([train] deterministic = true)")
