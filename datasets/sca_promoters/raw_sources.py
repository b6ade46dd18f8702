"""Build the dataset's inputs from raw data instead of ``manual_dir``: download, then run ``dge`` and ``promoters``.

The counts matrix, the genome FASTA and (optionally) a GTF are fetched with the TFDS download manager, which
caches them. No ``checksums.tsv`` is shipped: the URLs are configurable (a user's own GRCh38 FASTA), so there is
no fixed hash to register; instead the size and SHA-256 of every downloaded file are recorded in the dataset's
metadata (``inputs``), so a dataset says exactly which bytes it was built from. The genome is decompressed
(Ensembl ships plain gzip, which pyfaidx cannot index); counts and GTF are read compressed.
The DE and promoter stages then write their usual outputs into a work folder beside the downloads, and those
outputs are read exactly like a ``manual_dir``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import tensorflow_datasets as tfds

from sca_tf.provenance import describe_file

from .tables import InputFiles

_URL_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class RawSources:
    """Where the raw inputs of one dataset config live.

    ``annotation`` is the URL of an Ensembl GTF/GFF3 (downloaded) or the name of an annotation packaged with
    sca-tf (``grch37``, ``grch38``; see :func:`sca_tf.prep.annotation.load_annotation`). ``treatment`` and
    ``reference`` are the groups of the counts matrix compared by the DE stage.
    """

    counts_url: str
    genome_url: str
    annotation: str
    treatment: str = "IS"
    reference: str = "C"

    @property
    def annotation_is_url(self) -> bool:
        """Whether ``annotation`` has to be downloaded."""
        return self.annotation.startswith(_URL_SCHEMES)

    def urls(self) -> dict[str, str]:
        """The URLs to download, by input name."""
        urls = {"counts": self.counts_url, "genome": self.genome_url}
        if self.annotation_is_url:
            urls["annotation"] = self.annotation
        return urls


def prepare_inputs(
    dl_manager: tfds.download.DownloadManager,
    sources: RawSources,
    work_dir: Path,
    *,
    upstream: int,
    downstream: int,
    assembly: str,
) -> tuple[InputFiles, dict[str, Any]]:
    """Download the raw inputs, run the DE and promoter stages into ``work_dir``; return the inputs and provenance."""
    # Imported here so that reading a manual_dir never pays for importing PyDESeq2.
    from sca_tf.prep.dge import run_dge
    from sca_tf.prep.promoters import run_promoters

    urls = sources.urls()
    downloaded = dl_manager.download(urls)
    genome = _link_as_fasta(Path(dl_manager.extract(downloaded["genome"])), work_dir)
    dge = run_dge(
        Path(downloaded["counts"]), work_dir / "dge", treatment=sources.treatment, reference=sources.reference
    )
    promoters = run_promoters(
        dge.table_path,
        genome,
        str(downloaded["annotation"]) if sources.annotation_is_url else sources.annotation,
        work_dir / "promoters",
        upstream=upstream,
        downstream=downstream,
        assembly=assembly if sources.annotation_is_url else None,
    )
    record = {
        "sources": asdict(sources),
        "downloads": {name: {"url": urls[name], **describe_file(path)} for name, path in downloaded.items()},
    }
    return InputFiles.beside(dge.table_path, promoters.table_path), record


def _link_as_fasta(genome: Path, work_dir: Path) -> Path:
    """``work_dir/genome.fa`` pointing at the genome: TFDS names a decompressed download ``GZIP.<name>.gz``,
    and pyfaidx decides from that suffix that the file is compressed."""
    work_dir.mkdir(parents=True, exist_ok=True)
    link = work_dir / "genome.fa"
    for stale in (link, work_dir / "genome.fa.fai"):  # pyfaidx trusts an existing index
        stale.unlink(missing_ok=True)
    link.symlink_to(genome.resolve())
    return link
