"""Strand-aware promoter extraction: annotation TSS + genome FASTA -> one window per gene, in transcript orientation.

Coordinates follow :mod:`sca_tf.prep.coordinates`. Minus-strand windows are reverse-complemented exactly once, here.

Example::

    from sca_tf.prep import promoters
    result = promoters.run_promoters("out/dge/de_table.tsv", "GRCh38.fa", "grch38", "out/promoters")
    print(result.kept, result.dropped)
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyfaidx
from tqdm.auto import tqdm

from sca_tf import io
from sca_tf.errors import ScaInputError
from sca_tf.prep.annotation import load_annotation, strip_version
from sca_tf.prep.coordinates import promoter_window
from sca_tf.prep.genome import check_assembly, contig_lengths, contig_resolver, open_genome
from sca_tf.schema import DROP_REASONS, PROMOTER_COLUMNS
from sca_tf.sequence import cpg_observed_expected, gc_fraction, n_fraction, reverse_complement


@dataclass(frozen=True)
class PromoterResult:
    """Where the promoter outputs were written and how many genes were kept or dropped (by reason)."""

    table_path: Path
    fasta_path: Path
    dropped_path: Path
    kept: int
    dropped: dict[str, int] = field(default_factory=dict)
    assembly: str | None = None

    def summary(self) -> str:
        """One human-readable line: kept count and dropped counts by reason."""
        reasons = ", ".join(f"{reason} {count}" for reason, count in self.dropped.items()) or "none"
        return f"{self.kept} promoters written to {self.table_path}; dropped: {reasons}"


def extract(
    genes: pd.DataFrame,
    genome: pyfaidx.Fasta,
    *,
    upstream: int = 2000,
    downstream: int = 0,
    max_n_fraction: float = 0.1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cut one promoter per annotation row from ``genome``; rows come back in genomic order.

    ``genes`` has the columns of :data:`sca_tf.prep.annotation.ANNOTATION_COLUMNS`. Returns ``(kept, dropped)``:
    ``kept`` adds the window (``start``, ``end``, 0-based half-open, FASTA contig name in ``chrom``), ``gc``,
    ``cpg_oe`` and the upper-case ``sequence``; ``dropped`` lists ``gene_id`` and ``reason`` (``missing_contig``,
    ``off_contig_edge`` or ``too_many_n``).
    """
    if not 0.0 <= max_n_fraction <= 1.0:
        raise ScaInputError(f"max_n_fraction must be within [0, 1], got {max_n_fraction}")
    lengths = contig_lengths(genome)
    resolve = contig_resolver(lengths)
    genes = genes.sort_values(["chrom", "tss"], kind="stable")  # genomic order reuses bgzip blocks
    kept, dropped = [], []
    columns = list(genes.columns)
    rows = (dict(zip(columns, values)) for values in genes.itertuples(index=False, name=None))
    for gene in tqdm(rows, total=len(genes), desc="promoters", unit="gene", disable=None):
        contig = resolve.get(str(gene["chrom"]))
        if contig is None:
            dropped.append({"gene_id": gene["gene_id"], "reason": "missing_contig"})
            continue
        start, end = promoter_window(int(gene["tss"]), gene["strand"], upstream, downstream)
        if start < 0 or end > lengths[contig]:
            dropped.append({"gene_id": gene["gene_id"], "reason": "off_contig_edge"})
            continue
        sequence = genome[contig][start:end]
        if gene["strand"] == "-":
            sequence = reverse_complement(sequence)
        if n_fraction(sequence) > max_n_fraction:
            dropped.append({"gene_id": gene["gene_id"], "reason": "too_many_n"})
            continue
        kept.append(
            {
                **gene,
                "chrom": contig,
                "start": start,
                "end": end,
                "gc": round(gc_fraction(sequence), 4),
                "cpg_oe": round(cpg_observed_expected(sequence), 4),
                "sequence": sequence,
            }
        )
    kept_frame = pd.DataFrame(kept, columns=[*genes.columns, "start", "end", "gc", "cpg_oe", "sequence"])
    return kept_frame, pd.DataFrame(dropped, columns=["gene_id", "reason"])


