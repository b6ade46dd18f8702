"""Strand-aware promoter extraction: annotation TSS + genome FASTA -> one window per gene, in transcript orientation.

Coordinates follow :mod:`sca_tf.prep.coordinates`. Minus-strand windows are reverse-complemented exactly once, here.

Example::

    from sca_tf.prep import promoters
    result = promoters.run_promoters("out/dge/de_table.tsv", "GRCh38.fa", "grch38", "out/promoters")
    print(result.kept, result.dropped)
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyfaidx

from sca_tf import io, stages
from sca_tf.errors import ScaInputError
from sca_tf.prep.annotation import load_annotation, strip_version
from sca_tf.prep.coordinates import promoter_window
from sca_tf.prep.fasta_windows import read_windows
from sca_tf.prep.genome import check_assembly, contig_lengths, contig_resolver, open_genome
from sca_tf.schema import DROP_REASONS, PROMOTER_COLUMNS
from sca_tf.sequence import CODE_LETTERS, N_CODE

logger = logging.getLogger(__name__)
#: The files of a ``promoters`` output directory.
PROMOTER_FILES = ("promoters.tsv", "promoters.fa", "dropped.tsv", "promoters.json")
#: More than this fraction of the annotated genes dropped is warned about, with the reasons.
DROP_WARNING_FRACTION = 0.2
_KEPT = -1  # reason code of a kept gene in :func:`extract`; the others index DROP_REASONS
_MISSING_CONTIG, _OFF_CONTIG_EDGE, _TOO_MANY_N = map(
    DROP_REASONS.index, ("missing_contig", "off_contig_edge", "too_many_n")
)


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
    ``off_contig_edge`` or ``too_many_n``). All windows are read in one pass (:mod:`sca_tf.prep.fasta_windows`).
    """
    if not 0.0 <= max_n_fraction <= 1.0:
        raise ScaInputError(f"max_n_fraction must be within [0, 1], got {max_n_fraction}")
    lengths = contig_lengths(genome)
    resolve = contig_resolver(lengths)
    chrom_codes, chroms = pd.factorize(genes["chrom"], sort=True)
    chrom_codes = np.where(chrom_codes < 0, len(chroms), chrom_codes)  # a missing chrom sorts last
    tss = genes["tss"].to_numpy()
    order = _genomic_order(chrom_codes, tss)
    contig_of_chrom = np.array([resolve.get(str(chrom)) for chrom in chroms] + [None], dtype=object)
    length_of_chrom = np.array([lengths.get(contig, 0) for contig in contig_of_chrom], dtype=np.int64)

    reasons = np.full(len(genes), _KEPT, dtype=np.int8)  # by position in genomic order
    sorted_codes = chrom_codes[order]
    known = np.array([contig is not None for contig in contig_of_chrom])[sorted_codes]
    reasons[~known] = _MISSING_CONTIG
    found = np.flatnonzero(known)
    rows = order[found]
    starts, ends = _windows(tss[rows], genes["strand"].to_numpy()[rows], upstream, downstream)
    inside = (starts >= 0) & (ends <= length_of_chrom[sorted_codes[found]])
    reasons[found[~inside]] = _OFF_CONTIG_EDGE

    contigs = contig_of_chrom[sorted_codes[found[inside]]]
    minus = genes["strand"].to_numpy()[rows[inside]] == "-"
    windows = read_windows(genome, contigs.tolist(), starts[inside], ends[inside], minus)
    gc, cpg_oe, n_fraction = window_composition(windows, upstream + downstream)
    clean = ~(n_fraction > max_n_fraction)
    reasons[found[inside][~clean]] = _TOO_MANY_N

    try:
        sequences = [window.decode("ascii") for window, keep in zip(windows, clean.tolist()) if keep]
    except UnicodeDecodeError as exc:
        raise ScaInputError(f"genome FASTA {genome.filename}: non-ASCII byte in a promoter window ({exc})") from exc
    kept = genes.iloc[rows[inside][clean]].assign(
        chrom=contigs[clean],
        start=starts[inside][clean],
        end=ends[inside][clean],
        gc=[round(value, 4) for value in gc[clean].tolist()],
        cpg_oe=[round(value, 4) for value in cpg_oe[clean].tolist()],
        sequence=sequences,
    )
    dropped_at = np.flatnonzero(reasons != _KEPT)
    dropped = pd.DataFrame(
        {
            "gene_id": genes["gene_id"].to_numpy()[order[dropped_at]],
            "reason": np.array(DROP_REASONS, dtype=object)[reasons[dropped_at]],
        }
    )
    return kept.reset_index(drop=True), dropped


def _genomic_order(chrom_codes: np.ndarray, tss: np.ndarray) -> np.ndarray:
    """Row order by chromosome, then TSS, ties in input order: ``sort_values(["chrom", "tss"], kind="stable")``.

    Integer TSSs are folded with the row number into one unique key, which a plain (vectorised) sort orders
    several times faster than a two-key stable sort.
    """
    n = len(tss)
    if n and np.issubdtype(tss.dtype, np.integer):
        low, high = int(tss.min()), int(tss.max())
        if (int(chrom_codes.max()) + 1) * (high - low + 1) * n < 2**63:
            key = (chrom_codes.astype(np.int64) * (high - low + 1) + (tss - low)) * n + np.arange(n)
            return np.argsort(key)
    return np.lexsort((tss, chrom_codes))


