"""Generate synthetic promoters from a trained checkpoint into a FASTA (``sca-tf generate``).

>>> from sca_tf.synthetic.generate import generate
>>> result = generate("runs/ddpm/diffusion.keras", 500, "out/synthetic.fa", sampler="ddim", steps=50,
...                   seed=0, expected_length=2000)  # doctest: +SKIP
>>> result.sequences_per_second  # doctest: +SKIP

Beside the FASTA, ``<fasta>.json`` records the checkpoint (path and SHA-256), the model, how it sampled (the dtype
policy included), the seed and the speed. The network runs under ``precision``'s policy, resolved as training's
(``auto``: bfloat16 where the hardware has it); its weights are float32 under every policy, so any checkpoint loads
under any of them. Refused before anything is written: ``n <= 0``, a missing or unreadable checkpoint, one holding a
classifier instead of a generator, one that was never trained, one made for another sequence length than the
dataset's, and a condition (or sampler setting) the model does not support.
"""

from __future__ import annotations

import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras

from sca_tf.errors import ScaInputError
from sca_tf.io import ensure_output_dir, write_json
from sca_tf.models.generative.base import SequenceGenerator, check_count
from sca_tf.models.generative.diffusion import DiffusionModel
from sca_tf.models.generative.gan import PromoterGAN
from sca_tf.models.generative.sampling import (
    DEFAULT_ETA,
    DEFAULT_GUIDANCE,
    DEFAULT_GUIDANCE_INTERVAL,
    default_steps,
    default_temperature,
)
from sca_tf.precision import precision_policy, resolve_precision
from sca_tf.provenance import library_versions, sha256_of
from sca_tf.synthetic.fasta import write_synthetic_fasta


