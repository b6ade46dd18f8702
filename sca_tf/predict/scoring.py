"""Score a stream of ``(id, base codes)`` in fixed-size batches and write ``predictions.tsv`` as it goes.

Memory stays at one batch whatever the input size: rows are written batch by batch into temporary files that are
renamed into place only when the whole input was scored (nothing half-written under the final names).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TextIO

import numpy as np
from tqdm.auto import tqdm

from sca_tf import io
from sca_tf.errors import ScaInputError
from sca_tf.evaluate.xgb import booster_probability
from sca_tf.predict.loading import Predictor, probability
from sca_tf.schema import DE_TARGET, LOG2FC_TARGET

logger = logging.getLogger(__name__)

#: Columns of ``predictions.tsv`` per target of the model (a ``log2fc`` model has no probability).
PREDICTION_COLUMNS = {DE_TARGET: ("id", "prob", "logit"), LOG2FC_TARGET: ("id", "log2fc")}
XGBOOST_COLUMN = "xgboost_prob"
BATCH_SIZE = 512


@dataclass(frozen=True)
class PredictionResult:
    """What ``predict`` wrote."""

    predictions: Path
    embeddings: Path | None
    n: int

    def summary(self) -> str:
        """One line for the command line."""
        extra = f" and embeddings to {self.embeddings}" if self.embeddings else ""
        return f"scored {self.n} sequences: {self.predictions}{extra}"


def batched(items: Iterable[tuple[str, np.ndarray]], size: int) -> Iterator[tuple[list[str], np.ndarray]]:
    """``(ids, codes [n, L])`` batches of at most ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield [name for name, _ in chunk], np.stack([codes for _, codes in chunk])


def score_codes(predictor: Predictor, codes: np.ndarray, *, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Logits ``[n]`` of base codes ``[n, L]``, ``batch_size`` sequences per model call."""
    logits = [predictor.scores(codes[start:start + batch_size])[0] for start in range(0, len(codes), batch_size)]
    return np.concatenate(logits) if logits else np.zeros(0)


def write_predictions(predictor: Predictor, items: Iterable[tuple[str, np.ndarray]], out_dir: str | os.PathLike[str],
                      *, embeddings: bool = False, total: int | None = None,
                      batch_size: int = BATCH_SIZE) -> PredictionResult:
    """Score ``items`` and write ``out_dir/predictions.tsv`` (and ``embeddings.tsv`` when asked)."""
    out = io.ensure_output_dir(out_dir)
    columns = [*PREDICTION_COLUMNS[predictor.target], *([XGBOOST_COLUMN] if predictor.booster is not None else [])]
    n = 0
    with contextlib.ExitStack() as stack:
        table = _open(stack, out / "predictions.tsv")
        table.write("\t".join(columns) + "\n")
        embedded = _open(stack, out / "embeddings.tsv") if embeddings else None
        bar = stack.enter_context(tqdm(total=total, desc="predict", unit="seq", disable=None))
        for ids, codes in batched(items, batch_size):
            logits, features = predictor.scores(codes, features=embeddings)
            rows = [ids, *([[f"{p:.6g}" for p in probability(logits)]] if predictor.target == DE_TARGET else []),
                    [f"{x:.6g}" for x in logits]]
            if predictor.booster is not None:
                rows.append([f"{p:.6g}" for p in booster_probability(predictor.booster, features)])
            table.writelines("\t".join(row) + "\n" for row in zip(*rows))
            if embedded is not None:
                if n == 0:
                    embedded.write("\t".join(["id", *(f"f{i}" for i in range(features.shape[1]))]) + "\n")
                embedded.writelines(name + "\t" + "\t".join(f"{v:.6g}" for v in row) + "\n"
                                    for name, row in zip(ids, features))
            n += len(ids)
            bar.update(len(ids))
        if n == 0:
            raise ScaInputError("nothing to score: the input holds no sequences")
    logger.info("scored %d sequences into %s", n, out)
    return PredictionResult(out / "predictions.tsv", out / "embeddings.tsv" if embeddings else None, n)


def _open(stack: contextlib.ExitStack, path: Path) -> TextIO:
    tmp = stack.enter_context(io.atomic_path(path, suffix=".tsv"))
    return stack.enter_context(open(tmp, "w"))
