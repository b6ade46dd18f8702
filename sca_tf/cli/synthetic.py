"""Synthetic-promoter verbs: ``generate`` (sample a trained DDPM or GAN) and ``assess-synthetic`` (quality gate)."""

from __future__ import annotations

import argparse
from typing import Any

from sca_tf.cli.options import add_verb, default
from sca_tf.models.generative.sampling import SAMPLERS
from sca_tf.schema import DE_STATUSES, SPLIT_SCHEMES
from sca_tf.synthetic.assess import HELDOUT_SPLITS, assess_synthetic
from sca_tf.synthetic.generate import generate


def _generate(args: argparse.Namespace) -> None:
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
    """Register ``generate`` and ``assess-synthetic``."""
    gen = add_verb(verbs, "generate", _generate, "sample synthetic promoters from a trained DDPM or GAN")
    gen.add_argument("checkpoint", help="trained generator (.keras) from trainers/train_diffusion.py")
    gen.add_argument("-n", type=int, required=True, help="number of sequences")
    gen.add_argument("-o", "--out", required=True, help="output FASTA")
    gen.add_argument("--sampler", choices=SAMPLERS, default=default(generate, "sampler"),
                     help="ddim (fast, deterministic) or ddpm (ancestral); default: the model's")
    gen.add_argument("--steps", type=int, default=default(generate, "steps"), help="sampling steps (DDIM)")
    gen.add_argument("--eta", type=float, default=default(generate, "eta"), help="DDIM stochasticity (0: deterministic)")
    gen.add_argument("--guidance", type=float, default=default(generate, "guidance"),
                     help="classifier-free guidance scale")
    gen.add_argument("--seed", type=int, default=default(generate, "seed"), help="seed of the sampler")
    gen.add_argument("--condition", default=default(generate, "condition"),
                     help=f"class to generate for a status-conditioned model (e.g. {' or '.join(DE_STATUSES)})")
    gen.add_argument("--batch-size", type=int, default=default(generate, "batch_size"), help="sequences per batch")
    gen.add_argument("--expected-length", type=int, default=default(generate, "expected_length"),
                     help="refuse a model of another sequence length")

    assess = add_verb(verbs, "assess-synthetic", _assess_synthetic,
                      "quality gate of synthetic promoters before augmentation")
    assess.add_argument("synthetic", help="synthetic FASTA")
    assess.add_argument("-o", "--out", required=True, help="report directory (quality.json + plots)")
    assess.add_argument("--de-table", help="de_table.tsv (with --promoters): real positives split as the dataset")
    assess.add_argument("--promoters", help="promoters.tsv of the same run")
    assess.add_argument("--split-scheme", choices=SPLIT_SCHEMES, default=default(assess_synthetic, "split_scheme"),
                        help="split scheme of the dataset config")
    assess.add_argument("--split-seed", type=int, default=default(assess_synthetic, "split_seed"),
                        help="split seed of the dataset config")
    assess.add_argument("--heldout-split", choices=HELDOUT_SPLITS, default=default(assess_synthetic, "heldout_split"),
                        help="real split compared against, once")
    assess.add_argument("--train-positives", help="FASTA of training positives (instead of --de-table)")
    assess.add_argument("--heldout-positives", help="FASTA of held-out positives")
    assess.add_argument("--heldout-negatives", help="FASTA of held-out negatives")
    assess.add_argument("--thresholds", help="JSON of QualityThresholds fields")
    assess.add_argument("--planted-motifs", action="store_true", help="also check sca-tf simulate's motif rates")
    assess.add_argument("--status", choices=DE_STATUSES, help="compare with real positives of that status only")
    assess.add_argument("--seed", type=int, default=default(assess_synthetic, "seed"), help="seed of the checks")
