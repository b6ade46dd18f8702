"""``sca-tf explain``: attributions for chosen genes or a whole split -> top windows -> motifs -> JASPAR.

Writes into ``out_dir``::

    attributions.npz         gene_id, status, probability, bases (codes 0-4), attributions [n, L, 4], method
    ism/<gene>.tsv, .png     method ism only: every position x base effect, heatmap + logo (:mod:`.ism`)
    windows.tsv              top windows per gene: gene_id, group, rank, start, end, score, sequence
    discovered_motifs.tsv    de novo motifs per group, with their best JASPAR matches (+ .json with matrices)
    motif_enrichment.tsv     JASPAR motifs enriched in the windows of predicted up / down vs not-DE genes
    top_windows.png          attribution logos of the highest-scoring windows
    discovered_motifs.png    information-content logos of the discovered motifs
    explain.json             configuration, seed, inputs, group sizes, the JASPAR release matched, versions,
                             seconds

Groups: *up* = genes the model calls DE (probability >= ``threshold``) whose DE status is up, *down* likewise,
*not_de* = genes with status not_de the model calls not DE; other genes get attributions but join no group.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from sca_tf import io
from sca_tf.data.encoding import one_hot
from sca_tf.errors import ScaInputError
from sca_tf.explain import attributions as attribution_methods
from sca_tf.explain import plots
from sca_tf.explain.discovery import DiscoveredMotif, discover_motifs
from sca_tf.explain.enrichment import ENRICHMENT_COLUMNS, gene_motif_hits, motif_enrichment
from sca_tf.explain.ism import write_gene_ism
from sca_tf.explain.windows import top_windows, window_regions
from sca_tf.models import load_classifier
from sca_tf.models.checkpoints import check_input_length
from sca_tf.motifs.jaspar import JASPAR_RELEASE, best_matches, load_jaspar
from sca_tf.motifs.pwm import Motif
from sca_tf.provenance import describe_file, library_versions
from sca_tf.schema import DE_STATUSES, NOT_DE
from sca_tf.sequence import ALPHABET, decode_bases, encode_bases

logger = logging.getLogger(__name__)

TESTED_GROUPS, BACKGROUND_GROUP = DE_STATUSES, NOT_DE
DISCOVERED_COLUMNS = (
    "motif", "group", "consensus", "seed", "seed_pvalue", "n_sites", "foreground_hits", "foreground_windows",
    "background_hits", "background_windows", "best_match_id", "best_match_name", "best_match_class",
    "best_match_similarity", "other_matches",
)
_MIN_GROUP_GENES = 5
_PREDICT_BATCH = 256


@dataclass(frozen=True)
class ExplainConfig:
    """Every choice of ``sca-tf explain`` (validated on construction)."""

    method: str = "integrated_gradients"
    reference: str = "shuffle"
    steps: int = 32
    n_references: int = 4
    window: int = 20
    windows_per_gene: int = 3
    flank: int = 10
    threshold: float = 0.5
    jaspar_release: str = JASPAR_RELEASE
    min_relative_score: float = 0.85
    n_motifs: int = 3
    n_logos: int = 12
    batch_size: int = 32
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in attribution_methods.METHODS:
            raise ScaInputError(f"method {self.method!r}: expected one of {', '.join(attribution_methods.METHODS)}")
        if self.reference not in attribution_methods.REFERENCES:
            raise ScaInputError(f"reference {self.reference!r}: expected one of "
                                f"{', '.join(attribution_methods.REFERENCES)}")
        for name in ("steps", "n_references", "window", "windows_per_gene", "n_motifs", "batch_size"):
            if getattr(self, name) < 1:
                raise ScaInputError(f"{name}: expected an integer >= 1, got {getattr(self, name)!r}")
        if self.flank < 0 or self.n_logos < 0 or self.seed < 0:
            raise ScaInputError("flank, n_logos and seed must be >= 0")
        for name in ("threshold", "min_relative_score"):
            if not 0 < getattr(self, name) < 1:
                raise ScaInputError(f"{name}: expected a number in (0, 1), got {getattr(self, name)!r}")


@dataclass(frozen=True)
class ExplainResult:
    """The tables ``explain_promoters`` produced and the folder it wrote them to."""

    out_dir: Path
    group_sizes: dict[str, int]
    discovered: list[DiscoveredMotif]
    enrichment: pd.DataFrame
    skipped_motifs: str | None

    def summary(self) -> str:
        """A few lines for the command line: group sizes and the top enriched motif of each group."""
        lines = [f"explained {sum(self.group_sizes.values())} genes into {self.out_dir} "
                 f"(groups: {', '.join(f'{k} {v}' for k, v in self.group_sizes.items())})"]
        if self.skipped_motifs:
            lines.append(f"motif analysis skipped: {self.skipped_motifs}")
        for group, table in self.enrichment.groupby("group", sort=False):
            top = table.iloc[0]
            lines.append(f"{group}: top JASPAR motif {top['matrix_id']} {top['name']} "
                         f"(odds ratio {top['odds_ratio']:.1f}, q = {top['qvalue']:.2g})")
        return "\n".join(lines)


def prediction_groups(status: Sequence[str], probability: np.ndarray, threshold: float) -> np.ndarray:
    """``up`` / ``down`` / ``not_de`` / ``""`` per gene, as defined in the module docstring."""
    status = np.asarray(status, dtype=object)
    called = np.asarray(probability) >= threshold
    groups = np.full(len(status), "", dtype=object)
    for group in TESTED_GROUPS:
        groups[(status == group) & called] = group
    groups[(status == BACKGROUND_GROUP) & ~called] = BACKGROUND_GROUP
    return groups


def explain_promoters(
    model: keras.Model, promoters: pd.DataFrame, out_dir: str | os.PathLike[str],
    config: ExplainConfig = ExplainConfig(), *, jaspar: list[Motif] | None = None,
    provenance: dict[str, Any] | None = None,
) -> ExplainResult:
    """Explain ``model`` on ``promoters`` (columns ``gene_id``, ``status``, ``sequence``) and write ``out_dir``.

    ``jaspar`` overrides the motifs matched against (default: vertebrate CORE of ``config.jaspar_release``, which
    ``explain.json`` records as ``jaspar_release``; ``null`` for other motifs or when no motifs were matched).
    """
    began = time.perf_counter()
    out = io.ensure_output_dir(out_dir)
    _check_table(promoters)
    sequences = promoters["sequence"].str.upper().tolist()
    codes = np.stack([encode_bases(seq, where=f"gene {gene}") for gene, seq in zip(promoters["gene_id"], sequences)])
    encoded = one_hot(codes).numpy()
    probability = model.predict(encoded, batch_size=_PREDICT_BATCH, verbose=0).reshape(-1)
    values = _attributions(model, encoded, config)
    groups = prediction_groups(promoters["status"], probability, config.threshold)
    _save_attributions(out / "attributions.npz", promoters, probability, codes, values, config)
    if config.method == "ism":
        write_gene_ism(out / "ism", promoters["gene_id"].tolist(), codes, values, encoded)

    windows = top_windows(attribution_methods.position_scores(values, encoded, config.method),
                          config.window, config.windows_per_gene)
    windows.insert(0, "group", groups[windows["sequence_index"]])
    windows.insert(0, "gene_id", promoters["gene_id"].to_numpy()[windows["sequence_index"]])
    windows["sequence"] = [sequences[i][s:e] for i, s, e in windows[["sequence_index", "start", "end"]].to_numpy()]
    io.write_tsv(windows.drop(columns="sequence_index"), out / "windows.tsv")
    _plot_top_windows(windows, values, encoded, promoters["gene_id"].to_numpy(), config, out / "top_windows.png")

    sizes = {group: int((groups == group).sum()) for group in (*TESTED_GROUPS, BACKGROUND_GROUP)}
    skipped = _why_no_motifs(sizes)
    discovered: list[DiscoveredMotif] = []
    enrichment = pd.DataFrame(columns=list(ENRICHMENT_COLUMNS))
    release = config.jaspar_release if skipped is None and jaspar is None else None
    if skipped is None:
        motifs = jaspar if jaspar is not None else load_jaspar(config.jaspar_release)
        background = windows[windows["group"] == BACKGROUND_GROUP].reset_index(drop=True)
        for group in TESTED_GROUPS:
            if sizes[group] >= _MIN_GROUP_GENES:
                foreground = windows[windows["group"] == group].reset_index(drop=True)
                discovered += discover_motifs(encoded, sequences, foreground, background, group=group,
                                              n_motifs=config.n_motifs)
        regions = window_regions(encoded, windows, config.flank)
        hits = gene_motif_hits(regions, windows["sequence_index"].to_numpy(), len(encoded), motifs,
                               config.min_relative_score)
        enrichment = motif_enrichment(hits, groups, motifs, tested=TESTED_GROUPS, background=BACKGROUND_GROUP)
    else:
        logger.warning("motif analysis skipped: %s", skipped)
    _write_discovered(discovered, motifs if skipped is None else [], out)
    io.write_tsv(enrichment, out / "motif_enrichment.tsv")
    io.write_json(out / "explain.json", {
        "config": dataclasses.asdict(config), "seed": config.seed, "n_genes": len(promoters),
        "input_length": int(encoded.shape[1]), "group_sizes": sizes, "motif_analysis_skipped": skipped,
        "jaspar_release": release,
        "n_discovered_motifs": len(discovered), "library_versions": library_versions((
            *("sca-tf", "tensorflow", "tensorflow-cpu", "keras", "numpy", "scipy"), "pyjaspar")),
        "seconds": round(time.perf_counter() - began, 2), **(provenance or {}),
    })
    return ExplainResult(out_dir=out, group_sizes=sizes, discovered=discovered, enrichment=enrichment,
                         skipped_motifs=skipped)


def run_explain(
    model_path: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
    promoters: str | os.PathLike[str] | None = None, genes: Sequence[str] | None = None,
    dataset: str | None = None, split: str | None = None, data_dir: str | os.PathLike[str] | None = None,
    config: ExplainConfig = ExplainConfig(),
) -> ExplainResult:
    """Explain the ``.keras`` classifier at ``model_path`` on chosen genes of a promoter table or on a split.

    Give either ``promoters`` (a ``promoters.tsv`` of ``sca-tf promoters``; ``genes`` keeps only those genes) or
    ``dataset`` + ``split`` (+ ``data_dir``) naming a built ``sca_promoters`` TFDS config and one of its splits.
    """
    if (promoters is None) == (dataset is None):
        raise ScaInputError("give either a promoter table or a TFDS dataset and split, not both or neither")
    model = load_classifier(model_path)
    if promoters is not None:
        table = read_promoter_table(promoters, genes)
        source = {"promoters": describe_file(promoters), "genes": list(genes) if genes else "all"}
    else:
        if split is None:
            raise ScaInputError("a TFDS dataset needs --split (train, validation or test)")
        if data_dir is None:
            raise ScaInputError("a TFDS dataset needs --data-dir (the directory `sca-tf build-dataset` wrote)")
        table = split_table(dataset, split, data_dir)
        source = {"dataset": dataset, "split": split, "data_dir": str(data_dir) if data_dir else None}
    if not table.empty:
        check_input_length(model, len(table["sequence"].iloc[0]), model_path)
    return explain_promoters(model, table, out_dir, config,
                             provenance={"model": describe_file(model_path), "source": source})


def read_promoter_table(path: str | os.PathLike[str], genes: Sequence[str] | None = None) -> pd.DataFrame:
    """``gene_id``, ``status``, ``sequence`` of a ``promoters.tsv``; only ``genes`` (in that order) if given."""
    path = Path(path)
    if not path.is_file():
        raise ScaInputError(f"promoter table {path}: file not found")
    table = pd.read_csv(path, sep="\t", dtype={"gene_id": str}, keep_default_na=False)
    missing_columns = {"gene_id", "status", "sequence"} - set(table.columns)
    if missing_columns:
        raise ScaInputError(f"promoter table {path}: missing column(s) {', '.join(sorted(missing_columns))}; "
                            "expected the promoters.tsv written by `sca-tf promoters`")
    table = table[["gene_id", "status", "sequence"]]
    if not genes:
        return table.reset_index(drop=True)
    unknown = [gene for gene in genes if gene not in set(table["gene_id"])]
    if unknown:
        raise ScaInputError(f"promoter table {path}: gene(s) not found: {', '.join(unknown[:10])}"
                            + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""))
    return table.set_index("gene_id").loc[list(genes)].reset_index()


def split_table(dataset: str, split: str, data_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """``gene_id``, ``status``, ``sequence`` of every example of ``split`` of a built ``sca_promoters`` config.

    ``dataset`` is the config name, with or without the ``sca_promoters/`` prefix that ``build-dataset`` prints.
    """
    from sca_tf.data.build import load_builder
    from sca_tf.data.splits import read_split

    arrays = read_split(load_builder(data_dir, dataset.removeprefix("sca_promoters/")), split)
    return pd.DataFrame({"gene_id": arrays.gene_ids, "status": arrays.status,
                         "sequence": [decode_bases(row) for row in arrays.codes]})


def _check_table(promoters: pd.DataFrame) -> None:
    if promoters.empty:
        raise ScaInputError("no promoters to explain")
    lengths = promoters["sequence"].str.len()
    usual = int(lengths.mode()[0])
    odd = np.flatnonzero(lengths.to_numpy() != usual)
    if odd.size:
        raise ScaInputError(f"promoters must all have one length: gene {promoters['gene_id'].iloc[odd[0]]} has "
                            f"{lengths.iloc[odd[0]]} bases, most have {usual}")


def _attributions(model: keras.Model, encoded: np.ndarray, config: ExplainConfig) -> np.ndarray:
    if config.method == "ism":
        return attribution_methods.in_silico_mutagenesis(model, encoded)
    return attribution_methods.integrated_gradients(
        model, encoded, reference=config.reference, steps=config.steps, n_references=config.n_references,
        batch_size=config.batch_size, seed=config.seed)


def _save_attributions(path: Path, promoters: pd.DataFrame, probability: np.ndarray, codes: np.ndarray,
                       values: np.ndarray, config: ExplainConfig) -> None:
    with io.atomic_path(path, suffix=".npz") as tmp:
        np.savez_compressed(
            tmp, gene_id=promoters["gene_id"].to_numpy(str), status=promoters["status"].to_numpy(str),
            probability=probability.astype(np.float32), bases=codes, attributions=values.astype(np.float32),
            method=np.array(config.method), reference=np.array(config.reference))


def _why_no_motifs(sizes: dict[str, int]) -> str | None:
    if sizes[BACKGROUND_GROUP] < _MIN_GROUP_GENES:
        return f"only {sizes[BACKGROUND_GROUP]} predicted not-DE genes (need {_MIN_GROUP_GENES}) to compare with"
    if all(sizes[group] < _MIN_GROUP_GENES for group in TESTED_GROUPS):
        return (f"fewer than {_MIN_GROUP_GENES} predicted up and down genes "
                f"({sizes['up']} up, {sizes['down']} down at the threshold)")
    return None


def _plot_top_windows(windows: pd.DataFrame, values: np.ndarray, encoded: np.ndarray, gene_ids: np.ndarray,
                      config: ExplainConfig, path: Path) -> None:
    best = windows.nlargest(config.n_logos, "score")
    spans = [(i, slice(s, e)) for i, s, e in best[["sequence_index", "start", "end"]].to_numpy()]
    titles = [f"{gene_ids[i]} ({group or 'no group'}) {span.start}-{span.stop}: {score:.2f}"
              for (i, span), group, score in zip(spans, best["group"], best["score"])]
    plots.plot_top_windows([values[i, span] for i, span in spans], [encoded[i, span] for i, span in spans],
                           titles, path)


def _write_discovered(discovered: list[DiscoveredMotif], jaspar: list[Motif], out: Path) -> None:
    rows, matrices = [], {}
    numbers: dict[str, int] = {}
    for motif in discovered:
        numbers[motif.group] = numbers.get(motif.group, 0) + 1
        name = f"{motif.group}_{numbers[motif.group]}"
        matches = best_matches(motif.pfm, jaspar)
        rows.append({
            "motif": name, "group": motif.group, "consensus": motif.consensus, "seed": motif.seed,
            "seed_pvalue": motif.seed_pvalue, "n_sites": motif.n_sites,
            "foreground_hits": motif.foreground_hits, "foreground_windows": motif.foreground_windows,
            "background_hits": motif.background_hits, "background_windows": motif.background_windows,
            "best_match_id": matches[0][0].matrix_id, "best_match_name": matches[0][0].name,
            "best_match_class": matches[0][0].tf_class, "best_match_similarity": round(matches[0][1], 3),
            "other_matches": "; ".join(f"{m.matrix_id} {m.name} {score:.2f}" for m, score in matches[1:]),
        })
        matrices[name] = {"consensus": motif.consensus, "pfm": np.round(motif.pfm, 4).tolist(), "alphabet": ALPHABET}
    io.write_tsv(pd.DataFrame(rows, columns=list(DISCOVERED_COLUMNS)), out / "discovered_motifs.tsv")
    io.write_json(out / "discovered_motifs.json", matrices)
    plots.plot_motifs([motif.pfm for motif in discovered],
                      [f"{row['motif']}: {row['consensus']} ~ {row['best_match_id']} {row['best_match_name']} "
                       f"({row['best_match_similarity']:.2f})" for row in rows], out / "discovered_motifs.png")
