"""Keras model zoo: construction, serialisation, feature head, learning, and clear errors for bad input."""

from __future__ import annotations

import math
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from sca_tf.errors import ScaInputError
from sca_tf.models import (
    FEATURE_LAYER,
    MODEL_NAMES,
    SinusoidalPositionalEncoding,
    TopKPooling1D,
    WeightedBinaryCrossentropy,
    build_model,
    default_hparams,
    feature_extractor,
    load_classifier,
    model_class,
)
from sca_tf.training.nan_guard import NaNLossGuard, NonFiniteLossError
from sca_tf.training.recipe import CHECKPOINT_MONITOR, TrainingRecipe, compile_classifier

LENGTH = 64
TINY_HPARAMS = {
    "cnn": {"filters": (4, 8), "kernel_sizes": (5, 3), "pool_size": 2, "dense_units": (6,)},
    "cnn_lstm": {"filters": (4,), "kernel_sizes": (5,), "pool_size": 4, "lstm_units": 3, "dense_units": (6,)},
    "transformer": {"stride": 8, "d_model": 8, "num_layers": 1, "num_heads": 2, "ff_dim": 8, "dense_units": (6,)},
}
BASES = np.eye(4, dtype="float32")


def one_hot(rng: np.random.Generator, n: int, length: int = LENGTH) -> np.ndarray:
    return BASES[rng.integers(0, 4, (n, length))]


def tiny(name: str, **overrides: object) -> keras.Model:
    return build_model(name, LENGTH, **{**TINY_HPARAMS[name], **overrides})


def test_registry_lists_every_model() -> None:
    assert MODEL_NAMES == ("cnn", "cnn_lstm", "transformer")
    for name in MODEL_NAMES:
        assert model_class(name).model_name == name
        assert set(TINY_HPARAMS[name]) <= set(default_hparams(name))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_outputs_one_probability_per_sequence(name: str) -> None:
    model = tiny(name)
    probabilities = model.predict(one_hot(np.random.default_rng(0), 5), verbose=0)
    assert probabilities.shape == (5, 1)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    assert model.name == name


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_trained_model_round_trips_through_keras_file(name: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    x, y = one_hot(rng, 16), rng.integers(0, 2, 16).astype("float32")
    model = compile_classifier(tiny(name), TrainingRecipe(clipnorm=1.0, cosine_decay=True), total_steps=10,
                               positive_weight=2.0)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")

    reloaded = keras.models.load_model(tmp_path / "model.keras")

    assert type(reloaded) is type(model)
    assert reloaded.get_config() == model.get_config()
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert reloaded.loss.positive_weight == 2.0


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_config_rebuilds_the_same_architecture(name: str) -> None:
    model = tiny(name, dropout=0.3)
    rebuilt = type(model).from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]
    assert [w.shape for w in rebuilt.weights] == [w.shape for w in model.weights]
    assert model.get_config()["dropout"] == 0.3


def test_defaults_are_the_measured_architectures() -> None:
    cnn = build_model("cnn", 2000)
    assert [cnn.get_layer(f"conv_{i}").kernel.shape for i in (1, 2, 3)] == [(15, 4, 64), (11, 64, 128), (8, 128, 256)]
    assert cnn.get_layer(FEATURE_LAYER).units == 64
    assert cnn.count_params() == 865_921

    transformer = build_model("transformer", 2000)
    assert tuple(transformer.get_layer("stem").output.shape) == (None, 250, 64)
    attention = [layer for layer in transformer.layers if isinstance(layer, keras.layers.MultiHeadAttention)]
    assert [layer.num_heads for layer in attention] == [8, 8, 8]

    assert tuple(build_model("cnn_lstm", 2000).get_layer("bilstm").output.shape) == (None, 125, 128)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_feature_extractor_returns_the_penultimate_embedding(name: str) -> None:
    model = tiny(name)
    x = one_hot(np.random.default_rng(2), 4)

    features = feature_extractor(model).predict(x, verbose=0)

    assert features.shape == (4, TINY_HPARAMS[name]["dense_units"][-1])
    output = model.get_layer("probability")
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in (output.kernel, output.bias))
    head = 1 / (1 + np.exp(-(features @ kernel + bias)))
    np.testing.assert_allclose(head, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_models_run_under_mixed_precision_with_float32_outputs() -> None:
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = tiny("transformer")
        x = one_hot(np.random.default_rng(6), 3)
        assert model.predict(x, verbose=0).dtype == np.float32
        assert feature_extractor(model).predict(x, verbose=0).dtype == np.float32
        assert model.get_layer("positional_encoding").compute_dtype == "bfloat16"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_feature_extractor_names_the_missing_layer() -> None:
    inputs = keras.Input((LENGTH, 4))
    plain = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(inputs)))
    with pytest.raises(ScaInputError, match="no layer 'features'"):
        feature_extractor(plain)


