"""Real promoters for the gate: split exactly as the dataset splits them, gene lists, real-promoter FASTA files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from generative_data import write_tables

from sca_tf.errors import ScaInputError
from sca_tf.synthetic.data import promoter_splits, read_promoter_fasta, restrict_to_genes, select


def test_promoter_splits_reproduce_the_dataset_split(tmp_path: Path) -> None:
    from sca_tf_datasets.sca_promoters.splitting import random_split

    de_table, promoters = write_tables(tmp_path)
    splits = promoter_splits(de_table, promoters, split_seed=3)
    table = pd.read_csv(promoters, sep="\t")
    testable = table[table.status != "untestable"].reset_index(drop=True)
    expected = random_split(testable.status.isin(["up", "down"]).to_numpy().astype(int), seed=3,
                            test_fraction=0.2, validation_fraction=0.1)
    assert splits.gene_id.tolist() == testable.gene_id.tolist()
    assert splits.split.tolist() == list(expected.assignment)
    assert splits.sequence.tolist() == testable.sequence.tolist()
    positives = select(splits, "train", positive=True)
    assert set(positives.statuses) == {"up", "down"}
    assert set(positives.gene_ids) <= set(splits.gene_id[splits.split == "train"])


def test_gene_lists_must_name_known_genes(tmp_path: Path) -> None:
    de_table, promoters = write_tables(tmp_path)
    splits = promoter_splits(de_table, promoters)
    everyone = select(splits, "train", positive=True)
    listed = tmp_path / "genes.txt"
    listed.write_text(f"{everyone.gene_ids[0]}\n\n# comment\n{everyone.gene_ids[1]}  # inline\n")
    assert restrict_to_genes(everyone, listed).gene_ids == everyone.gene_ids[:2]
    listed.write_text(f"{everyone.gene_ids[0]}\nENSG_TYPO\n")
    with pytest.raises(ScaInputError, match="line 2: gene ENSG_TYPO is not among"):
        restrict_to_genes(everyone, listed)
    listed.write_text("# nothing\n")
    with pytest.raises(ScaInputError, match="no gene IDs"):
        restrict_to_genes(everyone, listed)


@pytest.mark.parametrize("text, message", [
    (">g1 status=up\nACGT\n>g2 status=sideways\nACGT\n", "record g2: status=sideways"),
    (">g1\nACGT\n>g2\nACG\n", "record g2 has 3 bases, expected 4"),
    (">g1\nACXT\n", "record g1: character 'X' at position 3"),
])
def test_real_promoter_fasta_is_checked(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "real.fa"
    path.write_text(text)
    with pytest.raises(ScaInputError, match=message):
        read_promoter_fasta(path)
