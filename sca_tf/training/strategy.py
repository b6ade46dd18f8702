"""Choosing the ``tf.distribute`` strategy a trainer runs under.

``MirroredStrategy`` works with one device as well as many, so every trainer uses it. On a CPU-only machine
``cpu_replicas=2`` splits the CPU into two logical devices so the multi-replica code path (per-replica batches,
cross-replica reductions) is exercised exactly as it would be on two GPUs — it does not make training faster
(docs/measured-facts.md: ~0-9 %), both replicas share the same cores.
"""

from __future__ import annotations

import tensorflow as tf

from sca_tf.errors import ScaInputError


def configure_cpu_replicas(replicas: int) -> list[str]:
    """Split the first CPU into ``replicas`` logical devices; return their names.

    Must run before TensorFlow initialises its devices (before any op runs); a later call with another
    count raises ``ScaInputError``.
    """
    if replicas < 1:
        raise ScaInputError(f"cpu_replicas must be >= 1, got {replicas}")
    cpu = tf.config.list_physical_devices("CPU")[0]
    wanted = [tf.config.LogicalDeviceConfiguration() for _ in range(replicas)]
    try:
        tf.config.set_logical_device_configuration(cpu, wanted)
    except RuntimeError as exc:
        existing = tf.config.list_logical_devices("CPU")
        if len(existing) != replicas:
            raise ScaInputError(
                f"cannot split the CPU into {replicas} logical devices: TensorFlow is already initialised with "
                f"{len(existing)} (set cpu_replicas before anything else runs TensorFlow)"
            ) from exc
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def make_strategy(cpu_replicas: int | None = None) -> tf.distribute.MirroredStrategy:
    """A ``MirroredStrategy`` over every GPU, or over ``cpu_replicas`` logical CPUs when that is given."""
    if cpu_replicas is None:
        return tf.distribute.MirroredStrategy()
    devices = configure_cpu_replicas(cpu_replicas)
    return tf.distribute.MirroredStrategy(devices=devices)
