"""Labelled promoter-like sequences for the evaluation tests; import it as ``evaluate.labelled_data``."""

from __future__ import annotations

import numpy as np

from sca_tf.evaluate.baselines import LabelledSequences

MOTIF = "TATAAAGG"


def random_sequence(rng: np.random.Generator, length: int, gc: float = 0.5) -> str:
    weights = np.array([1 - gc, gc, gc, 1 - gc]) / 2
    return "".join(rng.choice(list("ACGT"), size=length, p=weights))


def planted_split(rng: np.random.Generator, n: int, split: str, length: int = 150) -> LabelledSequences:
    """Positives (30 %) carry MOTIF at a random position and have a higher baseMean."""
    labels = (rng.random(n) < 0.3).astype(int)
    sequences = []
    for label in labels:
        sequence = random_sequence(rng, length)
        if label:
            start = int(rng.integers(0, length - len(MOTIF)))
            sequence = sequence[:start] + MOTIF + sequence[start + len(MOTIF):]
        sequences.append(sequence)
    base_mean = rng.lognormal(3, 1, n) * np.where(labels == 1, 3.0, 1.0)
    return LabelledSequences(sequences, labels, base_mean, split)