def _windows(tss: np.ndarray, strand: np.ndarray, upstream: int, downstream: int) -> tuple[np.ndarray, np.ndarray]:
    """Promoter windows of TSSs, placed as :func:`~sca_tf.prep.coordinates.promoter_window` places one."""
    tss = tss.astype(np.int64)
    starts = np.zeros(len(tss), dtype=np.int64)
    for side in ("+", "-"):
        first, _ = promoter_window(1, side, upstream, downstream)  # the window shifts with the TSS
        starts[strand == side] = tss[strand == side] - 1 + first
    odd = np.flatnonzero((strand != "+") & (strand != "-"))
    if odd.size:
        promoter_window(int(tss[odd[0]]), strand[odd[0]], upstream, downstream)  # raises, naming the strand
    return starts, starts + upstream + downstream


def window_composition(windows: list[bytes], length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GC fraction, CpG observed/expected and N fraction of equal-length upper-case windows, in one numpy pass.

    The same figures as :func:`~sca_tf.sequence.gc_fraction`, :func:`~sca_tf.sequence.cpg_observed_expected`
    and :func:`~sca_tf.sequence.n_fraction` give one string at a time, to the last bit.
    """
    letters = np.frombuffer(b"".join(windows), dtype=np.uint8).reshape(len(windows), length)
    is_c, is_g = (letters == ord("C")).view(np.uint8), (letters == ord("G")).view(np.uint8)
    count = np.uint16 if length < 2**16 else np.int64  # the narrowest sum that cannot overflow is the fastest

    def per_window(present: np.ndarray) -> np.ndarray:
        return np.add.reduce(present, axis=1, dtype=count).astype(np.int64)

    n_c, n_g, n_cg = per_window(is_c), per_window(is_g), per_window(is_c[:, :-1] & is_g[:, 1:])
    n_n = per_window((letters == ord(CODE_LETTERS[N_CODE])).view(np.uint8))
    called = length - n_n
    gc = np.divide(n_g + n_c, called, out=np.zeros(len(windows)), where=called > 0)
    pairs = n_c * n_g
    cpg_oe = np.divide(n_cg * length, pairs, out=np.zeros(len(windows)), where=pairs > 0)
    return gc, cpg_oe, n_n / length


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
    if upstream < 0 or downstream < 0 or upstream + downstream < 1:
        raise ScaInputError(f"promoter window: expected upstream >= 0 and downstream >= 0 bases, at least 1 in all; "
                            f"got upstream {upstream}, downstream {downstream}")
    annotation_file = annotation if Path(annotation).is_file() else None
    settings = {"annotation": None if annotation_file else str(annotation), "upstream": upstream,
                "downstream": downstream, "assembly": assembly, "max_n_fraction": max_n_fraction,
                "biotypes": sorted(biotypes) if biotypes else None}

    def build(out: Path) -> None:
        _write_promoters(de_table, genome, annotation, out, upstream=upstream, downstream=downstream,
                         assembly=assembly, max_n_fraction=max_n_fraction, biotypes=biotypes, began=began)

    def load(out: Path) -> PromoterResult:
        run = json.loads((out / "promoters.json").read_text())
        return PromoterResult(out / "promoters.tsv", out / "promoters.fa", out / "dropped.tsv", kept=run["kept"],
                              dropped=run["dropped"], assembly=run["assembly"])

    files = {"de_table": de_table, "genome": genome, "annotation": annotation_file}
    return stages.run_stage(out_dir, "promoters", files, settings, build, load, owned=PROMOTER_FILES)


def _write_promoters(de_table: str | os.PathLike[str], genome: str | os.PathLike[str],
                     annotation: str | os.PathLike[str], out: Path, *, upstream: int, downstream: int,
                     assembly: str | None, max_n_fraction: float, biotypes: set[str] | None, began: float) -> None:
    """The promoter stage's work: extract every gene's window and write the four files into ``out``."""
    labels = read_labels(de_table)
    annotation_table = load_annotation(annotation, assembly=assembly)
    fasta = open_genome(genome)
    check_assembly(genome, contig_lengths(fasta), annotation_table.assembly)

    genes = labels[["gene_id"]].merge(annotation_table.genes, on="gene_id", how="left", indicator=True)
    dropped_frames = [_dropped(genes.loc[genes["_merge"] == "left_only", "gene_id"], "not_in_annotation")]
    genes = genes[genes["_merge"] == "both"].drop(columns="_merge")
    if biotypes:
        excluded = ~genes["gene_biotype"].isin(biotypes)
        dropped_frames.append(_dropped(genes.loc[excluded, "gene_id"], "excluded_biotype"))
        genes = genes[~excluded]
    genes = genes.astype({"tss": "int64"})
    kept, dropped = extract(genes, fasta, upstream=upstream, downstream=downstream, max_n_fraction=max_n_fraction)
    if len(dropped) > DROP_WARNING_FRACTION * len(genes):
        logger.warning("promoters: %d of %d annotated genes dropped (%s); check that the FASTA is complete and "
                       "matches the annotation", len(dropped), len(genes), _reason_counts(dropped))
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
    io.write_tsv(kept, out / "promoters.tsv")
    io.write_fasta(
        ((f"{r.gene_id} {r.chrom}:{r.start}-{r.end}({r.strand})", r.sequence) for r in kept.itertuples()),
        out / "promoters.fa",
    )
    io.write_tsv(dropped, out / "dropped.tsv")
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
            "dropped": _reason_counts(dropped),
            "seconds": round(time.perf_counter() - began, 3),
        },
    )


def _dropped(gene_ids: pd.Series, reason: str) -> pd.DataFrame:
    return pd.DataFrame({"gene_id": gene_ids.to_numpy(), "reason": reason})


def _reason_counts(dropped: pd.DataFrame) -> dict[str, int]:
    counts = Counter(dropped["reason"])
    return {reason: counts[reason] for reason in DROP_REASONS if counts[reason]}
