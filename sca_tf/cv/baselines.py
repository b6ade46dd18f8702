"""The features of the non-DE-target baselines in a fold, fitted on its training part and tuned on validation:
k-mer frequencies, GC/CpG, log1p(baseMean) (the expression confounder). The ``de`` target has its own, richer
baseline set in :mod:`sca_tf.evaluate.baselines`; the ``direction`` and ``log2fc`` folds share this one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from sca_tf.evaluate.baselines import gc_cpg_features, kmer_frequencies
from sca_tf.sequence import decode_bases

Featurize = Callable[[str], np.ndarray]
"""A baseline's features of one split (``train`` / ``validation`` / ``test``)."""


def fold_baselines(splits: Mapping[str, Any]) -> dict[str, tuple[str, Featurize]]:
    """Baseline name -> (kind, featurize) over the fold's :class:`~sca_tf.data.splits.SplitArrays` ``splits``."""
    sequences = {split: [decode_bases(row) for row in arrays.codes] for split, arrays in splits.items()}
    return {
        "GC + CpG": ("baseline", lambda s: gc_cpg_features(sequences[s])),
        "k-mer (k=4,5,6)": ("baseline", lambda s: kmer_frequencies(sequences[s])),
        "baseMean only (expression confounder)": ("confounder",
                                                  lambda s: np.log1p(splits[s].base_mean).reshape(-1, 1)),
    }
