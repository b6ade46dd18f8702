"""Tests for the ``sca_promoters`` TFDS dataset: ``build_dataset``, ``tfds.load`` round trips and bad input.

Fast tests use the builder's ``dummy_data/`` (36 genes on chromosomes 1-4, 24 bp up + 8 bp down). End-to-end
tests build the simulated set (``sca-tf simulate`` -> ``dge`` -> ``promoters`` -> ``build-dataset``), fetch raw
inputs from a local HTTP server on 127.0.0.1 through the TFDS download manager, and build real GRCh37 chr20.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tensorflow_datasets as tfds
from sca_tf_datasets.sca_promoters import sca_promoters_dataset_builder as builder_module
from sca_tf_datasets.sca_promoters import splitting
from sca_tf_datasets.sca_promoters.raw_sources import RawSources

from sca_tf.cli import main as cli_main
from sca_tf.data.build import build_dataset, resolve_config
from sca_tf.data.encoding import one_hot
from sca_tf.errors import ScaInputError
from sca_tf.sequence import decode_bases, one_hot_to_bases

DUMMY_DATA = Path(builder_module.__file__).parent / "dummy_data"
WINDOW = dict(upstream=24, downstream=8)
SPLITS = ("train", "validation", "test")


# ----------------------------------------------------------------------------------------------- helpers


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A writable copy of dummy_data/ (de_table.tsv, promoters.tsv, promoters.fa)."""
    folder = tmp_path / "inputs"
    shutil.copytree(DUMMY_DATA, folder)
    return folder


def build_from(folder: Path, data_dir: Path, **settings) -> object:
    return build_dataset(
        data_dir, de_table=folder / "de_table.tsv", promoters=folder / "promoters.tsv", **{**WINDOW, **settings}
    )


def load_split_frames(name: str, data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every split of a built config as a frame (sequence decoded back to a string), via tfds.load."""
    loaded, info = tfds.load(name, data_dir=str(data_dir), with_info=True)
    frames = {}
    for split, dataset in loaded.items():
        rows = [
            {
                "gene_id": example["gene_id"].decode(),
                "codes": example["sequence"],
                "label": int(example["label"]),
                "status": info.features["status"].int2str(int(example["status"])),
                "padj": float(example["padj"]),
                "chrom": example["chrom"].decode(),
            }
            for example in tfds.as_numpy(dataset)
        ]
        frames[split] = pd.DataFrame(rows)
    return frames


def edit_tsv(path: Path, gene_id: str, column: str, value: str) -> int:
    """Set one cell of a TSV; returns the file line number (header = line 1) of the edited gene."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    row = int(np.flatnonzero(table["gene_id"] == gene_id)[0])
    table.loc[row, column] = value
    table.to_csv(path, sep="\t", index=False)
    return row + 2


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port) in a thread; yields the base URL."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------- dummy data, built once


