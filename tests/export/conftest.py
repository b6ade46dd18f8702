"""Fixtures shared by the export tests: the example model, its booster and one export, built once per folder."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from export.serving_model import EXAMPLE_LENGTH, EXAMPLE_SEED, encode, example_model

from sca_tf.evaluate.xgb import XGBConfig, fit_booster
from sca_tf.export.exporter import export_model, random_promoters
from sca_tf.models import feature_extractor


@pytest.fixture(scope="package")
def model() -> keras.Model:
    return example_model()


@pytest.fixture(scope="package")
def sequences() -> list[str]:
    return random_promoters(6, EXAMPLE_LENGTH, seed=EXAMPLE_SEED)


@pytest.fixture(scope="package")
def booster(model, sequences):
    features = feature_extractor(model)(encode(random_promoters(80, EXAMPLE_LENGTH, seed=1))).numpy()
    labels = np.arange(len(features)) % 2
    return fit_booster(features, labels, features, labels, XGBConfig(n_estimators=5, early_stopping_rounds=None))


@pytest.fixture(scope="package")
def exported(tmp_path_factory, model, booster):
    return export_model(model, tmp_path_factory.mktemp("saved_models"), booster=booster)


@pytest.fixture(scope="package")
def loaded(exported):
    return tf.saved_model.load(str(exported.path))
