"""Read prepared ``sca_promoters`` splits into arrays and score them with a trained model, in one pass each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from sca_tf.errors import ScaInputError
from sca_tf.evaluate import LabelledSequences
from sca_tf.data import decode_bases, one_hot


@dataclass(frozen=True)
class SplitArrays:
    """One split of the TFDS dataset as arrays, in the dataset's stored order."""

    name: str
    gene_ids: np.ndarray
    codes: np.ndarray
    labels: np.ndarray
    base_mean: np.ndarray
    status: np.ndarray

    def labelled(self) -> LabelledSequences:
        """The split as plain sequences for the baselines."""
        sequences = [decode_bases(row) for row in self.codes]
        return LabelledSequences(sequences, self.labels, self.base_mean, split=self.name)


def read_split(builder: tfds.core.DatasetBuilder, split: str) -> SplitArrays:
    """Every example of ``split`` (gene_id, base codes, label, baseMean, DE status) as numpy arrays."""
    if split not in builder.info.splits:
        raise ScaInputError(f"TFDS dataset {builder.info.full_name} has no split {split!r}; it has "
                            f"{', '.join(builder.info.splits)}")
    columns: dict[str, list[Any]] = {"gene_id": [], "sequence": [], "label": [], "baseMean": [], "status": []}
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
    )


def predict_codes(model: keras.Model, codes: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Model outputs for base-code sequences, one-hot encoded on the fly; ``[n]`` for a 1-unit output."""
    batches = tf.data.Dataset.from_tensor_slices(codes).batch(batch_size).map(one_hot)
    outputs = model.predict(batches, verbose=0)
    return outputs.reshape(len(codes)) if outputs.shape[-1] == 1 else outputs
