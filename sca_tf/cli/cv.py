"""``sca-tf cv``: K-fold cross-validation of the whole pipeline (argparse glue over :mod:`sca_tf.cv`)."""

from __future__ import annotations

import argparse
from typing import Any

from sca_tf.cli.options import add_verb, default
from sca_tf.cli.workflow import add_run_options, run_overrides, settings_from
from sca_tf.cv import CV_GROUPS, CVConfig, cross_validate
from sca_tf.schema import TARGETS


def _cv(args: argparse.Namespace) -> None:
    overrides = {**run_overrides(args), "folds": args.folds, "group": args.group, "target": args.target}
    print(cross_validate(settings_from(CVConfig, args.config, overrides, args.epochs, args.deterministic)).summary())


def add_verbs(verbs: Any) -> None:
    """Register ``cv``: ``run``'s options plus ``--folds`` and ``--group``."""
    verb = add_verb(verbs, "cv", _cv, "K-fold cross-validation of `run`: every testable gene scored once, "
                                      "out of fold, beside the baselines")
    add_run_options(verb, CVConfig)
    verb.add_argument("--folds", type=int, help=f"number of folds (default {default(CVConfig, 'folds')})")
    verb.add_argument("--group", choices=tuple(CV_GROUPS),
                      help="none: folds stratified over genes; chrom: whole chromosomes per fold "
                           f"(default {default(CVConfig, 'group')})")
    verb.add_argument("--target", choices=TARGETS, help="de: DE or not (binary); direction: not_de / up / down "
                                                        "(softmax); log2fc: regression of the log2 fold change "
                                                        f"(Huber loss) (default {default(CVConfig, 'target')})")
