"""Planted sites: each class carries its own motif, mostly in the core window, on either strand; decoys."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest


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
