"""Planted sites: each class carries its own motif, mostly in the core window, on either strand; decoys; the pair
grammar."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sca_tf.errors import ScaInputError
from sca_tf.motifs.planted import PLANTED_MOTIFS
from sca_tf.simulate import SimulationConfig
from sca_tf.simulate.placement import SPLIT_PAIR_RATE, plan_sites


def test_each_class_carries_its_own_motif_mostly_in_the_core_window(small_run, truth, small, split_list) -> None:
    motifs = json.loads(small_run.motifs_json.read_text())["motifs"]
    by_class = {motif["marks"]: motif["name"] for motif in motifs}
    assert set(by_class) == {"up", "down"} and len(set(by_class.values())) == 2
    offsets = []
    for status in ("up", "down"):
        rows = truth[truth["true_status"] == status]
        assert len(rows) == round(getattr(small, f"fraction_{status}") * small.n_genes)
        for row in rows.itertuples():
            names = split_list(row.motifs)
            assert small.motif_copies[0] <= len(names) <= small.motif_copies[1]
            assert set(names) == {by_class[status]}
            offsets += [int(offset) for offset in split_list(row.motif_offsets)]
    in_core = np.mean([small.core_window[0] <= offset <= small.core_window[1] for offset in offsets])
    assert 0.6 < in_core < 0.95
    assert min(offsets) < small.core_window[0]


def test_sites_are_sampled_from_the_matrix_on_either_strand(truth, split_list) -> None:
    sites = [site for cell in truth["motif_sites"] for site in split_list(cell)]
    strands = [strand for cell in truth["motif_strands"] for strand in split_list(cell)]
    assert len(set(sites)) > 10
    assert 0.35 < strands.count("+") / len(strands) < 0.65


@pytest.mark.parametrize("motif_index", [0, 1])
def test_decoy_rate_in_not_de_genes_is_near_the_configured_one(small_run, truth, motif_index: int, small, off_edge,
                                                                split_list) -> None:
    name = json.loads(small_run.motifs_json.read_text())["motifs"][motif_index]["name"]
    not_de = truth[(truth["true_status"] == "not_de") & ~off_edge]
    carriers = not_de["motifs"].map(lambda cell: name in split_list(cell)).sum()
    expected = small.decoy_rate * len(not_de)
    assert abs(carriers - expected) < 4 * math.sqrt(expected * (1 - small.decoy_rate))
    assert carriers == small_run.summary["n_decoy_genes"][name]


def test_pair_grammar_spaces_both_motifs_closely_in_de_promoters_only() -> None:
    config = SimulationConfig(grammar="pair", pair_spacing=(10, 40))
    status = ["up"] * 150 + ["down"] * 150 + ["not_de"] * 600
    genes = pd.DataFrame({"status": status, "off_edge": [False] * 899 + [True]})
    plan = plan_sites(genes, config, np.random.default_rng(3))

    def gap(sites: list) -> int:
        first, second = sites
        return second.offset - first.offset - first.motif.width

    for sites in plan[:300]:
        assert sorted(site.motif.name for site in sites) == sorted(motif.name for motif in PLANTED_MOTIFS)
        assert 10 <= gap(sites) <= 40
    not_de = plan[300:899]
    split = [sites for sites in not_de if sites]
    assert all(len(sites) == 2 and gap(sites) >= 80 for sites in split)
    assert abs(len(split) / len(not_de) - SPLIT_PAIR_RATE) < 0.06
    assert plan[-1] == []
    with pytest.raises(ScaInputError, match="SimulationConfig.grammar: expected one of copies, pair"):
        SimulationConfig(grammar="triple")
