"""Small in-memory promoter splits with a planted motif, shaped like the ``sca_promoters`` TFDS examples."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

MOTIF_CODES = np.array([3, 2, 0, 1, 2, 3, 1, 0], dtype=np.uint8)  # TGACGTCA


def planted_split(n: int, length: int, prevalence: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random base-code sequences; positives carry ``MOTIF_CODES`` at a random position."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, size=(n, length), dtype=np.uint8)
    labels = (rng.random(n) < prevalence).astype(np.int64)
    labels[:2] = [0, 1]  # both classes in every split
    for row in np.flatnonzero(labels):
        start = rng.integers(0, length - len(MOTIF_CODES))
        codes[row, start : start + len(MOTIF_CODES)] = MOTIF_CODES
    return codes, labels


def planted_splits(length: int = 64, sizes: tuple[int, int, int] = (256, 96, 96), prevalence: float = 0.25,
                   seed: int = 0) -> dict[str, tf.data.Dataset]:
    """``train`` / ``validation`` / ``test`` datasets of ``{"sequence": uint8 [L], "label": int64}``."""
    splits = {}
    for offset, (name, size) in enumerate(zip(("train", "validation", "test"), sizes)):
        codes, labels = planted_split(size, length, prevalence, seed + offset)
        splits[name] = tf.data.Dataset.from_tensor_slices({"sequence": codes, "label": labels})
    return splits
