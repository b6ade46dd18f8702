"""Real chr20: `sca-tf variants` and `sca-tf predict --genes` run on GRCh37 chr20 (bgzip) with the grch37 table.

The model is an untrained 2 kb CNN: this shows the plumbing on real coordinates (``chr20`` vs ``20``, both strands,
a REF mismatch, an indel, a variant outside every promoter), not biology.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
from predict.vcf_data import snv_at, write_vcf

from sca_tf.models import build_model
from sca_tf.predict.run import run_predict
from sca_tf.predict.variants import run_variants
from sca_tf.prep.annotation import load_annotation
from sca_tf.prep.genome import open_genome
from sca_tf.prep.promoters import extract

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def chr20(shared_data: Path, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("chr20")
    genome = shared_data / "grch37_chr20" / "20.fa.gz"
    genes = load_annotation("grch37").genes
    genes = genes[(genes["chrom"] == "20") & (genes["gene_biotype"] == "protein_coding")]
    kept, _ = extract(genes.head(400), open_genome(genome))
    keras.utils.set_random_seed(0)
    build_model("cnn", 2000, filters=(16,), kernel_sizes=(15,), pooling="top_k", dense_units=(8,)).save(
        root / "cnn.keras")
    return {"root": root, "genome": genome, "promoters": kept, "model": root / "cnn.keras"}


def test_a_handful_of_chr20_variants(chr20):
    promoters = chr20["promoters"]
    plus = promoters[promoters["strand"] == "+"].iloc[0]
    minus = promoters[promoters["strand"] == "-"].iloc[0]
    records = []
    for name, promoter, index in (("p1", plus, 1999), ("p2", plus, 0), ("m1", minus, 1999), ("m2", minus, 1000)):
        alt = "A" if promoter.sequence[index] != "A" else "G"
        chrom, pos, _, ref, alt_g = snv_at(promoter, index, alt, name)
        records.append((f"chr{chrom}", pos, name, ref, alt_g))
    chrom, pos, _, ref, _ = records[3]
    records.append((chrom, pos, "mismatch", "T" if ref != "T" else "C", ref))
    records.append((chrom, pos - 1, "del", "NN", "N"))  # REF N N cannot match a called base: flagged
    records.sort(key=lambda record: record[1])
    records.append(("chr20", 62_900_000, "outside", "N", "A"))
    vcf = write_vcf(chr20["root"] / "chr20.vcf", records)
    result = run_variants(chr20["model"], vcf, chr20["genome"], "grch37", chr20["root"] / "variants")
    effects = pd.read_csv(result.effects, sep="\t", keep_default_na=False, na_values=["NA"])
    mine = effects[effects["gene_id"].isin([plus.gene_id, minus.gene_id])].set_index("id")
    for name, index in (("p1", 1999), ("p2", 0), ("m1", 1999), ("m2", 1000)):
        assert mine.loc[name, "window_index"] == index and mine.loc[name, "flag"] == ""
        assert np.isfinite(mine.loc[name, "delta_prob"])
    assert mine.loc["p1", "tss_offset"] == -1 and mine.loc["m1", "strand"] == "-"
    assert mine.loc["mismatch", "flag"] == "ref_mismatch" and mine.loc["del", "flag"] == "ref_mismatch"
    assert result.counts["outside"] >= 1 and result.counts["ref_mismatch"] >= 1
    assert (chr20["root"] / "variants" / "chr20.sca_tf.vcf").stat().st_size > 0


def test_predict_genes_on_chr20(chr20):
    genes = chr20["root"] / "genes.txt"
    chosen = chr20["promoters"]["gene_id"].head(5).tolist()
    genes.write_text("\n".join(chosen) + "\n")
    result = run_predict(chr20["model"], chr20["root"] / "predict", genes=genes, genome=chr20["genome"],
                         annotation="grch37")
    table = pd.read_csv(result.predictions, sep="\t")
    assert table["id"].tolist() == chosen and table["prob"].between(0, 1).all()
