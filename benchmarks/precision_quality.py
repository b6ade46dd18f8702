"""Test AUROC / AUPRC of a run's models trained at ``auto`` precision beside float32, seed for seed.

Takes a finished ``sca-tf run`` directory (its TFDS dataset and its training settings), retrains each of its
models once per seed and policy (alternating, same seed, same data), scores the test split and prints both
metrics, their differences, the best validation AUPRC with its epoch (what a choice of policy may look at) and
the training speed. The mixed-precision default has to keep the test metrics within 0.01 of float32; with
``--deterministic`` TensorFlow's op determinism is on, so the float32 run is the same every time and the
difference is the policy's alone.

    python benchmarks/precision_quality.py RUN_DIR [--seeds 0,1,2] [--deterministic]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds
from sklearn.metrics import average_precision_score, roc_auc_score

from sca_tf.data.scoring import predict_codes
from sca_tf.data.splits import read_split
from sca_tf.models import load_classifier
from sca_tf.precision import resolve_precision
from sca_tf.schema import TEST
from sca_tf.training import TrainConfig, train_classifier
from sca_tf.workflow import RunConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path, help="a finished `sca-tf run --out` directory")
    parser.add_argument("--seeds", default="0", help="training seeds, comma-separated")
    parser.add_argument("--deterministic", action="store_true", help="TensorFlow op determinism")
    args = parser.parse_args()
    if args.deterministic:
        tf.config.experimental.enable_op_determinism()
    provenance = json.loads((args.run_dir / "run.json").read_text())
    config = RunConfig(**{key: tuple(value) if key == "models" else value
                          for key, value in provenance["config"].items()})
    builder = tfds.builder(provenance["dataset"], data_dir=str(args.run_dir / "tfds"))
    test = read_split(builder, TEST)
    policies = (resolve_precision("auto"), "float32")
    print(f"{provenance['dataset']}: {len(test.labels)} test genes ({int(test.labels.sum())} DE); policies "
          f"{policies}; deterministic={args.deterministic}")
    print(f"{'model':<13}{'seed':>5}{'policy':>16}{'AUROC':>8}{'AUPRC':>8}{'val AUPRC':>10}{'best':>6}{'epochs':>8}"
          f"{'s/epoch':>9}")
    for model in config.models:
        for seed in (int(seed) for seed in args.seeds.split(",")):
            metrics = {}
            for policy in policies:
                settings = {**config.train_settings(model), "seed": seed, "precision": policy, "verbose": 0}
                with tempfile.TemporaryDirectory() as run_dir:
                    result = train_classifier(builder, TrainConfig.from_mapping(settings), run_dir)
                    scores = predict_codes(load_classifier(result.model_path), test.codes)
                metrics[policy] = np.array([roc_auc_score(test.labels, scores),
                                            average_precision_score(test.labels, scores)])
                print(f"{model:<13}{seed:>5}{policy:>16}{metrics[policy][0]:>8.3f}{metrics[policy][1]:>8.3f}"
                      f"{result.best_val_auprc:>10.3f}{result.best_epoch:>6}{result.epochs_run:>8}"
                      f"{result.seconds / result.epochs_run:>9.2f}", flush=True)
            difference = metrics[policies[0]] - metrics["float32"]
            print(f"{model:<13}{seed:>5}{'difference':>16}{difference[0]:>+8.3f}{difference[1]:>+8.3f}", flush=True)


if __name__ == "__main__":
    main()
