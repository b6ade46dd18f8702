"""generate(): sampling a trained diffusion model or GAN into a FASTA with its provenance, refusing bad requests."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from sca_tf import precision as precision_module
from sca_tf.errors import ScaInputError
from sca_tf.models import build_model
from sca_tf.models.generative.base import one_hot_sequences
from sca_tf.models.generative.diffusion import build_diffusion_model
from sca_tf.models.generative.gan import build_gan
from sca_tf.models.generative.sampling import (
    DEFAULT_ETA,
    DEFAULT_GUIDANCE,
    DEFAULT_GUIDANCE_INTERVAL,
    DEFAULT_GUIDED_TEMPERATURE,
)
from sca_tf.synthetic.fasta import read_synthetic_fasta
from sca_tf.synthetic.generate import generate, load_generator


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("checkpoints")
    one_hot = one_hot_sequences(["ACGTACGTACGTACGT"] * 8)
    paths = {}
    diffusion = build_diffusion_model(16, schedule="cosine", timesteps=20, channels=8, dilations=(1,), kernel_size=3,
                                      groups=2, time_embedding_dim=8)
    diffusion.save(folder / "untrained.keras")
    diffusion.compile(optimizer="adam")
    diffusion.fit(one_hot, batch_size=4, epochs=1, verbose=0)
    diffusion.save(folder / "diffusion.keras")
    conditional = build_diffusion_model(16, schedule="cosine", timesteps=20, channels=8, dilations=(1,),
                                        kernel_size=3, groups=2, time_embedding_dim=8, class_names=("up", "down"))
    conditional.compile(optimizer="adam")
    conditional.fit(one_hot, np.array([0, 1] * 4, dtype="int32"), batch_size=4, epochs=1, verbose=0)
    conditional.save(folder / "conditional.keras")
    categorical = build_diffusion_model(16, schedule="cosine", timesteps=20, channels=8, dilations=(1,),
                                        kernel_size=3, groups=2, time_embedding_dim=8, class_names=("up", "down"),
                                        parameterization="categorical_x0")
    categorical.compile(optimizer="adam")
    categorical.fit(one_hot, np.array([0, 1] * 4, dtype="int32"), batch_size=4, epochs=1, verbose=0)
    categorical.save(folder / "categorical.keras")
    gan = build_gan(16, latent_dim=4, channels=8, n_layers=1, kernel_size=3, critic_steps=1)
    gan.compile()
    gan.fit(one_hot, batch_size=4, epochs=1, verbose=0)
    gan.save(folder / "gan.keras")
    build_model("cnn", 16, filters=(4,), kernel_sizes=(3,), pool_size=2, dense_units=(4,)).save(folder / "cnn.keras")
    (folder / "garbage.keras").write_text("not a zip")
    for name in ("untrained", "diffusion", "conditional", "categorical", "gan", "cnn", "garbage"):
        paths[name] = folder / f"{name}.keras"
    return paths


def test_generate_writes_a_valid_fasta_and_its_provenance(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    result = generate(checkpoints["diffusion"], 5, tmp_path / "out" / "synthetic.fa", seed=3, expected_length=16,
                      progress=False)
    records = read_synthetic_fasta(result.fasta, expected_length=16)
    assert len(records) == 5 == result.n and result.sequences_per_second > 0
    assert "sampler=ddim steps=20" in records.descriptions[0] and "seed=3" in records.descriptions[0]
    provenance = json.loads(result.provenance.read_text())
    assert provenance["model"]["class"] == "DiffusionModel" and provenance["model"]["trained_steps"] == 2
    assert len(provenance["checkpoint"]["sha256"]) == 64 and provenance["sampling"]["steps"] == 20
    again = generate(checkpoints["diffusion"], 5, tmp_path / "again.fa", seed=3, progress=False)
    assert read_synthetic_fasta(again.fasta).sequences == records.sequences
    gan = generate(checkpoints["gan"], 3, tmp_path / "gan.fa", progress=False)
    assert len(read_synthetic_fasta(gan.fasta, expected_length=16)) == 3


def test_fastas_of_two_conditions_concatenate_into_one_set(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    parts = [generate(checkpoints["conditional"], 3, tmp_path / f"{condition}.fa", condition=condition,
                      progress=False).fasta for condition in ("up", "down")]
    joined = tmp_path / "synthetic.fa"
    joined.write_text("".join(part.read_text() for part in parts))
    records = read_synthetic_fasta(joined, expected_length=16)
    assert records.ids[:2] == ["synthetic_up_000001", "synthetic_up_000002"]
    assert records.ids[3] == "synthetic_down_000001" and len(set(records.ids)) == 6
    assert "condition=down" in records.descriptions[3]


def test_default_sampler_settings_are_ddim_eta_1_and_guidance_with_a_condition(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    """DDIM, eta 1; guidance above 1 with a condition, 1 without one (guidance needs a condition); a guided
    categorical-x0 model's logits at the guided temperature, unguided requests at temperature 1."""
    conditional = generate(checkpoints["conditional"], 2, tmp_path / "up.fa", condition="up", progress=False)
    sampling = json.loads(conditional.provenance.read_text())["sampling"]
    assert (sampling["sampler"], sampling["eta"], sampling["guidance"]) == ("ddim", DEFAULT_ETA, DEFAULT_GUIDANCE)
    assert (tuple(sampling["guidance_interval"]), sampling["temperature"]) == (DEFAULT_GUIDANCE_INTERVAL, 1.0)
    assert DEFAULT_GUIDANCE != 1 and DEFAULT_ETA == 1 and DEFAULT_GUIDED_TEMPERATURE != 1
    unconditional = generate(checkpoints["conditional"], 2, tmp_path / "any.fa", progress=False)
    assert json.loads(unconditional.provenance.read_text())["sampling"]["guidance"] == 1
    guided = generate(checkpoints["categorical"], 2, tmp_path / "guided.fa", condition="up", progress=False)
    unguided = generate(checkpoints["categorical"], 2, tmp_path / "unguided.fa", progress=False)
    plain = generate(checkpoints["categorical"], 2, tmp_path / "plain.fa", condition="up", guidance=1.0,
                     progress=False)
    chosen_temperature = generate(checkpoints["categorical"], 2, tmp_path / "t.fa", condition="up", temperature=0.9,
                                  progress=False)
    assert [json.loads(result.provenance.read_text())["sampling"]["temperature"]
            for result in (guided, unguided, plain, chosen_temperature)] == [DEFAULT_GUIDED_TEMPERATURE, 1.0, 1.0, 0.9]
    chosen = generate(checkpoints["conditional"], 2, tmp_path / "chosen.fa", condition="up", eta=0.0, guidance=1.0,
                      guidance_interval=(0.2, 0.7), progress=False)
    sampling = json.loads(chosen.provenance.read_text())["sampling"]
    assert (sampling["eta"], sampling["guidance_interval"]) == (0.0, [0.2, 0.7])


