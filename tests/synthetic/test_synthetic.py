"""Synthetic promoters: FASTA validation, quality-gate metrics and report, motif scans, generate(), real-set splits."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from generative_data import composition_sequences, markov_sequences, write_tables

from sca_tf.errors import ScaInputError
from sca_tf.models import build_model
from sca_tf.models.generative.diffusion import build_diffusion_model
from sca_tf.models.generative.encoding import one_hot_sequences
from sca_tf.models.generative.gan import build_gan
from sca_tf.motifs.scan import (
    jaspar_matrices,
    jaspar_release,
    matrix_from_counts,
    planted_matrices,
    scan_motifs,
)
from sca_tf.synthetic.assess import assess_synthetic
from sca_tf.synthetic.augment import approved_synthetic, augmentation_sample
from sca_tf.synthetic.data import promoter_splits, read_promoter_fasta, restrict_to_genes, select
from sca_tf.synthetic.fasta import read_synthetic_fasta, write_synthetic_fasta
from sca_tf.synthetic.generate import generate, load_generator
from sca_tf.synthetic.quality import (
    QualityThresholds,
    assess,
    discriminator_auroc,
    jensen_shannon,
    kmer_jsd,
    kmer_spectrum,
    max_identity,
    shuffle_sequences,
    write_quality_report,
)

CRE = "TGACGTCA"
KB_SITE = "GGGAATTTCC"
KB_SITE_RC = "GGAAATTCCC"


def consensus_matrix(name: str, consensus: str) -> object:
    counts = np.array([[10 if base == letter else 0 for base in "ACGT"] for letter in consensus])
    return matrix_from_counts(name, name, counts)


# ------------------------------------------------------------------------------------------------ FASTA
def test_synthetic_fasta_round_trip(tmp_path: Path) -> None:
    path = write_synthetic_fasta(["ACGT" * 20, "GGCC" * 20], tmp_path / "s.fa", annotations={"sampler": "ddim"})
    records = read_synthetic_fasta(path, expected_length=80)
    assert records.sequences == ["ACGT" * 20, "GGCC" * 20]
    assert records.ids == ["synthetic_000001", "synthetic_000002"] and records.descriptions[0] == "sampler=ddim"
    assert len(records) == 2 and records.length == 80
    assert max(len(line) for line in path.read_text().splitlines()) == 60


@pytest.mark.parametrize("text, message", [
    (">a\nACGT\n>b\nACNT\n", "record b, line 4: character 'N' at position 3"),
    (">a\nACGT\nACGX\n", "record a, line 3: character 'X' at position 8"),
    (">a\nacgt\n", "character 'a' at position 1"),
    (">a\nACGT\n>b\nACG\n", "record b: 3 bases, expected 4 like the first record"),
    (">a\nACGT\n>a\nACGT\n", "line 3: record ID 'a' appears twice"),
    ("ACGT\n>a\nACGT\n", "line 1: sequence before the first '>' header"),
    (">a\n>b\nACGT\n", "record a .* has no sequence"),
    ("", "no FASTA records"),
    (">\nACGT\n", "line 1: header has no record ID"),
])
def test_bad_synthetic_fasta_is_refused_with_its_location(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.fa"
    path.write_text(text)
    with pytest.raises(ScaInputError, match=message):
        read_synthetic_fasta(path)


def test_synthetic_fasta_must_have_the_dataset_length(tmp_path: Path) -> None:
    path = write_synthetic_fasta(["ACGT"], tmp_path / "s.fa")
    with pytest.raises(ScaInputError, match="4 bases, expected the dataset's promoter length 2000"):
        read_synthetic_fasta(path, expected_length=2000)
    with pytest.raises(ScaInputError, match="not found"):
        read_synthetic_fasta(tmp_path / "missing.fa")


def test_writing_bad_sequences_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "s.fa"
    for sequences, message in ((["ACGT", "ACGN"], "sequence 2: character 'N'"), (["ACGT", "AC"], "2 bases"),
                               ([], "no sequences")):
        with pytest.raises(ScaInputError, match=message):
            write_synthetic_fasta(sequences, target)
        assert not target.exists() and not list(tmp_path.iterdir())


# ------------------------------------------------------------------------------------------------ metrics
def test_identical_sets_have_zero_kmer_divergence_and_shuffles_do_not() -> None:
    real = markov_sequences(60, 80, seed=0)
    assert kmer_jsd(real, real) == pytest.approx([0.0] * 6, abs=1e-12)
    other_sample = kmer_jsd(markov_sequences(60, 80, seed=1), real)
    shuffled = kmer_jsd(shuffle_sequences(real, seed=0), real)
    assert shuffled[0] == pytest.approx(0.0, abs=1e-12)  # shuffling keeps the composition exactly
    for k in (2, 3, 4):
        assert shuffled[k - 1] > 5 * other_sample[k - 1]


def test_jensen_shannon_bounds_and_errors() -> None:
    assert jensen_shannon(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)
    assert jensen_shannon(np.array([2.0, 2.0]), np.array([1.0, 1.0])) == pytest.approx(0.0)
    with pytest.raises(ScaInputError):
        jensen_shannon(np.array([1.0, 0.0]), np.array([1.0, 0.0, 0.0]))


def test_kmer_spectrum_counts_in_acgt_order() -> None:
    spectrum = kmer_spectrum(["AACC"], 2)
    assert spectrum[0] == pytest.approx(1 / 3) and spectrum[1] == pytest.approx(1 / 3)  # AA, AC
    assert spectrum[5] == pytest.approx(1 / 3)  # CC


def test_memorisation_finds_copies_and_their_source() -> None:
    train = composition_sequences(40, 100, gc=0.5, seed=0)
    queries = [train[7], train[21][:50] + "A" * 50, *composition_sequences(5, 100, gc=0.5, seed=1)]
    identity, nearest = max_identity(queries, train)
    assert identity[0] == 1.0 and nearest[0] == 7
    assert nearest[1] == 21 and 0.5 <= identity[1] < 0.8
    assert np.all(identity[2:] < 0.45)  # unrelated random sequences share ~25-35 % of positions


def test_discriminator_auroc_is_chance_for_one_distribution_and_high_for_two() -> None:
    same = discriminator_auroc(markov_sequences(80, 100, seed=0), markov_sequences(80, 100, seed=1))
    different = discriminator_auroc(composition_sequences(80, 100, gc=0.3, seed=0),
                                    composition_sequences(80, 100, gc=0.7, seed=1))
    assert 0.3 < same < 0.7
    assert different > 0.95
    with pytest.raises(ScaInputError, match="at least 2 sequences"):
        discriminator_auroc(["ACGT"], ["ACGT", "ACGA"])


# ------------------------------------------------------------------------------------------------ motifs
def test_motif_scan_finds_sites_on_both_strands() -> None:
    background = "T" * 30
    sequences = [background[:10] + CRE + background[18:], background[:5] + KB_SITE_RC + background[15:], background]
    scan = scan_motifs(sequences, [consensus_matrix("cre", CRE), consensus_matrix("kb", KB_SITE)],
                       relative_score=0.9)
    np.testing.assert_allclose(scan.hit_fraction, [1 / 3, 1 / 3])
    assert scan.hits_per_kb[0] == pytest.approx(1 / 0.09)  # a palindrome hits both strands at one position: once


def test_planted_motif_matrices_score_their_consensus_as_best() -> None:
    up, down = planted_matrices()
    assert (up.name, down.name) == ("CREB1", "NFKB1")
    assert scan_motifs([CRE + "A" * 12], [up], relative_score=0.95).hit_fraction[0] == 1.0
    assert scan_motifs([KB_SITE + "T" * 10], [down], relative_score=0.95).hit_fraction[0] == 1.0
    assert scan_motifs(["A" * 20], [up, down], relative_score=0.85).hit_fraction.tolist() == [0.0, 0.0]


def test_jaspar_vertebrate_matrices_load_offline() -> None:
    matrices = jaspar_matrices()
    assert jaspar_release().startswith("JASPAR") and len(matrices) > 500
    creb1 = next(m for m in matrices if m.name == "CREB1")
    assert creb1.matrix_id.startswith("MA0018")
    assert scan_motifs(["A" * 6 + CRE + "A" * 6], [creb1], relative_score=0.85).hit_fraction[0] == 1.0


# ------------------------------------------------------------------------------------------------ the gate
SMALL_GATE = QualityThresholds(kmer_k=3, max_gc_ks=0.35, max_cpg_ks=0.35, max_motif_mad_ratio=4.0, motif_sequences=60,
                               max_planted_rate_difference=0.25)


def _motifs() -> list:
    """Motifs one mismatch away from the chain's A -> C -> G -> T walk: common in its sequences, rare in others."""
    return [consensus_matrix(site, site) for site in ("ACGGTA", "CGTTAC", "GTAACG", "TACCGT", "AACGTA")]


