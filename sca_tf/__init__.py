"""sca-tf: learn differential gene expression from promoter DNA with Keras and TensorFlow.

Stages, each a module with one entry point and one CLI verb::

    sca_tf.prep.dge.run_dge(...)            counts -> PyDESeq2 -> labelled DE table
    sca_tf.prep.promoters.extract(...)      annotation + genome -> strand-aware TSS windows
    sca_tf.simulate.simulate(...)      seeded synthetic genome, annotation, counts and ground truth

Importing ``sca_tf`` does not import TensorFlow; modules that need it import it themselves.
"""

__version__ = "0.1.0"
