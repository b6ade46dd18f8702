"""Build the ``sca_promoters`` TFDS dataset from ``sca-tf dge`` + ``sca-tf promoters`` outputs (``build-dataset``).

>>> from sca_tf.data.build import build_dataset
>>> built = build_dataset(  # doctest: +SKIP
...     "~/tensorflow_datasets", de_table="out/dge/de_table.tsv", promoters="out/promoters/promoters.tsv"
... )
>>> tfds.load(built.name, data_dir=built.data_dir)  # doctest: +SKIP

A registered config is picked by name (default ``grch37_up2000_down0_random``); window, assembly or split
overrides give a custom config named after its settings, which ``tfds.load`` finds the same way once built.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tensorflow_datasets as tfds
from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder as promoters_builder
from sca_tf_datasets.sca_promoters import tables
from sca_tf_datasets.sca_promoters.raw_sources import RawSources

from sca_tf import io, stages
from sca_tf.errors import ScaInputError

logger = logging.getLogger(__name__)
DEFAULT_CONFIG = promoters_builder.Builder.DEFAULT_BUILDER_CONFIG_NAME


@dataclass(frozen=True)
class BuiltDataset:
    """A prepared ``sca_promoters`` config: where it lives and how many genes of each class each split holds."""

    name: str
    config: str
    data_dir: Path
    data_path: Path
    label_counts: dict[str, dict[str, int]]
    seconds: float

    def summary(self) -> str:
        """A small table of per-split label counts and prevalence, plus where the dataset was written."""
        lines = [f"{self.name} in {self.data_path} ({self.seconds:.1f} s)", "split        not_de      de  prevalence"]
        for split, counts in self.label_counts.items():
            total = counts["not_de"] + counts["de"]
            lines.append(f"{split:<10} {counts['not_de']:>8} {counts['de']:>7}  {counts['de'] / max(total, 1):>10.3f}")
        return "\n".join(lines)


def build_dataset(
    data_dir: str | os.PathLike[str],
    *,
    config: str | None = None,
    manual_dir: str | os.PathLike[str] | None = None,
    de_table: str | os.PathLike[str] | None = None,
    promoters: str | os.PathLike[str] | None = None,
    upstream: int | None = None,
    downstream: int | None = None,
    assembly: str | None = None,
    split_scheme: str | None = None,
    seed: int | None = None,
    test_chromosomes: Sequence[str] | None = None,
    validation_chromosomes: Sequence[str] | None = None,
    keep_untestable: bool | None = None,
    fold: int | None = None,
    n_folds: int | None = None,
    download: bool = False,
    raw_sources: RawSources | None = None,
    overwrite: bool = False,
) -> BuiltDataset:
    """Prepare one ``sca_promoters`` config under ``data_dir``, print its per-split label counts and return it.

    Inputs come from ``de_table`` + ``promoters`` (paths; the FASTA and JSON files beside them are used too), or
    from ``manual_dir`` (default ``data_dir/downloads/manual``), or, with ``download=True``, from the config's
    public raw sources (or ``raw_sources``), which are downloaded and run through the DE and promoter stages.
    A prepared config is reused only when its fingerprint (the inputs' SHA-256s, the config's settings, the
    builder version; :mod:`sca_tf.stages`) matches, and rebuilt otherwise; ``overwrite`` always rebuilds it.
    ``fold`` / ``n_folds`` pick fold ``fold`` of a cross-validation scheme (``split_scheme`` ``kfold`` or
    ``chrom_kfold``). Bad input raises ``ScaInputError``.
    """
    began = time.perf_counter()
    builder_config = resolve_config(
        config,
        upstream=upstream,
        downstream=downstream,
        assembly=assembly,
        split_scheme=split_scheme,
        seed=seed,
        test_chromosomes=test_chromosomes,
        validation_chromosomes=validation_chromosomes,
        keep_untestable=keep_untestable,
        fold=fold,
        n_folds=n_folds,
    )
    data_root = Path(data_dir).expanduser()
    stages.check_target(data_root)
    builder = promoters_builder.Builder(config=builder_config, data_dir=str(data_root), raw_sources=raw_sources)
    mode = tfds.download.GenerateMode
    data_path = Path(str(builder.data_path))
    with tempfile.TemporaryDirectory(prefix="sca_promoters_inputs_") as staging, stages.locked(data_path.parent):
        inputs_dir, files = _inputs_dir(Path(staging), data_root, manual_dir, de_table, promoters, download, builder)
        expected = stages.fingerprint(builder.name, files, {**builder_config.settings(), "version": str(builder.version),
                                                            "download": download})
        stale = stages.stale_reason(data_path, expected) if builder.is_prepared() else "not built yet"
        stale = "overwrite asked for" if overwrite and stale is None else stale
        if stale is None:
            logger.info("%s: reusing %s (inputs and settings unchanged)", builder_config.name, data_path)
        else:
            if builder.is_prepared():
                logger.info("%s: rebuilding %s (%s)", builder_config.name, data_path, stale)
            download_config = tfds.download.DownloadConfig(
                manual_dir=str(inputs_dir),
                download_mode=mode.REUSE_CACHE_IF_EXISTS if builder.is_prepared() else mode.REUSE_DATASET_IF_EXISTS,
            )
            try:
                builder.download_and_prepare(download_config=download_config)
            except ScaInputError as exc:  # name the user's files, not their links in the staging folder
                message = str(exc)
                for link in Path(staging).iterdir():
                    message = message.replace(str(link), str(link.resolve()))
                raise ScaInputError(message.replace(f"{staging}/", "")) from exc
            io.write_json(data_path / stages.FINGERPRINT, expected.to_json())
    built = BuiltDataset(
        name=f"{builder.name}/{builder_config.name}",
        config=builder_config.name,
        data_dir=data_root,
        data_path=Path(str(builder.data_path)),
        label_counts=dict(builder.info.metadata["label_counts"]),
        seconds=time.perf_counter() - began,
    )
    logger.info(built.summary())
    return built


def resolve_config(name: str | None = None, **overrides: Any) -> promoters_builder.SCAPromotersConfig:
    """The registered config ``name`` with the non-``None`` ``overrides`` applied (a custom config if any differ)."""
    registered = promoters_builder.Builder.builder_configs
    base = registered.get(name or DEFAULT_CONFIG)
    if base is None:
        raise ScaInputError(f"unknown dataset config {name!r}; known configs: {', '.join(registered)}")
    settings = base.settings()
    renamed = {"seed": "split_seed"}
    for key, value in overrides.items():
        if value is not None:
            settings[renamed.get(key, key)] = tuple(value) if isinstance(value, (list, tuple)) else value
    settings["test_chromosomes"] = tuple(settings["test_chromosomes"])
    settings["validation_chromosomes"] = tuple(settings["validation_chromosomes"])
    return promoters_builder.make_config(**settings)


def _inputs_dir(
    staging: Path,
    data_root: Path,
    manual_dir: str | os.PathLike[str] | None,
    de_table: str | os.PathLike[str] | None,
    promoters: str | os.PathLike[str] | None,
    download: bool,
    builder: promoters_builder.Builder,
) -> tuple[Path, dict[str, Path | None]]:
    """The directory handed to TFDS as ``manual_dir`` and the input files in it (by role, for the dataset's
    fingerprint); checked here so a missing input fails before any work."""
    if download:
        if builder.raw_sources is None:
            raise ScaInputError(
                f"config {builder.builder_config.name} has no public raw sources to download; give its inputs instead"
            )
        if de_table is not None or promoters is not None or manual_dir is not None:
            raise ScaInputError("download=True builds the inputs itself; do not also give tables or a manual_dir")
        return staging / "absent", {}  # an absent manual_dir makes the builder download and process the raw data
    if (de_table is None) != (promoters is None):
        raise ScaInputError("give both the DE table and the promoter table (or neither and a manual_dir)")
    if de_table is not None and promoters is not None:
        if manual_dir is not None:
            raise ScaInputError("give either the two tables or a manual_dir, not both")
        files = tables.InputFiles.beside(de_table, promoters)
        return _stage(staging, files), _roles(files)
    folder = Path(manual_dir) if manual_dir is not None else data_root / "downloads" / "manual"
    files = tables.InputFiles.in_directory(folder, promoters_builder.Builder.MANUAL_DOWNLOAD_INSTRUCTIONS)
    return folder, _roles(files)


def _roles(files: tables.InputFiles) -> dict[str, Path | None]:
    return {field.name: getattr(files, field.name) for field in dataclasses.fields(files)}


def _stage(staging: Path, files: tables.InputFiles) -> Path:
    """Link explicit input files into ``staging`` under the names the builder reads from its manual_dir."""
    links = {
        tables.DE_TABLE: files.de_table,
        tables.DE_RUN: files.de_run,
        tables.PROMOTERS_TABLE: files.promoters,
        tables.PROMOTERS_FASTA: files.promoters_fasta,
        tables.PROMOTERS_RUN: files.promoters_run,
    }
    for name, target in links.items():
        if target is not None:
            (staging / name).symlink_to(target.resolve())
    return staging


def load_builder(data_dir: str | os.PathLike[str], config: str | None = None) -> tfds.core.DatasetBuilder:
    """The prepared ``sca_promoters/<config>`` builder under ``data_dir``; ``ScaInputError`` if it is not built.

    Custom configs (window, split or seed overrides) are found by the name ``build-dataset`` printed.
    """
    data_root = Path(data_dir).expanduser()
    name = f"{promoters_builder.Builder.name}/{config or DEFAULT_CONFIG}"
    try:
        builder = tfds.builder(name, data_dir=str(data_root))
    except (ValueError, tfds.core.registered.DatasetNotFoundError) as exc:
        raise ScaInputError(
            f"dataset {name} not found under {data_root}: run `sca-tf build-dataset` first ({exc})"
        ) from exc
    if not builder.is_prepared():
        raise ScaInputError(
            f"dataset {name} is not built under {data_root}: run `sca-tf build-dataset --data-dir {data_root}"
            f"{' --config ' + config if config else ''}` first"
        )
    return builder
