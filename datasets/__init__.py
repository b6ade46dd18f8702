"""TFDS dataset builders of sca-tf, in tensorflow/datasets' layout (installed as ``sca_tf_datasets``).

``from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder`` registers the ``sca_promoters``
builder, after which ``tfds.builder("sca_promoters/<config>")`` and ``tfds.load(...)`` find it.
"""
