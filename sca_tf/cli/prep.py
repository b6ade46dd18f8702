"""Preparation verbs: ``simulate`` (a seeded toy genome), ``dge`` (DE table) and ``promoters`` (windows)."""

from __future__ import annotations

import argparse
from typing import Any

from sca_tf.cli.options import add_verb, comma_list, default
from sca_tf.prep.dge import DERule, run_dge
from sca_tf.prep.promoters import run_promoters
from sca_tf.simulate import SimulationConfig, simulate
from sca_tf.simulate.config import GRAMMARS


def _simulate(args: argparse.Namespace) -> None:
    result = simulate(args.out, SimulationConfig(seed=args.seed, n_genes=args.n_genes, grammar=args.grammar))
    summary = result.summary
    print(
        f"simulated {summary['genome_length']:,} bp genome with {args.n_genes} genes "
        f"({summary['n_up']} up, {summary['n_down']} down; seed {args.seed}) in {result.out_dir}"
    )


def _dge(args: argparse.Namespace) -> None:
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
    result = run_promoters(
        args.de_table,
        args.genome,
        args.annotation,
        args.out,
        upstream=args.upstream,
        downstream=args.downstream,
        assembly=args.assembly,
        max_n_fraction=args.max_n_fraction,
        biotypes=set(args.biotypes) if args.biotypes else None,
    )
    print(result.summary())


def add_verbs(verbs: Any) -> None:
    """Register ``dge``, ``promoters`` and ``simulate``."""
    dge = add_verb(verbs, "dge", _dge, "differential expression (PyDESeq2) -> labelled DE table")
    dge.add_argument("--counts", required=True, help="GEO-style matrix with a CLASS:DOSE row, or a counts TSV/CSV")
    dge.add_argument("--samples", help="sample sheet (columns: sample, condition) for a plain counts table")
    dge.add_argument("--out", required=True, help="output directory for de_table.tsv/.parquet and de_run.json")
    dge.add_argument("--treatment", default=default(run_dge, "treatment"), help="group compared against the reference")
    dge.add_argument("--reference", default=default(run_dge, "reference"), help="reference group")
    dge.add_argument("--condition-column", default=default(run_dge, "condition_column"),
                     help="group column of the sample sheet")
    dge.add_argument("--alpha", type=float, default=default(run_dge, "alpha"),
                     help="independent-filtering alpha, as in R's DESeq2")
    dge.add_argument("--lfc-threshold", type=float, default=default(DERule, "lfc_threshold"),
                     help="DE needs |log2FC| above this")
    dge.add_argument("--padj-threshold", type=float, default=default(DERule, "padj_threshold"),
                     help="DE needs padj below this")
    dge.add_argument("--n-cpus", type=int, default=default(run_dge, "n_cpus"),
                     help="PyDESeq2 worker processes (default: all cores)")

    promoters = add_verb(verbs, "promoters", _promoters, "strand-aware promoter windows from a genome FASTA")
    promoters.add_argument("--de-table", required=True, help="de_table.tsv or .parquet from `sca-tf dge`")
    promoters.add_argument("--genome", required=True, help="genome FASTA (plain or bgzip, .fai made if absent)")
    promoters.add_argument(
        "--annotation", required=True, help="grch38 or grch37 (packaged Ensembl 100 tables) or a GTF/GFF3 path"
    )
    promoters.add_argument("--out", required=True, help="output directory for promoters.tsv/.fa")
    promoters.add_argument("--upstream", type=int, default=default(run_promoters, "upstream"),
                           help="bases 5' of the TSS")
    promoters.add_argument("--downstream", type=int, default=default(run_promoters, "downstream"),
                           help="bases from the TSS on")
    promoters.add_argument("--assembly", help="genome build of a GTF/GFF3 (e.g. GRCh38), checked against the FASTA")
    promoters.add_argument("--max-n-fraction", type=float, default=default(run_promoters, "max_n_fraction"),
                           help="drop windows with more N than this")
    promoters.add_argument("--biotypes", type=comma_list, help="comma-separated gene biotypes to keep (default: all)")

    simulate_verb = add_verb(verbs, "simulate", _simulate, "seeded synthetic genome, annotation, counts and ground truth")
    simulate_verb.add_argument("--out", required=True, help="output directory")
    simulate_verb.add_argument("--seed", type=int, default=default(SimulationConfig, "seed"), help="random seed")
    simulate_verb.add_argument("--grammar", choices=GRAMMARS, default=default(SimulationConfig, "grammar"),
                               help="what makes a promoter DE: motif copies, or two motifs a few bases apart")
    simulate_verb.add_argument("--n-genes", type=int, default=default(SimulationConfig, "n_genes"),
                               help="number of genes")