@pytest.fixture(scope="module")
def dummy_built(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("tfds")
    built = build_from(DUMMY_DATA, data_dir, split_scheme="random")
    return built, load_split_frames(built.name, data_dir)


def test_build_dataset_names_a_custom_config_and_tfds_load_reads_every_split(dummy_built) -> None:
    built, frames = dummy_built
    assert built.name == "sca_promoters/grch37_up24_down8_random"
    assert set(frames) == set(SPLITS)
    assert {split: len(frame) for split, frame in frames.items()} == {"train": 22, "validation": 3, "test": 7}


def test_no_gene_in_two_splits_and_untestable_genes_left_out(dummy_built) -> None:
    _, frames = dummy_built
    genes = [set(frame["gene_id"]) for frame in frames.values()]
    assert sum(len(g) for g in genes) == len(set().union(*genes))
    promoters = pd.read_csv(DUMMY_DATA / "promoters.tsv", sep="\t")
    testable = set(promoters.loc[promoters["status"] != "untestable", "gene_id"])
    assert set().union(*genes) == testable


def test_prevalence_per_split_matches_metadata_and_stratification(dummy_built) -> None:
    built, frames = dummy_built
    info = tfds.builder(built.name, data_dir=str(built.data_dir)).info
    for split, frame in frames.items():
        counts = {"not_de": int((frame["label"] == 0).sum()), "de": int((frame["label"] == 1).sum())}
        assert info.metadata["label_counts"][split] == counts == built.label_counts[split]
    overall = sum(len(f[f["label"] == 1]) for f in frames.values()) / sum(len(f) for f in frames.values())
    assert abs(frames["train"]["label"].mean() - overall) < 0.05


def test_one_hot_of_the_stored_codes_round_trips_to_the_promoter_sequence(dummy_built) -> None:
    _, frames = dummy_built
    expected = pd.read_csv(DUMMY_DATA / "promoters.tsv", sep="\t").set_index("gene_id")["sequence"]
    checked = 0
    for frame in frames.values():
        for gene_id, codes in zip(frame["gene_id"], frame["codes"]):
            assert codes.dtype == np.uint8 and codes.shape == (32,)
            assert one_hot_to_bases(one_hot(codes).numpy()) == decode_bases(codes) == expected[gene_id]
            checked += 1
    assert checked == 32
    assert "NNNN" in expected["ENSG00000900003"]  # the N row round-trips too


def test_statistics_keep_float64_precision(dummy_built) -> None:
    _, frames = dummy_built
    padj = pd.concat(frames.values())["padj"]
    assert (padj == 1e-300).sum() == 1  # float32 would store 0.0


def test_metadata_records_provenance_seed_window_and_assembly(dummy_built) -> None:
    built, _ = dummy_built
    metadata = tfds.builder(built.name, data_dir=str(built.data_dir)).info.metadata
    assert metadata["config"]["split_seed"] == 0 and metadata["config"]["split_scheme"] == "random"
    assert metadata["window"] == {"upstream": 24, "downstream": 8} and metadata["assembly"] == "GRCh37"
    assert metadata["inputs"]["de_table"]["sha256"] == sha256(DUMMY_DATA / "de_table.tsv")
    assert metadata["inputs"]["promoters"]["sha256"] == sha256(DUMMY_DATA / "promoters.tsv")
    assert metadata["sequence_encoding"]["codes"] == {"A": 0, "C": 1, "G": 2, "T": 3, "N": 4}
    de_run = json.loads((DUMMY_DATA / "de_run.json").read_text())
    assert metadata["counts_sha256"] == de_run["counts"]["sha256"]
    assert metadata["de_rule"] == {"rule": {"lfc_threshold": 2.0, "padj_threshold": 0.05}, "alpha": 0.1,
                                   "treatment": "IS", "reference": "C"}


def test_sequences_take_at_most_one_byte_per_base_on_disk(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    serialized = {}
    for upstream in (24, 2024):
        config = builder_module.make_config(assembly="GRCh37", upstream=upstream, downstream=8, split_scheme="random")
        features = builder_module.Builder(config=config, data_dir=str(tmp_path)).info.features
        example = {
            "gene_id": "ENSG00000000001", "sequence": rng.integers(0, 5, upstream + 8).astype(np.uint8), "label": 1,
            "status": "up", "log2FoldChange": 2.5, "padj": 1e-9, "baseMean": 100.0, "chrom": "1", "strand": "+",
        }
        serialized[upstream] = len(features.serialize_example(example))
    # 2,000 more bases (uniform over ACGTN, the worst case for compression) cost less than 2,000 bytes on disk.
    assert serialized[2024] - serialized[24] < 2000


# ------------------------------------------------------------------------------------- configs and splits


def test_registered_config_is_reused_when_the_settings_match() -> None:
    assert resolve_config(None).name == "grch37_up2000_down0_random"
    assert resolve_config("grch37_up2000_down0_random", split_scheme="chrom").name == "grch37_up2000_down0_chrom"
    custom = resolve_config(None, upstream=1000, downstream=500, seed=7)
    assert custom.name == "grch37_up1000_down500_random_seed7"
    assert custom.name not in builder_module.Builder.builder_configs


def test_existing_config_is_reused_only_while_its_inputs_are_unchanged(inputs: Path, tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    first = build_from(inputs, tmp_path / "tfds")
    reused = build_from(inputs, tmp_path / "tfds")
    promoters = pd.read_csv(inputs / "promoters.tsv", sep="\t")
    gene = promoters.loc[promoters["status"] == "not_de", "gene_id"].iloc[0]
    for table in ("promoters.tsv", "de_table.tsv"):
        edit_tsv(inputs / table, gene, "status", "up")
    (inputs / "promoters.fa").unlink()
    with caplog.at_level("INFO", logger="sca_tf"):
        rebuilt = build_from(inputs, tmp_path / "tfds")
    assert "rebuilding" in caplog.text and "input de_table changed" in caplog.text
    overwritten = build_from(inputs, tmp_path / "tfds", overwrite=True)
    n_de = [sum(counts["de"] for counts in built.label_counts.values())
            for built in (first, reused, rebuilt, overwritten)]
    assert n_de == [12, 12, 13, 13]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"split_scheme": "bootstrap"}, "split_scheme 'bootstrap' is not one of random, chrom, kfold, chrom_kfold"),
     ({"upstream": 0, "downstream": 0}, "must be >= 0 and not both 0"),
     ({"test_chromosomes": ["8"]}, "held-out chromosomes need split_scheme 'chrom'")],
)
def test_invalid_config_overrides(overrides: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        resolve_config(None, **overrides)


def test_unknown_config_name_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match="unknown dataset config 'grch37_2kb'.*grch37_up2000_down0_random"):
        build_dataset(tmp_path, config="grch37_2kb", manual_dir=DUMMY_DATA)