@pytest.mark.parametrize("checkpoint, options, message", [
    ("diffusion", {"n": 0}, "positive integer, got 0"),
    ("diffusion", {"n": -5}, "positive integer, got -5"),
    ("diffusion", {"n": 2.5}, "positive integer, got 2.5"),
    ("untrained", {}, "never trained"),
    ("cnn", {}, "holds a CNNClassifier, not an sca-tf generative model"),
    ("garbage", {}, "cannot load a Keras model"),
    ("diffusion", {"expected_length": 2000}, "generates 16-base sequences, but the dataset's promoters have 2000"),
    ("diffusion", {"condition": "up"}, "unconditional"),
    ("diffusion", {"sampler": "ddpm", "steps": 5}, "all 20 steps"),
    ("gan", {"sampler": "ddim"}, "diffusion models only"),
    ("gan", {"eta": 0.0}, "diffusion models only"),
    ("gan", {"guidance_interval": (0.1, 0.5)}, "guidance_interval apply to diffusion models only"),
    ("conditional", {"condition": "up", "guidance_interval": (0.5, 0.5)}, "low < high"),
    ("conditional", {"condition": "up", "guidance_interval": 0.5}, "two numbers"),
])
def test_generate_refuses_bad_requests_without_writing(tmp_path: Path, checkpoints: dict[str, Path], checkpoint: str,
                                                       options: dict, message: str) -> None:
    out = tmp_path / "synthetic.fa"
    with pytest.raises(ScaInputError, match=message):
        generate(checkpoints[checkpoint], **{"n": 2, "out_fasta": out, "progress": False, **options})
    assert not out.exists() and not Path(f"{out}.json").exists()


def test_load_generator_refuses_missing_or_misnamed_files(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match="checkpoint file not found"):
        load_generator(tmp_path / "missing.keras")
    with pytest.raises(ScaInputError, match="expected a .keras checkpoint"):
        load_generator(tmp_path / "model.weights.h5")


def test_load_generator_defaults_to_the_auto_policy_as_generate_does(checkpoints: dict[str, Path], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """On a CPU listing avx512_bf16 (and no GPU), a load without ``precision`` builds the network in bfloat16."""
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_bf16\n")
    monkeypatch.setattr(precision_module, "_CPUINFO", cpuinfo)
    monkeypatch.setattr(precision_module, "_gpu_capabilities", list)
    model = load_generator(checkpoints["conditional"])
    convolutions = [layer for layer in model.denoiser.layers if isinstance(layer, keras.layers.Conv1D)]
    assert {layer.compute_dtype for layer in convolutions[:-1]} == {"bfloat16"}


@pytest.mark.parametrize("precision, compute_dtype", [("float32", "float32"), ("mixed_bfloat16", "bfloat16")])
def test_load_generator_builds_the_network_under_the_requested_policy(checkpoints: dict[str, Path], precision: str,
                                                                      compute_dtype: str) -> None:
    """A checkpoint trained under float32 loads under either policy, the global policy left as it was."""
    before = keras.mixed_precision.global_policy().name
    model = load_generator(checkpoints["conditional"], precision)
    convolutions = [layer for layer in model.denoiser.layers if isinstance(layer, keras.layers.Conv1D)]
    assert {layer.compute_dtype for layer in convolutions[:-1]} == {compute_dtype}
    assert convolutions[-1].compute_dtype == "float32"  # the output head stays float32
    assert {weight.dtype for weight in model.denoiser.weights} == {"float32"}
    assert keras.mixed_precision.global_policy().name == before
    scores = model.sample_one_hot(2, steps=4, condition="up")
    assert scores.dtype == np.float32 and np.isfinite(scores).all()


def test_generate_records_the_policy_it_sampled_under(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    result = generate(checkpoints["diffusion"], 2, tmp_path / "bf16.fa", precision="mixed_bfloat16", progress=False)
    assert json.loads(result.provenance.read_text())["sampling"]["precision"] == "mixed_bfloat16"
    assert "precision=mixed_bfloat16" in read_synthetic_fasta(result.fasta).descriptions[0]
    with pytest.raises(ScaInputError, match="unknown precision 'half'"):
        generate(checkpoints["diffusion"], 2, tmp_path / "bad.fa", precision="half", progress=False)
    assert not (tmp_path / "bad.fa").exists()
