"""Fixtures of the synthetic-promoter tests: real sets with a known k-mer order, as lists and as FASTA files, and a
small quality gate with motifs common in those sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from generative_data import markov_sequences

from sca_tf.motifs.pwm import Motif, motif_from_counts
from sca_tf.sequence import encode_bases, one_hot
from sca_tf.synthetic.quality import QualityThresholds


@pytest.fixture(scope="module")
def real_sets() -> dict[str, list[str]]:
    return {"train": markov_sequences(150, 80, seed=0), "heldout": markov_sequences(60, 80, seed=1),
            "negatives": markov_sequences(60, 80, seed=2, stay=0.3, step=0.5)}


@pytest.fixture
def real_fastas(tmp_path: Path, real_sets: dict[str, list[str]]) -> dict[str, Path]:
    """The three real sets as FASTA files in ``tmp_path``, keyed by ``assess_synthetic``'s argument names."""
    paths = {}
    names = (("train_positives", "train"), ("heldout_positives", "heldout"), ("heldout_negatives", "negatives"))
    for name, key in names:
        path = tmp_path / f"{name}.fa"
        path.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(real_sets[key])))
        paths[f"{name}_fasta"] = path
    return paths


@pytest.fixture(scope="session")
def small_gate() -> QualityThresholds:
    return QualityThresholds(kmer_k=3, max_gc_ks=0.35, max_cpg_ks=0.35, max_motif_mad_ratio=4.0, motif_sequences=60,
                             max_planted_rate_difference=0.25)


@pytest.fixture(scope="session")
def chain_motifs() -> list[Motif]:
    """Motifs one mismatch away from the chain's A -> C -> G -> T walk: common in its sequences, rare in others."""
    return [motif_from_counts(site, site, 10 * one_hot(encode_bases(site)))
            for site in ("ACGGTA", "CGTTAC", "GTAACG", "TACCGT", "AACGTA")]
