"""Small constructed data for the generative-model tests: promoter tables and sequences with known structure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

BASES = np.array(list("ACGT"))


def write_tables(folder: Path, n_genes: int = 60, length: int = 16, seed: int = 0) -> tuple[Path, Path]:
    """A DE table + promoter table pair in the formats of `sca-tf dge` / `sca-tf promoters`.

    Genes 0-11 are up, 12-23 down, the last 3 untestable, the rest not DE; sequences are uniform random.
    """
    rng = np.random.default_rng(seed)
    statuses = np.array(["not_de"] * n_genes, dtype=object)
    statuses[:12], statuses[12:24], statuses[-3:] = "up", "down", "untestable"
    genes = [f"ENSG{index:011d}" for index in range(n_genes)]
    sequences = ["".join(rng.choice(BASES, length)) for _ in genes]
    de = pd.DataFrame({"gene_id": genes, "baseMean": 100.0, "log2FoldChange": 0.0, "lfcSE": 0.1, "stat": 0.0,
                       "pvalue": 0.5, "padj": 0.5, "status": statuses, "untestable_reason": ""})
    promoters = pd.DataFrame({"gene_id": genes, "gene_name": genes, "gene_biotype": "protein_coding", "chrom": "1",
                              "strand": "+", "tss": 1000, "start": 0, "end": length, "upstream": length,
                              "downstream": 0, "assembly": "GRCh37", "status": statuses, "gc": 0.5, "cpg_oe": 0.5,
                              "sequence": sequences})
    de_path, promoters_path = folder / "de_table.tsv", folder / "promoters.tsv"
    de.to_csv(de_path, sep="\t", index=False)
    promoters.to_csv(promoters_path, sep="\t", index=False)
    return de_path, promoters_path


def markov_sequences(n: int, length: int, seed: int, stay: float = 0.05, step: float = 0.8) -> list[str]:
    """Sequences from a first-order chain that mostly walks A -> C -> G -> T -> A (strong k-mer order)."""
    rng = np.random.default_rng(seed)
    transitions = np.full((4, 4), (1 - stay - step) / 2)
    for base in range(4):
        transitions[base, base] = stay
        transitions[base, (base + 1) % 4] = step
    sequences = []
    for _ in range(n):
        codes = [int(rng.integers(4))]
        for _ in range(length - 1):
            codes.append(int(rng.choice(4, p=transitions[codes[-1]])))
        sequences.append("".join(BASES[codes]))
    return sequences


def composition_sequences(n: int, length: int, gc: float, seed: int) -> list[str]:
    """Independent bases with GC fraction ``gc``."""
    rng = np.random.default_rng(seed)
    weights = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
    return ["".join(rng.choice(BASES, length, p=weights)) for _ in range(n)]