def test_keep_untestable_config_adds_an_untestable_split(inputs: Path, tmp_path: Path) -> None:
    built = build_from(inputs, tmp_path / "tfds", split_scheme="random", keep_untestable=True)
    frames = load_split_frames(built.name, built.data_dir)
    assert set(frames["untestable"]["status"]) == {"untestable"} and len(frames["untestable"]) == 4
    assert not set(frames["untestable"]["gene_id"]) & set(pd.concat([frames[s] for s in SPLITS])["gene_id"])


def test_chrom_scheme_holds_out_whole_chromosomes(inputs: Path, tmp_path: Path) -> None:
    built = build_from(inputs, tmp_path / "tfds", split_scheme="chrom", test_chromosomes=["chr2"],
                       validation_chromosomes=["4"])
    frames = load_split_frames(built.name, built.data_dir)
    assert set(frames["test"]["chrom"]) == {"2"} and set(frames["validation"]["chrom"]) == {"4"}
    assert set(frames["train"]["chrom"]) == {"1", "3"}


def test_random_split_is_seeded_and_stratified() -> None:
    labels = np.array([1] * 30 + [0] * 170)
    first = splitting.random_split(labels, seed=3, test_fraction=0.2, validation_fraction=0.1).assignment
    again = splitting.random_split(labels, seed=3, test_fraction=0.2, validation_fraction=0.1).assignment
    other = splitting.random_split(labels, seed=4, test_fraction=0.2, validation_fraction=0.1).assignment
    assert (first == again).all() and not (first == other).all()
    assert (first == "test").sum() == 40 and labels[first == "test"].sum() == 6


def test_automatic_chromosome_choice_comes_closest_to_the_fractions() -> None:
    chromosomes = np.repeat([f"chrS{i}" for i in range(1, 6)], [300, 250, 200, 150, 100])
    labels = np.tile([1, 0, 0, 0, 0], 200)
    plan = splitting.chromosome_split(chromosomes, labels, seed=1, test_fraction=0.2, validation_fraction=0.1)
    # 20 % of 1,000 genes is chrS3 exactly; 10 % of the remaining 800 is closest to chrS5's 100.
    assert plan.held_out_chromosomes == {"test": ["chrS3"], "validation": ["chrS5"]}
    assert set(chromosomes[plan.assignment == "train"]) == {"chrS1", "chrS2", "chrS4"}


# --------------------------------------------------------------------------------------------- bad input


def test_missing_manual_files_say_where_to_put_them(tmp_path: Path) -> None:
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "de_table.tsv").write_text((DUMMY_DATA / "de_table.tsv").read_text())
    with pytest.raises(ScaInputError, match=rf"(?s){manual}: missing promoters.tsv.*sca-tf promoters") as error:
        build_dataset(tmp_path / "tfds", manual_dir=manual, **WINDOW)
    assert "--manual_dir" in str(error.value)  # the builder's MANUAL_DOWNLOAD_INSTRUCTIONS follow