@pytest.fixture(scope="module")
def real_sets() -> dict[str, list[str]]:
    return {"train": markov_sequences(150, 80, seed=0), "heldout": markov_sequences(60, 80, seed=1),
            "negatives": markov_sequences(60, 80, seed=2, stay=0.3, step=0.5)}


def test_a_faithful_synthetic_set_passes_and_a_poor_one_fails(real_sets: dict[str, list[str]]) -> None:
    good = assess(markov_sequences(60, 80, seed=3), real_sets["train"], real_sets["heldout"],
                  real_sets["negatives"], SMALL_GATE, motifs=_motifs(), planted_motifs=planted_matrices())
    assert good["passed"], [check for check in good["checks"] if not check["passed"]]
    poor = assess(composition_sequences(60, 80, gc=0.5, seed=3), real_sets["train"], real_sets["heldout"],
                  real_sets["negatives"], SMALL_GATE, motifs=_motifs())
    failed = {check["name"] for check in poor["checks"] if not check["passed"]}
    assert not poor["passed"] and {"kmer_jsd_ratio_k3", "cpg_oe_ks", "discriminator_auroc", "motif_mad_ratio"} <= failed
    assert poor["discriminability"]["synthetic_vs_heldout_positives"] > 0.9
    assert good["discriminability"]["reference_train_vs_heldout_positives"] < 0.75


