"""High-attribution windows ("seqlets"): where in each promoter the model finds its evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sca_tf.errors import ScaInputError

WINDOW_COLUMNS = ("sequence_index", "rank", "start", "end", "score")


def top_windows(scores: np.ndarray, width: int = 20, per_sequence: int = 3) -> pd.DataFrame:
    """The ``per_sequence`` non-overlapping windows of ``width`` bases with the largest positive summed score.

    ``scores`` is ``[n, length]`` (see :func:`sca_tf.explain.attributions.position_scores`). Returns one row per
    window: ``sequence_index``, ``rank`` (1 = best of its sequence), ``start``, ``end`` (0-based half-open) and
    ``score`` (the window's summed contribution). Windows scoring 0 or less are left out.
    """
    scores = np.asarray(scores, np.float64)
    if scores.ndim != 2 or scores.shape[1] < width or width < 1 or per_sequence < 1:
        raise ScaInputError(f"top_windows: need scores [n, length >= width] and width, per_sequence >= 1; got "
                            f"shape {scores.shape}, width {width}, per_sequence {per_sequence}")
    cumulative = np.concatenate([np.zeros((len(scores), 1)), np.cumsum(scores, axis=1)], axis=1)
    sums = cumulative[:, width:] - cumulative[:, :-width]  # [n, length - width + 1]
    starts = np.arange(sums.shape[1])
    rows = []
    for rank in range(1, per_sequence + 1):
        best = sums.argmax(axis=1)
        best_score = sums[np.arange(len(sums)), best]
        for index in np.flatnonzero(best_score > 0):
            rows.append((index, rank, best[index], best[index] + width, best_score[index]))
        overlapping = np.abs(starts[None, :] - best[:, None]) < width
        sums = np.where(overlapping, -np.inf, sums)
    frame = pd.DataFrame(rows, columns=list(WINDOW_COLUMNS))
    return frame.sort_values(["sequence_index", "rank"], ignore_index=True)


def window_regions(one_hot: np.ndarray, windows: pd.DataFrame, flank: int) -> np.ndarray:
    """One-hot ``[n_windows, width + 2 * flank, 4]`` of each window and ``flank`` bases either side.

    Flanks running past a promoter's ends are all-zero (like ``N``).
    """
    padded = np.pad(np.asarray(one_hot, np.float32), ((0, 0), (flank, flank), (0, 0)))
    width = int((windows["end"] - windows["start"]).iloc[0]) if len(windows) else 0
    offsets = windows["start"].to_numpy()[:, None] + np.arange(width + 2 * flank)[None, :]
    return padded[windows["sequence_index"].to_numpy()[:, None], offsets]
