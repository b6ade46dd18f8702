"""simulate(): every file written and reported, byte-identical for a seed, independent random streams."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from sca_tf.simulate import simulate

OUTPUT_FILES = ("genome.fa", "genome.fa.fai", "annotation.gtf", "counts.tsv", "truth.tsv", "motifs.json",
                "simulation.json")


def test_writes_every_file_and_reports_their_paths(small_run, small) -> None:
    assert sorted(path.name for path in small_run.out_dir.iterdir()) == sorted(OUTPUT_FILES)
    assert small_run.genome_index == small_run.out_dir / "genome.fa.fai"
    recorded = json.loads(small_run.simulation_json.read_text())
    assert recorded["seed"] == small.seed
    assert recorded["config"]["n_genes"] == small.n_genes
    assert recorded["summary"] == json.loads(json.dumps(dict(small_run.summary)))


def test_same_seed_gives_identical_bytes_and_another_seed_a_different_genome(small_run, tmp_path: Path, small) -> None:
    again = simulate(tmp_path / "again", small)
    for name in OUTPUT_FILES:
        assert (again.out_dir / name).read_bytes() == (small_run.out_dir / name).read_bytes(), name
    other = simulate(tmp_path / "other", dataclasses.replace(small, seed=small.seed + 1))
    assert other.genome_fasta.read_bytes() != small_run.genome_fasta.read_bytes()
    assert other.counts_tsv.read_bytes() != small_run.counts_tsv.read_bytes()


def test_counts_stream_is_independent_of_the_genome(small_run, tmp_path: Path, small) -> None:
    noisier = simulate(tmp_path / "noisier", dataclasses.replace(small, dispersion_trend=(2.0, 0.3)))
    assert noisier.genome_fasta.read_bytes() == small_run.genome_fasta.read_bytes()
    assert noisier.counts_tsv.read_bytes() != small_run.counts_tsv.read_bytes()


def test_default_run_is_modest(tmp_path: Path) -> None:
    result = simulate(tmp_path)
    assert 3_000_000 < result.summary["genome_length"] < 15_000_000
    assert result.summary["n_genes"] == 3000
    assert result.summary["n_up"] == result.summary["n_down"] == 240
    assert sum(path.stat().st_size for path in result.out_dir.iterdir()) < 25_000_000