def test_a_small_heldout_set_does_not_fail_real_positives_on_sampling_noise(real_sets: dict[str, list[str]]) -> None:
    """Against 8 held-out positives, a fresh real sample exceeds the absolute GC/CpG/k-mer limits by chance alone;
    the training positives' own figures set the floor, so it passes, while a wrong composition still fails."""
    small_heldout = real_sets["heldout"][:8]
    strict = QualityThresholds(kmer_k=6, max_kmer_jsd_ratio=0.1, max_gc_ks=0.1, max_cpg_ks=0.1, motif_sequences=60,
                               max_motif_mad_ratio=4.0)
    real = markov_sequences(150, 80, seed=3)
    names = ("kmer_jsd_ratio_k6", "gc_ks", "cpg_oe_ks")

    def checks(sequences: list[str], thresholds: QualityThresholds) -> dict[str, dict]:
        report = assess(sequences, real_sets["train"], small_heldout, real_sets["negatives"], thresholds,
                        motifs=_motifs())
        return {check["name"]: check for check in report["checks"] if check["name"] in names}

    floored = checks(real, strict)
    assert all(check["value"] > check["absolute_threshold"] for check in floored.values()), floored
    assert all(check["passed"] for check in floored.values()), floored
    for check in floored.values():
        assert check["threshold"] == pytest.approx(1.5 * check["training_positives_value"])
    without_floor = checks(real, dataclasses.replace(strict, max_floor_ratio=1e-6))
    assert not any(check["passed"] for check in without_floor.values())
    poor = checks(composition_sequences(150, 80, gc=0.5, seed=3), strict)
    assert not poor["cpg_oe_ks"]["passed"] and not poor["kmer_jsd_ratio_k6"]["passed"]


def test_copied_training_sequences_fail_the_memorisation_gate(real_sets: dict[str, list[str]]) -> None:
    copies = real_sets["train"][:60]
    report = assess(copies, real_sets["train"], real_sets["heldout"], real_sets["negatives"], SMALL_GATE,
                    motifs=_motifs())
    assert report["memorisation"]["synthetic"]["copy_fraction"] == 1.0
    assert report["memorisation"]["per_sequence"]["synthetic_nearest_train_index"][:5] == [0, 1, 2, 3, 4]
    assert report["memorisation"]["reference_heldout_positives"]["max"] < 0.95
    assert {check["name"]: check["passed"] for check in report["checks"]}["copy_fraction"] is False


