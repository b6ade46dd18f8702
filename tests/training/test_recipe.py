"""The training recipe: one optimizer, schedule, clipping and weighted loss per model, for every training path."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
from models.classifier_data import one_hot, tiny

from sca_tf.errors import ScaInputError
from sca_tf.models import WeightedBinaryCrossentropy, build_model
from sca_tf.training.recipe import CHECKPOINT_MONITOR, TrainingRecipe, compile_classifier, recipe_for

TINY_TRANSFORMER = {"stride": 8, "d_model": 8, "num_layers": 1, "num_heads": 2, "ff_dim": 8, "dense_units": (6,)}


def test_cosine_decay_and_clipping_follow_the_recipe() -> None:
    model = build_model("transformer", 64, **TINY_TRANSFORMER)
    compile_classifier(model, TrainingRecipe(learning_rate=1e-3, clipnorm=1.0, cosine_decay=True), total_steps=100)
    optimizer = model.optimizer
    assert optimizer.clipnorm == 1.0
    for step, expected in [(0, 1e-3), (50, 5e-4), (100, 0.0)]:
        optimizer.iterations.assign(step)
        assert float(optimizer.learning_rate) == pytest.approx(expected, rel=1e-4, abs=1e-9)


def test_paper_recipes_are_the_papers_plus_transformer_extras() -> None:
    recipe = recipe_for("transformer", preset="paper")
    assert (recipe.batch_size, recipe.epochs, recipe.learning_rate) == (256, 20, 1e-3)
    assert recipe.clipnorm == 1.0 and recipe.cosine_decay and recipe.class_weighted_loss
    assert not recipe.rc_augment and recipe.patience == 5
    assert recipe_for("cnn", preset="paper") == TrainingRecipe() == recipe_for("cnn_lstm", preset="paper")
    assert recipe_for("transformer", learning_rate=5e-4, preset="paper").learning_rate == 5e-4


def test_default_recipes_share_batches_augmentation_and_patience() -> None:
    recipes = {name: recipe_for(name) for name in ("cnn", "cnn_lstm", "transformer")}
    for recipe in recipes.values():
        assert (recipe.batch_size, recipe.rc_augment, recipe.patience) == (64, True, 10)
        assert not recipe.class_weighted_loss and not recipe.cosine_decay
    assert recipes["cnn"].epochs == recipes["transformer"].epochs == 20
    assert recipes["cnn_lstm"].epochs == 40  # its validation AUPRC was still rising at 20 on the development seed
    assert dataclasses.replace(recipes["cnn_lstm"], epochs=20) == recipes["cnn"] and recipes["cnn"].learning_rate == 2e-3
    assert (recipes["transformer"].learning_rate, recipes["transformer"].clipnorm) == (2e-3, 1.0)
    with pytest.raises(ScaInputError, match="unknown preset 'fast': expected one of default, paper"):
        recipe_for("cnn", preset="fast")


def test_positive_weight_only_where_the_recipe_asks_and_the_epoch_is_imbalanced() -> None:
    weighted = recipe_for("transformer", preset="paper")
    assert weighted.positive_weight(0.2, class_weighted_epoch=False) == pytest.approx(4.0)
    assert weighted.positive_weight(0.2, class_weighted_epoch=True) is None  # class weights already balance it
    assert weighted.positive_weight(0.5, class_weighted_epoch=False) is None  # resampled to balance
    assert TrainingRecipe().positive_weight(0.2, class_weighted_epoch=False) is None


def test_loss_per_example_for_custom_loops() -> None:
    y_true, y_pred = np.array([[1.0], [0.0]], "float32"), np.array([[0.9], [0.2]], "float32")
    plain = TrainingRecipe.loss(reduction=None)(y_true, y_pred)
    weighted = TrainingRecipe.loss(3.0, reduction=None)
    assert isinstance(weighted, WeightedBinaryCrossentropy)
    np.testing.assert_allclose(weighted(y_true, y_pred), np.asarray(plain) * [3.0, 1.0], rtol=1e-5)


def test_cosine_decay_needs_the_number_of_steps_and_bad_rates_are_refused() -> None:
    with pytest.raises(ScaInputError, match="cosine decay needs a positive number of training steps"):
        recipe_for("transformer", preset="paper").optimizer()
    with pytest.raises(ScaInputError, match="learning_rate: expected a positive number, got 0"):
        TrainingRecipe(learning_rate=0)
    assert isinstance(TrainingRecipe().optimizer(), keras.optimizers.Adam)


def test_compile_uses_paper_defaults_and_logs_val_auprc() -> None:
    rng = np.random.default_rng(5)
    x, y = one_hot(rng, 8), np.array([0, 1] * 4, dtype="float32")
    model = compile_classifier(tiny("cnn"))
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    assert model.optimizer.clipnorm is None
    history = model.fit(x, y, epochs=1, validation_data=(x, y), verbose=0).history
    assert {CHECKPOINT_MONITOR, "val_auroc", "val_precision", "val_recall", "val_accuracy"} <= set(history)
