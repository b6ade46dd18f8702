"""The U-Net denoiser: shapes at any length, skips and levels, conditioning, save/load, training, bad settings."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from sca_tf.errors import ScaInputError
from sca_tf.models.generative.diffusion import DiffusionModel, build_diffusion_model
from sca_tf.models.generative.unet import UNetDenoiser
from sca_tf.models.layers import ByteDropoutAttention

TINY_UNET = {"patch_size": 2, "channels": (8, 16), "down_factors": (2,), "bottleneck_dilations": (1, 2),
             "kernel_size": 3, "groups": 2, "time_embedding_dim": 8}


@pytest.mark.parametrize("length", [32, 30, 7])
def test_any_length_comes_back_at_that_length(length: int) -> None:
    """A length that is not a multiple of patch x down factors (4 here) is padded inside and cropped back."""
    denoiser = UNetDenoiser(length, **TINY_UNET)
    noisy = np.random.default_rng(0).standard_normal((2, length, 4)).astype("float32")
    assert tuple(denoiser([noisy, np.array([0, 3])]).shape) == (2, length, 4)
    assert ({"pad", "crop"} <= {layer.name for layer in denoiser.layers}) == (length % 4 != 0)


def test_levels_shorten_the_sequence_and_the_way_up_takes_the_skips() -> None:
    denoiser = UNetDenoiser(64, patch_size=4, channels=(8, 16, 16), down_factors=(2, 2), bottleneck_dilations=(1,),
                            kernel_size=3, groups=2, time_embedding_dim=8)
    names = {layer.name for layer in denoiser.layers}
    assert {"up_0_skip", "up_1_skip", "bottleneck_block_1_time", "down_0_block_1_time", "up_1_block_1_time"} <= names
    assert denoiser.get_layer("patch_embedding").output.shape[1] == 16  # 64 bases / patches of 4
    assert denoiser.get_layer("bottleneck_block_1_residual").output.shape[1:] == (4, 16)  # / 2 / 2
    assert denoiser.get_layer("up_0_skip").output.shape[1:] == (16, 16)  # lengthened 8 + skip 8 channels


def test_bottleneck_attention_runs_over_the_coarse_positions() -> None:
    plain = UNetDenoiser(64, **TINY_UNET)
    attending = UNetDenoiser(64, bottleneck_attention_heads=2, **TINY_UNET)
    assert "bottleneck_attention_heads" not in {layer.name for layer in plain.layers}
    heads = attending.get_layer("bottleneck_attention_heads")
    assert heads.output.shape[1:] == (16, 16)  # 64 bases / patches of 2 / 2, at the coarsest width
    assert isinstance(heads, ByteDropoutAttention)  # the byte-mask dropout, not stock per-entry floats
    assert (heads.num_heads, heads.key_dim) == (2, 8)
    # query, key, value and output projections of 16 x 16 with biases, and the GroupNorm's scale and offset
    assert attending.count_params() - plain.count_params() == 4 * (16 * 16 + 16) + 2 * 16
    assert attending.hparams["bottleneck_attention_heads"] == 2 and plain.hparams["bottleneck_attention_heads"] == 0


def test_output_starts_at_zero_and_depends_on_time_and_class() -> None:
    denoiser = UNetDenoiser(16, n_classes=2, **TINY_UNET)
    assert [tensor.name for tensor in denoiser.inputs] == ["noisy", "timestep", "class_label"]
    noisy = np.random.default_rng(0).standard_normal((2, 16, 4)).astype("float32")
    output = denoiser.get_layer("noise")
    kernel, bias = output.get_weights()
    np.testing.assert_array_equal(kernel, 0)
    output.set_weights([np.random.default_rng(1).standard_normal(kernel.shape).astype("float32"), bias])

    def run(t: int, label: int) -> np.ndarray:
        return keras.ops.convert_to_numpy(denoiser([noisy, np.array([t, t]), np.array([label, label])]))

    assert np.abs(run(0, 0) - run(40, 0)).max() > 1e-3
    assert np.abs(run(5, 0) - run(5, 1)).max() > 1e-3


def test_a_self_conditioning_unet_reads_its_previous_estimate() -> None:
    denoiser = UNetDenoiser(16, n_classes=2, self_conditioning=True, **TINY_UNET)
    assert [tensor.name for tensor in denoiser.inputs] == ["noisy", "timestep", "class_label", "previous_estimate"]
    output = denoiser.get_layer("noise")
    kernel, bias = output.get_weights()
    output.set_weights([np.random.default_rng(1).standard_normal(kernel.shape).astype("float32"), bias])
    noisy = np.random.default_rng(0).standard_normal((2, 16, 4)).astype("float32")
    estimate = 2 * np.eye(4, dtype="float32")[np.random.default_rng(2).integers(0, 4, (2, 16))] - 1

    def run(previous: np.ndarray) -> np.ndarray:
        return keras.ops.convert_to_numpy(denoiser([noisy, np.array([5, 5]), np.array([0, 0]), previous]))

    assert np.abs(run(estimate) - run(np.zeros_like(estimate))).max() > 1e-3


@pytest.mark.parametrize("self_conditioning, attention_heads", [(False, 0), (True, 0), (True, 2)])
def test_a_unet_diffusion_model_trains_saves_and_reloads(tmp_path: Path, self_conditioning: bool,
                                                         attention_heads: int) -> None:
    model = build_diffusion_model(16, timesteps=20, class_names=("up", "down"), parameterization="categorical_x0",
                                  denoiser="unet", self_conditioning=self_conditioning,
                                  bottleneck_attention_heads=attention_heads, **TINY_UNET)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    one_hot = np.eye(4, dtype="float32")[np.random.default_rng(0).integers(0, 4, (8, 16))]
    history = model.fit(one_hot, np.array([0, 1] * 4), batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][-1]) and model.steps_trained == 2
    model.save(tmp_path / "unet.keras")
    loaded = keras.models.load_model(tmp_path / "unet.keras")
    assert isinstance(loaded, DiffusionModel) and isinstance(loaded.denoiser, UNetDenoiser)
    assert loaded.denoiser.hparams == model.denoiser.hparams
    assert loaded.generate(2, steps=3, seed=1, condition="down") == model.generate(2, steps=3, seed=1, condition="down")


def test_registered_name_is_stable() -> None:
    assert keras.saving.get_registered_name(UNetDenoiser) == "sca_tf>UNetDenoiser"


@pytest.mark.parametrize("settings, message", [
    ({"channels": (8, 9)}, "divisible"),
    ({"down_factors": (2, 2)}, "down_factors"),
    ({"channels": (8,), "down_factors": (2,)}, "one-level"),
    ({"patch_size": 0}, "patch_size"),
    ({"bottleneck_dilations": ()}, "non-empty"),
    ({"bottleneck_attention_heads": 3}, "must divide"),
    ({"bottleneck_attention_heads": -1}, "integer >= 0"),
])
def test_bad_unet_settings_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        UNetDenoiser(16, **{**TINY_UNET, **settings})


def test_unknown_denoiser_is_refused() -> None:
    with pytest.raises(ScaInputError, match="denoiser 'flat': expected one of residual, unet"):
        build_diffusion_model(16, denoiser="flat")
