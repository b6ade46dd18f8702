"""The ``sca-tf`` command line: argument parsing only; every verb calls one library function.

One module per verb group (:mod:`~sca_tf.cli.prep`, :mod:`~sca_tf.cli.data`, :mod:`~sca_tf.cli.train`,
:mod:`~sca_tf.cli.evaluate`, :mod:`~sca_tf.cli.synthetic`, :mod:`~sca_tf.cli.workflow`); :mod:`~sca_tf.cli.app`
assembles the parser and turns each kind of :class:`sca_tf.errors.ScaError` into one line
``sca-tf: error: <message>`` and its exit status (2 bad input, 3 training failure, 4 export mismatch; 130 when
interrupted).
"""

from sca_tf.cli.app import main

__all__ = ["main"]
