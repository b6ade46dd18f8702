"""Synthetic positive promoters: generate them, check them, and only then use them.

* :mod:`sca_tf.synthetic.generate` — ``generate(checkpoint, n, out_fasta, ...)``: sample a trained diffusion
  model (:mod:`sca_tf.models.generative.diffusion`) or GAN (:mod:`sca_tf.models.generative.gan`) into a FASTA
  (``sca-tf generate``).
* :mod:`sca_tf.synthetic.quality` — ``assess(...)`` and :class:`QualityThresholds`: the quality gate (k-mer
  spectra, composition, memorisation, discriminability, motif content); ``write_quality_report``. Its parts:
  :mod:`~sca_tf.synthetic.thresholds`, :mod:`~sca_tf.synthetic.composition`, :mod:`~sca_tf.synthetic.memorisation`,
  :mod:`~sca_tf.synthetic.motif_content`, :mod:`~sca_tf.synthetic.report` and :mod:`~sca_tf.synthetic.sets`.
* :mod:`sca_tf.synthetic.assess` — ``assess_synthetic(...)``: the gate on files (``sca-tf assess-synthetic``).
* :mod:`sca_tf.synthetic.augment` — ``approved_synthetic(...)``: sequences released for augmentation only by a
  passed report of the same file.
* :mod:`sca_tf.synthetic.fasta` — validated reading and writing of synthetic FASTA files.
* :mod:`sca_tf.synthetic.data` — real promoters split exactly as the ``sca_promoters`` dataset splits them.
* :mod:`sca_tf.motifs` — the motif scanning, JASPAR matrices and planted motifs the gate uses.

Importing this package does not import TensorFlow; ``generate`` and ``data`` do.
"""

from sca_tf.synthetic.fasta import SyntheticRecords, read_synthetic_fasta, write_synthetic_fasta
from sca_tf.synthetic.quality import QualityThresholds, assess, write_quality_report

__all__ = [
    "QualityThresholds",
    "SyntheticRecords",
    "assess",
    "read_synthetic_fasta",
    "write_quality_report",
    "write_synthetic_fasta",
]
