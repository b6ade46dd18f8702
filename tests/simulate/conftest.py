"""Fixtures of the simulator tests: one small simulated run (seed 7, 300 genes) and oracles reading it back."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pyfaidx
import pytest

from sca_tf.sequence import reverse_complement
from sca_tf.simulate import SimulationConfig, SimulationResult, simulate

GTF_COLUMNS = ["seqname", "source", "feature", "start", "end", "score", "strand", "frame", "attributes"]


@pytest.fixture(scope="session")
def small() -> SimulationConfig:
    return SimulationConfig(seed=7, n_genes=300, decoy_rate=0.15)


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory, small: SimulationConfig) -> SimulationResult:
    return simulate(tmp_path_factory.mktemp("small"), small)


@pytest.fixture(scope="session")
def genome(small_run) -> dict[str, str]:
    """Chromosome name -> upper-case sequence, read with pyfaidx."""
    with pyfaidx.Fasta(str(small_run.genome_fasta)) as fasta:
        return {name: str(fasta[name][:]).upper() for name in fasta.keys()}


@pytest.fixture(scope="session")
def truth(small_run) -> pd.DataFrame:
    return pd.read_csv(small_run.truth_tsv, sep="\t", keep_default_na=False)


@pytest.fixture(scope="session")
def gtf(small_run) -> pd.DataFrame:
    return pd.read_csv(small_run.annotation_gtf, sep="\t", comment="#", header=None, names=GTF_COLUMNS)


@pytest.fixture(scope="session")
def promoter(genome: dict[str, str]) -> Callable[[str, str, int, int], str]:
    """Oracle: the ``length`` bases upstream of a 1-based TSS, read 5'->3' on the gene's strand."""

    def read(chrom: str, strand: str, tss: int, length: int) -> str:
        sequence = genome[chrom]
        if strand == "+":
            return sequence[tss - 1 - length : tss - 1]
        return reverse_complement(sequence[tss : tss + length])

    return read


@pytest.fixture(scope="session")
def off_edge(truth: pd.DataFrame) -> pd.Series:
    """The genes whose promoter runs off a contig edge."""
    return truth["notes"] == "off_edge"


@pytest.fixture(scope="session")
def split_list() -> Callable[[str], list[str]]:
    """A truth-table cell of comma-separated values as a list (empty for an empty cell)."""
    return lambda cell: cell.split(",") if cell else []
