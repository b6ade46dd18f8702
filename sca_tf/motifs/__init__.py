"""Motifs, one implementation for every stage that uses them (the simulator, the quality gate, explain).

* :mod:`sca_tf.motifs.pwm` — :class:`~sca_tf.motifs.pwm.Motif`, counts -> frequencies -> log-odds, relative
  scores, consensus, trimming and similarity of matrices.
* :mod:`sca_tf.motifs.scan` — the one scanner: relative scores, best hits, hit counts and hit rates.
* :mod:`sca_tf.motifs.jaspar` — JASPAR matrices from pyjaspar, at the one pinned release
  :data:`~sca_tf.motifs.jaspar.JASPAR_RELEASE`.
* :mod:`sca_tf.motifs.planted` — the CREB1-like and NF-kB-like motifs ``sca-tf simulate`` plants.
"""
