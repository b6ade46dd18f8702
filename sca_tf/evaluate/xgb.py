"""The CNN→XGBoost bridge: a gradient-boosted classifier on feature-layer embeddings.

The features are the model's feature layer with its logit as the last column (``feature_extractor``). By default
the booster *starts from that logit*: every gene's initial margin is the network's own log-odds and the trees fit
what the network missed, so with early stopping on validation the bridge keeps the network's signal instead of
relearning it from scratch (``boost_from_logit=False`` is the paper's bridge). A booster fitted that way records
it in its saved attributes, and :func:`booster_probability` (and the standalone serving bridge) apply it.

Tree hyperparameters are the paper's tuned values; early stopping and the optional staged tuning look only at the
validation split (scored by AUPRC), never at the test split.

Example::

    from sca_tf.evaluate.xgb import XGBConfig, booster_probability, fit_booster
    booster = fit_booster(train_x, train_y, val_x, val_y, XGBConfig(seed=7))
    p = booster_probability(booster, test_x)
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xgboost
from sklearn.metrics import average_precision_score

from sca_tf import io
from sca_tf.errors import ScaInputError


@dataclass(frozen=True)
class XGBConfig:
    """XGBoost hyperparameters (the paper's tuned values) plus early stopping, the seed and whether the trees
    start from the network's logit (the features' last column; see the module docstring)."""

    learning_rate: float = 0.01
    n_estimators: int = 100
    max_depth: int = 7
    min_child_weight: float = 2.0
    gamma: float = 0.167
    subsample: float = 0.8
    colsample_bytree: float = 0.6
    reg_alpha: float = 0.5
    reg_lambda: float = 1.0
    early_stopping_rounds: int | None = 20
    seed: int = 0
    boost_from_logit: bool = True

    def __post_init__(self) -> None:
        checks = {
            "learning_rate": 0 < self.learning_rate <= 1,
            "n_estimators": self.n_estimators >= 1,
            "max_depth": self.max_depth >= 1,
            "subsample": 0 < self.subsample <= 1,
            "colsample_bytree": 0 < self.colsample_bytree <= 1,
        }
        for name, valid in checks.items():
            if not valid:
                raise ScaInputError(f"XGBConfig.{name}: invalid value {getattr(self, name)!r}")


#: The paper's staged search: each stage tunes these parameters over these values, keeping the best so far.
TUNING_STAGES: tuple[Mapping[str, Sequence[Any]], ...] = (
    {"n_estimators": (100, 300, 600), "learning_rate": (0.01, 0.05, 0.1)},
    {"max_depth": (3, 5, 7, 9), "min_child_weight": (1, 2, 5)},
    {"gamma": (0.0, 0.1, 0.167, 0.3)},
    {"subsample": (0.6, 0.8, 1.0), "colsample_bytree": (0.4, 0.6, 0.8)},
    {"reg_alpha": (0.0, 0.5, 1.0), "reg_lambda": (0.5, 1.0, 2.0)},
    {"learning_rate": (0.005, 0.01, 0.02), "n_estimators": (200, 600, 1000)},
)


def fit_booster(
    train_x: np.ndarray, train_y: np.ndarray, val_x: np.ndarray, val_y: np.ndarray, config: XGBConfig = XGBConfig()
) -> xgboost.XGBClassifier:
    """Fit an ``XGBClassifier`` on embeddings, early-stopping on validation AUPRC; with ``boost_from_logit`` the
    margins start at the embeddings' last column (the network's logit)."""
    _check_xy("train", train_x, train_y)
    _check_xy("validation", val_x, val_y)
    params = dataclasses.asdict(config)
    seed, from_logit = params.pop("seed"), params.pop("boost_from_logit")
    model = xgboost.XGBClassifier(
        **params, objective="binary:logistic", eval_metric="aucpr", tree_method="hist", random_state=seed, n_jobs=0
    )
    margins = {"base_margin": train_x[:, -1], "base_margin_eval_set": [val_x[:, -1]]} if from_logit else {}
    model.fit(train_x, train_y, eval_set=[(val_x, val_y)], verbose=False, **margins)
    if from_logit:
        model.get_booster().set_attr(**{MARGIN_ATTRIBUTE: LOGIT_MARGIN})
    return model


#: Saved booster attribute saying where its initial margins come from; the serving bridge copies these names.
MARGIN_ATTRIBUTE, LOGIT_MARGIN = "sca_tf_base_margin", "last_feature_column"


def booster_probability(model: xgboost.XGBClassifier, features: np.ndarray) -> np.ndarray:
    """P(DE) ``[n]`` of the booster on ``features``, starting from their last column when it was fitted so."""
    from_logit = model.get_booster().attr(MARGIN_ATTRIBUTE) == LOGIT_MARGIN
    return model.predict_proba(features, base_margin=features[:, -1] if from_logit else None)[:, 1]


def validation_auprc(model: xgboost.XGBClassifier, val_x: np.ndarray, val_y: np.ndarray) -> float:
    """AUPRC of ``model`` on the validation split."""
    return float(average_precision_score(val_y, booster_probability(model, val_x)))


def staged_tuning(
    train_x: np.ndarray,
    train_y: np.ndarray,
    val_x: np.ndarray,
    val_y: np.ndarray,
    base: XGBConfig = XGBConfig(),
    stages: Sequence[Mapping[str, Sequence[Any]]] = TUNING_STAGES,
) -> tuple[XGBConfig, list[dict[str, Any]]]:
    """The paper's stage-by-stage grid search, scored on the validation split only.

    Returns the best configuration and one history entry per stage (parameters tried, best values, score).
    """
    best, best_score = base, validation_auprc(fit_booster(train_x, train_y, val_x, val_y, base), val_x, val_y)
    history = []
    for number, grid in enumerate(stages, start=1):
        names = list(grid)
        for values in itertools.product(*(grid[name] for name in names)):
            candidate = dataclasses.replace(best, **dict(zip(names, values)))
            score = validation_auprc(fit_booster(train_x, train_y, val_x, val_y, candidate), val_x, val_y)
            if score > best_score:
                best, best_score = candidate, score
        history.append(
            {"stage": number, "tuned": names, "best": {n: getattr(best, n) for n in names}, "val_auprc": best_score}
        )
    return best, history


def save_booster(model: xgboost.XGBClassifier, path: str | os.PathLike[str]) -> Path:
    """Save the booster as ``.json`` or ``.ubj`` (by suffix) atomically."""
    target = Path(path)
    if target.suffix not in {".json", ".ubj"}:
        raise ScaInputError(f"{target}: booster file must end in .json or .ubj")
    with io.atomic_path(target, suffix=target.suffix) as tmp:
        model.save_model(tmp)
    return target


def load_booster(path: str | os.PathLike[str]) -> xgboost.XGBClassifier:
    """Load a booster saved by :func:`save_booster`."""
    source = Path(path)
    if not source.is_file():
        raise ScaInputError(f"{source}: booster file not found")
    model = xgboost.XGBClassifier()
    try:
        model.load_model(source)
    except xgboost.core.XGBoostError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScaInputError(f"{source}: not an XGBoost model saved by sca-tf ({first_line[:200]})") from exc
    return model


def _check_xy(split: str, x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 2 or len(x) != len(y):
        raise ScaInputError(f"{split} embeddings must be [n, features] with n labels; got {x.shape} and {len(y)}")
    if len(np.unique(y)) < 2:
        raise ScaInputError(f"{split} labels hold one class only; XGBoost and AUPRC need both classes")
