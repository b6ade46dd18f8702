"""Beyond one machine: strategy selection and the multi-worker loop, on one process and on loopback.

The loopback test starts real worker processes on 127.0.0.1 (free ports picked by the OS) with ``TF_CONFIG`` set
as a cluster scheduler would, and waits for them with a time limit.
"""

from __future__ import annotations

import json
import textwrap
from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf
from training.loopback_data import free_ports, run_together

from sca_tf.errors import ScaInputError
from sca_tf.training.multi_worker import cluster_from_environment, is_chief, strategy_kind, train_multi_worker

# ------------------------------------------------------------------------------------- strategy selection


def tf_config(cluster: dict, task_type: str, index: int) -> dict[str, str]:
    return {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": task_type, "index": index}})}


def test_strategy_follows_the_environment():
    cluster = {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}
    assert strategy_kind("auto", {}) == "mirrored"
    assert strategy_kind("auto", tf_config(cluster, "worker", 1)) == "multi_worker"
    assert strategy_kind("auto", {"TPU_NAME": "v5e-node"}) == "tpu"
    assert strategy_kind("default", tf_config(cluster, "worker", 1)) == "default"
    with pytest.raises(ScaInputError, match="strategy 'gpu'"):
        strategy_kind("gpu", {})


def test_the_chief_is_the_chief_task_or_else_worker_zero():
    workers = {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}
    with_chief = {"chief": ["127.0.0.1:0"], **workers}
    assert is_chief({}) is True
    assert [is_chief(tf_config(workers, "worker", i)) for i in (0, 1)] == [True, False]
    assert [is_chief(tf_config(with_chief, "worker", 0)), is_chief(tf_config(with_chief, "chief", 0))] == [False, True]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "TF_CONFIG is not valid JSON"),
        (json.dumps({"cluster": {}, "task": {"type": "worker", "index": 0}}), 'expected "cluster"'),
        (json.dumps({"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}), 'expected "task"'),
        (json.dumps({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}), "out of range"),
    ],
)
def test_malformed_tf_config_is_refused(value, message):
    with pytest.raises(ScaInputError, match=message):
        cluster_from_environment({"TF_CONFIG": value})


# ------------------------------------------------------------------------------------ the training loop


def tiny_model() -> keras.Model:
    from sca_tf.models import build_model

    return build_model("cnn", 40, filters=(4,), kernel_sizes=(5,), pool_size=2, dense_units=(4,), dropout=0.0)


def a_rich_is_positive(context: tf.distribute.InputContext) -> tf.data.Dataset:
    rng = np.random.default_rng(context.input_pipeline_id)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (512, 40))]
    y = (x[:, :, 0].sum(axis=1) > 10).astype(np.float32)  # A-rich sequences are positive
    return tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(context.get_per_replica_batch_size(32))


def test_training_loop_learns_under_the_default_strategy(tmp_path):
    dataset_fn = a_rich_is_positive
    keras.utils.set_random_seed(0)
    result = train_multi_worker(tiny_model, dataset_fn, 120, global_batch_size=32,
                                strategy=tf.distribute.get_strategy(),
                                optimizer_fn=lambda: keras.optimizers.Adam(1e-2), save_path=tmp_path / "m.keras",
                                progress=False)
    assert result.chief and result.replicas == 1 and len(result.losses) == 120
    assert np.mean(result.losses[-20:]) < 0.8 * np.mean(result.losses[:20])
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(reloaded.get_weights()[0], result.model.get_weights()[0])


def test_a_float16_model_trains_with_loss_scaling_in_the_loop(monkeypatch):
    from sca_tf.precision import precision_policy

    scaled_losses = []
    original = keras.optimizers.LossScaleOptimizer.scale_loss
    monkeypatch.setattr(keras.optimizers.LossScaleOptimizer, "scale_loss",
                        lambda self, loss: scaled_losses.append(loss) or original(self, loss))

    def float16_model() -> keras.Model:
        with precision_policy("mixed_float16"):
            return tiny_model()

    keras.utils.set_random_seed(0)
    result = train_multi_worker(float16_model, a_rich_is_positive, 120, global_batch_size=32,
                                strategy=tf.distribute.get_strategy(),
                                optimizer_fn=lambda: keras.optimizers.Adam(1e-2), progress=False)
    assert scaled_losses, "the float16 loss was never scaled"
    assert np.isfinite(result.losses).all()
    assert np.mean(result.losses[-20:]) < 0.8 * np.mean(result.losses[:20])
    assert all(weight.dtype == np.float32 for weight in result.model.get_weights())


