"""``sca-tf predict``: score FASTA records, BED regions or genes' promoters with a trained model.

Writes into ``out_dir``::

    predictions.tsv   id, prob (P(DE)), logit, xgboost_prob (when the model has an XGBoost bridge)
    embeddings.tsv    id and the feature-layer vector (with ``embeddings=True``)
    dropped.tsv       genes that could not be cut (genes only): gene_id, reason
    predict.json      inputs, model, input length, counts, versions
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from sca_tf import io
from sca_tf.errors import ScaInputError
from sca_tf.predict.loading import load_predictor
from sca_tf.predict.scoring import PredictionResult, write_predictions
from sca_tf.predict.sources import FITS, bed_windows, fasta_records, fitted_codes, gene_promoters
from sca_tf.provenance import describe_file, library_versions


def run_predict(
    model: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
    fasta: str | os.PathLike[str] | None = None, bed: str | os.PathLike[str] | None = None,
    genes: str | os.PathLike[str] | None = None, genome: str | os.PathLike[str] | None = None,
    annotation: str | None = None, fit: str = "error", embeddings: bool = False, downstream: int = 0,
) -> PredictionResult:
    """Score one of ``fasta``, ``bed`` (+ ``genome``) or ``genes`` (+ ``genome`` and ``annotation``)."""
    if sum(source is not None for source in (fasta, bed, genes)) != 1:
        raise ScaInputError("give exactly one of --fasta, --bed or --genes")
    if fit not in FITS:
        raise ScaInputError(f"--fit {fit!r}: expected one of {', '.join(FITS)}")
    if (bed is not None or genes is not None) and genome is None:
        raise ScaInputError("--bed and --genes need --genome (the FASTA the regions refer to)")
    if genes is not None and annotation is None:
        raise ScaInputError("--genes needs --annotation (grch37, grch38 or a GTF/GFF3 file)")
    predictor = load_predictor(model)
    length = predictor.input_length
    out = io.ensure_output_dir(out_dir)
    facts: dict[str, object] = {"model": str(model), "model_kind": predictor.kind, "input_length": length,
                                "fit": fit}
    if fasta is not None:
        items: Iterator[tuple[str, np.ndarray]] = (
            (name, fitted_codes(sequence, length, fit, f"FASTA {fasta} record {name!r} (line {line})"))
            for name, sequence, line in fasta_records(fasta))
        total = None
        facts["fasta"] = describe_file(fasta)
    elif bed is not None:
        ids, sequences = bed_windows(bed, genome, length, fit)
        items = ((name, fitted_codes(sequence, length, "error", f"BED region {name}"))
                 for name, sequence in zip(ids, sequences))
        total = len(ids)
        facts["bed"] = describe_file(bed)
    else:
        kept, dropped = gene_promoters(genes, genome, annotation, length, downstream=downstream)
        io.write_tsv(dropped, out / "dropped.tsv")
        if kept.empty:
            raise ScaInputError(f"none of the genes of {genes} could be cut from {genome} "
                                f"({len(dropped)} dropped, see {out / 'dropped.tsv'})")
        items = ((gene, fitted_codes(sequence, length, "error", f"gene {gene}"))
                 for gene, sequence in zip(kept["gene_id"], kept["sequence"]))
        total = len(kept)
        facts.update(genes=describe_file(genes), annotation=str(annotation), dropped=len(dropped),
                     upstream=length - downstream, downstream=downstream)
    result = write_predictions(predictor, items, out, embeddings=embeddings, total=total)
    io.write_json(out / "predict.json", {**facts, "n": result.n, "xgboost": predictor.booster is not None,
                                         "genome": str(Path(genome).resolve()) if genome else None,
                                         "library_versions": library_versions()})
    return result
