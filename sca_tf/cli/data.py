"""Dataset verb: ``build-dataset`` (the ``sca_promoters`` TFDS dataset from a DE table and promoters)."""

from __future__ import annotations

import argparse
from typing import Any

from sca_tf_datasets.sca_promoters.sca_promoters_dataset_builder import SIMULATED_ASSEMBLY, SCAPromotersConfig

from sca_tf.cli.options import add_verb, comma_list, default
from sca_tf.data.build import DEFAULT_CONFIG, build_dataset
from sca_tf.schema import SPLIT_SCHEMES


def _build_dataset(args: argparse.Namespace) -> None:
    built = build_dataset(
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
        test_chromosomes=args.test_chromosomes,
        validation_chromosomes=args.validation_chromosomes,
        keep_untestable=args.keep_untestable or None,
        download=args.download,
        overwrite=args.overwrite,
    )
    print(built.summary())


def add_verbs(verbs: Any) -> None:
    """Register ``build-dataset``."""
    dataset = add_verb(verbs, "build-dataset", _build_dataset, "TFDS dataset sca_promoters from a DE table and promoters")
    dataset.add_argument("--data-dir", required=True, help="TFDS data directory to write the dataset into")
    dataset.add_argument("--config", help=f"registered config (default {DEFAULT_CONFIG})")
    dataset.add_argument("--de-table", help="de_table.tsv from `sca-tf dge` (with --promoters)")
    dataset.add_argument("--promoters", help="promoters.tsv from `sca-tf promoters` (with --de-table)")
    dataset.add_argument("--manual-dir", help="folder holding de_table.tsv and promoters.tsv (TFDS manual_dir)")
    dataset.add_argument("--upstream", type=int, help="override the config's bases upstream of the TSS")
    dataset.add_argument("--downstream", type=int, help="override the config's bases from the TSS on")
    dataset.add_argument("--assembly", help=f"override the config's assembly (GRCh37, GRCh38, {SIMULATED_ASSEMBLY})")
    dataset.add_argument("--split", choices=SPLIT_SCHEMES, help="override the config's split scheme")
    dataset.add_argument("--seed", type=int,
                         help=f"override the split seed (default {default(SCAPromotersConfig, 'split_seed')})")
    dataset.add_argument("--test-chromosomes", type=comma_list,
                         help="comma-separated chromosomes held out for test (chrom split)")
    dataset.add_argument("--validation-chromosomes", type=comma_list,
                         help="comma-separated chromosomes held out for validation")
    dataset.add_argument("--keep-untestable", action="store_true", help="keep untestable genes as their own split")
    dataset.add_argument("--download", action="store_true", help="download GEO/Ensembl raw data, run dge+promoters")
    dataset.add_argument("--overwrite", action="store_true", help="rebuild a config that is already prepared")
