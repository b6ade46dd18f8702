"""The ``sca-tf`` command line: argument parsing only; every verb calls one library function.

Bad input raises :class:`sca_tf.errors.ScaInputError`, printed as ``sca-tf: error: …`` with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sca_tf import __version__
from sca_tf.errors import ScaInputError

Handler = Callable[[argparse.Namespace], None]


def _dge(args: argparse.Namespace) -> None:
    from sca_tf.dge import DERule, run_dge

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
    from sca_tf.promoters import run_promoters

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sca-tf`` command line; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except ScaInputError as exc:
        print(f"sca-tf: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