def test_planted_motif_rates_are_compared_with_the_training_positives(real_sets: dict[str, list[str]]) -> None:
    with_sites = [s[:20] + CRE + s[28:] for s in real_sets["train"]]
    report = assess(real_sets["heldout"], with_sites, real_sets["heldout"], real_sets["negatives"], SMALL_GATE,
                    motifs=_motifs(), planted_motifs=planted_matrices())
    creb = next(m for m in report["planted_motifs"]["per_motif"] if m["name"] == "CREB1")
    assert creb["train_positives"] == 1.0 and creb["difference_vs_train"] < -0.7
    assert {check["name"]: check["passed"] for check in report["checks"]}["planted_CREB1_rate_difference"] is False


def test_report_is_written_as_json_and_plots(tmp_path: Path, real_sets: dict[str, list[str]]) -> None:
    report = assess(markov_sequences(40, 80, seed=3), real_sets["train"], real_sets["heldout"],
                    real_sets["negatives"], SMALL_GATE, motifs=_motifs(), seed=5)
    files = write_quality_report(report, tmp_path / "quality")
    assert set(files) == {"kmer_jsd", "composition", "memorisation", "motifs", "report"}
    for name in ("kmer_jsd", "composition", "memorisation", "motifs"):
        assert files[name].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads(files["report"].read_text())
    assert saved["seed"] == 5 and saved["thresholds"]["kmer_k"] == 3 and saved["sizes"]["synthetic"] == 40
    assert saved["kmer_jsd"]["k"] == [1, 2, 3, 4, 5, 6] and len(saved["motifs"]["per_motif"]) == 5


def test_sets_of_different_lengths_or_empty_sets_are_refused(real_sets: dict[str, list[str]]) -> None:
    mixed = "79 bases \\(synthetic sequence 1\\), 80 bases \\(train_positives sequence 1\\)"
    with pytest.raises(ScaInputError, match=mixed):
        assess(["A" * 79], real_sets["train"], real_sets["heldout"], real_sets["negatives"], motifs=_motifs())
    with pytest.raises(ScaInputError, match="heldout_negatives: no sequences"):
        assess(real_sets["heldout"], real_sets["train"], real_sets["heldout"], [], motifs=_motifs())


def test_thresholds_are_validated() -> None:
    assert QualityThresholds.from_mapping({"max_discriminator_auroc": 0.6}).max_discriminator_auroc == 0.6
    with pytest.raises(ScaInputError, match="unknown threshold\\(s\\) max_auroc"):
        QualityThresholds.from_mapping({"max_auroc": 0.6})
    with pytest.raises(ScaInputError, match="kmer_k"):
        QualityThresholds(kmer_k=8)
    with pytest.raises(ScaInputError, match="max_gc_ks"):
        QualityThresholds(max_gc_ks=1.5)
    with pytest.raises(ScaInputError, match="max_floor_ratio"):
        QualityThresholds(max_floor_ratio=0)


# ------------------------------------------------------------------------------------------------ generate()
@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("checkpoints")
    one_hot = one_hot_sequences(["ACGTACGTACGTACGT"] * 8)
    paths = {}
    diffusion = build_diffusion_model(16, schedule="cosine", timesteps=20, channels=8, dilations=(1,), kernel_size=3,
                                      groups=2, time_embedding_dim=8)
    diffusion.save(folder / "untrained.keras")
    diffusion.compile(optimizer="adam")
    diffusion.fit(one_hot, batch_size=4, epochs=1, verbose=0)
    diffusion.save(folder / "diffusion.keras")
    conditional = build_diffusion_model(16, schedule="cosine", timesteps=20, channels=8, dilations=(1,),
                                        kernel_size=3, groups=2, time_embedding_dim=8, class_names=("up", "down"))
    conditional.compile(optimizer="adam")
    conditional.fit(one_hot, np.array([0, 1] * 4, dtype="int32"), batch_size=4, epochs=1, verbose=0)
    conditional.save(folder / "conditional.keras")
    gan = build_gan(16, latent_dim=4, channels=8, n_layers=1, kernel_size=3, critic_steps=1)
    gan.compile()
    gan.fit(one_hot, batch_size=4, epochs=1, verbose=0)
    gan.save(folder / "gan.keras")
    build_model("cnn", 16, filters=(4,), kernel_sizes=(3,), pool_size=2, dense_units=(4,)).save(folder / "cnn.keras")
    (folder / "garbage.keras").write_text("not a zip")
    for name in ("untrained", "diffusion", "conditional", "gan", "cnn", "garbage"):
        paths[name] = folder / f"{name}.keras"
    return paths


