"""Serve the CNN -> XGBoost bridge: the SavedModel's ``embed`` signature feeds the booster saved beside it.

This file depends only on TensorFlow, NumPy and XGBoost (not on sca-tf): every export that includes a booster
carries a copy as ``<version>/assets.extra/xgboost_bridge.py``, so a deployment can run it on its own::

    python saved_models/cnn/3/assets.extra/xgboost_bridge.py saved_models/cnn/3 sequences.txt > scores.tsv

``sequences.txt`` holds one promoter per line (exactly the model's input length, letters ACGTN). TF Serving
itself ignores ``assets.extra``; it serves the network's signatures only.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf
import xgboost

ASSETS_EXTRA = "assets.extra"
BOOSTER_FILE = "xgboost_booster.json"
# Copied into exports and run on its own, so it cannot import sca_tf: the names are checked against
# sca_tf.export.signatures by tests/export/test_bridge.py.
EMBED_SIGNATURE, DEFAULT_SIGNATURE = "embed", "serving_default"
# sca_tf.evaluate.xgb: a booster with this attribute starts each margin at the embedding's last column (the logit).
MARGIN_ATTRIBUTE, LOGIT_MARGIN = "sca_tf_base_margin", "last_feature_column"
_BATCH = 256


class XGBoostBridge:
    """An exported version folder with its booster: network and booster probabilities for DNA strings.

    >>> bridge = XGBoostBridge("saved_models/cnn/1")  # doctest: +SKIP
    >>> bridge.predict(["ACGT..." * 500])["xgboost_probability"]  # doctest: +SKIP
    """

    def __init__(self, version_dir: str | os.PathLike[str]) -> None:
        self.version_dir = Path(version_dir)
        booster_path = self.version_dir / ASSETS_EXTRA / BOOSTER_FILE
        if not booster_path.is_file():
            raise FileNotFoundError(f"{booster_path}: this export has no XGBoost booster (export it with one)")
        loaded = tf.saved_model.load(str(self.version_dir))
        self._embed = loaded.signatures[EMBED_SIGNATURE]
        self._probability = loaded.signatures[DEFAULT_SIGNATURE]
        self._booster = xgboost.XGBClassifier()
        self._booster.load_model(booster_path)

    def embed(self, sequences: Sequence[str]) -> np.ndarray:
        """Feature-layer embeddings ``[n, width]`` (the booster's input)."""
        return self._batched(self._embed, sequences, "features")

    def predict(self, sequences: Sequence[str]) -> dict[str, np.ndarray]:
        """``network_probability`` (the SavedModel's sigmoid) and ``xgboost_probability`` (the booster on the
        embeddings), one value per sequence."""
        features = self.embed(sequences)
        from_logit = self._booster.get_booster().attr(MARGIN_ATTRIBUTE) == LOGIT_MARGIN
        booster = self._booster.predict_proba(features, base_margin=features[:, -1] if from_logit else None)
        return {
            "network_probability": self._batched(self._probability, sequences, "probability"),
            "xgboost_probability": booster[:, 1].astype(np.float32),
        }

    @staticmethod
    def _batched(signature: Callable[..., dict[str, tf.Tensor]], sequences: Sequence[str], output: str) -> np.ndarray:
        if len(sequences) == 0:
            raise ValueError("no sequences to score: expected at least one DNA string")
        chunks = [signature(sequences=tf.constant(list(sequences[start:start + _BATCH]), tf.string))[output].numpy()
                  for start in range(0, len(sequences), _BATCH)]
        return np.concatenate(chunks)


def main(argv: Sequence[str] | None = None) -> int:
    """Print ``index, network_probability, xgboost_probability`` as TSV for each line of a sequences file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version_dir", help="an exported version folder, e.g. saved_models/cnn/3")
    parser.add_argument("sequences", help="text file with one DNA sequence per line")
    args = parser.parse_args(argv)
    sequences = [line.strip() for line in Path(args.sequences).read_text().splitlines() if line.strip()]
    scores = XGBoostBridge(args.version_dir).predict(sequences)
    print("index\tnetwork_probability\txgboost_probability")
    for index, (network, booster) in enumerate(zip(scores["network_probability"], scores["xgboost_probability"])):
        print(f"{index}\t{network:.6f}\t{booster:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
