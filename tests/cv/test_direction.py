"""`sca-tf cv --target direction` on a small simulated default: three class probabilities per gene, pooled report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cv.cv_data import CONFIG

from sca_tf.cli import main
from sca_tf.cv import CVConfig
from sca_tf.cv.ensemble import export_fold_ensemble
from sca_tf.errors import ScaInputError
from sca_tf.evaluate.direction import direction_metrics
from sca_tf.predict.run import run_predict

CLASSES = ("not_de", "up", "down")


@pytest.fixture(scope="module")
def direction_cv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cv_direction")
    argv = ["cv", "--out", str(out), "--seed", str(CONFIG["seed"]), "--folds", "2", "--target", "direction",
            "--config", str(_config_file(out))]
    assert main(argv) == 0
    return out


def _config_file(out: Path) -> Path:
    path = out.parent / f"{out.name}.toml"
    path.write_text('models = ["cnn"]\nsimulate_genes = 300\nupstream = 200\nn_resamples = 50\n[train]\nepochs = 2\nbatch_size = 32\n'
                    'hparams = { filters = [8], kernel_sizes = [9], pooling = "global_max", dense_units = [8] }\n')
    return path


def test_each_gene_gets_three_class_probabilities_once(direction_cv: Path) -> None:
    promoters = pd.read_csv(direction_cv / "promoters" / "promoters.tsv", sep="\t").set_index("gene_id")
    oof = pd.read_csv(direction_cv / "oof_predictions.tsv", sep="\t").set_index("gene_id")
    testable = promoters[promoters["status"] != "untestable"]
    assert oof.index.is_unique and set(oof.index) == set(testable.index)
    assert (oof["class"].map(dict(enumerate(CLASSES))) == testable.loc[oof.index, "status"]).all()
    assert (oof["label"] == (oof["class"] > 0)).all()
    for name in ("cnn", "k-mer (k=4,5,6) logistic regression", "baseMean only (expression confounder)"):
        probabilities = oof[[f"{name}:{c}" for c in CLASSES]].to_numpy()
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    record = json.loads((direction_cv / "fold_0" / "fold.json").read_text())
    assert record["settings"]["target"] == "direction"
    model_config = json.loads((direction_cv / "fold_0" / "train" / "cnn" / "config.json").read_text())
    assert "direction" in json.dumps(model_config)


def test_pooled_direction_metrics_are_those_of_the_out_of_fold_scores(direction_cv: Path) -> None:
    oof = pd.read_csv(direction_cv / "oof_predictions.tsv", sep="\t")
    report = json.loads((direction_cv / "cv_report.json").read_text())
    assert report["context"]["target"] == "direction"
    for name in ("cnn", "Prevalence only"):
        expected = direction_metrics(oof["class"], oof[[f"{name}:{c}" for c in CLASSES]])
        pooled = report["pooled"][name]
        assert pooled["metrics"] == pytest.approx(expected)
        low, high = pooled["ci"]["macro_auroc"]
        assert low <= pooled["metrics"]["macro_auroc"] <= high
    assert [fold["genes"] for fold in report["folds"]] == oof.groupby("fold").size().tolist()
    markdown = (direction_cv / "cv_report.md").read_text()
    assert "| Model | macro_auroc | auprc_not_de | auprc_up | auprc_down | up_vs_down_auroc | de_auroc |" in markdown


def test_a_direction_ensemble_is_not_exported_and_bad_targets_are_refused(direction_cv: Path, tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match="predict the direction target; a fold ensemble averages P\\(DE\\)"):
        export_fold_ensemble(direction_cv, tmp_path)
    with pytest.raises(ScaInputError, match="predicts the 'direction' target .* score 'de' and 'log2fc' models"):
        run_predict(direction_cv / "fold_0" / "train" / "cnn", tmp_path / "predict",
                    fasta=direction_cv / "promoters" / "promoters.fa")
    with pytest.raises(ScaInputError, match="--target 'fold_change': expected one of de, direction, log2fc"):
        CVConfig(target="fold_change")
