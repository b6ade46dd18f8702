"""``sca-tf assess-synthetic``: read a synthetic FASTA and the real sets, run the quality gate, write the report.

The real sets come either from the DE and promoter tables, split as the ``sca_promoters`` dataset splits them
(training positives; positives and negatives of the held-out split, ``validation`` by default so that the test
split stays untouched), or from three FASTA files.

>>> result = assess_synthetic("out/synthetic.fa", "out/quality", de_table="out/dge/de_table.tsv",
...                           promoters="out/promoters/promoters.tsv")  # doctest: +SKIP
>>> result["passed"]  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sca_tf.config_files import read_json_file
from sca_tf.errors import ScaInputError
from sca_tf.motifs import planted
from sca_tf.provenance import sha256_of
from sca_tf.schema import DE_STATUSES, TEST, TRAIN, VALIDATION
from sca_tf.synthetic.data import (
    PromoterSet,
    promoter_splits,
    read_promoter_fasta,
    select,
)
from sca_tf.synthetic.fasta import read_synthetic_fasta
from sca_tf.synthetic.quality import QualityThresholds, assess, write_quality_report

HELDOUT_SPLITS = (VALIDATION, TEST)


def assess_synthetic(
    synthetic_fasta: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    *,
    de_table: str | os.PathLike[str] | None = None,
    promoters: str | os.PathLike[str] | None = None,
    split_scheme: str = "random",
    split_seed: int = 0,
    heldout_split: str = VALIDATION,
    train_positives_fasta: str | os.PathLike[str] | None = None,
    heldout_positives_fasta: str | os.PathLike[str] | None = None,
    heldout_negatives_fasta: str | os.PathLike[str] | None = None,
    thresholds: QualityThresholds | str | os.PathLike[str] | None = None,
    planted_motifs: bool = False,
    status: str | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Run :func:`sca_tf.synthetic.quality.assess` on files and write ``quality.json`` + plots to ``output_dir``.

    Give either ``de_table`` + ``promoters`` or all three ``*_fasta`` files. ``thresholds`` may be a JSON file
    of :class:`QualityThresholds` fields. ``planted_motifs`` adds the check of ``sca-tf simulate``'s motifs.
    ``status`` (``up`` or ``down``), for sequences generated under that condition, compares them with real
    positives of that status only (FASTA inputs need ``status=`` header tags). Returns the report, with the
    written paths under ``"files"``.
    """
    gate = _thresholds(thresholds)
    real = _real_sets(de_table, promoters, split_scheme, split_seed, heldout_split, status,
                      train_positives_fasta, heldout_positives_fasta, heldout_negatives_fasta)
    synthetic = read_synthetic_fasta(synthetic_fasta, expected_length=len(real["train_positives"][0]))
    report = assess(
        synthetic.sequences, real["train_positives"], real["heldout_positives"], real["heldout_negatives"],
        gate, planted_motifs=planted.planted_motifs() if planted_motifs else None, seed=seed,
    )
    report["inputs"] = {"synthetic_fasta": str(Path(synthetic_fasta).resolve()),
                        "synthetic_sha256": sha256_of(synthetic_fasta), **real["source"]}
    files = write_quality_report(report, output_dir)
    return {**report, "files": {name: str(path) for name, path in files.items()}}


def _real_sets(de_table: Any, promoters: Any, split_scheme: str, split_seed: int, heldout_split: str,
               status: str | None, *fastas: Any) -> dict[str, Any]:
    from_tables = de_table is not None or promoters is not None
    from_fastas = any(path is not None for path in fastas)
    if from_tables == from_fastas or (from_tables and (de_table is None or promoters is None)) or (
        from_fastas and not all(path is not None for path in fastas)
    ):
        raise ScaInputError(
            "give the real promoters either as a DE table and a promoter table (split as the dataset splits them) "
            "or as three FASTA files (training positives, held-out positives, held-out negatives), not both"
        )
    if status is not None and status not in DE_STATUSES:
        raise ScaInputError(f"status {status!r}: expected one of {', '.join(DE_STATUSES)}")
    if from_fastas:
        train, heldout, negatives = (read_promoter_fasta(path) for path in fastas)
        return {"train_positives": _of_status(train, status, fastas[0]).sequences,
                "heldout_positives": _of_status(heldout, status, fastas[1]).sequences,
                "heldout_negatives": negatives.sequences,
                "source": {"fasta": [str(Path(path).resolve()) for path in fastas], "status": status}}
    if heldout_split not in HELDOUT_SPLITS:
        raise ScaInputError(f"held-out split {heldout_split!r}: expected one of {', '.join(HELDOUT_SPLITS)}")
    splits = promoter_splits(de_table, promoters, split_scheme=split_scheme, split_seed=split_seed)
    train = _of_status(select(splits, TRAIN, positive=True), status, f"{TRAIN} split of {promoters}")
    heldout = _of_status(select(splits, heldout_split, positive=True), status, f"{heldout_split} split of {promoters}")
    return {
        "train_positives": train.sequences,
        "heldout_positives": heldout.sequences,
        "heldout_negatives": select(splits, heldout_split, positive=False).sequences,
        "source": {"de_table": str(Path(de_table).resolve()), "promoters": str(Path(promoters).resolve()),
                   "split_scheme": split_scheme, "split_seed": split_seed, "heldout_split": heldout_split,
                   "status": status},
    }


def _of_status(promoters: PromoterSet, status: str | None, where: Any) -> PromoterSet:
    """The promoters with DE status ``status`` (all of them when ``status`` is ``None``)."""
    if status is None:
        return promoters
    if any(value is None for value in promoters.statuses):
        raise ScaInputError(f"{where}: comparing with {status!r} promoters needs a status for every record "
                            "(FASTA headers need status=up|down)")
    keep = [index for index, value in enumerate(promoters.statuses) if value == status]
    if not keep:
        raise ScaInputError(f"{where}: no {status!r} promoters")
    return PromoterSet([promoters.gene_ids[i] for i in keep], [promoters.sequences[i] for i in keep],
                       [status] * len(keep))


def _thresholds(value: QualityThresholds | str | os.PathLike[str] | None) -> QualityThresholds:
    if value is None or isinstance(value, QualityThresholds):
        return value or QualityThresholds()
    path = Path(value)
    values = read_json_file(path, "thresholds file not found")
    if not isinstance(values, dict):
        raise ScaInputError(f"{path}: expected a JSON object of threshold names and values")
    return QualityThresholds.from_mapping(values, where=str(path))

