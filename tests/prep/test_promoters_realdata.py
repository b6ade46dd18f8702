"""Real-data proof of strand-aware extraction: GSE248760 genes on GRCh37 chr20 with the packaged GRCh37 table.

A double reverse complement, a window anchored on the wrong end of the gene or coordinates from another build
all wash out the CpG-island signal right next to the TSS; it must be there on each strand separately.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sca_tf.prep.annotation import load_annotation
from sca_tf.prep.genome import open_genome
from sca_tf.prep.promoters import extract
from sca_tf.sequence import cpg_observed_expected

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def chr20_windows(shared_data: Path) -> pd.DataFrame:
    gene_ids = pd.read_csv(shared_data / "GSE248760_raw_counts.txt", sep="\t", usecols=[0]).iloc[1:, 0]
    genes = load_annotation("grch37").genes
    genes = genes[genes["gene_id"].isin(set(gene_ids))]
    kept, _ = extract(genes, open_genome(shared_data / "grch37_chr20" / "20.fa.gz"), max_n_fraction=1.0)
    return kept


def test_full_2kb_promoters_of_gse248760_genes_on_chr20(chr20_windows: pd.DataFrame) -> None:
    assert len(chr20_windows) == 1204
    assert chr20_windows["sequence"].str.len().eq(2000).all()
    assert chr20_windows["chrom"].eq("20").all()
    assert set(chr20_windows["strand"]) == {"+", "-"}


@pytest.mark.parametrize("strand", ["+", "-"])
def test_cpg_islands_sit_next_to_the_tss_on_each_strand(chr20_windows: pd.DataFrame, strand: str) -> None:
    coding = chr20_windows[(chr20_windows["gene_biotype"] == "protein_coding") & (chr20_windows["strand"] == strand)]
    assert len(coding) > 200
    # Sequences run 5'->3' ending right before the TSS: the last 500 bp touch it, the first 500 bp are
    # 1,500-2,000 bp away.
    near = np.array([cpg_observed_expected(s[-500:]) for s in coding["sequence"]])
    far = np.array([cpg_observed_expected(s[:500]) for s in coding["sequence"]])
    assert np.median(near) > 0.5
    assert np.median(near) > 2 * np.median(far)
    assert (near > far).mean() > 0.75
