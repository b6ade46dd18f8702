"""Fixtures shared by the prep tests: the planted count matrix and a small soft-masked genome."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from prep.dge_data import synthetic_counts

from sca_tf import io
from sca_tf.prep.counts import CountData

CHROM_LENGTH = 600


def random_dna(length: int, seed: int) -> str:
    return "".join(np.random.default_rng(seed).choice(list("ACGT"), size=length))


@pytest.fixture(scope="module")
def synthetic() -> CountData:
    return synthetic_counts()


@pytest.fixture()
def chrom_sequence() -> str:
    sequence = list(random_dna(CHROM_LENGTH, seed=1))
    sequence[400:450] = "N" * 50  # a gap
    return "".join(sequence)


@pytest.fixture()
def genome_path(tmp_path: Path, chrom_sequence: str) -> Path:
    # Lower-case stretch like a soft-masked Ensembl FASTA: output must be upper case.
    masked = chrom_sequence[:100] + chrom_sequence[100:200].lower() + chrom_sequence[200:]
    return io.write_fasta([("chr1", masked), ("chr2", random_dna(300, seed=2))], tmp_path / "genome.fa")
