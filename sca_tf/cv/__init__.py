"""``sca-tf cv``: K-fold cross-validation of ``sca-tf run``, every testable gene scored once, out of fold.

>>> from sca_tf.cv import CVConfig, cross_validate
>>> result = cross_validate(CVConfig(out="runs/cv", folds=5))  # doctest: +SKIP
>>> result.report_markdown  # doctest: +SKIP

Fold assignment is the TFDS builder's (split schemes ``kfold`` / ``chrom_kfold``,
``datasets/sca_promoters/folds.py``); each fold is an ordinary train / validation / test run of the workflow's
stages, and :mod:`sca_tf.cv.report` pools the folds' test predictions.
"""

from sca_tf.cv.run import CV_GROUPS, CVConfig, CVResult, cross_validate

__all__ = ["CV_GROUPS", "CVConfig", "CVResult", "cross_validate"]
