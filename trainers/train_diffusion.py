"""Train the DDPM (or, with ``--model gan``, the WGAN-GP baseline) on training-split positive promoters.

The same library call as ``sca-tf train-generator`` (:func:`sca_tf.cli.synthetic.train_generator_command`), with
the same options: the training positives (``--de-table`` + ``--promoters``, the dataset's own split recomputed;
``--train-genes``; or ``--positives-fasta``), ``--config`` (a TOML/YAML of ``GeneratorTrainConfig`` fields) and a
few overrides. Without a config the defaults are the 2 kb recipe (README: its samples pass the gate). Runs
under ``tf.distribute.MirroredStrategy`` (``--cpu-replicas 2`` splits the CPU into two logical devices), with
TensorBoard logs, per-epoch checkpoints and resumption; writes ``model.keras`` and ``config.json`` to ``--out``::

    python trainers/train_diffusion.py --de-table out/dge/de_table.tsv --promoters out/promoters/promoters.tsv \\
        --out runs/ddpm
    sca-tf generate runs/ddpm/model.keras -n 150 -o up.fa --condition up
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sca_tf.cli.app import run_reporting_errors
from sca_tf.cli.synthetic import add_generator_arguments, train_generator_command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_generator_arguments(parser)
    args = parser.parse_args(argv)
    return run_reporting_errors(lambda: train_generator_command(args), prog="train_diffusion.py")


if __name__ == "__main__":
    sys.exit(main())
