"""Opening genomes: bgzip and plain FASTA, refusals with the file named, and the assembly check."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from sca_tf.errors import ScaInputError
from sca_tf.prep.genome import check_assembly, open_genome


def test_plain_gzip_fasta_is_refused(tmp_path: Path, genome_path: Path) -> None:
    packed = tmp_path / "plain.fa.gz"
    packed.write_bytes(gzip.compress(genome_path.read_bytes()))
    with pytest.raises(ScaInputError, match=r"plain\.fa\.gz.*bgzip"):
        open_genome(packed)


def test_missing_fasta_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match=r"nowhere\.fa: file not found"):
        open_genome(tmp_path / "nowhere.fa")


def test_unindexable_fasta_is_refused(tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.fa"
    ragged.write_text(">1\nACGTACGT\nACG\nACGTACGT\n")
    with pytest.raises(ScaInputError, match=r"ragged\.fa: cannot be indexed"):
        open_genome(ragged)


def test_genome_from_another_build_is_refused() -> None:
    with pytest.raises(ScaInputError, match="match GRCh38, but the annotation is GRCh37"):
        check_assembly("hg38.fa", {"chr20": 64_444_167}, "GRCh37")
    check_assembly("hg19.fa", {"chr20": 63_025_520}, "GRCh37")
    check_assembly("sim.fa", {"chrS1": 1_000}, "GRCh37")