def test_generate_writes_a_valid_fasta_and_its_provenance(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    result = generate(checkpoints["diffusion"], 5, tmp_path / "out" / "synthetic.fa", seed=3, expected_length=16,
                      progress=False)
    records = read_synthetic_fasta(result.fasta, expected_length=16)
    assert len(records) == 5 == result.n and result.sequences_per_second > 0
    assert "sampler=ddim steps=20" in records.descriptions[0] and "seed=3" in records.descriptions[0]
    provenance = json.loads(result.provenance.read_text())
    assert provenance["model"]["class"] == "DiffusionModel" and provenance["model"]["trained_steps"] == 2
    assert len(provenance["checkpoint"]["sha256"]) == 64 and provenance["sampling"]["steps"] == 20
    again = generate(checkpoints["diffusion"], 5, tmp_path / "again.fa", seed=3, progress=False)
    assert read_synthetic_fasta(again.fasta).sequences == records.sequences
    gan = generate(checkpoints["gan"], 3, tmp_path / "gan.fa", progress=False)
    assert len(read_synthetic_fasta(gan.fasta, expected_length=16)) == 3


def test_fastas_of_two_conditions_concatenate_into_one_set(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    parts = [generate(checkpoints["conditional"], 3, tmp_path / f"{condition}.fa", condition=condition,
                      progress=False).fasta for condition in ("up", "down")]
    joined = tmp_path / "synthetic.fa"
    joined.write_text("".join(part.read_text() for part in parts))
    records = read_synthetic_fasta(joined, expected_length=16)
    assert records.ids[:2] == ["synthetic_up_000001", "synthetic_up_000002"]
    assert records.ids[3] == "synthetic_down_000001" and len(set(records.ids)) == 6
    assert "condition=down" in records.descriptions[3]


@pytest.mark.parametrize("checkpoint, options, message", [
    ("diffusion", {"n": 0}, "positive integer, got 0"),
    ("diffusion", {"n": -5}, "positive integer, got -5"),
    ("diffusion", {"n": 2.5}, "positive integer, got 2.5"),
    ("untrained", {}, "never trained"),
    ("cnn", {}, "holds a CNNClassifier, not an sca-tf generative model"),
    ("garbage", {}, "cannot load a Keras model"),
    ("diffusion", {"expected_length": 2000}, "generates 16-base sequences, but the dataset's promoters have 2000"),
    ("diffusion", {"condition": "up"}, "unconditional"),
    ("diffusion", {"sampler": "ddpm", "steps": 5}, "all 20 steps"),
    ("gan", {"sampler": "ddim"}, "diffusion models only"),
])
def test_generate_refuses_bad_requests_without_writing(tmp_path: Path, checkpoints: dict[str, Path], checkpoint: str,
                                                       options: dict, message: str) -> None:
    out = tmp_path / "synthetic.fa"
    with pytest.raises(ScaInputError, match=message):
        generate(checkpoints[checkpoint], **{"n": 2, "out_fasta": out, "progress": False, **options})
    assert not out.exists() and not Path(f"{out}.json").exists()


def test_load_generator_refuses_missing_or_misnamed_files(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match="checkpoint file not found"):
        load_generator(tmp_path / "missing.keras")
    with pytest.raises(ScaInputError, match="expected a .keras checkpoint"):
        load_generator(tmp_path / "model.weights.h5")


# ------------------------------------------------------------------------------------------------ real sets
def test_promoter_splits_reproduce_the_dataset_split(tmp_path: Path) -> None:
    from sca_tf_datasets.sca_promoters.splitting import random_split

    de_table, promoters = write_tables(tmp_path)
    splits = promoter_splits(de_table, promoters, split_seed=3)
    table = pd.read_csv(promoters, sep="\t")
    testable = table[table.status != "untestable"].reset_index(drop=True)
    expected = random_split(testable.status.isin(["up", "down"]).to_numpy().astype(int), seed=3,
                            test_fraction=0.2, validation_fraction=0.1)
    assert splits.gene_id.tolist() == testable.gene_id.tolist()
    assert splits.split.tolist() == list(expected.assignment)
    assert splits.sequence.tolist() == testable.sequence.tolist()
    positives = select(splits, "train", positive=True)
    assert set(positives.statuses) == {"up", "down"}
    assert set(positives.gene_ids) <= set(splits.gene_id[splits.split == "train"])


def test_gene_lists_must_name_known_genes(tmp_path: Path) -> None:
    de_table, promoters = write_tables(tmp_path)
    splits = promoter_splits(de_table, promoters)
    everyone = select(splits, "train", positive=True)
    listed = tmp_path / "genes.txt"
    listed.write_text(f"{everyone.gene_ids[0]}\n\n# comment\n{everyone.gene_ids[1]}  # inline\n")
    assert restrict_to_genes(everyone, listed).gene_ids == everyone.gene_ids[:2]
    listed.write_text(f"{everyone.gene_ids[0]}\nENSG_TYPO\n")
    with pytest.raises(ScaInputError, match="line 2: gene ENSG_TYPO is not among"):
        restrict_to_genes(everyone, listed)
    listed.write_text("# nothing\n")
    with pytest.raises(ScaInputError, match="no gene IDs"):
        restrict_to_genes(everyone, listed)


@pytest.mark.parametrize("text, message", [
    (">g1 status=up\nACGT\n>g2 status=sideways\nACGT\n", "record g2: status=sideways"),
    (">g1\nACGT\n>g2\nACG\n", "record g2 has 3 bases, expected 4"),
    (">g1\nACXT\n", "record g1: character 'X' at position 3"),
])
def test_real_promoter_fasta_is_checked(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "real.fa"
    path.write_text(text)
    with pytest.raises(ScaInputError, match=message):
        read_promoter_fasta(path)


# ------------------------------------------------------------------------------------------------ assess on files
def _fasta(path: Path, sequences: list[str]) -> Path:
    path.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(sequences)))
    return path


def test_assess_synthetic_on_fasta_files(tmp_path: Path, real_sets: dict[str, list[str]]) -> None:
    synthetic = write_synthetic_fasta(markov_sequences(40, 80, seed=3), tmp_path / "synthetic.fa")
    thresholds = tmp_path / "thresholds.json"
    thresholds.write_text(json.dumps({"kmer_k": 3, "max_gc_ks": 0.4, "max_cpg_ks": 0.4, "motif_sequences": 20}))
    result = assess_synthetic(
        synthetic, tmp_path / "quality", thresholds=thresholds,
        train_positives_fasta=_fasta(tmp_path / "train.fa", real_sets["train"]),
        heldout_positives_fasta=_fasta(tmp_path / "heldout.fa", real_sets["heldout"]),
        heldout_negatives_fasta=_fasta(tmp_path / "negatives.fa", real_sets["negatives"]),
    )
    assert result["thresholds"]["kmer_k"] == 3 and result["motifs"]["source"].startswith("JASPAR")
    assert Path(result["files"]["report"]).is_file() and len(result["inputs"]["fasta"]) == 3


def test_assess_synthetic_on_the_dataset_tables(tmp_path: Path) -> None:
    de_table, promoters = write_tables(tmp_path, n_genes=120, length=40)
    synthetic = write_synthetic_fasta(composition_sequences(12, 40, gc=0.5, seed=9), tmp_path / "synthetic.fa")
    thresholds = QualityThresholds(kmer_k=2, motif_sequences=10)
    result = assess_synthetic(synthetic, tmp_path / "quality", de_table=de_table, promoters=promoters,
                              thresholds=thresholds, planted_motifs=True)
    splits = promoter_splits(de_table, promoters)
    assert result["sizes"]["train_positives"] == len(select(splits, "train", positive=True))
    assert result["sizes"]["heldout_positives"] == len(select(splits, "validation", positive=True))
    assert result["inputs"]["heldout_split"] == "validation" and "planted_motifs" in result
    up_only = assess_synthetic(synthetic, tmp_path / "quality_up", de_table=de_table, promoters=promoters,
                               thresholds=thresholds, status="up")
    train_positives = select(splits, "train", positive=True)
    assert up_only["sizes"]["train_positives"] == train_positives.statuses.count("up") > 0
    assert up_only["sizes"]["heldout_negatives"] == result["sizes"]["heldout_negatives"]


@pytest.mark.parametrize("options, message", [
    ({}, "either as a DE table and a promoter table"),
    ({"de_table": "d.tsv"}, "either as a DE table"),
    ({"de_table": "d.tsv", "promoters": "p.tsv", "train_positives_fasta": "t.fa"}, "not both"),
    ({"de_table": "d.tsv", "promoters": "p.tsv", "heldout_split": "train"}, "validation, test"),
    ({"de_table": "d.tsv", "promoters": "p.tsv", "status": "sideways"}, "status 'sideways'"),
])
def test_assess_synthetic_refuses_ambiguous_real_sets(tmp_path: Path, options: dict, message: str) -> None:
    synthetic = write_synthetic_fasta(["ACGT"], tmp_path / "s.fa")
    with pytest.raises(ScaInputError, match=message):
        assess_synthetic(synthetic, tmp_path / "quality", **options)


def test_assess_synthetic_checks_lengths_and_threshold_files(tmp_path: Path, real_sets: dict[str, list[str]]) -> None:
    reals = {f"{name}_fasta": _fasta(tmp_path / f"{name}.fa", real_sets[key]) for name, key in
             (("train_positives", "train"), ("heldout_positives", "heldout"), ("heldout_negatives", "negatives"))}
    short = write_synthetic_fasta(["ACGT"], tmp_path / "short.fa")
    with pytest.raises(ScaInputError, match="4 bases, expected the dataset's promoter length 80"):
        assess_synthetic(short, tmp_path / "q", **reals)
    synthetic = write_synthetic_fasta(real_sets["heldout"][:5], tmp_path / "s.fa")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ScaInputError, match="line 1: not valid JSON"):
        assess_synthetic(synthetic, tmp_path / "q", thresholds=bad, **reals)
    with pytest.raises(ScaInputError, match="thresholds file not found"):
        assess_synthetic(synthetic, tmp_path / "q", thresholds=tmp_path / "missing.json", **reals)
    with pytest.raises(ScaInputError, match="needs a status for every record"):
        assess_synthetic(synthetic, tmp_path / "q", status="up", **reals)
    assert not (tmp_path / "q").exists()



