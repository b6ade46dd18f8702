"""The explain run: configuration, promoter tables, prediction groups, and the whole run end to end.

The end-to-end test trains a small CNN on the simulated default (planted CREB1-like sites in up genes, NF-kB-like
sites in down genes) and requires both planted motifs to come out on top.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from simulated_model import UPSTREAM, train_simulated_cnn

from sca_tf.data.build import build_dataset
from sca_tf.errors import ScaInputError
from sca_tf.explain import (
    ExplainConfig,
    explain_promoters,
    load_jaspar,
    prediction_groups,
    read_promoter_table,
    run_explain,
    split_table,
)
from sca_tf.motifs import pwm
from sca_tf.motifs.jaspar import JASPAR_RELEASE
from sca_tf.motifs.planted import DOWN_MOTIF, UP_MOTIF
from sca_tf.motifs.pwm import Motif

BZIP, REL = "Basic leucine zipper factors (bZIP)", "Rel homology region (RHR) factors"


@pytest.fixture(scope="module")
def jaspar() -> list[Motif]:
    return load_jaspar()



def test_prediction_groups_need_the_model_and_the_status_to_agree():
    groups = prediction_groups(["up", "up", "down", "not_de", "not_de", "untestable"],
                               np.array([0.9, 0.2, 0.7, 0.1, 0.8, 0.9]), 0.5)
    assert groups.tolist() == ["up", "", "down", "not_de", "", ""]



def test_config_and_tables_are_validated(tmp_path):
    with pytest.raises(ScaInputError, match="reference 'ones'"):
        ExplainConfig(reference="ones")
    table = tmp_path / "promoters.tsv"
    pd.DataFrame({"gene_id": ["G1", "G2"], "status": ["up", "not_de"], "sequence": ["ACGT", "ACGA"]}).to_csv(
        table, sep="\t", index=False)
    assert read_promoter_table(table, ["G2", "G1"])["gene_id"].tolist() == ["G2", "G1"]
    with pytest.raises(ScaInputError, match="gene.s. not found: G3"):
        read_promoter_table(table, ["G1", "G3"])



@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """Promoters (300 bp) of a simulated genome labelled with the true DE status, and a CNN trained on them."""
    result = train_simulated_cnn(tmp_path_factory.mktemp("simulated"))
    result["promoters"] = read_promoter_table(result["root"] / "promoters" / "promoters.tsv")
    return result



@pytest.mark.slow
def test_planted_motifs_come_out_on_top(simulated, jaspar, tmp_path):
    result = explain_promoters(simulated["model"], simulated["promoters"], tmp_path,
                               ExplainConfig(steps=16, n_references=2), jaspar=jaspar)

    assert result.group_sizes["up"] >= 30 and result.group_sizes["down"] >= 30
    table = pd.read_csv(tmp_path / "motif_enrichment.tsv", sep="\t")
    by_id = {motif.matrix_id: motif for motif in jaspar}
    for group, planted, tf_class in (("up", UP_MOTIF, BZIP), ("down", DOWN_MOTIF, REL)):
        top = table[table["group"] == group].head(3)
        assert (top["tf_class"] == tf_class).all(), f"{group}: top motifs\n{top}"
        assert top.iloc[0]["qvalue"] < 1e-10
        similarity = max(pwm.similarity(np.array(planted.pfm), by_id[m].pfm)[0] for m in top["matrix_id"])
        assert similarity > 0.8, f"{group}: no top motif resembles the planted {planted.consensus}"
        found = [motif for motif in result.discovered if motif.group == group]
        assert found and pwm.similarity(np.array(planted.pfm), found[0].pfm)[0] > 0.85, f"{group}: {found}"

    discovered = pd.read_csv(tmp_path / "discovered_motifs.tsv", sep="\t").set_index("motif")
    assert discovered.loc["up_1", "best_match_class"] == BZIP
    assert discovered.loc["down_1", "best_match_class"] == REL
    saved = np.load(tmp_path / "attributions.npz")
    assert saved["attributions"].shape == (len(simulated["promoters"]), UPSTREAM, 4)
    assert str(saved["method"]) == "integrated_gradients"
    explain_json = json.loads((tmp_path / "explain.json").read_text())
    assert explain_json["seed"] == 0 and explain_json["group_sizes"] == result.group_sizes
    assert explain_json["jaspar_release"] is None  # motifs given, not read from a release
    for figure in ("top_windows.png", "discovered_motifs.png"):
        assert (tmp_path / figure).stat().st_size > 10_000



def planted_starts(truth: pd.DataFrame, gene: str) -> list[int]:
    """0-based starts, within the 300 bp promoter, of the sites planted in ``gene`` (any may lie further up)."""
    return [UPSTREAM + int(offset) for offset in str(truth.loc[gene, "motif_offsets"]).split(",") if offset]



def test_ism_for_chosen_genes_points_at_their_planted_sites(simulated, tmp_path):
    truth, promoters = simulated["truth"], simulated["promoters"]
    up_genes = promoters.loc[promoters["status"] == "up", "gene_id"]
    chosen = [gene for gene in up_genes
              if any(0 <= start <= UPSTREAM - UP_MOTIF.width for start in planted_starts(truth, gene))][:3]
    result = run_explain(simulated["root"] / "cnn.keras", tmp_path,
                         promoters=simulated["root"] / "promoters" / "promoters.tsv", genes=chosen,
                         config=ExplainConfig(method="ism", windows_per_gene=1))

    assert result.skipped_motifs == "only 0 predicted not-DE genes (need 5) to compare with"
    saved = np.load(tmp_path / "attributions.npz")
    assert saved["gene_id"].tolist() == chosen and saved["attributions"].shape == (3, UPSTREAM, 4)
    windows = pd.read_csv(tmp_path / "windows.tsv", sep="\t").set_index("gene_id")
    holds_site = [any(windows.loc[gene, "start"] - UP_MOTIF.width < start < windows.loc[gene, "end"]
                      for start in planted_starts(truth, gene)) for gene in chosen]
    assert sum(holds_site) >= 2, f"the top ISM window of most chosen up genes should hold a planted site\n{windows}"
    for index, gene in enumerate(chosen):
        table = pd.read_csv(tmp_path / "ism" / f"{gene}.tsv", sep="\t")
        assert table["index"].tolist() == list(range(UPSTREAM)) and "".join(table["ref"]) == promoters.set_index(
            "gene_id").loc[gene, "sequence"]
        deltas = table[["delta_A", "delta_C", "delta_G", "delta_T"]].to_numpy()
        np.testing.assert_allclose(deltas, saved["attributions"][index], atol=1e-5)
        assert ((deltas != 0).sum(axis=1) <= 3).all() and (deltas != 0).sum() > 100  # max pooling: many exact zeros
        assert (tmp_path / "ism" / f"{gene}.png").stat().st_size > 10_000



def test_a_whole_split_of_the_tfds_dataset_can_be_explained(simulated, tmp_path):
    root = simulated["root"]
    assembly = pd.read_csv(root / "promoters" / "promoters.tsv", sep="\t")["assembly"].iloc[0]
    built = build_dataset(tmp_path / "tfds", de_table=root / "de_table.tsv", promoters=root / "promoters" /
                          "promoters.tsv", upstream=UPSTREAM, downstream=0, assembly=assembly, split_scheme="random")
    split = split_table(built.name, "validation", built.data_dir)
    result = run_explain(root / "cnn.keras", tmp_path / "out", dataset=built.name, split="validation",
                         data_dir=built.data_dir, config=ExplainConfig(steps=8, n_references=1))

    saved = np.load(tmp_path / "out" / "attributions.npz")
    assert saved["gene_id"].tolist() == split["gene_id"].tolist()
    assert 0 < len(split) < len(simulated["promoters"])
    assert sum(result.group_sizes.values()) <= len(split)
    source = json.loads((tmp_path / "out" / "explain.json").read_text())["source"]
    assert (source["dataset"], source["split"]) == (built.name, "validation")
    recorded = json.loads((tmp_path / "out" / "explain.json").read_text())["jaspar_release"]
    assert recorded == (None if result.skipped_motifs else JASPAR_RELEASE)
    assert set(split["status"]) <= {"up", "down", "not_de"} and split["sequence"].str.len().eq(UPSTREAM).all()
    with pytest.raises(ScaInputError, match="has no split 'holdout'"):
        split_table(built.name, "holdout", built.data_dir)
