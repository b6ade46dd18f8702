"""Seeded synthetic genome, annotation, counts and ground truth: the embedded default dataset.

``simulate(out_dir)`` writes everything the pipeline needs without GEO or a reference genome, with a signal
planted so that a promoter model can learn it and motif discovery can find it again::

    genome.fa, genome.fa.fai   soft-masked FASTA (60 bases a line) with N gaps, indexed by pyfaidx
    annotation.gtf             gene / transcript / exon lines, versioned ids, both strands, two biotypes
    counts.tsv                 GEO layout like GSE248760 (``NAME`` header, ``CLASS:DOSE`` row, unversioned ids)
    truth.tsv                  per gene: true status, log2 fold change, base mean, planted motifs and offsets
    motifs.json                the two planted motifs (consensus, position frequency matrix, class they mark)
    simulation.json            the configuration (seed included), library versions and summary counts

How the data are made
---------------------
* Background DNA comes from strand-symmetric first-order Markov chains: bulk sequence with human-like GC
  (~41 %) and CpG depletion (CpG observed/expected ~0.22), and CpG-island sequence (GC ~63 %, o/e ~0.8) laid
  over 500-1000 bp around the TSS of ~60 % of protein-coding (and fewer lncRNA) genes, so CpG o/e next to
  the TSS is clearly above the 1500-2000 bp band, as in the human genome. Depletion of CpG is balanced by
  excess CpA/TpG (the deamination products), which keeps the base composition fixed.
* Promoters (``promoter_length`` bases upstream of the TSS) are built in transcript orientation and written
  reverse-complemented for minus-strand genes, so a promoter read 5'->3' on the gene's strand shows the
  planted motifs exactly as recorded in ``truth.tsv``.
* Up-regulated genes carry 2-4 sites of the "up" motif, down-regulated genes of the "down" motif, mostly in
  -300..-50 but not only there; each not-DE gene carries a decoy site of each motif with a small probability.
  Sites are sampled from the position frequency matrix (kept only if their relative PWM score reaches
  ``min_site_relative_score``) and placed on either strand.
* Counts are negative binomial (gamma-Poisson) around log-normal base means drawn from one distribution for
  every gene, so expression level alone does not reveal the class. Dispersion follows DESeq2's parametric
  trend ``a / mean + b`` with log-normal gene-wise scatter; size factors vary between samples; a fraction of
  genes is all-zero and many are low-count, so the DE stage meets ``untestable`` genes.

The motifs
----------
"up" is modelled on the CREB1 cAMP-response element, "down" on the NF-kB site; both are defined, and their
choice explained, in :mod:`sca_tf.motifs.planted`, the one definition the quality gate and explain use too.

Modules
-------
:mod:`~sca_tf.simulate.config` (the knobs), :mod:`~sca_tf.simulate.background` (Markov DNA, soft-masking),
:mod:`~sca_tf.simulate.genes` (gene table, layout, expression), :mod:`~sca_tf.simulate.placement` (planted sites),
:mod:`~sca_tf.simulate.genome`, :mod:`~sca_tf.simulate.counts`, :mod:`~sca_tf.simulate.writers` (GTF, truth,
summary) and :mod:`~sca_tf.simulate.run` (``simulate`` itself).

Example::

    >>> from sca_tf.simulate import SimulationConfig, simulate
    >>> result = simulate("sim", SimulationConfig(seed=1, n_genes=300))  # doctest: +SKIP
    >>> result.summary["n_up"]  # doctest: +SKIP
    24
"""

from sca_tf.simulate.background import dinucleotide_chain, sample_markov
from sca_tf.simulate.config import SimulationConfig
from sca_tf.simulate.run import SimulationResult, simulate

__all__ = [
    "SimulationConfig",
    "SimulationResult",
    "dinucleotide_chain",
    "sample_markov",
    "simulate",
]