def test_cnn_learns_a_planted_motif_along_the_sequence() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    length, motif = 100, np.array(["ACGT".index(base) for base in "GATTACAG"])
    codes = rng.integers(0, 4, (400, length))
    labels = (np.arange(400) % 2).astype("float32")
    for row in np.flatnonzero(labels):
        start = rng.integers(0, length - motif.size)
        codes[row, start : start + motif.size] = motif
    x = BASES[codes]
    model = build_model("cnn", length, filters=(16,), kernel_sizes=(9,), pool_size=4, dense_units=(8,),
                        pooling="global_max", dropout=0.0)
    assert model.get_layer("conv_1").kernel.shape == (9, 4, 16)  # slides along the sequence, sees all 4 bases
    compile_classifier(model, TrainingRecipe(learning_rate=1e-2))

    model.fit(x[:320], labels[:320], batch_size=32, epochs=6, verbose=0)

    assert roc_auc_score(labels[320:], model.predict(x[320:], verbose=0).ravel()) > 0.9


def test_top_k_pooling_keeps_the_largest_values_of_each_channel_in_order() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 20, 5)).astype("float32")
    pooled = keras.ops.convert_to_numpy(TopKPooling1D(k=3)(x)).reshape(3, 5, 3)
    np.testing.assert_array_equal(pooled, -np.sort(-x.transpose(0, 2, 1), axis=-1)[..., :3])
    with pytest.raises(ValueError, match="positive integer"):
        TopKPooling1D(k=0)


def test_top_k_cnn_counts_motif_copies_that_global_max_cannot() -> None:
    """Positives hold two copies of a motif, negatives one: only a model that sees more than the maximum can tell."""
    rng = np.random.default_rng(0)
    length, n, motif = 120, 800, np.array(["ACGT".index(base) for base in "GATTACAG"])
    codes, labels = rng.integers(0, 4, (n, length)), (np.arange(n) % 2).astype("float32")
    for row, label in enumerate(labels):
        for start in rng.choice(np.arange(0, length - motif.size, motif.size), 1 + int(label), replace=False):
            codes[row, start : start + motif.size] = motif
    x = BASES[codes]
    aurocs = {}
    for pooling in ("global_max", "top_k"):
        keras.utils.set_random_seed(0)
        model = build_model("cnn", length, filters=(32,), kernel_sizes=(9,), pool_size=2, dense_units=(16,),
                            pooling=pooling, top_k=2, dropout=0.0)
        compile_classifier(model, TrainingRecipe(learning_rate=1e-3))
        model.fit(x[:600], labels[:600], batch_size=32, epochs=15, verbose=0)
        aurocs[pooling] = roc_auc_score(labels[600:], model.predict(x[600:], verbose=0).ravel())
    assert aurocs["top_k"] > 0.9
    assert aurocs["top_k"] - aurocs["global_max"] > 0.1


def test_top_k_cnn_round_trips_through_keras_file(tmp_path: Path) -> None:
    model = tiny("cnn", pooling="top_k", top_k=3)
    x = one_hot(np.random.default_rng(5), 4)
    model.save(tmp_path / "model.keras")
    reloaded = keras.models.load_model(tmp_path / "model.keras")
    assert reloaded.get_config()["pooling"] == "top_k" and reloaded.get_layer("top_k").k == 3
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_unknown_model_name_lists_the_valid_names() -> None:
    with pytest.raises(ScaInputError, match="unknown model 'resnet'.*cnn, cnn_lstm, transformer"):
        build_model("resnet", LENGTH)


def test_unknown_hyperparameter_lists_the_valid_ones() -> None:
    with pytest.raises(ScaInputError, match="unknown hyperparameter.*n_filters.*expected any of filters, kernel_sizes"):
        build_model("cnn", LENGTH, n_filters=32)


