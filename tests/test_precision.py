"""Mixed precision: ``auto`` from the hardware, the policy restored after building, float32 in and out of a model."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from cli.cli_parser import option
from training_data import planted_splits

from sca_tf.errors import ScaInputError
from sca_tf.precision import PRECISIONS, precision_policy, resolve_precision
from sca_tf.training import TrainConfig, train_classifier

TINY_CNN = {"filters": (16,), "kernel_sizes": (8,), "pool_size": 4, "dense_units": (8,), "pooling": "global_max"}
PLAIN_CPU = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n"
BF16_CPU = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n"
AMX_CPU = "processor\t: 0\nflags\t\t: fpu avx2 amx_tile amx_bf16\n"


@pytest.mark.parametrize(("cpuinfo", "gpus", "expected"), [
    (PLAIN_CPU, [], "float32"),
    (BF16_CPU, [], "mixed_bfloat16"),
    (AMX_CPU, [], "mixed_bfloat16"),
    ("avx512_bf16 outside a flags line\n", [], "float32"),
    (PLAIN_CPU, [(8, 0)], "mixed_bfloat16"),
    (BF16_CPU, [(7, 5)], "mixed_float16"),
    (PLAIN_CPU, [(9, 0), (7, 0)], "mixed_float16"),
])
def test_auto_follows_the_hardware(cpuinfo: str, gpus: list[tuple[int, int]], expected: str) -> None:
    assert resolve_precision("auto", cpuinfo=cpuinfo, gpu_capabilities=gpus) == expected


def test_an_explicit_precision_is_kept_and_an_unknown_one_refused() -> None:
    for name in PRECISIONS[1:]:
        assert resolve_precision(name, cpuinfo=BF16_CPU, gpu_capabilities=[]) == name
    with pytest.raises(ScaInputError, match="unknown precision 'bogus'; choose one of auto, float32"):
        resolve_precision("bogus")
    with pytest.raises(ScaInputError, match="unknown precision 'bogus'"):
        TrainConfig(precision="bogus")
    with pytest.raises(ScaInputError, match="unknown precision 'fp16'"):
        TrainConfig.from_mapping({"precision": "fp16"})


def test_the_policy_is_restored_after_the_context() -> None:
    before = keras.mixed_precision.global_policy().name
    with precision_policy("mixed_bfloat16") as policy:
        assert policy == keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    assert keras.mixed_precision.global_policy().name == before
    with pytest.raises(RuntimeError), precision_policy("mixed_float16"):
        raise RuntimeError("build failed")
    assert keras.mixed_precision.global_policy().name == before


def test_keras_wraps_the_optimizer_for_float16_by_itself() -> None:
    with precision_policy("mixed_float16"):
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, dtype="float32")])
        model.compile(optimizer="adam", loss="mse")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def test_a_bfloat16_model_trains_and_reloads_with_float32_in_and_out(tmp_path: Path) -> None:
    before = keras.mixed_precision.global_policy().name
    config = TrainConfig(model="cnn", hparams=TINY_CNN, epochs=2, batch_size=32, learning_rate=1e-2, seed=3,
                         precision="mixed_bfloat16", verbose=0)
    result = train_classifier(planted_splits(), config, tmp_path / "run")
    assert keras.mixed_precision.global_policy().name == before
    recorded = json.loads((result.run_dir / "config.json").read_text())
    assert recorded["precision"] == "mixed_bfloat16"
    assert recorded["train_config"]["precision"] == "mixed_bfloat16"
    reloaded = keras.models.load_model(result.model_path)
    assert reloaded.inputs[0].dtype == "float32"
    prediction = reloaded.predict(np.zeros((2, *reloaded.inputs[0].shape[1:]), np.float32), verbose=0)
    assert prediction.dtype == np.float32 and np.isfinite(prediction).all()


def test_config_json_records_the_resolved_auto_policy(tmp_path: Path) -> None:
    assert TrainConfig().precision == "auto"  # bfloat16 where the hardware has it
    config = TrainConfig(model="cnn", hparams=TINY_CNN, epochs=1, batch_size=32, seed=3, precision="auto", verbose=0)
    result = train_classifier(planted_splits(), config, tmp_path / "run")
    recorded = json.loads((result.run_dir / "config.json").read_text())
    assert recorded["precision"] == resolve_precision("auto") and recorded["train_config"]["precision"] == "auto"


def test_the_train_verb_offers_the_precisions() -> None:
    assert option("train", "precision").choices is PRECISIONS
