"""TFDS conformance tests of the ``sca_promoters`` builder on ``dummy_data/`` (36 genes, 32 bp windows)."""

import tensorflow_datasets as tfds
from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder as builder_module

# dummy_data/: 36 genes on chromosomes 1-4 (12/10/8/6 genes), 12 DE, 4 untestable; windows of 24 bp up + 8 bp down.
_DUMMY = dict(assembly="GRCh37", upstream=24, downstream=8)


class RandomSplitTest(tfds.testing.DatasetBuilderTestCase):
    """Stratified random split of the 32 testable genes; untestable genes dropped."""

    DATASET_CLASS = builder_module.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = [builder_module.make_config(split_scheme="random", **_DUMMY)]
    SPLITS = {"train": 22, "validation": 3, "test": 7}


class ChromosomeSplitTest(tfds.testing.DatasetBuilderTestCase):
    """Whole chromosomes held out; the untestable genes kept as their own split."""

    DATASET_CLASS = builder_module.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = [
        builder_module.make_config(
            split_scheme="chrom", test_chromosomes=("2",), validation_chromosomes=("4",), keep_untestable=True, **_DUMMY
        )
    ]
    SPLITS = {"train": 16, "validation": 6, "test": 10, "untestable": 4}


if __name__ == "__main__":
    tfds.testing.test_main()