# ------------------------------------------------------------------------------------------------ augmentation
def test_only_a_passed_report_of_the_same_file_releases_sequences(tmp_path: Path,
                                                                  real_sets: dict[str, list[str]]) -> None:
    reals = {f"{name}_fasta": _fasta(tmp_path / f"{name}.fa", real_sets[key]) for name, key in
             (("train_positives", "train"), ("heldout_positives", "heldout"), ("heldout_negatives", "negatives"))}
    lenient = tmp_path / "lenient.json"
    lenient.write_text(json.dumps({"kmer_k": 3, "max_gc_ks": 1.0, "max_cpg_ks": 1.0, "max_motif_mad_ratio": 100,
                                   "max_discriminator_auroc": 1.0, "motif_sequences": 20}))
    good = write_synthetic_fasta(markov_sequences(40, 80, seed=3), tmp_path / "good.fa")
    result = assess_synthetic(good, tmp_path / "good_quality", thresholds=lenient, **reals)
    assert result["passed"]
    released = approved_synthetic(good, result["files"]["report"], expected_length=80)
    assert released == read_synthetic_fasta(good).sequences
    poor = write_synthetic_fasta(composition_sequences(40, 80, gc=0.5, seed=3), tmp_path / "poor.fa")
    failed = assess_synthetic(poor, tmp_path / "poor_quality", **reals)
    with pytest.raises(ScaInputError, match="failed the quality gate \\(.*discriminator_auroc 1 > 0.75"):
        approved_synthetic(poor, failed["files"]["report"])
    with pytest.raises(ScaInputError, match="assessed another file"):
        approved_synthetic(poor, result["files"]["report"])
    with pytest.raises(ScaInputError, match="quality report not found"):
        approved_synthetic(good, tmp_path / "missing.json")


def test_augmentation_sample_draws_the_ratio() -> None:
    pool = [f"{base}" * 4 for base in "ACGT"] * 5
    drawn = augmentation_sample(pool, n_real_positives=10, ratio=0.5, seed=1)
    assert len(drawn) == 5 and drawn == augmentation_sample(pool, n_real_positives=10, ratio=0.5, seed=1)
    with pytest.raises(ScaInputError, match="needs 40 synthetic sequences, but 20 are available"):
        augmentation_sample(pool, n_real_positives=20, ratio=2, seed=0)
    with pytest.raises(ScaInputError, match="ratio"):
        augmentation_sample(pool, n_real_positives=10, ratio=0, seed=0)
