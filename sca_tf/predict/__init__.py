"""Apply a trained model (``sca-tf predict``, ``sca-tf variants``).

* :mod:`~sca_tf.predict.loading`: a ``.keras`` file, a SavedModel version folder or a train / run directory.
* :mod:`~sca_tf.predict.sources`: streamed FASTA records, BED regions, genes' promoters.
* :mod:`~sca_tf.predict.scoring`: batched scoring into ``predictions.tsv``.
* :mod:`~sca_tf.predict.vcf` and :mod:`~sca_tf.predict.variants`: VCF variants -> promoter windows -> effects.
"""
