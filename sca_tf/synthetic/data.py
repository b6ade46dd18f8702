"""Real promoters for the generators and the quality gate, split exactly as the ``sca_promoters`` dataset splits them.

Generators learn from the training split's positives only (``status`` up or down), and the quality gate compares
their output with held-out positives and negatives, so the split must be the dataset's: :func:`promoter_splits`
joins ``de_table.tsv`` and ``promoters.tsv`` with the dataset builder's own reader and applies its own seeded
split (random, stratified on DE; or whole chromosomes held out), dropping untestable genes as the default
configs do.

>>> splits = promoter_splits("out/dge/de_table.tsv", "out/promoters/promoters.tsv", split_seed=0)  # doctest: +SKIP
>>> positives = splits[(splits.split == "train") & (splits.label == 1)]  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from Bio.SeqIO.FastaIO import SimpleFastaParser

from sca_tf.errors import ScaInputError
from sca_tf.provenance import describe_file
from sca_tf.schema import DE_STATUSES, TEST_FRACTION, TRAIN, UNTESTABLE, VALIDATION, VALIDATION_FRACTION
from sca_tf.sequence import decode_bases, encode_bases


@dataclass(frozen=True)
class PromoterSet:
    """Promoters of one group of genes: IDs, sequences and DE statuses (``None`` where unknown)."""

    gene_ids: list[str]
    sequences: list[str]
    statuses: list[str | None]

    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def length(self) -> int:
        """Bases per promoter."""
        return len(self.sequences[0])


def promoter_splits(
    de_table: str | os.PathLike[str],
    promoters: str | os.PathLike[str],
    *,
    split_scheme: str = "random",
    split_seed: int = 0,
    test_fraction: float = TEST_FRACTION,
    validation_fraction: float = VALIDATION_FRACTION,
    test_chromosomes: Sequence[str] = (),
    validation_chromosomes: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per testable gene: ``gene_id, chrom, status, label, split, sequence``, split as the dataset does.

    The defaults are those of the registered ``sca_promoters`` configs (20 % test, 10 % of the rest validation,
    seed 0); the window and assembly are taken from ``promoters.tsv`` and checked like the builder checks them.
    """
    from sca_tf_datasets.sca_promoters import splitting, tables

    files = tables.InputFiles.beside(de_table, promoters)
    upstream, downstream, assembly = _window_of(files.promoters)
    examples = tables.load_examples(files, upstream=upstream, downstream=downstream, assembly=assembly)
    examples = examples[examples["status"] != UNTESTABLE].reset_index(drop=True)
    labels = examples["label"].to_numpy()
    plan = splitting.assign_splits(
        split_scheme, labels, examples["chrom"].to_numpy(), seed=split_seed, test_fraction=test_fraction,
        validation_fraction=validation_fraction, test_chromosomes=test_chromosomes,
        validation_chromosomes=validation_chromosomes,
    )
    return pd.DataFrame({
        "gene_id": examples["gene_id"],
        "chrom": examples["chrom"],
        "status": examples["status"],
        "label": labels,
        "split": plan.assignment,
        "sequence": [decode_bases(codes) for codes in examples["codes"]],
    })


def select(splits: pd.DataFrame, split: str, *, positive: bool) -> PromoterSet:
    """The positives (``up``/``down``) or negatives of one split of :func:`promoter_splits`' table."""
    rows = splits[(splits["split"] == split) & (splits["label"] == int(positive))]
    if rows.empty:
        kind = "positive" if positive else "negative"
        raise ScaInputError(f"the {split} split has no {kind} genes")
    return PromoterSet(rows["gene_id"].tolist(), rows["sequence"].tolist(), rows["status"].tolist())


def restrict_to_genes(promoters: PromoterSet, genes_file: str | os.PathLike[str]) -> PromoterSet:
    """Keep the promoters of the genes listed in ``genes_file`` (one ID a line; ``#`` comments and blanks skipped).

    Every listed gene must be present (a typo or a list from another dataset is an error, not a smaller set).
    """
    path = Path(genes_file)
    if not path.is_file():
        raise ScaInputError(f"{path}: gene list not found")
    wanted: dict[str, int] = {}
    for line_number, line in enumerate(path.read_text().splitlines(), start=1):
        gene = line.split("#", 1)[0].strip()
        if gene:
            wanted.setdefault(gene, line_number)
    if not wanted:
        raise ScaInputError(f"{path}: no gene IDs")
    present = set(promoters.gene_ids)
    missing = [(gene, line) for gene, line in wanted.items() if gene not in present]
    if missing:
        gene, line = missing[0]
        raise ScaInputError(
            f"{path}: line {line}: gene {gene} is not among the {len(present)} candidate promoters "
            f"({len(missing)} listed gene(s) missing)"
        )
    keep = [index for index, gene in enumerate(promoters.gene_ids) if gene in wanted]
    return PromoterSet([promoters.gene_ids[i] for i in keep], [promoters.sequences[i] for i in keep],
                       [promoters.statuses[i] for i in keep])


@dataclass(frozen=True)
class GeneratorData:
    """What a generator learns from: training positives, validation positives (``None`` when the source has none)
    and a record of where they came from (files with their checksums, the split)."""

    positives: PromoterSet
    validation: PromoterSet | None
    provenance: dict[str, Any]


