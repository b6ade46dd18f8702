"""Synthetic-promoter verbs: ``train-generator`` (fit a DDPM or GAN on training positives), ``generate`` (sample
it) and ``assess-synthetic`` (the quality gate)."""

from __future__ import annotations

import argparse
from typing import Any

from sca_tf.cli.options import add_verb, default
from sca_tf.models.generative.sampling import (
    DEFAULT_ETA,
    DEFAULT_GUIDANCE,
    DEFAULT_GUIDANCE_INTERVAL,
    DEFAULT_GUIDED_TEMPERATURE,
    SAMPLERS,
)
from sca_tf.precision import PRECISIONS
from sca_tf.schema import DE_STATUSES, SPLIT_SCHEMES
from sca_tf.synthetic.assess import HELDOUT_SPLITS, assess_synthetic
from sca_tf.synthetic.data import generator_data
from sca_tf.synthetic.generate import generate
from sca_tf.training.generator import GENERATOR_MODELS, GeneratorTrainConfig, train_generator


def add_split_arguments(parser: Any, owner: Any) -> None:
    """``--split-scheme`` and ``--split-seed`` of the dataset config, defaulting to ``owner``'s parameters."""
    parser.add_argument("--split-scheme", choices=SPLIT_SCHEMES, default=default(owner, "split_scheme"),
                        help="split scheme of the dataset config")
    parser.add_argument("--split-seed", type=int, default=default(owner, "split_seed"),
                        help="split seed of the dataset config")


