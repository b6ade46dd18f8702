"""Read a prepared ``sca_promoters`` split into numpy arrays, in the dataset's stored order, in one pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow_datasets as tfds

from sca_tf.errors import ScaInputError


@dataclass(frozen=True)
class SplitArrays:
    """One split of the TFDS dataset as arrays, in the dataset's stored order."""

    name: str
    gene_ids: np.ndarray
    codes: np.ndarray
    labels: np.ndarray
    base_mean: np.ndarray
    status: np.ndarray
    log2fc: np.ndarray


def read_split(builder: tfds.core.DatasetBuilder, split: str) -> SplitArrays:
    """Every example of ``split`` (gene_id, base codes, label, baseMean, DE status, log2FoldChange) as arrays."""
    if split not in builder.info.splits:
        raise ScaInputError(f"TFDS dataset {builder.info.full_name} has no split {split!r}; it has "
                            f"{', '.join(builder.info.splits)}")
    columns: dict[str, list[Any]] = {key: [] for key in ("gene_id", "sequence", "label", "baseMean", "status",
                                                          "log2FoldChange")}
    for example in tfds.as_numpy(builder.as_dataset(split=split, shuffle_files=False)):
        for key, values in columns.items():
            values.append(example[key])
    status_names = np.array(builder.info.features["status"].names)
    return SplitArrays(
        name=split,
        gene_ids=np.array([g.decode() if isinstance(g, bytes) else g for g in columns["gene_id"]]),
        codes=np.stack(columns["sequence"]).astype(np.uint8),
        labels=np.array(columns["label"], dtype=np.int64),
        base_mean=np.array(columns["baseMean"], dtype=np.float64),
        status=status_names[np.array(columns["status"], dtype=np.int64)],
        log2fc=np.array(columns["log2FoldChange"], dtype=np.float64),
    )
