"""The quality gate: a faithful set passes, a poor or copied one fails, sampling noise of small sets is floored."""

from __future__ import annotations

import dataclasses

import pytest
from generative_data import composition_sequences, markov_sequences

from sca_tf.errors import ScaInputError
from sca_tf.motifs.planted import planted_motifs
from sca_tf.motifs.pwm import Motif
from sca_tf.synthetic.quality import QualityThresholds, assess

CRE = "TGACGTCA"


def test_a_faithful_synthetic_set_passes_and_a_poor_one_fails(real_sets: dict[str, list[str]],
                                                              small_gate: QualityThresholds,
                                                              chain_motifs: list[Motif]) -> None:
    good = assess(markov_sequences(60, 80, seed=3), real_sets["train"], real_sets["heldout"],
                  real_sets["negatives"], small_gate, motifs=chain_motifs, planted_motifs=planted_motifs())
    assert good["passed"], [check for check in good["checks"] if not check["passed"]]
    poor = assess(composition_sequences(60, 80, gc=0.5, seed=3), real_sets["train"], real_sets["heldout"],
                  real_sets["negatives"], small_gate, motifs=chain_motifs)
    failed = {check["name"] for check in poor["checks"] if not check["passed"]}
    assert not poor["passed"] and {"kmer_jsd_ratio_k3", "cpg_oe_ks", "discriminator_auroc", "motif_mad_ratio"} <= failed
    assert poor["discriminability"]["synthetic_vs_heldout_positives"] > 0.9
    assert good["discriminability"]["reference_train_vs_heldout_positives"] < 0.75


def test_a_small_heldout_set_does_not_fail_real_positives_on_sampling_noise(real_sets: dict[str, list[str]],
                                                                            chain_motifs: list[Motif]) -> None:
    """Against 8 held-out positives, a fresh real sample exceeds the absolute GC/CpG/k-mer limits by chance alone;
    the training positives' own figures set the floor, so it passes, while a wrong composition still fails."""
    small_heldout = real_sets["heldout"][:8]
    strict = QualityThresholds(kmer_k=6, max_kmer_jsd_ratio=0.1, max_gc_ks=0.1, max_cpg_ks=0.1, motif_sequences=60,
                               max_motif_mad_ratio=4.0)
    real = markov_sequences(150, 80, seed=3)
    names = ("kmer_jsd_ratio_k6", "gc_ks", "cpg_oe_ks")

    def checks(sequences: list[str], thresholds: QualityThresholds) -> dict[str, dict]:
        report = assess(sequences, real_sets["train"], small_heldout, real_sets["negatives"], thresholds,
                        motifs=chain_motifs)
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


def test_copied_training_sequences_fail_the_memorisation_gate(real_sets: dict[str, list[str]],
                                                              small_gate: QualityThresholds,
                                                              chain_motifs: list[Motif]) -> None:
    copies = real_sets["train"][:60]
    report = assess(copies, real_sets["train"], real_sets["heldout"], real_sets["negatives"], small_gate,
                    motifs=chain_motifs)
    assert report["memorisation"]["synthetic"]["copy_fraction"] == 1.0
    assert report["memorisation"]["per_sequence"]["synthetic_nearest_train_index"][:5] == [0, 1, 2, 3, 4]
    assert report["memorisation"]["reference_heldout_positives"]["max"] < 0.95
    assert {check["name"]: check["passed"] for check in report["checks"]}["copy_fraction"] is False


def test_planted_motif_rates_are_compared_with_the_training_positives(real_sets: dict[str, list[str]],
                                                                      small_gate: QualityThresholds,
                                                                      chain_motifs: list[Motif]) -> None:
    with_sites = [s[:20] + CRE + s[28:] for s in real_sets["train"]]
    report = assess(real_sets["heldout"], with_sites, real_sets["heldout"], real_sets["negatives"], small_gate,
                    motifs=chain_motifs, planted_motifs=planted_motifs())
    creb = next(m for m in report["planted_motifs"]["per_motif"] if m["name"] == "CREB1")
    assert creb["train_positives"] == 1.0 and creb["difference_vs_train"] < -0.7
    assert {check["name"]: check["passed"] for check in report["checks"]}["planted_CREB1_rate_difference"] is False


def test_sets_of_different_lengths_or_empty_sets_are_refused(real_sets: dict[str, list[str]],
                                                             chain_motifs: list[Motif]) -> None:
    mixed = "79 bases \\(synthetic sequence 1\\), 80 bases \\(train_positives sequence 1\\)"
    with pytest.raises(ScaInputError, match=mixed):
        assess(["A" * 79], real_sets["train"], real_sets["heldout"], real_sets["negatives"], motifs=chain_motifs)
    with pytest.raises(ScaInputError, match="heldout_negatives: no sequences"):
        assess(real_sets["heldout"], real_sets["train"], real_sets["heldout"], [], motifs=chain_motifs)