def test_builder_without_manual_dir_or_sources_points_to_the_instructions(tmp_path: Path) -> None:
    builder = builder_module.Builder(config="simulated_up2000_down0_random", data_dir=str(tmp_path))
    config = tfds.download.DownloadConfig(manual_dir=str(tmp_path / "nothing_here"))
    with pytest.raises(ScaInputError, match="(?s)inputs from the manual directory.*nothing_here.*de_table.tsv"):
        builder.download_and_prepare(download_config=config)
    assert not builder.is_prepared()


def test_sequence_of_wrong_length(inputs: Path, tmp_path: Path) -> None:
    line = edit_tsv(inputs / "promoters.tsv", "ENSG00000900005", "sequence", "ACGT" * 7)
    (inputs / "promoters.fa").unlink()
    expected = rf"line {line} \(gene ENSG00000900005\): sequence has 28 bases, expected 32"
    with pytest.raises(ScaInputError, match=expected):
        build_from(inputs, tmp_path / "tfds")
    assert not list((tmp_path / "tfds").glob("sca_promoters/*/1.0.0"))  # nothing half-written


def test_sequence_with_a_character_outside_acgtn(inputs: Path, tmp_path: Path) -> None:
    line = edit_tsv(inputs / "promoters.tsv", "ENSG00000900007", "sequence", "ACGTRACGTACGTACGTACGTACGTACGTACG")
    with pytest.raises(ScaInputError, match=rf"line {line} \(gene ENSG00000900007\): character 'R' at position 5"):
        build_from(inputs, tmp_path / "tfds")


def test_lower_case_sequence_is_refused(inputs: Path, tmp_path: Path) -> None:
    edit_tsv(inputs / "promoters.tsv", "ENSG00000900007", "sequence", "acgt" * 8)
    with pytest.raises(ScaInputError, match="character 'a' at position 1 is not one of ACGTN"):
        build_from(inputs, tmp_path / "tfds")


def test_label_and_promoter_tables_with_disjoint_gene_ids(inputs: Path, tmp_path: Path) -> None:
    table = pd.read_csv(inputs / "de_table.tsv", sep="\t", dtype=str, keep_default_na=False)
    table["gene_id"] = table["gene_id"].str.replace("ENSG", "ENSMUSG")
    table.to_csv(inputs / "de_table.tsv", sep="\t", index=False)
    with pytest.raises(ScaInputError, match="share no gene ID"):
        build_from(inputs, tmp_path / "tfds")


def test_promoter_genes_missing_from_the_de_table(inputs: Path, tmp_path: Path) -> None:
    table = pd.read_csv(inputs / "de_table.tsv", sep="\t", dtype=str, keep_default_na=False)
    table[table["gene_id"] != "ENSG00000900010"].to_csv(inputs / "de_table.tsv", sep="\t", index=False)
    with pytest.raises(ScaInputError, match="1 gene.* not in .*de_table.tsv, e.g. ENSG00000900010"):
        build_from(inputs, tmp_path / "tfds")


def test_status_that_disagrees_between_the_tables(inputs: Path, tmp_path: Path) -> None:
    promoters = pd.read_csv(inputs / "promoters.tsv", sep="\t")
    gene = promoters.loc[promoters["status"] == "not_de", "gene_id"].iloc[0]
    edit_tsv(inputs / "promoters.tsv", gene, "status", "up")
    with pytest.raises(ScaInputError, match=f"gene {gene} has status 'up' but .*de_table.tsv says 'not_de'"):
        build_from(inputs, tmp_path / "tfds")


def test_unknown_status_in_the_de_table(inputs: Path, tmp_path: Path) -> None:
    line = edit_tsv(inputs / "de_table.tsv", "ENSG00000900002", "status", "DE")
    with pytest.raises(ScaInputError, match=rf"de_table.tsv: line {line} \(gene ENSG00000900002\): status 'DE'"):
        build_from(inputs, tmp_path / "tfds")


def test_window_other_than_the_config(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match="upstream is 24, but this dataset config expects upstream=2000"):
        build_dataset(tmp_path, manual_dir=DUMMY_DATA)


def test_assembly_other_than_the_config(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match="assembly column says GRCh37, but this dataset config is for GRCh38"):
        build_dataset(tmp_path, manual_dir=DUMMY_DATA, assembly="GRCh38", **WINDOW)


