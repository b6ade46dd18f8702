"""`sca-tf cv --target log2fc` on a small simulated default: one predicted log2FC per testable gene, the pooled
report, and what the rest of the tool does with a log2fc model (predict scores it, export and variants refuse)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cv.cv_data import CONFIG

from sca_tf.cli import main
from sca_tf.cv.ensemble import export_fold_ensemble
from sca_tf.data.encoding import one_hot
from sca_tf.errors import ScaInputError
from sca_tf.evaluate.log2fc import log2fc_metrics
from sca_tf.export import export_model
from sca_tf.models import load_classifier, model_target
from sca_tf.predict.run import run_predict
from sca_tf.predict.variants import run_variants
from sca_tf.sequence import encode_bases


@pytest.fixture(scope="module")
def log2fc_cv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cv_log2fc")
    config = out.parent / f"{out.name}.toml"
    config.write_text('models = ["cnn"]\nsimulate_genes = 300\nupstream = 200\nn_resamples = 50\n[train]\nepochs = 2\nbatch_size = 32\n'
                      'hparams = { filters = [8], kernel_sizes = [9], pooling = "global_max", dense_units = [8] }\n')
    argv = ["cv", "--out", str(out), "--seed", str(CONFIG["seed"]), "--folds", "2", "--target", "log2fc",
            "--config", str(config)]
    assert main(argv) == 0
    return out


def test_each_testable_gene_gets_one_predicted_fold_change(log2fc_cv: Path) -> None:
    de_table = pd.read_csv(log2fc_cv / "dge" / "de_table.tsv", sep="\t").set_index("gene_id")
    promoters = pd.read_csv(log2fc_cv / "promoters" / "promoters.tsv", sep="\t").set_index("gene_id")
    oof = pd.read_csv(log2fc_cv / "oof_predictions.tsv", sep="\t").set_index("gene_id")
    testable = promoters[promoters["status"] != "untestable"]
    assert oof.index.is_unique and set(oof.index) == set(testable.index)
    np.testing.assert_allclose(oof["log2fc"], de_table.loc[oof.index, "log2FoldChange"], rtol=1e-9)
    assert (oof["label"] == testable.loc[oof.index, "status"].isin(["up", "down"])).all()
    assert oof["cnn"].std() > 0 and np.isfinite(oof["cnn"]).all()
    for fold, part in oof.groupby("fold"):  # the mean baseline is each fold's training mean, not a test statistic
        assert part["Training mean only"].nunique() == 1
        assert part["Training mean only"].iloc[0] != pytest.approx(part["log2fc"].mean(), abs=1e-12)
    model_config = json.loads((log2fc_cv / "fold_0" / "train" / "cnn" / "config.json").read_text())
    assert model_config["train_config"]["target"] == "log2fc"
    assert model_config["recipe"]["positive_weight"] is None


def test_pooled_log2fc_metrics_are_those_of_the_out_of_fold_predictions(log2fc_cv: Path) -> None:
    oof = pd.read_csv(log2fc_cv / "oof_predictions.tsv", sep="\t")
    report = json.loads((log2fc_cv / "cv_report.json").read_text())
    assert report["context"]["target"] == "log2fc"
    for name in ("cnn", "k-mer (k=4,5,6) ridge regression", "baseMean only (expression confounder)"):
        pooled = report["pooled"][name]
        assert pooled["metrics"] == pytest.approx(log2fc_metrics(oof["log2fc"], oof["label"], oof[name]),
                                                  nan_ok=True)
        low, high = pooled["ci"]["pearson"]
        assert low <= pooled["metrics"]["pearson"] <= high
    history = pd.read_csv(log2fc_cv / "fold_0" / "train" / "cnn" / "history.csv")
    assert {"val_pearson", "val_auroc", "val_auprc", "loss"} <= set(history.columns)
    markdown = (log2fc_cv / "cv_report.md").read_text()
    assert "| Model | pearson | spearman | abs_de_auroc | abs_de_auprc | sign_agreement |" in markdown


def test_predict_scores_a_log2fc_model_and_export_and_variants_refuse_it(log2fc_cv: Path, tmp_path: Path) -> None:
    model_path = log2fc_cv / "fold_0" / "train" / "cnn" / "model.keras"
    model = load_classifier(model_path)
    assert model_target(model) == "log2fc"
    result = run_predict(model_path, tmp_path / "predict", fasta=log2fc_cv / "promoters" / "promoters.fa")
    predictions = pd.read_csv(result.predictions, sep="\t", dtype={"id": str})
    assert list(predictions.columns) == ["id", "log2fc"]
    promoters = pd.read_csv(log2fc_cv / "promoters" / "promoters.tsv", sep="\t")
    codes = np.stack([encode_bases(sequence) for sequence in promoters["sequence"]])
    np.testing.assert_allclose(predictions["log2fc"], model.predict(one_hot(codes), verbose=0).reshape(-1),
                               rtol=1e-4, atol=1e-5)
    with pytest.raises(ScaInputError, match="predicts the 'log2fc' target; .* only 'de'-target models export"):
        export_model(model, tmp_path / "saved_models")
    assert not (tmp_path / "saved_models").exists()
    with pytest.raises(ScaInputError, match="predicts the 'log2fc' target; variants scores the change in P\\(DE\\)"):
        run_variants(model_path, tmp_path / "none.vcf", tmp_path / "none.fa", "grch37", tmp_path / "variants")
    with pytest.raises(ScaInputError, match="a fold ensemble averages P\\(DE\\)"):
        export_fold_ensemble(log2fc_cv, tmp_path / "ensemble")
