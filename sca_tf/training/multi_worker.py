"""Training beyond one machine: the strategy a trainer should use, and a multi-worker training loop.

:func:`strategy_from_environment` picks the ``tf.distribute`` strategy from how the process was started:

==================  ================================================================================
``TF_CONFIG`` set   ``MultiWorkerMirroredStrategy`` (synchronous data parallelism across machines)
``TPU_NAME`` set    ``TPUStrategy`` on that TPU (or ``kind="tpu"`` on a TPU VM)
otherwise           ``MirroredStrategy`` over the local GPUs (or logical CPUs), one device included
==================  ================================================================================

Keras 3 (3.15) ``model.fit`` under ``MultiWorkerMirroredStrategy`` fails with ``ValueError: Attempt to convert a
value (PerReplica:{...})`` (keras-team/keras#20585, tensorflow/tensorflow#72388), so multi-worker training runs
:func:`train_multi_worker`, a custom loop: ``distribute_datasets_from_function``, a ``tf.function`` step run on
every replica with ``strategy.run``, the loss averaged over the *global* batch with
``tf.nn.compute_average_loss`` and gradients all-reduced by ``optimizer.apply_gradients``. The same loop runs
under any strategy, so it is tested on one machine too. Batch-norm statistics, which each replica updates from
its own batch, are averaged over all replicas at the end, so every worker ends with identical weights. A model
built under ``mixed_float16`` trains with loss scaling (``keras.optimizers.LossScaleOptimizer``), as ``compile``
gives it.

Each worker runs the same script; ``TF_CONFIG`` tells it the cluster and its own role, e.g. for worker 0 of two::

    TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}'
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf
from tqdm.auto import tqdm

from sca_tf import io
from sca_tf.errors import ScaInputError
from sca_tf.training.recipe import TrainingRecipe

STRATEGY_KINDS = ("auto", "default", "mirrored", "multi_worker", "tpu")
_CLUSTER_ROLES = ("chief", "worker")

DatasetFn = Callable[[tf.distribute.InputContext], tf.data.Dataset]


def cluster_from_environment(env: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The parsed and checked ``TF_CONFIG`` (``cluster`` and ``task``), or ``None`` when it is not set."""
    env = os.environ if env is None else env
    raw = env.get("TF_CONFIG", "").strip()
    if not raw:
        return None
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ScaInputError(f"TF_CONFIG is not valid JSON ({exc}): {raw[:200]}") from exc
    cluster, task = config.get("cluster"), config.get("task")
    if not isinstance(cluster, dict) or not any(cluster.get(role) for role in _CLUSTER_ROLES):
        raise ScaInputError('TF_CONFIG: expected "cluster" with a list of "worker" (and optionally "chief") '
                            f'addresses, got {cluster!r}')
    if not isinstance(task, dict) or task.get("type") not in cluster or not isinstance(task.get("index"), int):
        raise ScaInputError(f'TF_CONFIG: expected "task": {{"type": one of {sorted(cluster)}, "index": <int>}}, '
                            f"got {task!r}")
    if not 0 <= task["index"] < len(cluster[task["type"]]):
        raise ScaInputError(f"TF_CONFIG: task index {task['index']} is out of range for the "
                            f"{len(cluster[task['type']])} {task['type']} address(es)")
    return config


def is_chief(env: Mapping[str, str] | None = None) -> bool:
    """Whether this process writes the shared outputs: the chief, or worker 0 of a cluster without a chief
    (and any process started without ``TF_CONFIG``)."""
    config = cluster_from_environment(env)
    if config is None:
        return True
    task = config["task"]
    if "chief" in config["cluster"]:
        return task["type"] == "chief"
    return task["type"] == "worker" and task["index"] == 0


def strategy_kind(requested: str = "auto", env: Mapping[str, str] | None = None) -> str:
    """The strategy ``auto`` resolves to in this environment (other kinds are returned as given)."""
    if requested not in STRATEGY_KINDS:
        raise ScaInputError(f"strategy {requested!r}: expected one of {', '.join(STRATEGY_KINDS)}")
    env = os.environ if env is None else env
    if requested != "auto":
        return requested
    if cluster_from_environment(env) is not None:
        return "multi_worker"
    if env.get("TPU_NAME"):
        return "tpu"
    return "mirrored"


def strategy_from_environment(
    kind: str = "auto", *, cpu_replicas: int | None = None, tpu: str | None = None
) -> tf.distribute.Strategy:
    """Create the strategy of :func:`strategy_kind` (see the table in the module docstring).

    ``cpu_replicas`` splits the CPU into that many logical devices for ``mirrored`` (tests, CPU-only machines);
    ``tpu`` names the TPU for ``tpu`` (default: ``TPU_NAME``, or the local TPU of a TPU VM).
    """
    resolved = strategy_kind(kind)
    if resolved == "default":
        return tf.distribute.get_strategy()
    if resolved == "multi_worker":
        if cluster_from_environment() is None:
            raise ScaInputError("strategy multi_worker needs TF_CONFIG describing the cluster and this task")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if resolved == "tpu":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu or os.environ.get("TPU_NAME", ""))
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    from sca_tf.training.strategy import make_strategy  # sca_tf.training pulls in the data pipelines

    return make_strategy(cpu_replicas)


@dataclass(frozen=True)
class LoopResult:
    """What :func:`train_multi_worker` returns on every worker."""

    model: keras.Model
    losses: list[float]
    replicas: int
    chief: bool
    saved_to: Path | None


