"""Interpretation (``sca-tf explain``): which bases drive a prediction, and which known motifs they form.

>>> from sca_tf.explain import ExplainConfig, explain_promoters
>>> result = explain_promoters(model, promoters, "out/explain", ExplainConfig(reference="shuffle"))  # doctest: +SKIP
>>> result.enrichment.head()  # doctest: +SKIP

* :mod:`~sca_tf.explain.attributions`: integrated gradients (shuffled or zero reference) and in-silico mutagenesis.
* :mod:`~sca_tf.explain.windows`: the top-scoring windows of each promoter.
* :mod:`~sca_tf.explain.discovery`: de novo motifs from those windows (k-mer seeds refined into matrices).
* :mod:`~sca_tf.motifs.jaspar` / :mod:`~sca_tf.explain.enrichment`: JASPAR matching and enrichment tables.
* :mod:`~sca_tf.explain.plots`: attribution and motif logos.
"""

from sca_tf.explain.attributions import (
    in_silico_mutagenesis,
    integrated_gradients,
    logit_model,
    position_scores,
)
from sca_tf.explain.discovery import DiscoveredMotif, discover_motifs
from sca_tf.explain.enrichment import gene_motif_hits, motif_enrichment
from sca_tf.explain.run import (
    ExplainConfig,
    ExplainResult,
    explain_promoters,
    prediction_groups,
    read_promoter_table,
    run_explain,
    split_table,
)
from sca_tf.explain.windows import top_windows, window_regions
from sca_tf.motifs.jaspar import best_matches, load_jaspar
from sca_tf.motifs.pwm import Motif

__all__ = [
    "DiscoveredMotif",
    "ExplainConfig",
    "ExplainResult",
    "Motif",
    "best_matches",
    "discover_motifs",
    "explain_promoters",
    "gene_motif_hits",
    "in_silico_mutagenesis",
    "integrated_gradients",
    "load_jaspar",
    "logit_model",
    "motif_enrichment",
    "position_scores",
    "prediction_groups",
    "read_promoter_table",
    "run_explain",
    "split_table",
    "top_windows",
    "window_regions",
]
