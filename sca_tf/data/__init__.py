"""The data stage: the ``sca_promoters`` TFDS dataset and the tf.data pipelines over it.

* :func:`~sca_tf.data.build.build_dataset` / :func:`~sca_tf.data.build.load_builder`: prepare and open the dataset.
* :func:`make_datasets` / :class:`PipelineConfig`: seeded train/validation/test pipelines of one-hot promoters,
  with optional reverse-complement augmentation and class balancing of the training split only.
* :mod:`sca_tf.data.splits`: a prepared split as arrays, in the dataset's stored order.
* :mod:`sca_tf.data.encoding`: the in-graph one-hot of the codec's base codes (:mod:`sca_tf.sequence`).
"""

from sca_tf.data.balancing import BALANCE_STRATEGIES, EpochComposition, class_weights
from sca_tf.data.pipeline import Datasets, PipelineConfig, make_datasets

__all__ = [
    "BALANCE_STRATEGIES",
    "Datasets",
    "EpochComposition",
    "PipelineConfig",
    "class_weights",
    "make_datasets",
]
