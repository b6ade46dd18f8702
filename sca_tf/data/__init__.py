"""tf.data input pipelines over the ``sca_promoters`` TFDS dataset.

* :func:`make_datasets` / :class:`PipelineConfig`: seeded train/validation/test pipelines of one-hot promoters,
  with optional reverse-complement augmentation and class balancing of the training split only.
* :mod:`sca_tf.data.encoding`: the on-disk base codes and the on-the-fly one-hot (``A, C, G, T``; ``N`` = 0).
"""

from sca_tf.data.balancing import BALANCE_STRATEGIES, EpochComposition, class_weights
from sca_tf.data.encoding import (
    decode_bases,
    encode_bases,
    one_hot,
    one_hot_to_bases,
    reverse_complement_codes,
    reverse_complement_one_hot,
)
from sca_tf.data.pipeline import Datasets, PipelineConfig, make_datasets

__all__ = [
    "BALANCE_STRATEGIES",
    "Datasets",
    "EpochComposition",
    "PipelineConfig",
    "class_weights",
    "decode_bases",
    "encode_bases",
    "make_datasets",
    "one_hot",
    "one_hot_to_bases",
    "reverse_complement_codes",
    "reverse_complement_one_hot",
]