def test_training_loop_refuses_batches_it_cannot_split():
    with pytest.raises(ScaInputError, match="must be >= 1, got 1 and 0"):
        train_multi_worker(tiny_model, lambda context: None, 1, global_batch_size=0,
                           strategy=tf.distribute.get_strategy())
    three_replicas = SimpleNamespace(num_replicas_in_sync=3)  # checked before the strategy is used
    with pytest.raises(ScaInputError, match="global_batch_size 16 must divide evenly over 3 replicas"):
        train_multi_worker(tiny_model, lambda context: None, 1, global_batch_size=16, strategy=three_replicas)


WORKER_SCRIPT = textwrap.dedent("""
    import json, os, sys
    import numpy as np, tensorflow as tf, keras
    from sca_tf.training.multi_worker import train_multi_worker
    from sca_tf.models import build_model

    task = json.loads(os.environ["TF_CONFIG"])["task"]["index"]

    def model_fn():
        keras.utils.set_random_seed(100 + task)  # different seeds: the strategy must sync the initial weights
        return build_model("cnn", 40, filters=(4,), kernel_sizes=(5,), pool_size=2, dense_units=(4,), dropout=0.0)

    def dataset_fn(context):
        rng = np.random.default_rng(context.input_pipeline_id)  # each worker reads its own examples
        x = np.eye(4, dtype="float32")[rng.integers(0, 4, (64, 40))]
        y = (x[:, :, 0].sum(axis=1) > 10).astype("float32")
        return tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(context.get_per_replica_batch_size(16))

    result = train_multi_worker(model_fn, dataset_fn, 5, global_batch_size=16,
                                optimizer_fn=lambda: keras.optimizers.Adam(1e-2), save_path="chief.keras",
                                progress=False)
    np.savez(f"weights_{task}.npz", *[np.asarray(w) for w in result.model.weights])
    json.dump({"losses": result.losses, "replicas": result.replicas, "chief": result.chief,
               "initial": np.asarray(model_fn().weights[0]).tolist()}, open(f"result_{task}.json", "w"))
""")


@pytest.mark.slow
def test_two_workers_on_loopback_end_with_identical_weights(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER_SCRIPT)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    run_together(script, [tf_config(cluster, "worker", index) for index in (0, 1)], tmp_path)

    weights = [np.load(tmp_path / f"weights_{index}.npz") for index in (0, 1)]
    results = [json.loads((tmp_path / f"result_{index}.json").read_text()) for index in (0, 1)]
    assert len(weights[0].files) == len(weights[1].files) > 0
    for name in weights[0].files:  # trainable and batch-norm statistics alike
        np.testing.assert_array_equal(weights[0][name], weights[1][name], err_msg=name)
    assert not np.allclose(weights[0]["arr_0"], results[0]["initial"]), "no training happened"
    assert results[0]["losses"] == results[1]["losses"] and len(results[0]["losses"]) == 5
    assert [r["replicas"] for r in results] == [2, 2] and [r["chief"] for r in results] == [True, False]
    assert (tmp_path / "chief.keras").is_file()


def test_training_loop_weights_each_example_by_its_class():
    def dataset_fn(context: tf.distribute.InputContext) -> tf.data.Dataset:
        x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (64, 40))]
        y = np.tile([0.0, 1.0], 32).astype(np.float32)
        return tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(context.get_per_replica_batch_size(16))

    def run(class_weight):
        keras.utils.set_random_seed(0)
        return train_multi_worker(tiny_model, dataset_fn, 3, global_batch_size=16,
                                  strategy=tf.distribute.get_strategy(), class_weight=class_weight, progress=False)

    plain, ignored = run(None), run({0: 0.0, 1: 0.0})
    assert all(loss == 0.0 for loss in ignored.losses)  # every example weighted 0: nothing to learn from
    assert all(loss > 0.0 for loss in plain.losses)
    doubled = run({0: 2.0, 1: 2.0})
    assert doubled.losses[0] == pytest.approx(2 * plain.losses[0], rel=1e-5)