@pytest.mark.parametrize(
    ("name", "hparams", "message"),
    [
        ("cnn", {"filters": (4, 8), "kernel_sizes": (5,)}, "expected 2 values"),
        ("cnn", {"filters": (4,), "kernel_sizes": (5,), "pool_size": 128}, "too short"),
        ("cnn", {"dropout": 1.5}, "dropout rate"),
        ("cnn", {"pooling": "attention"}, "flatten, global_max, global_average, top_k"),
        ("cnn", {"filters": (4,), "kernel_sizes": (5,), "pooling": "top_k", "top_k": 20},
         "top_k 20 is more than the 16 positions"),
        ("cnn", {"top_k": 0}, "top_k"),
        ("transformer", {"d_model": 10, "num_heads": 4}, "must divide d_model=10"),
        ("transformer", {"stem": "lstm"}, "conv, patch"),
    ],
)
def test_invalid_hyperparameter_values_are_rejected(name: str, hparams: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        build_model(name, LENGTH, **hparams)



def test_load_classifier_checks_the_model_name(tmp_path: Path) -> None:
    tiny("cnn").save(tmp_path / "cnn.keras")
    assert load_classifier(tmp_path / "cnn.keras", expected_model="cnn").model_name == "cnn"
    with pytest.raises(ScaInputError, match="holds a 'cnn' classifier, expected 'transformer'"):
        load_classifier(tmp_path / "cnn.keras", expected_model="transformer")
    with pytest.raises(ScaInputError, match="not found"):
        load_classifier(tmp_path / "missing.keras")


def test_nan_loss_stops_training_with_epoch_and_batch() -> None:
    rng = np.random.default_rng(4)
    x, y = one_hot(rng, 32), rng.integers(0, 2, 32).astype("float32")
    y[20] = np.nan  # third batch of 8 (a NaN base is silently zeroed by ReLU/max-pool, a NaN label is not)
    model = compile_classifier(tiny("cnn"))
    with pytest.raises(NonFiniteLossError, match=r"loss became nan at epoch 1, batch 3: check the inputs"):
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, callbacks=[NaNLossGuard()], verbose=0)
    assert model.stop_training


def test_weighted_loss_scales_positive_terms_only() -> None:
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]], dtype="float32")
    y_pred = np.array([[0.9], [0.2], [0.4], [0.7]], dtype="float32")
    per_example = -(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)).ravel()
    expected = np.mean(per_example * np.where(y_true.ravel() == 1, 3.0, 1.0))
    loss = WeightedBinaryCrossentropy(positive_weight=3.0)
    assert float(loss(y_true, y_pred)) == pytest.approx(expected, rel=1e-5)
    assert float(WeightedBinaryCrossentropy(1.0)(y_true, y_pred)) == pytest.approx(per_example.mean(), rel=1e-5)
    assert WeightedBinaryCrossentropy.from_config(loss.get_config()).positive_weight == 3.0


def test_compile_uses_paper_defaults_and_logs_val_auprc() -> None:
    rng = np.random.default_rng(5)
    x, y = one_hot(rng, 8), np.array([0, 1] * 4, dtype="float32")
    model = compile_classifier(tiny("cnn"))
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    assert model.optimizer.clipnorm is None
    history = model.fit(x, y, epochs=1, validation_data=(x, y), verbose=0).history
    assert {CHECKPOINT_MONITOR, "val_auroc", "val_precision", "val_recall", "val_accuracy"} <= set(history)


def test_sinusoidal_positional_encoding_matches_the_formula() -> None:
    depth, length = 6, 7
    layer = SinusoidalPositionalEncoding(max_wavelength=100.0)
    encoded = keras.ops.convert_to_numpy(layer(np.ones((2, length, depth), "float32")))
    position = np.arange(length)[:, None]
    angle = position / 100.0 ** (2 * (np.arange(depth) // 2) / depth)
    expected = 1 + np.where(np.arange(depth) % 2 == 0, np.sin(angle), np.cos(angle))
    np.testing.assert_allclose(encoded[1], expected, atol=1e-5)
    assert SinusoidalPositionalEncoding.from_config(layer.get_config()).max_wavelength == 100.0
    assert math.isclose(encoded[0, 0, 1], 2.0)
