"""``sca_promoters``: the promoter of every gene, labelled with its differential expression (TFDS builder).

Configs differ only in what changes the bytes on disk: the promoter window, the genome assembly and the split
scheme (plus one config that keeps the untestable genes as their own split). Example::

    from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder  # registers the builder
    import tensorflow_datasets as tfds
    builder = tfds.builder("sca_promoters/grch37_up2000_down0_random", data_dir="~/tensorflow_datasets")
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir="out/inputs"))
    train = tfds.load("sca_promoters/grch37_up2000_down0_random", split="train", data_dir="~/tensorflow_datasets")

Sequences are stored as ``uint8`` base codes (``A=0, C=1, G=2, T=3, N=4``, zlib-compressed); the one-hot used by
the models is made on the fly by :mod:`sca_tf.data`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tensorflow_datasets as tfds

from sca_tf.errors import ScaInputError
from sca_tf.provenance import library_versions
from sca_tf.schema import (
    DATASET_STATUS_ORDER,
    FOLD_SCHEMES,
    SPLIT_SCHEMES,
    SPLITS,
    TEST_FRACTION,
    UNTESTABLE,
    VALIDATION_FRACTION,
)
from sca_tf.sequence import CODE_LETTERS

from . import splitting, tables
from .raw_sources import RawSources, prepare_inputs

LABEL_NAMES = ("not_de", "de")
STATUS_NAMES = DATASET_STATUS_ORDER
UNTESTABLE_SPLIT = UNTESTABLE  # the split of untestable genes is named after their status
SIMULATED_ASSEMBLY = "sca-tf-simulated"
_BASE_CODES = {letter: code for code, letter in enumerate(CODE_LETTERS)}
_ASSEMBLY_SLUGS = {"GRCh37": "grch37", "GRCh38": "grch38", SIMULATED_ASSEMBLY: "simulated"}
_GEO_COUNTS = "https://ftp.ncbi.nlm.nih.gov/geo/series/GSE248nnn/GSE248760/suppl/GSE248760_raw_counts.txt.gz"
#: Public raw inputs per assembly: GEO counts of GSE248760 and Ensembl's primary assembly and gene annotation.
PUBLIC_SOURCES = {
    "GRCh37": RawSources(
        counts_url=_GEO_COUNTS,
        genome_url="https://ftp.ensembl.org/pub/grch37/release-87/fasta/homo_sapiens/dna/"
        "Homo_sapiens.GRCh37.dna.primary_assembly.fa.gz",
        annotation="https://ftp.ensembl.org/pub/grch37/release-87/gtf/homo_sapiens/Homo_sapiens.GRCh37.87.gtf.gz",
    ),
    "GRCh38": RawSources(
        counts_url=_GEO_COUNTS,
        genome_url="https://ftp.ensembl.org/pub/release-100/fasta/homo_sapiens/dna/"
        "Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz",
        annotation="https://ftp.ensembl.org/pub/release-100/gtf/homo_sapiens/Homo_sapiens.GRCh38.100.gtf.gz",
    ),
}


@dataclasses.dataclass(eq=False, kw_only=True)
class SCAPromotersConfig(tfds.core.BuilderConfig):
    """One variant of the dataset.

    Attributes:
      upstream, downstream: promoter window around the TSS (see :mod:`sca_tf.prep.coordinates`).
      assembly: genome build the promoters must come from (the ``assembly`` column of ``promoters.tsv``).
      split_scheme: ``random`` (stratified, seeded) or ``chrom`` (whole chromosomes held out).
      split_seed: seed of the split (recorded in the dataset's metadata).
      test_fraction: share of genes in test; validation_fraction: share of the remaining genes in validation.
      test_chromosomes, validation_chromosomes: explicit held-out chromosomes for ``chrom`` (else chosen).
      keep_untestable: put genes DESeq2 could not test into an ``untestable`` split instead of dropping them.
      fold, n_folds: for the cross-validation schemes (``kfold``, ``chrom_kfold``), the test fold and the number
        of folds (``test_fraction`` is then unused).
    """

    upstream: int = 2000
    downstream: int = 0
    assembly: str = "GRCh37"
    split_scheme: str = "random"
    split_seed: int = 0
    test_fraction: float = TEST_FRACTION
    validation_fraction: float = VALIDATION_FRACTION
    test_chromosomes: tuple[str, ...] = ()
    validation_chromosomes: tuple[str, ...] = ()
    keep_untestable: bool = False
    fold: int = 0
    n_folds: int = 0

    def __post_init__(self) -> None:
        if self.split_scheme not in SPLIT_SCHEMES + FOLD_SCHEMES:
            raise ScaInputError(f"config {self.name}: split_scheme {self.split_scheme!r} is not one of "
                                f"{', '.join(SPLIT_SCHEMES + FOLD_SCHEMES)}")
        if (self.split_scheme in FOLD_SCHEMES) != (self.n_folds > 0):
            raise ScaInputError(f"config {self.name}: n_folds (> 0) goes with the fold schemes "
                                f"{', '.join(FOLD_SCHEMES)} and only with them")
        if self.n_folds and not (self.n_folds >= 2 and 0 <= self.fold < self.n_folds):
            raise ScaInputError(f"config {self.name}: fold {self.fold} of {self.n_folds}: need n_folds >= 2 and "
                                "0 <= fold < n_folds")
        if self.upstream < 0 or self.downstream < 0 or self.upstream + self.downstream == 0:
            raise ScaInputError(
                f"config {self.name}: upstream ({self.upstream}) and downstream ({self.downstream}) must be >= 0 "
                "and not both 0"
            )
        for name in ("test_fraction", "validation_fraction"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ScaInputError(f"config {self.name}: {name} must lie in (0, 1), got {getattr(self, name)}")
        if (self.test_chromosomes or self.validation_chromosomes) and self.split_scheme != "chrom":
            raise ScaInputError(f"config {self.name}: held-out chromosomes need split_scheme 'chrom'")

    @property
    def sequence_length(self) -> int:
        """Bases per promoter."""
        return self.upstream + self.downstream

    def settings(self) -> dict[str, Any]:
        """The parameters that define the bytes on disk (JSON-ready, recorded in the dataset's metadata)."""
        return {
            "upstream": self.upstream,
            "downstream": self.downstream,
            "assembly": self.assembly,
            "split_scheme": self.split_scheme,
            "split_seed": self.split_seed,
            "test_fraction": self.test_fraction,
            "validation_fraction": self.validation_fraction,
            "test_chromosomes": list(self.test_chromosomes),
            "validation_chromosomes": list(self.validation_chromosomes),
            "keep_untestable": self.keep_untestable,
            "fold": self.fold,
            "n_folds": self.n_folds,
        }


def config_name(
    *,
    assembly: str,
    upstream: int,
    downstream: int,
    split_scheme: str,
    split_seed: int = 0,
    test_fraction: float = TEST_FRACTION,
    validation_fraction: float = VALIDATION_FRACTION,
    test_chromosomes: tuple[str, ...] = (),
    validation_chromosomes: tuple[str, ...] = (),
    keep_untestable: bool = False,
    fold: int = 0,
    n_folds: int = 0,
) -> str:
    """The config name for these settings, e.g. ``grch37_up2000_down0_random``; non-defaults add suffixes."""
    slug = _ASSEMBLY_SLUGS.get(assembly) or re.sub(r"[^a-z0-9]+", "-", assembly.lower()).strip("-")
    parts = [slug, f"up{upstream}", f"down{downstream}", split_scheme]
    if split_seed:
        parts.append(f"seed{split_seed}")
    if test_fraction != TEST_FRACTION:
        parts.append(f"test{test_fraction:g}")
    if validation_fraction != VALIDATION_FRACTION:
        parts.append(f"val{validation_fraction:g}")
    if test_chromosomes:
        parts.append("test-" + "-".join(test_chromosomes))
    if validation_chromosomes:
        parts.append("val-" + "-".join(validation_chromosomes))
    if keep_untestable:
        parts.append("untestable")
    if n_folds:
        parts.append(f"fold{fold}of{n_folds}")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "_".join(parts))


def make_config(**settings: Any) -> SCAPromotersConfig:
    """A config with these settings: the registered one of that name if it exists, else a custom one.

    ``settings`` are the fields of :class:`SCAPromotersConfig` (``assembly``, ``upstream``, ...); a custom config
    is named by :func:`config_name`, so ``tfds.load("sca_promoters/<name>", data_dir=...)`` finds it once built.
    """
    name = config_name(**settings)
    registered = Builder.builder_configs.get(name)
    if registered is not None:
        return registered
    window = f"{settings['upstream']} bp up, {settings['downstream']} bp down"
    return SCAPromotersConfig(
        name=name, description=f"{settings['assembly']} promoters ({window}), {settings['split_scheme']} split",
        **settings,
    )


def _registered_configs() -> list[SCAPromotersConfig]:
    configs = []
    for assembly in ("GRCh37", "GRCh38", SIMULATED_ASSEMBLY):
        for scheme in SPLIT_SCHEMES:
            settings = dict(assembly=assembly, upstream=2000, downstream=0, split_scheme=scheme)
            where = "whole chromosomes held out" if scheme == "chrom" else "stratified 72/8/20"
            configs.append(
                SCAPromotersConfig(
                    name=config_name(**settings),
                    description=f"{assembly}, 2 kb upstream of the TSS, {scheme} split ({where})",
                    **settings,
                )
            )
    settings = dict(assembly="GRCh37", upstream=2000, downstream=0, split_scheme="random", keep_untestable=True)
    configs.append(
        SCAPromotersConfig(
            name=config_name(**settings),
            description="GRCh37, 2 kb upstream, random split, untestable genes kept as an extra split",
            **settings,
        )
    )
    return configs


class Builder(tfds.core.GeneratorBasedBuilder):
    """Promoter sequences with DE labels from ``sca-tf dge`` + ``sca-tf promoters`` outputs."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: uint8 base codes, DE label and statistics, random and chromosome splits.",
    }
    MANUAL_DOWNLOAD_INSTRUCTIONS = """\
    Run `sca-tf dge` and `sca-tf promoters` with the window and assembly of the config, then put (or link) into
    the manual directory (`--manual_dir`, default `<data_dir>/downloads/manual/`):

        de_table.tsv     the DE table (`sca-tf dge --out DIR`)
        de_run.json      its provenance (optional, recorded in the dataset's metadata)
        promoters.tsv    the promoter table (`sca-tf promoters --out DIR`)
        promoters.fa     the promoter FASTA (optional, checked against the table)
        promoters.json   its provenance (optional)

    `sca-tf build-dataset --de-table DIR/de_table.tsv --promoters DIR/promoters.tsv` links them for you.
    Configs with public sources (GRCh37, GRCh38) instead download GSE248760 and Ensembl when the manual directory
    is empty, and run both stages themselves.
    """
    BUILDER_CONFIGS = _registered_configs()
    DEFAULT_BUILDER_CONFIG_NAME = "grch37_up2000_down0_random"

    def __init__(self, *, raw_sources: RawSources | None = None, **kwargs: Any) -> None:
        """``raw_sources``: where to download the raw inputs when the manual directory is empty (a mirror, say);
        default: the public GEO/Ensembl sources of the config's assembly, if it has any. Other arguments are
        those of ``tfds.core.GeneratorBasedBuilder`` (``data_dir``, ``config``, ``version``)."""
        super().__init__(**kwargs)
        self.raw_sources = raw_sources or PUBLIC_SOURCES.get(self.builder_config.assembly)

    def _info(self) -> tfds.core.DatasetInfo:
        config = self.builder_config
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "gene_id": tfds.features.Text(doc="Ensembl gene ID, version stripped"),
                    "sequence": tfds.features.Tensor(
                        shape=(config.sequence_length,),
                        dtype=np.uint8,
                        encoding=tfds.features.Encoding.ZLIB,
                        doc=f"promoter in transcript orientation as base codes {_BASE_CODES}",
                    ),
                    "label": tfds.features.ClassLabel(names=LABEL_NAMES, doc="de = status up or down"),
                    "status": tfds.features.ClassLabel(names=STATUS_NAMES, doc="DE call of `sca-tf dge`"),
                    "log2FoldChange": _float64("DESeq2 log2 fold change, unshrunk (NaN if untestable)"),
                    "padj": _float64("Benjamini-Hochberg adjusted p-value (NaN if untestable)"),
                    "baseMean": _float64("mean of normalised counts"),
                    "chrom": tfds.features.Text(doc="chromosome as named in the genome FASTA"),
                    "strand": tfds.features.Text(doc="'+' or '-'"),
                }
            ),
            supervised_keys=("sequence", "label"),
            homepage="https://www.ncbi.nlm.nih.gov/geo/query/acc.cgi?acc=GSE248760",
            metadata=tfds.core.MetadataDict(),
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager) -> dict[str, Iterator[Any]]:
        config = self.builder_config
        files, download_record = self._input_files(dl_manager)
        examples = tables.load_examples(
            files, upstream=config.upstream, downstream=config.downstream, assembly=config.assembly
        )
        split_of, held_out = self._assign_splits(examples)
        self.info.metadata.update(
            self._metadata(examples, split_of, held_out, tables.provenance(files) | download_record)
        )
        return {split: self._generate_examples(examples[split_of == split]) for split in _split_names(split_of)}

    def _generate_examples(self, examples: pd.DataFrame) -> Iterator[tuple[str, dict[str, Any]]]:
        for row in examples.itertuples(index=False):
            yield row.gene_id, {
                "gene_id": row.gene_id,
                "sequence": row.codes,
                "label": int(row.label),
                "status": row.status,
                "log2FoldChange": row.log2FoldChange,
                "padj": row.padj,
                "baseMean": row.baseMean,
                "chrom": row.chrom,
                "strand": row.strand,
            }

    def _input_files(self, dl_manager: tfds.download.DownloadManager) -> tuple[tables.InputFiles, dict[str, Any]]:
        """The manual directory's files, or (when it is empty and there are raw sources) freshly built ones."""
        config = self.builder_config
        try:
            manual_dir = dl_manager.manual_dir
        except AssertionError as exc:  # TFDS: the manual directory is missing or empty
            if self.raw_sources is None:
                raise ScaInputError(f"config {config.name} reads its inputs from the manual directory: {exc}") from exc
            manual_dir = None
        if manual_dir is not None:
            return tables.InputFiles.in_directory(manual_dir, self.MANUAL_DOWNLOAD_INSTRUCTIONS), {}
        return prepare_inputs(
            dl_manager,
            self.raw_sources,
            Path(dl_manager.download_dir) / "sca_promoters_work" / config.name,
            upstream=config.upstream,
            downstream=config.downstream,
            assembly=config.assembly,
        )

    def _assign_splits(self, examples: pd.DataFrame) -> tuple[np.ndarray, dict[str, list[str]]]:
        config = self.builder_config
        testable = (examples["status"] != UNTESTABLE).to_numpy()
        plan = splitting.assign_splits(
            config.split_scheme,
            examples.loc[testable, "label"].to_numpy(),
            examples.loc[testable, "chrom"].to_numpy(),
            seed=config.split_seed,
            test_fraction=config.test_fraction,
            validation_fraction=config.validation_fraction,
            test_chromosomes=config.test_chromosomes,
            validation_chromosomes=config.validation_chromosomes,
            fold=config.fold,
            n_folds=config.n_folds,
        )
        split_of = np.full(len(examples), None, dtype=object)
        split_of[testable] = plan.assignment
        if config.keep_untestable:
            split_of[~testable] = UNTESTABLE_SPLIT
        return split_of, plan.held_out_chromosomes

    def _metadata(
        self,
        examples: pd.DataFrame,
        split_of: np.ndarray,
        held_out: dict[str, list[str]],
        inputs: dict[str, Any],
    ) -> dict[str, Any]:
        config = self.builder_config
        label_counts, status_counts = {}, {}
        for split in _split_names(split_of):
            in_split = examples[split_of == split]
            label_counts[split] = {
                name: int((in_split["label"] == code).sum()) for code, name in enumerate(LABEL_NAMES)
            }
            status_counts[split] = {name: int((in_split["status"] == name).sum()) for name in STATUS_NAMES}
        de_run = inputs.get("de_run") or {}  # empty when no de_run.json was given
        de_rule = {key: de_run[key] for key in ("rule", "alpha", "treatment", "reference") if key in de_run}
        return {
            "label_counts": label_counts,
            "status_counts": status_counts,
            "dropped_untestable": int(((examples["status"] == UNTESTABLE) & pd.isna(split_of)).sum()),
            "config": config.settings(),
            "held_out_chromosomes": held_out,
            "window": {"upstream": config.upstream, "downstream": config.downstream},
            "assembly": config.assembly,
            "sequence_encoding": {"dtype": "uint8", "codes": _BASE_CODES},
            "label_rule": "de if status is up or down (the DE rule of the DE stage), else not_de",
            "counts_sha256": de_run.get("counts", {}).get("sha256"),
            "de_rule": de_rule or None,
            "inputs": inputs,
            "library_versions": library_versions(),
        }


def _float64(doc: str) -> tfds.features.Tensor:
    """A float64 scalar stored as 8 raw bytes: tf.Example float lists are float32, which turns padj < 1e-45 into 0."""
    return tfds.features.Tensor(shape=(), dtype=np.float64, encoding=tfds.features.Encoding.BYTES, doc=doc)


def _split_names(split_of: np.ndarray) -> list[str]:
    present = set(split_of[pd.notna(split_of)])
    return [split for split in (*SPLITS, UNTESTABLE_SPLIT) if split in present]
