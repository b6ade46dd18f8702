"""Verbs that apply a trained model: ``predict`` (sequences, regions, genes) and ``variants`` (a VCF)."""

from __future__ import annotations

import argparse
from typing import Any

from sca_tf.cli.options import add_verb, default
from sca_tf.predict.run import run_predict
from sca_tf.predict.sources import FITS
from sca_tf.predict.variants import run_variants

_MODEL_HELP = ".keras classifier, exported SavedModel version folder, or a `sca-tf train` / `sca-tf run` directory"


def _predict(args: argparse.Namespace) -> None:
    result = run_predict(args.model, args.out, fasta=args.fasta, bed=args.bed, genes=args.genes,
                         genome=args.genome, annotation=args.annotation, fit=args.fit,
                         embeddings=args.embeddings, downstream=args.downstream)
    print(result.summary())


def _variants(args: argparse.Namespace) -> None:
    result = run_variants(args.model, args.vcf, args.genome, args.annotation, args.out,
                          downstream=args.downstream, assembly=args.assembly, max_n_fraction=args.max_n_fraction)
    print(result.summary())


def add_verbs(verbs: Any) -> None:
    """Register ``predict`` and ``variants``."""
    predict = add_verb(verbs, "predict", _predict, "P(DE) of FASTA records, BED regions or genes' promoters")
    predict.add_argument("--model", required=True, help=_MODEL_HELP)
    source = predict.add_mutually_exclusive_group(required=True)
    source.add_argument("--fasta", help="FASTA (plain or gzip) of sequences of the model's length; streamed")
    source.add_argument("--bed", help="BED regions (strand in column 6) to cut from --genome")
    source.add_argument("--genes", help="file of gene ids, one a line, cut as `sca-tf promoters` does")
    predict.add_argument("--genome", help="genome FASTA (plain or bgzip) for --bed and --genes")
    predict.add_argument("--annotation", help="grch37, grch38 or a GTF/GFF3 file, for --genes")
    predict.add_argument("--fit", choices=FITS, default=default(run_predict, "fit"),
                         help="a sequence of another length: an error, or crop / pad with N around the middle "
                              "(BED regions are re-centred on the genome)")
    predict.add_argument("--downstream", type=int, default=default(run_predict, "downstream"),
                         help="bases from the TSS on in a gene's window (upstream = model length - downstream)")
    predict.add_argument("--embeddings", action="store_true", help="also write the feature-layer vectors")
    predict.add_argument("--out", required=True, help="output directory (predictions.tsv)")

    variants = add_verb(verbs, "variants", _variants, "effects of VCF variants on P(DE) in every promoter window")
    variants.add_argument("--model", required=True, help=_MODEL_HELP)
    variants.add_argument("--vcf", required=True, help="VCF, plain or bgzip")
    variants.add_argument("--genome", required=True, help="genome FASTA (plain or bgzip) the VCF refers to")
    variants.add_argument("--annotation", required=True, help="grch37, grch38 or a GTF/GFF3 file")
    variants.add_argument("--assembly", help="assembly of a GTF annotation (e.g. GRCh38)")
    variants.add_argument("--downstream", type=int, default=default(run_variants, "downstream"),
                          help="bases from the TSS on in a window (upstream = model length - downstream)")
    variants.add_argument("--max-n-fraction", type=float, default=default(run_variants, "max_n_fraction"),
                          help="promoter windows with more N than this are not scored")
    variants.add_argument("--out", required=True, help="output directory (variant_effects.tsv)")
