"""DEProbabilityAUC: the AUC of 1 - P(not_de) against DE, for the direction target's softmax."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from sca_tf.models import DEProbabilityAUC


def test_de_probability_auc_matches_sklearn_on_p_de() -> None:
    rng = np.random.default_rng(0)
    classes = rng.integers(0, 3, 200)
    logits = rng.normal(size=(200, 3)) + 1.5 * np.eye(3)[classes]
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    de = classes > 0
    roc = DEProbabilityAUC(curve="ROC", num_thresholds=2000)
    roc.update_state(classes.astype("float32"), probabilities.astype("float32"))
    assert float(roc.result()) == pytest.approx(roc_auc_score(de, 1 - probabilities[:, 0]), abs=2e-3)
    pr = DEProbabilityAUC(curve="PR", num_thresholds=2000)
    pr.update_state(classes.astype("float32"), probabilities.astype("float32"))
    assert float(pr.result()) == pytest.approx(average_precision_score(de, 1 - probabilities[:, 0]), abs=2e-2)
    assert DEProbabilityAUC.from_config(roc.get_config()).curve == roc.curve
