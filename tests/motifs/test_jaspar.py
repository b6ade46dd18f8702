"""JASPAR from pyjaspar's bundled databases, read by the quality gate and explain from one pinned release."""

from __future__ import annotations

import numpy as np
import pyjaspar
import pytest
from generative_data import markov_sequences

from sca_tf.errors import ScaInputError
from sca_tf.explain import ExplainConfig
from sca_tf.motifs.jaspar import JASPAR_RELEASE, load_jaspar
from sca_tf.motifs.scan import best_hits, scan_motifs
from sca_tf.sequence import encode_bases, one_hot
from sca_tf.synthetic.quality import QualityThresholds, assess

CRE = "TGACGTCA"
REL = "Rel homology region (RHR) factors"


@pytest.fixture(scope="module")
def jaspar() -> list:
    return load_jaspar()


def test_jaspar_vertebrate_matrices_load_offline(jaspar) -> None:
    assert JASPAR_RELEASE.startswith("JASPAR") and len(jaspar) > 500
    creb1 = next(m for m in jaspar if m.name == "CREB1")
    assert creb1.matrix_id.startswith("MA0018")
    assert scan_motifs(["A" * 6 + CRE + "A" * 6], [creb1], relative_score=0.85).hit_fraction[0] == 1.0


def test_jaspar_vertebrate_core_is_read_offline(jaspar):
    by_id = {motif.matrix_id: motif for motif in jaspar}
    assert len(jaspar) > 800
    assert by_id["MA0107.1"].name == "RELA" and by_id["MA0107.1"].tf_class == REL
    np.testing.assert_allclose(by_id["MA0107.1"].pfm.sum(axis=1), 1.0)
    with pytest.raises(ScaInputError, match="JASPAR release 'JASPAR1999' is not shipped"):
        load_jaspar("JASPAR1999")


def test_the_gate_and_explain_read_one_pinned_release_and_score_it_alike(monkeypatch, jaspar) -> None:
    """Even where pyjaspar's newest release moves on, the gate's default matrices are explain's: the release pinned
    in ``sca_tf.motifs.jaspar``, recorded in the report, with the same log-odds."""
    monkeypatch.setattr(pyjaspar.jaspardb.__init__, "__defaults__", ("JASPAR2024", None))
    assert ExplainConfig().jaspar_release == JASPAR_RELEASE
    sets = [markov_sequences(12, 60, seed=seed) for seed in range(4)]
    report = assess(*sets, QualityThresholds(kmer_k=2, motif_sequences=12))
    assert report["motifs"]["jaspar_release"] == JASPAR_RELEASE
    assert report["motifs"]["source"] == f"{JASPAR_RELEASE} CORE vertebrates (pyjaspar)"
    assert [m["matrix_id"] for m in report["motifs"]["per_motif"]] == [m.matrix_id for m in jaspar]
    rela = next(m for m in jaspar if m.matrix_id == "MA0107.1")
    site = "GGAACTTTCC"  # two mismatches from RELA's consensus GGGAATTTCC
    score = float(best_hits(one_hot(encode_bases(site))[None], rela.log_odds)[0][0])
    assert 0.8 < score < 0.9
    assert scan_motifs([site], [rela], relative_score=score).hit_fraction[0] == 1.0
    assert scan_motifs([site], [rela], relative_score=score + 1e-4).hit_fraction[0] == 0.0
