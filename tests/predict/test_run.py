"""`sca-tf predict`: FASTA, BED and genes give the model's own scores; SavedModel = .keras; bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sca_tf.cli import main
from sca_tf.data.encoding import one_hot
from sca_tf.errors import ScaInputError
from sca_tf.evaluate.xgb import XGBConfig, booster_probability, fit_booster, save_booster
from sca_tf.export import export_model
from sca_tf.models import feature_extractor
from sca_tf.predict.run import run_predict
from sca_tf.sequence import encode_bases


def own_scores(simulated) -> np.ndarray:
    codes = np.stack([encode_bases(sequence) for sequence in simulated["promoters"]["sequence"]])
    return simulated["model"].predict(one_hot(codes), verbose=0).reshape(-1)


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype={"id": str})


def test_fasta_gives_the_models_own_scores_and_embeddings(simulated, tmp_path):
    result = run_predict(simulated["model_path"], tmp_path, fasta=simulated["root"] / "promoters" / "promoters.fa",
                         embeddings=True)
    predictions = read(result.predictions)
    assert predictions["id"].tolist() == simulated["promoters"]["gene_id"].tolist()
    np.testing.assert_allclose(predictions["prob"], own_scores(simulated), atol=2e-6)
    np.testing.assert_allclose(1 / (1 + np.exp(-predictions["logit"])), predictions["prob"], atol=2e-6)
    embeddings = read(tmp_path / "embeddings.tsv")
    first = one_hot(encode_bases(simulated["promoters"]["sequence"].iloc[0])[None])
    np.testing.assert_allclose(embeddings.iloc[0, 1:].to_numpy(float),
                               feature_extractor(simulated["model"])(first).numpy()[0], rtol=1e-4, atol=1e-5)


def test_genes_and_bed_go_through_the_promoter_extraction(simulated, tmp_path):
    promoters = simulated["promoters"]
    chosen = pd.concat([promoters[promoters["strand"] == "-"].head(3), promoters[promoters["strand"] == "+"].head(3)])
    genes = tmp_path / "genes.txt"
    genes.write_text("\n".join([*chosen["gene_id"], "SIMG_NOT_THERE"]) + "\n")
    by_gene = run_predict(simulated["model_path"], tmp_path / "genes", genes=genes, genome=simulated["genome"],
                          annotation=str(simulated["annotation"]))
    expected = dict(zip(promoters["gene_id"], own_scores(simulated)))
    got = read(by_gene.predictions)
    assert got["id"].tolist() == chosen["gene_id"].tolist()
    np.testing.assert_allclose(got["prob"], [expected[g] for g in got["id"]], atol=2e-6)
    assert read(tmp_path / "genes" / "dropped.tsv")["reason"].tolist() == ["not_in_annotation"]

    bed = tmp_path / "regions.bed"
    bed.write_text("".join(f"{r.chrom}\t{r.start}\t{r.end}\t{r.gene_id}\t0\t{r.strand}\n" for r in chosen.itertuples()))
    by_region = read(run_predict(simulated["model_path"], tmp_path / "bed", bed=bed,
                                 genome=simulated["genome"]).predictions)
    np.testing.assert_allclose(by_region["prob"], got["prob"], atol=2e-6)


def test_saved_model_and_run_directory_equal_the_keras_model(simulated, tmp_path):
    fasta = simulated["root"] / "promoters" / "promoters.fa"
    exported = export_model(simulated["model"], tmp_path / "saved_models")
    served = read(run_predict(exported.path, tmp_path / "served", fasta=fasta).predictions)
    np.testing.assert_allclose(served["prob"], own_scores(simulated), atol=1e-5)

    run_dir = tmp_path / "train" / "cnn"
    run_dir.mkdir(parents=True)
    simulated["model"].save(run_dir / "model.keras")
    features = feature_extractor(simulated["model"]).predict(
        one_hot(np.stack([encode_bases(s) for s in simulated["promoters"]["sequence"]])), verbose=0)
    labels = simulated["promoters"]["status"].isin(["up", "down"]).to_numpy(int)
    booster = fit_booster(features, labels, features, labels, XGBConfig(n_estimators=5, early_stopping_rounds=None))
    save_booster(booster, run_dir / "xgboost.json")
    bridged = read(run_predict(tmp_path, tmp_path / "bridged", fasta=fasta).predictions)
    np.testing.assert_allclose(bridged["xgboost_prob"], booster_probability(booster, features), atol=1e-5)


def test_lengths_letters_and_fit(simulated, tmp_path, capsys):
    sequence = simulated["promoters"]["sequence"].iloc[0]
    fasta = tmp_path / "odd.fa"
    fasta.write_text(f">good\n{sequence.lower()}\n>short\n{sequence[:-10]}\n")
    args = ["predict", "--model", str(simulated["model_path"]), "--fasta", str(fasta)]
    assert main([*args, "--out", str(tmp_path / "o1")]) == 2
    err = capsys.readouterr().err
    assert "record 'short' (line 3): 290 bases, but the model takes 300" in err and "--fit center" in err
    assert not (tmp_path / "o1" / "predictions.tsv").exists()  # nothing half-written

    assert main([*args, "--fit", "center", "--out", str(tmp_path / "o2")]) == 0
    fitted = read(tmp_path / "o2" / "predictions.tsv")
    padded = "NNNNN" + sequence[:-10] + "NNNNN"
    expected = simulated["model"].predict(one_hot(np.stack([encode_bases(sequence), encode_bases(padded)])),
                                          verbose=0).reshape(-1)
    np.testing.assert_allclose(fitted["prob"], expected, atol=2e-6)

    fasta.write_text(f">iupac\n{'R' * 300}\n>bad\n{'X' * 300}\n")
    with pytest.raises(ScaInputError, match="record 'bad' .line 3.: letter 'X' at position 1"):
        run_predict(simulated["model_path"], tmp_path / "o3", fasta=fasta)
