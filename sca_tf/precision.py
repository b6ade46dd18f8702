"""Mixed-precision policy of training, sampling and export: ``auto`` picks bfloat16 where the hardware has it.

``auto`` resolves to ``mixed_bfloat16`` on a CPU with AVX512-BF16 or AMX-BF16 or a GPU of compute capability
>= 8.0, ``mixed_float16`` on an older GPU (Keras 3 wraps the optimizer in ``LossScaleOptimizer`` at compile time)
and ``float32`` otherwise. The classifier head and the losses stay float32, so saved models take and return float32.

Training defaults to ``auto`` (``TrainConfig.precision``). Quality, measured with
``benchmarks/precision_quality.py --deterministic`` on the simulated default (default CNN with the fused batch
norm, 528 test genes, 81 DE): ``mixed_bfloat16`` against float32 test AUROC 0.968 vs 0.968 / AUPRC 0.858 vs 0.863
(seed 0) and 0.962 vs 0.969 / 0.811 vs 0.815 (seed 1): within 0.01 on both, at 2.7-2.8 vs 3.4 s per epoch.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import keras
import tensorflow as tf

from sca_tf.errors import ScaInputError

log = logging.getLogger(__name__)

PRECISIONS = ("auto", "float32", "mixed_bfloat16", "mixed_float16")
_CPU_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
_CPUINFO = Path("/proc/cpuinfo")


def check_precision(requested: str) -> None:
    """Refuse a precision outside :data:`PRECISIONS`, naming the choices."""
    if requested not in PRECISIONS:
        raise ScaInputError(f"unknown precision {requested!r}; choose one of {', '.join(PRECISIONS)}")


def cpu_has_bf16(cpuinfo: str) -> bool:
    """Whether ``/proc/cpuinfo`` text lists an AVX512-BF16 or AMX-BF16 flag."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags" and _CPU_BF16_FLAGS & set(value.split()):
            return True
    return False


def _gpu_capabilities() -> list[tuple[int, int]]:
    capabilities = []
    for gpu in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability:
            capabilities.append(tuple(capability))
    return capabilities


def resolve_precision(requested: str, *, cpuinfo: str | None = None,
                      gpu_capabilities: list[tuple[int, int]] | None = None) -> str:
    """The Keras dtype policy name for ``requested``; ``auto`` looks at the GPUs first, then the CPU flags.

    ``cpuinfo`` (default: ``/proc/cpuinfo``) and ``gpu_capabilities`` (default: the visible GPUs) are the hardware.
    """
    check_precision(requested)
    if requested != "auto":
        return requested
    capabilities = _gpu_capabilities() if gpu_capabilities is None else gpu_capabilities
    if capabilities:
        return "mixed_bfloat16" if min(capabilities) >= (8, 0) else "mixed_float16"
    if cpuinfo is None:
        cpuinfo = _CPUINFO.read_text() if _CPUINFO.exists() else ""
    return "mixed_bfloat16" if cpu_has_bf16(cpuinfo) else "float32"


@contextlib.contextmanager
def precision_policy(policy: str) -> Iterator[str]:
    """Set the global Keras dtype policy to ``policy`` (a resolved name) inside, restoring the previous one after."""
    check_precision(policy)
    if policy == "auto":
        raise ScaInputError("precision_policy takes a resolved policy; call resolve_precision first")
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    log.info("building under the %s dtype policy", policy)
    try:
        yield policy
    finally:
        keras.mixed_precision.set_global_policy(previous)
