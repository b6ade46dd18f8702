"""Train the DDPM (or, with ``--model gan``, the WGAN-GP baseline) on training-split positive promoters.

Positives are genes with status ``up`` or ``down``, from the training split only:

* ``--de-table de_table.tsv --promoters promoters.tsv``: the ``sca_promoters`` dataset's own split, recomputed
  (``--split-scheme``, ``--split-seed``, ``--test-fraction``, ``--validation-fraction``; defaults = the
  registered configs). Validation positives give a ``val_loss``.
* add ``--train-genes FILE`` to take the training genes from a list instead (one gene ID a line).
* or ``--positives-fasta FILE``: training positives as FASTA (``status=up|down`` header tags for conditioning).

Runs under ``tf.distribute.MirroredStrategy`` (``--cpu-replicas 2`` splits the CPU into two logical devices),
with TensorBoard logs, per-epoch checkpoints and resumption; writes ``model.keras`` and ``config.json`` to
``--output-dir``. Example (paper settings, conditioned on up/down)::

    python trainers/train_diffusion.py --de-table out/dge/de_table.tsv --promoters out/promoters/promoters.tsv \\
        --output-dir runs/ddpm --condition-on-status --epochs 20
    sca-tf generate runs/ddpm/model.keras -n 500 -o out/synthetic_up.fa --condition up
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from sca_tf.cli.app import run_reporting_errors
from sca_tf.errors import ScaInputError
from sca_tf.models.generative.diffusion import PARAMETERIZATIONS
from sca_tf.models.generative.schedule import SCHEDULES
from sca_tf.provenance import describe_file
from sca_tf.schema import SPLIT_SCHEMES, TRAIN, VALIDATION
from sca_tf.synthetic import data
from sca_tf.training.generator import GENERATOR_MODELS, GeneratorTrainConfig, train_generator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    sources = parser.add_argument_group("training positives")
    sources.add_argument("--de-table", help="de_table.tsv from `sca-tf dge`")
    sources.add_argument("--promoters", help="promoters.tsv from `sca-tf promoters`")
    sources.add_argument("--train-genes", help="file of training gene IDs (instead of the recomputed split)")
    sources.add_argument("--positives-fasta", help="FASTA of training positives (instead of the tables)")
    sources.add_argument("--split-scheme", choices=SPLIT_SCHEMES, default="random")
    sources.add_argument("--split-seed", type=int, default=0)
    sources.add_argument("--test-fraction", type=float, default=0.2)
    sources.add_argument("--validation-fraction", type=float, default=0.1)

    model = parser.add_argument_group("model")
    model.add_argument("--model", choices=GENERATOR_MODELS, default="diffusion")
    model.add_argument("--channels", type=int, default=128)
    model.add_argument("--dilations", type=int, nargs="+", default=[1, 2, 4, 8],
                       help="diffusion: one residual block per dilation")
    model.add_argument("--kernel-size", type=int, default=9)
    model.add_argument("--groups", type=int, default=8, help="diffusion: GroupNorm groups")
    model.add_argument("--time-embedding-dim", type=int, default=128)
    model.add_argument("--dropout", type=float, default=0.0)
    model.add_argument("--no-position-encoding", action="store_true")
    model.add_argument("--latent-dim", type=int, default=64, help="gan: latent vector size")
    model.add_argument("--gan-layers", type=int, default=2, help="gan: up-/down-sampling layers")
    model.add_argument("--critic-steps", type=int, default=5, help="gan: critic updates per generator update")
    model.add_argument("--schedule", choices=SCHEDULES, default="linear")
    model.add_argument("--timesteps", type=int, default=1000)
    model.add_argument("--beta-start", type=float, default=1e-4)
    model.add_argument("--beta-end", type=float, default=0.02)
    model.add_argument("--condition-on-status", action="store_true", help="diffusion: condition on up/down")
    model.add_argument("--condition-dropout", type=float, default=0.1)
    model.add_argument("--parameterization", choices=PARAMETERIZATIONS, default="epsilon",
                       help="diffusion: the denoiser predicts the noise (MSE) or the clean bases' logits "
                            "(cross-entropy)")

    training = parser.add_argument_group("training")
    training.add_argument("--output-dir", required=True)
    training.add_argument("--epochs", type=int, default=20)
    training.add_argument("--steps-per-epoch", type=int, help="default: one pass over the positives")
    training.add_argument("--batch-size", type=int, default=32, help="global batch (split over replicas)")
    training.add_argument("--learning-rate", type=float, default=2e-4)
    training.add_argument("--clipnorm", type=float, default=1.0)
    training.add_argument("--ema-momentum", type=float,
                          help="diffusion: save an exponential moving average of the weights (e.g. 0.999)")
    training.add_argument("--seed", type=int, default=0)
    training.add_argument("--cpu-replicas", type=int, help="split the CPU into N logical devices")
    training.add_argument("--verbose", type=int, choices=(0, 1, 2), default=2)
    return parser.parse_args(argv)


def hparams(args: argparse.Namespace) -> dict[str, Any]:
    """The architecture arguments of the chosen model."""
    if args.model == "gan":
        return {"latent_dim": args.latent_dim, "channels": args.channels, "n_layers": args.gan_layers,
                "kernel_size": args.kernel_size}
    return {"channels": args.channels, "dilations": tuple(args.dilations), "kernel_size": args.kernel_size,
            "groups": args.groups, "time_embedding_dim": args.time_embedding_dim, "dropout": args.dropout,
            "position_encoding": not args.no_position_encoding}


def load_positives(args: argparse.Namespace) -> tuple[Any, Any, dict[str, Any]]:
    """Training positives, validation positives (or ``None``) and a record of where they came from."""
    if args.positives_fasta:
        if args.de_table or args.promoters or args.train_genes:
            raise ScaInputError("--positives-fasta replaces --de-table/--promoters/--train-genes; give one source")
        positives = data.read_promoter_fasta(args.positives_fasta)
        return positives, None, {"positives_fasta": describe_file(args.positives_fasta)}
    if not (args.de_table and args.promoters):
        raise ScaInputError("give --de-table and --promoters (or --positives-fasta)")
    table = data.promoter_splits(
        args.de_table, args.promoters, split_scheme=args.split_scheme, split_seed=args.split_seed,
        test_fraction=args.test_fraction, validation_fraction=args.validation_fraction,
    )
    record: dict[str, Any] = {"de_table": describe_file(args.de_table), "promoters": describe_file(args.promoters)}
    if args.train_genes:
        everyone = data.PromoterSet(table["gene_id"].tolist(), table["sequence"].tolist(), table["status"].tolist())
        chosen = data.restrict_to_genes(everyone, args.train_genes)
        keep = [i for i, status in enumerate(chosen.statuses) if status in data.DE_STATUSES]
        if not keep:
            raise ScaInputError(f"{args.train_genes}: none of the listed genes is up or down")
        positives = data.PromoterSet([chosen.gene_ids[i] for i in keep], [chosen.sequences[i] for i in keep],
                                     [chosen.statuses[i] for i in keep])
        return positives, None, {**record, "train_genes": describe_file(args.train_genes)}
    split = {"scheme": args.split_scheme, "seed": args.split_seed, "test_fraction": args.test_fraction,
             "validation_fraction": args.validation_fraction}
    return (data.select(table, TRAIN, positive=True), data.select(table, VALIDATION, positive=True),
            {**record, "split": split})


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return run_reporting_errors(lambda: train(args), prog="train_diffusion.py")


def train(args: argparse.Namespace) -> None:
    config = GeneratorTrainConfig(
        model=args.model, hparams=hparams(args), schedule=args.schedule, timesteps=args.timesteps,
        beta_start=args.beta_start, beta_end=args.beta_end, condition_on_status=args.condition_on_status,
        condition_dropout=args.condition_dropout, parameterization=args.parameterization, epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch, batch_size=args.batch_size, learning_rate=args.learning_rate,
        clipnorm=args.clipnorm, ema_momentum=args.ema_momentum, critic_steps=args.critic_steps, seed=args.seed,
        cpu_replicas=args.cpu_replicas, verbose=args.verbose,
    )
    positives, validation, provenance = load_positives(args)
    print(f"training {args.model} on {len(positives)} positive promoters of {positives.length} bases")
    result = train_generator(positives, config, args.output_dir, validation=validation, data_provenance=provenance)
    print(f"{result.trained_steps} steps in {result.seconds:.1f} s; model: {result.model_path}")


if __name__ == "__main__":
    sys.exit(main())