def test_fasta_that_disagrees_with_the_table(inputs: Path, tmp_path: Path) -> None:
    fasta = (inputs / "promoters.fa").read_text().replace("ENSG00000900004", "ENSG00000999999")
    (inputs / "promoters.fa").write_text(fasta)
    with pytest.raises(ScaInputError, match="record 'ENSG00000999999' is not in .*promoters.tsv"):
        build_from(inputs, tmp_path / "tfds")


def test_chrom_scheme_on_a_single_chromosome(inputs: Path, tmp_path: Path) -> None:
    promoters = pd.read_csv(inputs / "promoters.tsv", sep="\t", dtype=str, keep_default_na=False)
    promoters.assign(chrom="20").to_csv(inputs / "promoters.tsv", sep="\t", index=False)
    (inputs / "promoters.fa").unlink()
    with pytest.raises(ScaInputError, match=r"needs at least 3 chromosomes, but the promoters lie on 1 \(20\).*random"):
        build_from(inputs, tmp_path / "tfds", split_scheme="chrom")


def test_cli_build_dataset_reports_bad_input_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    argv = ["build-dataset", "--data-dir", str(tmp_path), "--config", "nope", "--manual-dir", str(DUMMY_DATA)]
    status = cli_main(argv)
    assert status == 2
    assert "sca-tf: error: unknown dataset config 'nope'" in capsys.readouterr().err