def train_multi_worker(
    model_fn: Callable[[], keras.Model],
    dataset_fn: DatasetFn,
    steps: int,
    *,
    global_batch_size: int,
    strategy: tf.distribute.Strategy | None = None,
    optimizer_fn: Callable[[], keras.optimizers.Optimizer] | None = None,
    loss_fn: Callable[[tf.Tensor, tf.Tensor], tf.Tensor] | None = None,
    class_weight: Mapping[int, float] | None = None,
    save_path: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> LoopResult:
    """Train ``model_fn()`` for ``steps`` synchronous steps under ``strategy`` (default: from the environment).

    Args:
        model_fn: builds the (uncompiled) model; called inside ``strategy.scope()``.
        dataset_fn: ``InputContext -> tf.data.Dataset`` of ``(x, y)`` or ``(x, y, sample_weight)`` batches of
            ``context.get_per_replica_batch_size(global_batch_size)`` examples, at least ``steps`` of them; it
            should shard by ``context.input_pipeline_id`` so workers see different examples.
        global_batch_size: examples per step summed over all replicas (the loss is averaged over it).
        optimizer_fn: builds the optimizer inside the scope (default: the paper's recipe, Adam 1e-3; pass
            ``recipe.optimizer`` of :mod:`sca_tf.training.recipe`).
        loss_fn: per-example loss ``(y_true, y_pred) -> [batch]`` (default: binary cross-entropy); a Keras loss
            must be built with ``reduction=None``.
        class_weight: ``{0: w0, 1: w1}``, as ``model.fit`` takes it: each example's loss is multiplied by the
            weight of its label (on top of any sample weight the dataset yields).
        save_path: a ``.keras`` file the chief writes at the end (other workers write nothing).

    Every worker must call this with the same arguments; all end with the same weights.
    """
    if steps < 1 or global_batch_size < 1:
        raise ScaInputError(f"steps and global_batch_size must be >= 1, got {steps} and {global_batch_size}")
    strategy = strategy or strategy_from_environment()
    if global_batch_size % strategy.num_replicas_in_sync:
        raise ScaInputError(f"global_batch_size {global_batch_size} must divide evenly over "
                            f"{strategy.num_replicas_in_sync} replicas")
    loss_fn = loss_fn or TrainingRecipe.loss(reduction=None)
    label_weights = None if class_weight is None else tf.constant([class_weight[0], class_weight[1]], tf.float32)
    with strategy.scope():
        model = model_fn()
        optimizer = optimizer_fn() if optimizer_fn else TrainingRecipe().optimizer()
        if model.dtype_policy.name == "mixed_float16":  # as Keras' compile() does: float16 gradients underflow
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        optimizer.build(model.trainable_variables)
    iterator = iter(strategy.distribute_datasets_from_function(dataset_fn))

    def replica_step(batch: tuple[tf.Tensor, ...]) -> tf.Tensor:
        x, y, *weight = batch
        with tf.GradientTape() as tape:
            prediction = model(x, training=True)
            per_example = loss_fn(tf.reshape(tf.cast(y, prediction.dtype), tf.shape(prediction)), prediction)
            sample_weight = tf.cast(weight[0], per_example.dtype) if weight else None
            if label_weights is not None:
                by_label = tf.cast(tf.gather(label_weights, tf.reshape(tf.cast(y, tf.int32), [-1])), per_example.dtype)
                sample_weight = by_label if sample_weight is None else sample_weight * by_label
            loss = tf.nn.compute_average_loss(per_example, sample_weight=sample_weight,
                                              global_batch_size=global_batch_size)
            if model.losses:
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
            scaled = optimizer.scale_loss(loss) if isinstance(optimizer, keras.optimizers.LossScaleOptimizer) else loss
        gradients = tape.gradient(scaled, model.trainable_variables)  # the optimizer unscales them
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    @tf.function
    def train_step() -> tf.Tensor:
        per_replica = strategy.run(replica_step, args=(next(iterator),))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    losses = [float(train_step()) for _ in tqdm(range(steps), desc="training", unit="step", disable=not progress)]
    average_across_replicas(strategy, model.non_trainable_variables)
    chief = _is_chief_of(strategy)
    saved_to = None
    if save_path is not None and chief:
        with io.atomic_path(save_path, suffix=".keras") as tmp:
            model.save(tmp)
        saved_to = Path(save_path)
    return LoopResult(model=model, losses=losses, replicas=strategy.num_replicas_in_sync, chief=chief,
                      saved_to=saved_to)


def average_across_replicas(strategy: tf.distribute.Strategy, variables: list[keras.Variable]) -> None:
    """Set each variable to its mean over all replicas of all workers.

    Non-trainable state updated from each replica's own batch (batch-norm moving mean and variance) drifts apart
    between replicas; gradients are all-reduced, these statistics are not. Their mean is the moving average of
    the per-step mean batch statistics, as one machine seeing the global batch would compute it.
    """
    @tf.function
    def average() -> None:
        for variable in variables:
            local = strategy.run(lambda v=variable: tf.identity(v.value))
            variable.assign(strategy.reduce(tf.distribute.ReduceOp.MEAN, local, axis=None))

    if variables:
        average()


def _is_chief_of(strategy: tf.distribute.Strategy) -> bool:
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in resolver.cluster_spec().jobs