def add_generator_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``sca-tf train-generator`` (and ``trainers/train_diffusion.py``): where the training
    positives come from, a config file of :class:`GeneratorTrainConfig` fields and a few overrides of it."""
    sources = parser.add_argument_group("training positives (the training split's up/down genes only)")
    sources.add_argument("--de-table", help="de_table.tsv from `sca-tf dge`")
    sources.add_argument("--promoters", help="promoters.tsv from `sca-tf promoters`")
    sources.add_argument("--train-genes", help="file of training gene IDs (instead of the recomputed split)")
    sources.add_argument("--positives-fasta", help="FASTA of training positives (instead of the tables)")
    add_split_arguments(sources, generator_data)
    sources.add_argument("--test-fraction", type=float, default=default(generator_data, "test_fraction"))
    sources.add_argument("--validation-fraction", type=float, default=default(generator_data, "validation_fraction"))
    settings = parser.add_argument_group("training (default: the 2 kb recipe, README)")
    settings.add_argument("--out", "--output-dir", dest="out", required=True,
                          help="run directory (run again to resume an interrupted run)")
    settings.add_argument("--config", help="TOML/YAML of GeneratorTrainConfig fields, e.g. denoiser = \"residual\", "
                                           "[hparams] channels = 96")
    settings.add_argument("--model", choices=GENERATOR_MODELS, help="diffusion or the WGAN-GP baseline (gan)")
    settings.add_argument("--epochs", type=int)
    settings.add_argument("--steps-per-epoch", type=int)
    settings.add_argument("--batch-size", type=int, help="global batch (split over replicas)")
    settings.add_argument("--learning-rate", type=float)
    settings.add_argument("--seed", type=int, help="seed of weights, shuffling and noise draws")
    settings.add_argument("--precision", choices=PRECISIONS)
    settings.add_argument("--cpu-replicas", type=int, help="split the CPU into N logical devices")
    settings.add_argument("--verbose", type=int, choices=(0, 1, 2))


def train_generator_command(args: argparse.Namespace) -> None:
    """Read the positives and the config that :func:`add_generator_arguments` describe; train; say where."""
    config = GeneratorTrainConfig.from_file(
        args.config, model=args.model, epochs=args.epochs, steps_per_epoch=args.steps_per_epoch,
        batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed, precision=args.precision,
        cpu_replicas=args.cpu_replicas, verbose=args.verbose,
    )
    data = generator_data(args.de_table, args.promoters, train_genes=args.train_genes,
                          positives_fasta=args.positives_fasta, split_scheme=args.split_scheme,
                          split_seed=args.split_seed, test_fraction=args.test_fraction,
                          validation_fraction=args.validation_fraction)
    print(f"training {config.model} on {len(data.positives)} positive promoters of {data.positives.length} bases")
    result = train_generator(data.positives, config, args.out, validation=data.validation,
                             data_provenance=data.provenance)
    print(f"{result.trained_steps} steps in {result.seconds:.1f} s; model: {result.model_path}")


def _generate(args: argparse.Namespace) -> None:
    result = generate(
        args.checkpoint,
        args.n,
        args.out,
        sampler=args.sampler,
        steps=args.steps,
        eta=args.eta,
        guidance=args.guidance,
        guidance_interval=args.guidance_interval,
        temperature=args.temperature,
        seed=args.seed,
        condition=args.condition,
        batch_size=args.batch_size,
        precision=args.precision,
        expected_length=args.expected_length,
    )
    print(f"{result.n} sequences in {result.fasta} ({result.sequences_per_second:.1f} seq/s)")


def _assess_synthetic(args: argparse.Namespace) -> None:
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


def add_verbs(verbs: Any) -> None:
    """Register ``train-generator``, ``generate`` and ``assess-synthetic``."""
    trainer = add_verb(verbs, "train-generator", train_generator_command,
                       "train a DDPM (or the GAN baseline) on training-split positive promoters")
    add_generator_arguments(trainer)
    gen = add_verb(verbs, "generate", _generate, "sample synthetic promoters from a trained DDPM or GAN")
    gen.add_argument("checkpoint", help="trained generator (.keras) from `sca-tf train-generator`")
    gen.add_argument("-n", type=int, required=True, help="number of sequences")
    gen.add_argument("-o", "--out", required=True, help="output FASTA")
    gen.add_argument("--sampler", choices=SAMPLERS, default=default(generate, "sampler"),
                     help="ddim (fast, deterministic) or ddpm (ancestral); default: the model's")
    gen.add_argument("--steps", type=int, default=default(generate, "steps"), help="sampling steps (DDIM)")
    gen.add_argument("--eta", type=float, default=default(generate, "eta"),
                     help=f"DDIM stochasticity (0: deterministic; default {DEFAULT_ETA})")
    gen.add_argument("--guidance", type=float, default=default(generate, "guidance"),
                     help=f"classifier-free guidance scale (default {DEFAULT_GUIDANCE} with --condition, else 1)")
    gen.add_argument("--guidance-interval", type=float, nargs=2, metavar=("LOW", "HIGH"),
                     default=default(generate, "guidance_interval"),
                     help="fractions of the noise schedule (0 clean, 1 noise) where guidance applies "
                          f"(default {DEFAULT_GUIDANCE_INTERVAL[0]:g} {DEFAULT_GUIDANCE_INTERVAL[1]:g})")
    gen.add_argument("--temperature", type=float, default=default(generate, "temperature"),
                     help="clean-base logit temperature, categorical-x0 models (default "
                          f"{DEFAULT_GUIDED_TEMPERATURE:g} with guidance, else 1)")
    gen.add_argument("--seed", type=int, default=default(generate, "seed"), help="seed of the sampler")
    gen.add_argument("--condition", default=default(generate, "condition"),
                     help=f"class to generate for a status-conditioned model (e.g. {' or '.join(DE_STATUSES)})")
    gen.add_argument("--batch-size", type=int, default=default(generate, "batch_size"), help="sequences per batch")
    gen.add_argument("--precision", choices=PRECISIONS, default=default(generate, "precision"),
                     help="dtype policy of the network (auto: bfloat16 where the hardware has it, as in training)")
    gen.add_argument("--expected-length", type=int, default=default(generate, "expected_length"),
                     help="refuse a model of another sequence length")

    assess = add_verb(verbs, "assess-synthetic", _assess_synthetic,
                      "quality gate of synthetic promoters before augmentation")
    assess.add_argument("synthetic", help="synthetic FASTA")
    assess.add_argument("-o", "--out", required=True, help="report directory (quality.json + plots)")
    assess.add_argument("--de-table", help="de_table.tsv (with --promoters): real positives split as the dataset")
    assess.add_argument("--promoters", help="promoters.tsv of the same run")
    add_split_arguments(assess, assess_synthetic)
    assess.add_argument("--heldout-split", choices=HELDOUT_SPLITS, default=default(assess_synthetic, "heldout_split"),
                        help="real split compared against, once")
    assess.add_argument("--train-positives", help="FASTA of training positives (instead of --de-table)")
    assess.add_argument("--heldout-positives", help="FASTA of held-out positives")
    assess.add_argument("--heldout-negatives", help="FASTA of held-out negatives")
    assess.add_argument("--thresholds", help="JSON of QualityThresholds fields")
    assess.add_argument("--planted-motifs", action="store_true", help="also check sca-tf simulate's motif rates")
    assess.add_argument("--status", choices=DE_STATUSES, help="compare with real positives of that status only")
    assess.add_argument("--seed", type=int, default=default(assess_synthetic, "seed"), help="seed of the checks")
