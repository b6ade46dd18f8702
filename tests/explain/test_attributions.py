"""Attributions: the logit model, integrated gradients (completeness), in-silico mutagenesis, input checks."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from explain.explain_data import encode, random_dna

from sca_tf.errors import ScaInputError
from sca_tf.explain import in_silico_mutagenesis, integrated_gradients, logit_model, position_scores
from sca_tf.models import build_model


@pytest.fixture(scope="module")
def tiny_model() -> keras.Model:
    keras.utils.set_random_seed(1)
    return build_model("cnn", 40, filters=(4,), kernel_sizes=(5,), pool_size=2, dense_units=(4,), dropout=0.0,
                       pooling="flatten")



def test_logit_model_is_the_pre_sigmoid_output(tiny_model):
    x = encode(random_dna(np.random.default_rng(0), 5, 40))
    logits = logit_model(tiny_model)(x).numpy()
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), tiny_model(x).numpy().ravel(), atol=1e-6)



@pytest.mark.parametrize("reference", ["zero", "shuffle"])
def test_integrated_gradients_add_up_to_the_logit_difference(tiny_model, reference):
    """Completeness: attributions sum to logit(x) - mean logit(reference)."""
    x = encode(random_dna(np.random.default_rng(1), 4, 40))
    values = integrated_gradients(tiny_model, x, reference=reference, steps=128, n_references=3, seed=5,
                                  progress=False)
    logits = logit_model(tiny_model)
    if reference == "zero":
        baseline = logits(np.zeros_like(x)).numpy()
        assert np.all(values[x == 0] == 0), "a zero reference attributes nothing to absent bases"
    else:
        from sca_tf.explain.attributions import shuffled_references

        baseline = np.mean([logits(ref).numpy() for ref in shuffled_references(x, 3, 5)], axis=0)
    expected = logits(x).numpy() - baseline
    np.testing.assert_allclose(values.sum(axis=(1, 2)), expected, atol=2e-2 * max(1.0, np.abs(expected).max()))
    assert np.abs(expected).max() > 1e-3, "the check is vacuous if the logit does not change"



def test_in_silico_mutagenesis_matches_mutating_by_hand(tiny_model):
    x = encode(random_dna(np.random.default_rng(2), 2, 40))
    effects = in_silico_mutagenesis(tiny_model, x, batch_size=37, progress=False)
    logits = logit_model(tiny_model)
    for sequence, position, base in [(0, 0, 2), (1, 17, 0), (1, 39, 3)]:
        mutant = x[sequence].copy()
        mutant[position] = np.eye(4)[base]
        expected = logits(mutant[None]).numpy()[0] - logits(x[sequence][None]).numpy()[0]
        assert effects[sequence, position, base] == pytest.approx(0 if x[sequence, position, base] else expected,
                                                                   abs=1e-5)
    assert np.all(effects[x == 1] == 0)
    scores = position_scores(effects, x, "ism")
    np.testing.assert_allclose(scores, -effects.sum(axis=-1) / 3, rtol=1e-6)



def test_attributions_refuse_sequences_of_another_length(tiny_model):
    with pytest.raises(ScaInputError, match=r"shape \(1, 39, 4\); model .* takes \[n, 40, 4\]"):
        integrated_gradients(tiny_model, np.zeros((1, 39, 4)), progress=False)
