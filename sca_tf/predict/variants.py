"""``sca-tf variants``: the effect of VCF variants on P(DE) through every promoter window they fall in.

Writes into ``out_dir``::

    variant_effects.tsv       chrom, pos, id, ref, alt (as in the VCF), gene_id, strand, window_index,
                              tss_offset (window_index - upstream: -1 is the base next to the TSS), ref_prob,
                              alt_prob, delta_prob (alt - ref), delta_logit, flag ("" when scored)
    skipped.tsv               ALTs not scored at all: chrom, pos, id, ref, alt, reason
    <vcf name>.sca_tf.vcf[.gz]  the input VCF with INFO/SCA_TF (see :data:`sca_tf.predict.vcf.INFO_FORMAT`)
    variants.json             counts (scored, outside any window, REF mismatch, skipped by reason), inputs, seconds

Promoters are cut from ``genome`` for every gene of ``annotation`` exactly as ``sca-tf promoters`` cuts them
(``upstream = L - downstream``). Contig names ``chr1`` / ``1`` are reconciled; a VCF contig absent from the genome
is an error. Every ALT of a record is scored in every window it falls in; REF must equal the genome there,
otherwise the row says ``ref_mismatch`` and carries no score. Each gene's reference window is scored once; ALT
windows are scored in batches; for CNNs, SNVs recompute only the tower near the variant (:mod:`.local`, exact).
Indels follow the policy of :mod:`sca_tf.predict.windows`.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sca_tf import io
from sca_tf.errors import ScaInputError
from sca_tf.predict.loading import Predictor, load_predictor, probability
from sca_tf.predict.scoring import BATCH_SIZE, score_codes
from sca_tf.predict.vcf import MAX_ALLELE, allele_kind, read_vcf, trim, write_annotated
from sca_tf.predict.windows import alt_window, window_index, windows_by_contig
from sca_tf.prep.annotation import load_annotation
from sca_tf.prep.fasta_windows import read_windows
from sca_tf.prep.genome import check_assembly, contig_lengths, contig_resolver, open_genome
from sca_tf.prep.promoters import extract
from sca_tf.provenance import describe_file, library_versions
from sca_tf.schema import DE_TARGET
from sca_tf.sequence import codes_of, reverse_complement

logger = logging.getLogger(__name__)

EFFECT_COLUMNS = ("chrom", "pos", "id", "ref", "alt", "gene_id", "strand", "window_index", "tss_offset",
                  "ref_prob", "alt_prob", "delta_prob", "delta_logit", "flag")
SKIPPED_COLUMNS = ("chrom", "pos", "id", "ref", "alt", "reason")
REF_MISMATCH = "ref_mismatch"
_FLANK = MAX_ALLELE + 1  # genome bases read beyond each window: REF checks and indel fills stay inside
_GENES_PER_CHUNK = 64  # reference tower maps held at once by the SNV shortcut


@dataclass(frozen=True)
class VariantResult:
    """What ``variants`` wrote and counted."""

    effects: Path
    annotated_vcf: Path
    counts: dict[str, object]

    def summary(self) -> str:
        """A few lines for the command line."""
        c = self.counts
        skipped = ", ".join(f"{reason} {n}" for reason, n in c["skipped"].items()) or "none"
        return (f"{c['alts']} ALT alleles in {c['records']} records: {c['scored']} scored in {c['windows_scored']} "
                f"promoter windows, {c['outside']} outside any window, {c['ref_mismatch']} REF mismatches, "
                f"{c['not_scored']} not scored by the indel policy; skipped: {skipped}\n"
                f"effects: {self.effects}\nannotated VCF: {self.annotated_vcf}")


@dataclass(frozen=True)
class _Hit:
    record: int
    alt: str  # the ALT as written in the VCF
    row: int  # promoter-table row
    a: int
    b: int
    allele: str  # trimmed ALT bases (plus strand)
    vcf: tuple[str, int, str, str]  # chrom, pos, id, ref as written


def run_variants(
    model: str | os.PathLike[str], vcf: str | os.PathLike[str], genome: str | os.PathLike[str],
    annotation: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, downstream: int = 0,
    assembly: str | None = None, max_n_fraction: float = 0.1, batch_size: int = BATCH_SIZE,
) -> VariantResult:
    """Score the variants of ``vcf`` with the model at ``model`` (see the module docstring)."""
    began = time.perf_counter()
    predictor = load_predictor(model)
    if predictor.target != DE_TARGET:
        raise ScaInputError(f"model {model} predicts the {predictor.target!r} target; variants scores the change in "
                            "P(DE), so it takes 'de'-target models (score both alleles' windows with `sca-tf predict`)")
    length = predictor.input_length
    if not 0 <= downstream < length:
        raise ScaInputError(f"--downstream {downstream}: expected 0 <= downstream < {length} (the model's length)")
    fasta = open_genome(genome)
    lengths = contig_lengths(fasta)
    table = load_annotation(annotation, assembly=assembly)
    check_assembly(genome, lengths, table.assembly)
    promoters, _ = extract(table.genes.astype({"tss": "int64"}), fasta, upstream=length - downstream,
                           downstream=downstream, max_n_fraction=max_n_fraction)
    logger.info("%d promoter windows of %d bases cut from %s", len(promoters), length, genome)
    index = windows_by_contig(promoters["chrom"].to_numpy(str), promoters["start"].to_numpy(np.int64),
                              promoters["end"].to_numpy(np.int64))
    hits, skipped, counts = _map_variants(vcf, contig_resolver(lengths), index, genome)
    out = io.ensure_output_dir(out_dir)
    effects = _score(predictor, promoters, hits, fasta, lengths, batch_size)
    effects["tss_offset"] = effects["window_index"] - (length - downstream)
    effects = effects[list(EFFECT_COLUMNS)]
    flags = Counter(effects["flag"])
    counts.update(
        scored=int((effects["flag"] == "").sum()), windows_scored=int(effects["gene_id"].nunique()),
        ref_mismatch=int(flags[REF_MISMATCH]),
        not_scored=int(sum(n for flag, n in flags.items() if flag not in {"", REF_MISMATCH})),
        skipped=dict(Counter(row[-1] for row in skipped)),
    )
    vcf_path = Path(vcf)
    name = vcf_path.name.removesuffix(".gz").removesuffix(".vcf")
    annotated = out / f"{name}.sca_tf.vcf{'.gz' if vcf_path.suffix == '.gz' else ''}"
    entries = _info_entries(effects, hits)
    io.write_tsv(effects, out / "variant_effects.tsv")
    io.write_tsv(pd.DataFrame(skipped, columns=list(SKIPPED_COLUMNS)), out / "skipped.tsv")
    write_annotated(vcf_path, annotated, lambda record: entries.get(record, []))
    io.write_json(out / "variants.json", {
        "counts": counts, "model": str(model), "model_kind": predictor.kind, "input_length": length,
        "upstream": length - downstream, "downstream": downstream, "vcf": describe_file(vcf_path),
        "genome": str(Path(genome).resolve()), "annotation": table.source, "assembly": table.assembly,
        "promoter_windows": len(promoters), "seconds": round(time.perf_counter() - began, 2),
        "library_versions": library_versions((*("sca-tf", "tensorflow", "tensorflow-cpu", "keras"), "pysam")),
    })
    result = VariantResult(out / "variant_effects.tsv", annotated, counts)
    for line in result.summary().splitlines():
        logger.info(line)
    return result


def _map_variants(vcf: str | os.PathLike[str], resolve: dict[str, str], index: dict, genome: object
                  ) -> tuple[list[_Hit], list[tuple], dict[str, object]]:
    """Every ALT of the VCF -> the windows it falls in (``_Hit``), or a skip reason."""
    hits: list[_Hit] = []
    skipped: list[tuple] = []
    records = alts = outside = 0
    for record in tqdm(read_vcf(vcf), desc="variants", unit="record", disable=None):
        records += 1
        contig = resolve.get(record.chrom)
        if contig is None:
            raise ScaInputError(f"VCF {vcf} record {record.index + 1} ({record.chrom}:{record.pos}): contig "
                                f"{record.chrom!r} is not in the genome {genome} (it has "
                                f"{', '.join(list(dict.fromkeys(resolve.values()))[:5])}...)")
        written = (record.chrom, record.pos, record.id, record.ref)
        for alt in record.alts:
            alts += 1
            kind = allele_kind(record.ref, alt)
            if kind not in {"substitution", "indel"}:
                skipped.append((*written, alt, kind))
                continue
            ref_min, alt_min, shift = trim(record.ref.upper(), alt.upper())
            a = record.pos - 1 + shift
            b = a + len(ref_min)
            windows = index.get(contig)
            rows = windows.overlapping(a, b) if windows is not None else []
            if len(rows) == 0:
                outside += 1
            hits.extend(_Hit(record.index, alt, int(row), a, b, alt_min, written) for row in rows)
    return hits, skipped, {"records": records, "alts": alts, "outside": outside}


def _score(predictor: Predictor, promoters: pd.DataFrame, hits: list[_Hit], fasta: object,
           lengths: dict[str, int], batch_size: int) -> pd.DataFrame:
    """One row per hit: REF checked against the genome, ALT window built and scored, deltas."""
    rows = sorted({hit.row for hit in hits})
    if not rows:
        return pd.DataFrame(columns=[c for c in EFFECT_COLUMNS if c != "tss_offset"] + ["tss_offset"])
    genes = promoters.iloc[rows]
    gene_codes = np.stack([codes_of(sequence) for sequence in genes["sequence"]])
    slot = {row: number for number, row in enumerate(rows)}  # row -> position in gene_codes
    ref_logit = score_codes(predictor, gene_codes, batch_size=batch_size)
    contigs = genes["chrom"].to_numpy(str)
    flank_start = np.maximum(genes["start"].to_numpy(np.int64) - _FLANK, 0)
    flank_end = np.minimum(genes["end"].to_numpy(np.int64) + _FLANK, [lengths[c] for c in contigs])
    contexts = read_windows(fasta, contigs.tolist(), flank_start, flank_end, np.zeros(len(rows), bool))
    context = {row: (text.decode("ascii"), int(first)) for row, text, first in zip(rows, contexts, flank_start)}
    starts, ends = promoters["start"].to_numpy(np.int64), promoters["end"].to_numpy(np.int64)
    minus = promoters["strand"].to_numpy(str) == "-"
    gene_ids = promoters["gene_id"].to_numpy(str)

    records, whole, snvs = [], [], []  # whole: (record, ALT codes); snvs: (record, gene slot, index, ALT code)
    for hit in tqdm(hits, desc="variant windows", unit="window", disable=None):
        text, first = context[hit.row]
        chrom, pos, vid, ref = hit.vcf
        start, end, on_minus = int(starts[hit.row]), int(ends[hit.row]), bool(minus[hit.row])
        index = window_index(start, end, on_minus, hit.a, hit.b)
        flag, window = "", None
        if text[pos - 1 - first:pos - 1 - first + len(ref)] != ref.upper():
            flag = REF_MISMATCH
        elif predictor.local is not None and hit.b - hit.a == 1 == len(hit.allele):
            base = reverse_complement(hit.allele) if on_minus else hit.allele
            snvs.append((len(records), slot[hit.row], index, int(codes_of(base)[0])))
        else:
            window, flag = alt_window(text, first, start, end, on_minus, hit.a, hit.b, hit.allele)
        records.append({"chrom": chrom, "pos": pos, "id": vid, "ref": ref, "alt": hit.alt,
                        "gene_id": gene_ids[hit.row], "strand": "-" if on_minus else "+", "window_index": index,
                        "ref_prob": np.nan, "alt_prob": np.nan, "delta_prob": np.nan, "delta_logit": np.nan,
                        "flag": flag})
        if window is not None:
            whole.append((len(records) - 1, codes_of(window)))
    alt_logit = np.full(len(records), np.nan)
    reference = np.array([ref_logit[slot[hit.row]] for hit in hits])
    if whole:
        at = np.array([position for position, _ in whole])
        alt_logit[at] = score_codes(predictor, np.stack([codes for _, codes in whole]), batch_size=batch_size)
    if snvs:
        _local_logits(predictor, gene_codes, np.array(snvs, dtype=np.int64), alt_logit, batch_size)
    effects = pd.DataFrame(records)
    scored = np.flatnonzero(np.isfinite(alt_logit))
    ref_p, alt_p = probability(reference[scored]), probability(alt_logit[scored])
    effects.loc[scored, "ref_prob"], effects.loc[scored, "alt_prob"] = ref_p, alt_p
    effects.loc[scored, "delta_prob"] = alt_p - ref_p
    effects.loc[scored, "delta_logit"] = alt_logit[scored] - reference[scored]
    return effects


def _local_logits(predictor: Predictor, gene_codes: np.ndarray, snvs: np.ndarray, into: np.ndarray,
                  batch_size: int) -> None:
    """ALT logits of SNVs (record, gene slot, index, ALT code) by :mod:`sca_tf.predict.local`, genes in chunks."""
    local = predictor.local
    snvs = snvs[np.argsort(snvs[:, 1], kind="stable")]
    chunk_starts = np.arange(0, len(gene_codes), _GENES_PER_CHUNK)
    for chunk in chunk_starts:
        mine = snvs[(snvs[:, 1] >= chunk) & (snvs[:, 1] < chunk + _GENES_PER_CHUNK)]
        if not len(mine):
            continue
        codes = gene_codes[chunk:chunk + _GENES_PER_CHUNK]
        maps = local.reference_maps(codes)
        for first in range(0, len(mine), batch_size):
            part = mine[first:first + batch_size]
            into[part[:, 0]] = local.snv_logits(maps, part[:, 1] - chunk, codes, part[:, 2],
                                                part[:, 3].astype(np.uint8))


def _info_entries(effects: pd.DataFrame, hits: list[_Hit]) -> dict[int, list[str]]:
    """Record index -> its INFO/SCA_TF entries, one per ALT and window it falls in (flag ``ok`` when scored)."""
    entries: dict[int, list[str]] = {}
    for hit, row in zip(hits, effects.itertuples(index=False)):
        values = [hit.alt, row.gene_id, row.strand, str(row.window_index),
                  *("." if pd.isna(v) else f"{v:.4g}" for v in (row.delta_prob, row.delta_logit)), row.flag or "ok"]
        entries.setdefault(hit.record, []).append("|".join(values))
    return entries
