"""The fold ensemble of a cv directory: mean of the fold models, one verified SavedModel, fold provenance."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from sca_tf.cli import main
from sca_tf.cv.ensemble import export_fold_ensemble, load_fold_ensemble
from sca_tf.data.scoring import predict_codes
from sca_tf.errors import ScaInputError
from sca_tf.export.bridge import ASSETS_EXTRA
from sca_tf.export.exporter import PROVENANCE_FILE
from sca_tf.models import load_classifier
from sca_tf.sequence import encode_bases


def test_the_ensemble_is_the_mean_of_the_fold_models(small_cv: Path, tmp_path: Path) -> None:
    promoters = pd.read_csv(small_cv / "promoters" / "promoters.tsv", sep="\t").head(6)
    codes = np.stack([encode_bases(sequence) for sequence in promoters["sequence"]])
    folds = [load_classifier(small_cv / f"fold_{k}" / "train" / "cnn" / "model.keras") for k in range(3)]
    expected = np.mean([predict_codes(model, codes) for model in folds], axis=0)
    exported = export_fold_ensemble(small_cv, tmp_path / "saved_models")
    assert exported.name == "cnn_cv3_ensemble" and exported.version == 1
    served = tf.saved_model.load(str(exported.path)).signatures["serving_default"]
    got = served(sequences=tf.constant(promoters["sequence"].tolist()))["probability"].numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert not np.allclose(expected, predict_codes(folds[0], codes), atol=1e-4)  # three different models

    provenance = json.loads((exported.path / ASSETS_EXTRA / PROVENANCE_FILE).read_text())["ensemble"]
    oof = pd.read_csv(small_cv / "oof_predictions.tsv", sep="\t")
    assert provenance["n_folds"] == 3 and provenance["model"] == "cnn"
    for record in provenance["folds"]:
        held_out = set(oof.loc[oof["fold"] == record["fold"], "gene_id"])
        assert set(record["held_out_genes"]) == held_out
        assert not set(record["trained_on"]["genes"]["train"]) & held_out
        assert record["trained_on"]["chromosomes"] and len(record["model"]["sha256"]) == 64


def test_export_verb_takes_a_cv_directory(small_cv: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--model", str(small_cv), "--out", str(tmp_path), "--name", "cv_cnn"]) == 0
    assert (tmp_path / "cv_cnn" / "1" / "saved_model.pb").is_file()
    booster = small_cv / "fold_0" / "train" / "cnn" / "xgboost.json"
    assert main(["export", "--model", str(small_cv), "--booster", str(booster), "--out", str(tmp_path)]) == 2
    assert "not with a cv directory's fold ensemble" in capsys.readouterr().err
    with pytest.raises(ScaInputError, match="has no model 'transformer'; it has cnn"):
        load_fold_ensemble(small_cv, "transformer")
    with pytest.raises(ScaInputError, match="not a finished `sca-tf cv` directory"):
        load_fold_ensemble(tmp_path)
