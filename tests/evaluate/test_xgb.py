"""The CNN→XGBoost bridge on small synthetic embeddings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from sca_tf.errors import ScaInputError
from sca_tf.evaluate.xgb import (
    XGBConfig,
    booster_probability,
    fit_booster,
    load_booster,
    save_booster,
    staged_tuning,
    validation_auprc,
)


def _embeddings(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    x = rng.normal(size=(n, 8))
    x[:, 0] += 2.0 * y  # one informative feature
    return x, y


def _with_logit(n: int, seed: int, overfit: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings whose last column is a network's logit: informative, sharper by ``overfit`` on seen genes."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    x = rng.normal(size=(n, 6))
    logit = -2.0 + (2.0 + overfit) * y + rng.normal(scale=1.0, size=n)
    return np.column_stack([x, logit]), y


def test_boosting_from_the_logit_keeps_the_networks_ranking() -> None:
    """Training embeddings of genes the network saw are over-separated; from scratch the trees learn a step on that
    column, from the logit they keep its full ranking and only correct it."""
    (tx, ty), (vx, vy), (sx, sy) = _with_logit(1500, 10, overfit=3.0), _with_logit(500, 11), _with_logit(3000, 12)
    network = roc_auc_score(sy, sx[:, -1])
    from_logit = fit_booster(tx, ty, vx, vy, XGBConfig(seed=1))
    scratch = fit_booster(tx, ty, vx, vy, XGBConfig(seed=1, boost_from_logit=False))
    assert roc_auc_score(sy, booster_probability(from_logit, sx)) > network - 0.005
    assert roc_auc_score(sy, booster_probability(scratch, sx)) < network - 0.005  # the loss boosting avoids
    plain = from_logit.predict_proba(sx)[:, 1]  # ignoring the margin would score the trees alone
    assert not np.allclose(booster_probability(from_logit, sx), plain, atol=1e-3)


def test_booster_learns_the_informative_feature() -> None:
    (tx, ty), (vx, vy) = _embeddings(600, 0), _embeddings(300, 1)
    model = fit_booster(tx, ty, vx, vy, XGBConfig(n_estimators=50, learning_rate=0.1, boost_from_logit=False))
    assert validation_auprc(model, vx, vy) > 0.5  # prevalence is ~0.15
    importances = model.feature_importances_
    assert importances.argmax() == 0


def test_early_stopping_watches_validation_auprc() -> None:
    (tx, ty), (vx, vy) = _embeddings(400, 2), _embeddings(200, 3)
    model = fit_booster(tx, ty, vx, vy, XGBConfig(n_estimators=400, learning_rate=0.3, early_stopping_rounds=5))
    assert "aucpr" in model.evals_result()["validation_0"]
    assert model.best_iteration < 399


def test_defaults_are_the_papers() -> None:
    config = XGBConfig()
    assert (config.learning_rate, config.n_estimators, config.max_depth, config.min_child_weight) == (0.01, 100, 7, 2)
    assert (config.gamma, config.subsample, config.colsample_bytree) == (0.167, 0.8, 0.6)
    assert (config.reg_alpha, config.reg_lambda) == (0.5, 1.0)


def test_staged_tuning_only_improves_validation_score() -> None:
    (tx, ty), (vx, vy) = _embeddings(300, 4), _embeddings(150, 5)
    stages = ({"max_depth": (1, 3)}, {"learning_rate": (0.05, 0.3)})
    base = XGBConfig(n_estimators=30)
    best, history = staged_tuning(tx, ty, vx, vy, base=base, stages=stages)
    assert [entry["tuned"] for entry in history] == [["max_depth"], ["learning_rate"]]
    scores = [entry["val_auprc"] for entry in history]
    assert scores == sorted(scores)
    refit = validation_auprc(fit_booster(tx, ty, vx, vy, best), vx, vy)
    assert refit == pytest.approx(scores[-1])


@pytest.mark.parametrize("suffix", [".json", ".ubj"])
def test_booster_round_trips(tmp_path: Path, suffix: str) -> None:
    (tx, ty), (vx, vy) = _embeddings(200, 6), _embeddings(100, 7)
    model = fit_booster(tx, ty, vx, vy, XGBConfig(n_estimators=20))
    path = save_booster(model, tmp_path / f"booster{suffix}")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"booster{suffix}"]
    loaded = load_booster(path)  # the saved booster remembers to start from the logit
    np.testing.assert_allclose(booster_probability(loaded, vx), booster_probability(model, vx), rtol=0, atol=1e-7)
    assert not np.allclose(loaded.predict_proba(vx)[:, 1], booster_probability(loaded, vx), atol=1e-4)


def test_bad_inputs_are_refused(tmp_path: Path) -> None:
    x, y = _embeddings(50, 8)
    with pytest.raises(ScaInputError, match="one class only"):
        fit_booster(x, np.zeros(50, int), x, y)
    with pytest.raises(ScaInputError, match=r"validation embeddings must be \[n, features\]"):
        fit_booster(x, y, x[:, 0], y)
    with pytest.raises(ScaInputError, match="XGBConfig.subsample"):
        XGBConfig(subsample=0)
    with pytest.raises(ScaInputError, match="must end in .json or .ubj"):
        save_booster(fit_booster(x, y, x, y, XGBConfig(n_estimators=2)), tmp_path / "b.pkl")
    (tmp_path / "junk.json").write_text("{}")
    with pytest.raises(ScaInputError, match="junk.json: not an XGBoost model"):
        load_booster(tmp_path / "junk.json")