def generator_data(
    de_table: str | os.PathLike[str] | None = None,
    promoters: str | os.PathLike[str] | None = None,
    *,
    train_genes: str | os.PathLike[str] | None = None,
    positives_fasta: str | os.PathLike[str] | None = None,
    split_scheme: str = "random",
    split_seed: int = 0,
    test_fraction: float = TEST_FRACTION,
    validation_fraction: float = VALIDATION_FRACTION,
) -> GeneratorData:
    """The training positives of a generator from one of three sources.

    * ``de_table`` + ``promoters``: the dataset's own split (:func:`promoter_splits`), recomputed; its validation
      positives give a validation loss;
    * the same plus ``train_genes``: the training genes from a list instead (one ID a line), no validation set;
    * ``positives_fasta``: training positives as FASTA (``status=up|down`` header tags for conditioning).
    """
    if positives_fasta:
        if de_table or promoters or train_genes:
            raise ScaInputError("a positives FASTA replaces the DE table, promoters and training-gene list; "
                                "give one source")
        return GeneratorData(read_promoter_fasta(positives_fasta), None,
                             {"positives_fasta": describe_file(positives_fasta)})
    if not (de_table and promoters):
        raise ScaInputError("give a DE table and a promoters table (or a FASTA of training positives)")
    table = promoter_splits(de_table, promoters, split_scheme=split_scheme, split_seed=split_seed,
                            test_fraction=test_fraction, validation_fraction=validation_fraction)
    record: dict[str, Any] = {"de_table": describe_file(de_table), "promoters": describe_file(promoters)}
    if train_genes:
        everyone = PromoterSet(table["gene_id"].tolist(), table["sequence"].tolist(), table["status"].tolist())
        chosen = restrict_to_genes(everyone, train_genes)
        keep = [i for i, status in enumerate(chosen.statuses) if status in DE_STATUSES]
        if not keep:
            raise ScaInputError(f"{train_genes}: none of the listed genes is up or down")
        positives = PromoterSet([chosen.gene_ids[i] for i in keep], [chosen.sequences[i] for i in keep],
                                [chosen.statuses[i] for i in keep])
        return GeneratorData(positives, None, {**record, "train_genes": describe_file(train_genes)})
    split = {"scheme": split_scheme, "seed": split_seed, "test_fraction": test_fraction,
             "validation_fraction": validation_fraction}
    return GeneratorData(select(table, TRAIN, positive=True), select(table, VALIDATION, positive=True),
                         {**record, "split": split})


def read_promoter_fasta(path: str | os.PathLike[str]) -> PromoterSet:
    """Real promoters from a FASTA (``ACGTN``, any case, one length); a ``status=up|down`` header tag is kept.

    Headers are ``>gene_id [anything] [status=up]``; without the tag the status is ``None``.
    """
    path = Path(path)
    if not path.is_file():
        raise ScaInputError(f"{path}: promoter FASTA not found")
    gene_ids, sequences, statuses = [], [], []
    with open(path) as handle:
        for index, (header, sequence) in enumerate(SimpleFastaParser(handle), start=1):
            fields = header.split()
            gene_id = fields[0] if fields else f"record_{index}"
            sequence = sequence.upper()
            encode_bases(sequence, where=f"{path}: record {gene_id}")
            if sequences and len(sequence) != len(sequences[0]):
                raise ScaInputError(
                    f"{path}: record {gene_id} has {len(sequence)} bases, expected {len(sequences[0])} like the first"
                )
            tags = dict(field.split("=", 1) for field in fields[1:] if "=" in field)
            status = tags.get("status")
            if status is not None and status not in DE_STATUSES:
                raise ScaInputError(f"{path}: record {gene_id}: status={status} is not one of {', '.join(DE_STATUSES)}")
            gene_ids.append(gene_id)
            sequences.append(sequence)
            statuses.append(status)
    if not sequences:
        raise ScaInputError(f"{path}: no FASTA records")
    return PromoterSet(gene_ids, sequences, statuses)


def status_indices(promoters: PromoterSet, class_names: Sequence[str]) -> np.ndarray:
    """``int32`` index of each promoter's status in ``class_names``; ``ScaInputError`` naming a gene without one."""
    lookup = {name: index for index, name in enumerate(class_names)}
    indices = np.empty(len(promoters), dtype=np.int32)
    for row, (gene, status) in enumerate(zip(promoters.gene_ids, promoters.statuses)):
        if status not in lookup:
            raise ScaInputError(
                f"gene {gene}: status {status!r} is not one of {', '.join(class_names)}; conditioning needs the "
                "up/down status of every training promoter"
            )
        indices[row] = lookup[status]
    return indices


def _window_of(promoters: Path) -> tuple[int, int, str]:
    head = pd.read_csv(promoters, sep="\t", dtype=str, nrows=1, keep_default_na=False)
    missing = [column for column in ("upstream", "downstream", "assembly") if column not in head.columns]
    if missing or head.empty:
        raise ScaInputError(f"promoter table {promoters}: no rows, or missing column(s) {', '.join(missing)}")
    try:
        return int(head["upstream"].iloc[0]), int(head["downstream"].iloc[0]), head["assembly"].iloc[0] or "unknown"
    except ValueError as exc:
        raise ScaInputError(f"promoter table {promoters}: line 2: upstream/downstream are not integers") from exc
