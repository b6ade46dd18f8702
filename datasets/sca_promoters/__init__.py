"""The ``sca_promoters`` TFDS dataset (builder in :mod:`.sca_promoters_dataset_builder`).

Kept empty, as in tensorflow/datasets: importing ``sca_promoters_dataset_builder`` registers the builder, and
TFDS tools that load the folder by path (``tfds build datasets/sca_promoters``) must be able to import it once.
"""
