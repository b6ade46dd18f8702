"""A small CNN trained on 300 bp promoters of a simulated genome, where the planted sites are the truth.

Shared by the explain and predict tests (import as ``simulated_model``): seed 3, 1,500 genes, the sparse,
degenerate sites of the original default (1-3 copies, relative PWM score >= 0.8), fixed here so the checks do not
move with the demo's defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from sca_tf.data.encoding import one_hot
from sca_tf.models import build_model
from sca_tf.prep.promoters import run_promoters
from sca_tf.sequence import encode_bases
from sca_tf.simulate import SimulationConfig, simulate
from sca_tf.training.recipe import TrainingRecipe, compile_classifier

UPSTREAM = 300


def train_simulated_cnn(root: Path) -> dict[str, Any]:
    """Simulate into ``root``, cut 300 bp promoters labelled with the true status, train and save a CNN.

    Returns ``root``, ``promoters`` (gene_id, status, sequence, ...), ``model``, ``truth`` (indexed by gene_id),
    and the paths ``genome``, ``annotation``, ``model_path``.
    """
    config = SimulationConfig(seed=3, n_genes=1500, motif_copies=(1, 3), min_site_relative_score=0.8)
    result = simulate(root / "sim", config)
    truth = pd.read_csv(result.truth_tsv, sep="\t", keep_default_na=False)
    pd.DataFrame({"gene_id": truth["gene_id"], "baseMean": truth["base_mean"], "log2FoldChange": truth["true_log2fc"],
                  "padj": np.where(truth["true_status"] == "not_de", 0.5, 0.001), "status": truth["true_status"]},
                 ).to_csv(root / "de_table.tsv", sep="\t", index=False)
    run_promoters(root / "de_table.tsv", result.genome_fasta, result.annotation_gtf, root / "promoters",
                  upstream=UPSTREAM)
    promoters = pd.read_csv(root / "promoters" / "promoters.tsv", sep="\t", dtype={"gene_id": str},
                            keep_default_na=False)
    x = one_hot(np.stack([encode_bases(sequence) for sequence in promoters["sequence"]])).numpy()
    y = promoters["status"].isin(["up", "down"]).to_numpy(np.float32)
    keras.utils.set_random_seed(0)
    model = build_model("cnn", UPSTREAM, filters=(16,), kernel_sizes=(12,), pool_size=2, pooling="global_max",
                        dense_units=(16,), dropout=0.1)
    compile_classifier(model, TrainingRecipe(learning_rate=3e-3), positive_weight=float((y == 0).sum() / y.sum()))
    model.fit(x, y, epochs=20, batch_size=64, verbose=0)
    model.save(root / "cnn.keras")
    return {"root": root, "promoters": promoters, "model": model, "truth": truth.set_index("gene_id"),
            "genome": result.genome_fasta, "annotation": result.annotation_gtf, "model_path": root / "cnn.keras"}