@dataclass(frozen=True)
class GenerationResult:
    """Where the sequences went and how fast they came."""

    fasta: Path
    provenance: Path
    n: int
    seconds: float

    @property
    def sequences_per_second(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else float("inf")


def load_generator(checkpoint: str | os.PathLike[str], precision: str = "auto") -> SequenceGenerator:
    """Load a trained sca-tf generative model (:class:`DiffusionModel` or :class:`PromoterGAN`) from ``.keras``,
    its layers built under the dtype policy ``precision`` (a :data:`~sca_tf.precision.PRECISIONS` name)."""
    policy = resolve_precision(precision)
    path = Path(checkpoint)
    if not path.name.endswith(".keras"):
        raise ScaInputError(f"{path}: expected a .keras checkpoint saved by the diffusion or GAN trainer")
    if not path.is_file():
        raise ScaInputError(f"{path}: checkpoint file not found")
    try:
        with precision_policy(policy):
            model = keras.models.load_model(path, compile=False)
    except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise ScaInputError(f"{path}: cannot load a Keras model from this file ({exc})") from exc
    if not isinstance(model, SequenceGenerator):
        raise ScaInputError(
            f"{path}: holds a {type(model).__name__}, not an sca-tf generative model "
            f"({DiffusionModel.__name__} or {PromoterGAN.__name__})"
        )
    if model.steps_trained == 0:
        raise ScaInputError(f"{path}: the {type(model).__name__} in this checkpoint was never trained (0 steps)")
    return model


def generate(
    checkpoint: str | os.PathLike[str],
    n: int,
    out_fasta: str | os.PathLike[str],
    *,
    sampler: str | None = None,
    steps: int | None = None,
    eta: float | None = None,
    guidance: float | None = None,
    guidance_interval: tuple[float, float] | None = None,
    temperature: float | None = None,
    seed: int = 0,
    condition: str | None = None,
    batch_size: int = 64,
    precision: str = "auto",
    expected_length: int | None = None,
    progress: bool = True,
) -> GenerationResult:
    """Sample ``n`` sequences from ``checkpoint`` and write them to ``out_fasta`` (+ ``out_fasta.json``).

    Args:
        sampler: ``ddim`` (default for diffusion) or ``ddpm``; must be ``None`` for a GAN.
        steps: DDIM steps (default 50); ``None`` or ``T`` for DDPM; ``None`` for a GAN.
        eta: DDIM stochasticity (0 = deterministic; default :data:`DEFAULT_ETA`).
        guidance: classifier-free guidance weight with a ``condition`` (1 = plain conditional sampling; default
            :data:`DEFAULT_GUIDANCE` with a condition on a model trained with condition dropout, else 1).
        guidance_interval: fractions of the schedule (0 clean, 1 noise) where guidance applies (default
            :data:`DEFAULT_GUIDANCE_INTERVAL`).
        temperature: clean-base logit temperature of a ``categorical_x0`` model (default
            :data:`DEFAULT_GUIDED_TEMPERATURE` with guidance other than 1, else 1).
        The sampler, steps, eta, guidance and temperature defaults are the 2 kb recipe's (README); the guidance
        interval is off by default.
        seed: seed of the starting noise / latent vectors.
        condition: class to generate (e.g. ``up``) for a conditional model; ``None`` = unconditional.
        precision: dtype policy of the network (``auto``: bfloat16 where the hardware has it, as in training).
        expected_length: the dataset's promoter length; a checkpoint for another length is refused.

    Records are named ``synthetic_<condition>_000001`` (``synthetic_000001`` without a condition), so the FASTAs
    of different conditions can be concatenated into one set.
    """
    n = check_count(n)
    policy = resolve_precision(precision)
    model = load_generator(checkpoint, policy)
    if expected_length is not None and model.sequence_length != expected_length:
        raise ScaInputError(
            f"{checkpoint}: the model generates {model.sequence_length}-base sequences, but the dataset's "
            f"promoters have {expected_length} bases"
        )
    options = _sampler_options(model, condition, sampler=sampler, steps=steps, eta=eta, guidance=guidance,
                               guidance_interval=guidance_interval, temperature=temperature)
    out = Path(out_fasta)
    ensure_output_dir(out.parent)
    began = time.perf_counter()
    sequences = model.generate(n, seed=seed, condition=condition, batch_size=batch_size, progress=progress, **options)
    seconds = time.perf_counter() - began
    settings = {"model": type(model).__name__, **options, "precision": policy, "seed": seed,
                "condition": condition or "none"}
    prefix = f"synthetic_{condition}" if condition else "synthetic"
    write_synthetic_fasta(sequences, out, prefix=prefix, annotations=settings)
    provenance = write_json(Path(f"{out}.json"), {
        "fasta": str(out.resolve()),
        "n": n,
        "sequence_length": model.sequence_length,
        "checkpoint": {"path": str(Path(checkpoint).resolve()), "sha256": sha256_of(Path(checkpoint))},
        "model": {"class": type(model).__name__, "trained_steps": model.steps_trained, "config": model.get_config()},
        "sampling": {**options, "precision": policy, "seed": seed, "condition": condition,
                     "batch_size": batch_size},
        "seconds": round(seconds, 3),
        "sequences_per_second": n / seconds if seconds > 0 else None,
        "versions": library_versions(),
    })
    return GenerationResult(out, provenance, n, seconds)


def _sampler_options(model: SequenceGenerator, condition: str | None, **requested: Any) -> dict[str, Any]:
    """The diffusion sampler's settings, the defaults filled in; a GAN takes none."""
    if not isinstance(model, DiffusionModel):
        given = [name for name, value in requested.items() if value is not None]
        if given:
            raise ScaInputError(f"a {type(model).__name__} samples in one pass from latent vectors: "
                                f"{', '.join(given)} apply to diffusion models only")
        return {}
    sampler = requested["sampler"] or "ddim"
    guided = condition is not None and model.condition_dropout > 0
    guidance = (DEFAULT_GUIDANCE if guided else 1.0) if requested["guidance"] is None else requested["guidance"]
    defaults = {
        "sampler": sampler,
        "steps": default_steps(sampler, model.schedule.timesteps),
        "eta": DEFAULT_ETA,
        "guidance": guidance,
        "guidance_interval": DEFAULT_GUIDANCE_INTERVAL,
        "temperature": default_temperature(guidance != 1, model.parameterization),
    }
    return {name: default if requested[name] is None else requested[name] for name, default in defaults.items()}