def test_cli_build_dataset_builds_and_prints_label_counts(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    argv = ["build-dataset", "--data-dir", str(tmp_path), "--manual-dir", str(DUMMY_DATA), "--upstream", "24",
            "--downstream", "8", "--split", "chrom", "--seed", "5"]
    assert cli_main(argv) == 0
    printed = capsys.readouterr().out
    assert "sca_promoters/grch37_up24_down8_chrom_seed5" in printed
    assert all(split in printed for split in SPLITS)
    assert tfds.builder("sca_promoters/grch37_up24_down8_chrom_seed5", data_dir=str(tmp_path)).is_prepared()


# ------------------------------------------------------------------------------------------ end to end


def simulated_inputs(folder: Path, n_genes: int) -> tuple[Path, Path, object]:
    """simulate -> dge -> promoters; returns the DE table, the promoter table and the simulation result."""
    from sca_tf.prep.dge import run_dge
    from sca_tf.prep.promoters import run_promoters
    from sca_tf.simulate import SimulationConfig, simulate

    simulation = simulate(folder / "sim", SimulationConfig(seed=11, n_genes=n_genes))
    dge = run_dge(simulation.counts_tsv, folder / "dge", n_cpus=1)
    promoters = run_promoters(dge.table_path, simulation.genome_fasta, simulation.annotation_gtf, folder / "promoters")
    return dge.table_path, promoters.table_path, simulation


def check_loaded(name: str, data_dir: Path, promoters_tsv: Path) -> dict[str, pd.DataFrame]:
    """Split disjointness, prevalence per split vs metadata, one-hot round trip; returns the split frames."""
    frames = load_split_frames(name, data_dir)
    metadata = tfds.builder(name, data_dir=str(data_dir)).info.metadata
    expected = pd.read_csv(promoters_tsv, sep="\t", keep_default_na=False).set_index("gene_id")["sequence"]
    seen: set[str] = set()
    for split, frame in frames.items():
        assert not seen & set(frame["gene_id"])
        seen |= set(frame["gene_id"])
        counts = metadata["label_counts"][split]
        assert counts == {"not_de": int((frame["label"] == 0).sum()), "de": int((frame["label"] == 1).sum())}
        assert counts["de"] > 0 and counts["not_de"] > 0
        for gene_id, codes in zip(frame["gene_id"].iloc[:50], frame["codes"].iloc[:50]):
            assert one_hot_to_bases(one_hot(codes).numpy()) == expected[gene_id]
    return frames


def test_simulated_set_built_with_the_cli_and_loaded_with_tfds(tmp_path: Path) -> None:
    de_table, promoters_tsv, _ = simulated_inputs(tmp_path, n_genes=400)
    argv = ["build-dataset", "--data-dir", str(tmp_path / "tfds"), "--config", "simulated_up2000_down0_chrom",
            "--de-table", str(de_table), "--promoters", str(promoters_tsv)]
    assert cli_main(argv) == 0
    frames = check_loaded("sca_promoters/simulated_up2000_down0_chrom", tmp_path / "tfds", promoters_tsv)
    chromosomes = {split: set(frame["chrom"]) for split, frame in frames.items()}
    assert not chromosomes["train"] & (chromosomes["validation"] | chromosomes["test"])
    assert not chromosomes["validation"] & chromosomes["test"]


def test_download_path_fetches_raw_inputs_from_a_local_http_server(tmp_path: Path) -> None:
    _, _, simulation = simulated_inputs(tmp_path, n_genes=300)
    served = tmp_path / "served"
    served.mkdir()
    for path in (simulation.counts_tsv, simulation.genome_fasta, simulation.annotation_gtf):
        shutil.copy(path, served / path.name)
    with serve(served) as base:
        sources = RawSources(
            counts_url=f"{base}/counts.tsv", genome_url=f"{base}/genome.fa", annotation=f"{base}/annotation.gtf"
        )
        built = build_dataset(tmp_path / "tfds", config="simulated_up2000_down0_random", download=True,
                              raw_sources=sources)
    metadata = tfds.builder(built.name, data_dir=str(built.data_dir)).info.metadata
    downloads = metadata["inputs"]["downloads"]
    assert {name: entry["sha256"] for name, entry in downloads.items()} == {
        "counts": sha256(served / "counts.tsv"),
        "genome": sha256(served / "genome.fa"),
        "annotation": sha256(served / "annotation.gtf"),
    }
    assert metadata["counts_sha256"] == sha256(served / "counts.tsv")
    work = tmp_path / "tfds" / "downloads" / "sca_promoters_work" / built.config
    check_loaded(built.name, built.data_dir, work / "promoters" / "promoters.tsv")


@pytest.mark.slow
@pytest.mark.realdata
def test_real_chr20_from_the_shared_data_served_over_http(shared_data: Path, tmp_path: Path) -> None:
    """GSE248760 counts + GRCh37 chr20 fetched through the download manager, DE + promoters run by the builder."""
    with serve(shared_data) as base:
        sources = RawSources(
            counts_url=f"{base}/GSE248760_raw_counts.txt",
            genome_url=f"{base}/grch37_chr20/20.fa.gz",
            annotation="grch37",
        )
        built = build_dataset(tmp_path / "tfds", config="grch37_up2000_down0_random", download=True,
                              raw_sources=sources)
    work = tmp_path / "tfds" / "downloads" / "sca_promoters_work" / built.config
    frames = check_loaded(built.name, built.data_dir, work / "promoters" / "promoters.tsv")
    assert set(pd.concat(frames.values())["chrom"]) == {"20"}
    assert sum(len(frame) for frame in frames.values()) > 500
    metadata = tfds.builder(built.name, data_dir=str(built.data_dir)).info.metadata
    assert metadata["counts_sha256"] == sha256(shared_data / "GSE248760_raw_counts.txt")

    # The same inputs through `sca-tf build-dataset`: the registered random config reproduces the split exactly;
    # the chromosome scheme cannot hold out whole chromosomes from chr20 alone.
    argv = ["build-dataset", "--data-dir", str(tmp_path / "cli"), "--de-table", str(work / "dge" / "de_table.tsv"),
            "--promoters", str(work / "promoters" / "promoters.tsv")]
    assert cli_main(argv) == 0
    again = load_split_frames(built.name, tmp_path / "cli")
    assert {s: set(f["gene_id"]) for s, f in again.items()} == {s: set(f["gene_id"]) for s, f in frames.items()}
    with pytest.raises(ScaInputError, match="needs at least 3 chromosomes.*lie on 1 \\(20\\)"):
        build_dataset(tmp_path / "cli", config="grch37_up2000_down0_chrom", de_table=work / "dge" / "de_table.tsv",
                      promoters=work / "promoters" / "promoters.tsv")


def test_the_dataset_cites_its_sources(tmp_path: Path) -> None:
    citation = builder_module.Builder(data_dir=str(tmp_path)).info.citation
    assert "GSE248760" in citation and "DESeq2" in citation and "PyDESeq2" in citation


def test_no_checksums_file_is_claimed_without_real_hashes() -> None:
    folder = Path(builder_module.__file__).parent
    claims = "checks them against ``checksums.tsv``" in (folder / "raw_sources.py").read_text()
    assert not claims or (folder / "checksums.tsv").is_file()