def read_labels(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read ``gene_id`` and ``status`` from a DE table (TSV or Parquet) written by ``sca-tf dge``."""
    table_path = Path(path)
    if not table_path.is_file():
        raise ScaInputError(f"DE table {table_path}: file not found")
    try:
        if table_path.suffix == ".parquet":
            table = pd.read_parquet(table_path)
        else:
            table = pd.read_csv(table_path, sep="\t", dtype={"gene_id": str}, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ScaInputError(f"DE table {table_path}: cannot be read as a TSV/Parquet table ({exc})") from exc
    missing = {"gene_id", "status"} - set(table.columns)
    if missing:
        raise ScaInputError(
            f"DE table {table_path}: missing column(s) {', '.join(sorted(missing))}; "
            f"expected the output of `sca-tf dge` (found {', '.join(map(str, table.columns))})"
        )
    labels = table[["gene_id", "status"]].assign(gene_id=lambda t: t["gene_id"].astype(str).map(strip_version))
    duplicated = labels["gene_id"][labels["gene_id"].duplicated()]
    if not duplicated.empty:
        raise ScaInputError(f"DE table {table_path}: gene {duplicated.iloc[0]} appears more than once")
    return labels


def run_promoters(
    de_table: str | os.PathLike[str],
    genome: str | os.PathLike[str],
    annotation: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    upstream: int = 2000,
    downstream: int = 0,
    assembly: str | None = None,
    max_n_fraction: float = 0.1,
    biotypes: set[str] | None = None,
) -> PromoterResult:
    """Extract the promoter of every gene of ``de_table`` and write ``promoters.tsv``, ``promoters.fa``,
    ``dropped.tsv`` and ``promoters.json`` into ``out_dir``.

    ``annotation`` is ``grch38``, ``grch37`` or a GTF/GFF3 path; ``biotypes`` optionally keeps only those gene
    biotypes. Genes that cannot be extracted are dropped with a reason, never silently.
    """
    began = time.perf_counter()
    labels = read_labels(de_table)
    annotation_table = load_annotation(annotation, assembly=assembly)
    fasta = open_genome(genome)
    check_assembly(genome, contig_lengths(fasta), annotation_table.assembly)
    out = io.ensure_output_dir(out_dir)

    genes = labels[["gene_id"]].merge(annotation_table.genes, on="gene_id", how="left", indicator=True)
    dropped_frames = [_dropped(genes.loc[genes["_merge"] == "left_only", "gene_id"], "not_in_annotation")]
    genes = genes[genes["_merge"] == "both"].drop(columns="_merge")
    if biotypes:
        excluded = ~genes["gene_biotype"].isin(biotypes)
        dropped_frames.append(_dropped(genes.loc[excluded, "gene_id"], "excluded_biotype"))
        genes = genes[~excluded]
    genes = genes.astype({"tss": "int64"})
    kept, dropped = extract(genes, fasta, upstream=upstream, downstream=downstream, max_n_fraction=max_n_fraction)
    dropped = pd.concat([*dropped_frames, dropped], ignore_index=True)
    if kept.empty:
        raise ScaInputError(
            f"no promoter could be extracted from {genome} (dropped: {_reason_counts(dropped)}); "
            f"annotation contigs {sorted(set(annotation_table.genes['chrom']))[:5]}... vs FASTA contigs "
            f"{list(fasta.keys())[:5]}"
        )

    kept = kept.merge(labels, on="gene_id", how="left").assign(
        upstream=upstream, downstream=downstream, assembly=annotation_table.assembly or "unknown"
    )[list(PROMOTER_COLUMNS)]
    table_path = io.write_tsv(kept, out / "promoters.tsv")
    fasta_path = io.write_fasta(
        ((f"{r.gene_id} {r.chrom}:{r.start}-{r.end}({r.strand})", r.sequence) for r in kept.itertuples()),
        out / "promoters.fa",
    )
    dropped_path = io.write_tsv(dropped, out / "dropped.tsv")
    counts = _reason_counts(dropped)
    io.write_json(
        out / "promoters.json",
        {
            "de_table": str(Path(de_table).resolve()),
            "genome": str(Path(genome).resolve()),
            "annotation": annotation_table.source,
            "assembly": annotation_table.assembly,
            "upstream": upstream,
            "downstream": downstream,
            "max_n_fraction": max_n_fraction,
            "biotypes": sorted(biotypes) if biotypes else None,
            "kept": len(kept),
            "kept_by_status": kept["status"].value_counts().to_dict(),
            "dropped": counts,
            "seconds": round(time.perf_counter() - began, 3),
        },
    )
    return PromoterResult(
        table_path, fasta_path, dropped_path, kept=len(kept), dropped=counts, assembly=annotation_table.assembly
    )


def _dropped(gene_ids: pd.Series, reason: str) -> pd.DataFrame:
    return pd.DataFrame({"gene_id": gene_ids.to_numpy(), "reason": reason})


def _reason_counts(dropped: pd.DataFrame) -> dict[str, int]:
    counts = Counter(dropped["reason"])
    return {reason: counts[reason] for reason in DROP_REASONS if counts[reason]}
