"""Keras-tuner roles from ``KERASTUNER_*`` and a distributed search of a chief and two workers on loopback.

The loopback test starts real tuner processes on 127.0.0.1 (a free port picked by the OS) with ``KERASTUNER_*`` set
as a cluster scheduler would, and waits for them with a time limit.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from training.loopback_data import free_ports, run_together

from sca_tf.errors import ScaInputError
from sca_tf.training.tuner_roles import TunerRole, tuner_role


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, TunerRole("standalone", None)),
        ({"KERASTUNER_TUNER_ID": "chief", "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": "8000"},
         TunerRole("chief", "chief")),
        ({"KERASTUNER_TUNER_ID": "tuner1", "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": "8000"},
         TunerRole("worker", "tuner1")),
    ],
)
def test_tuner_role_comes_from_kerastuner_variables(env, expected):
    assert tuner_role(env) == expected



@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KERASTUNER_ORACLE_IP": "127.0.0.1"}, "KERASTUNER_ORACLE_PORT"),
        ({"KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": "80a", "KERASTUNER_TUNER_ID": "t0"},
         "not a port number"),
        ({"KERASTUNER_TUNER_ID": "tuner0"}, "KERASTUNER_ORACLE_IP"),
    ],
)
def test_incomplete_kerastuner_variables_are_refused(env, message):
    with pytest.raises(ScaInputError, match=message):
        tuner_role(env)


TUNER_SCRIPT = textwrap.dedent("""
    import json, os, time
    from pathlib import Path
    import numpy as np, keras, keras_tuner as kt
    from sca_tf.training.tuner_roles import distributed_search, tuner_role

    role = tuner_role()
    ran = Path("ran")
    ran.mkdir(exist_ok=True)
    if role.kind == "worker":  # both workers start searching together, so each gets trials
        Path(f"ready_{role.tuner_id}").touch()
        deadline = time.time() + 120
        while len(list(Path().glob("ready_*"))) < 2 and time.time() < deadline:
            time.sleep(0.2)

    class RecordTrial(keras.callbacks.Callback):  # fit runs only in trials, never on the chief
        def on_train_begin(self, logs=None):
            (ran / f"{role.tuner_id}_{time.time_ns()}").touch()

    def build(hp):
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(hp.Choice("units", [2, 4, 8, 16]),
                                  activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    rng = np.random.default_rng(0)
    x = rng.random((256, 8)).astype("float32")
    y = (x[:, 0] > 0.5).astype("float32")
    tuner = kt.RandomSearch(build, objective="val_loss", max_trials=4, seed=0, directory="search",
                            project_name="tiny", overwrite=False)
    if distributed_search(tuner, x, y, validation_split=0.25, epochs=3, verbose=0, callbacks=[RecordTrial()]):
        trials = tuner.oracle.get_best_trials(num_trials=10)
        json.dump({"role": role.kind, "trials": [[t.status, t.score, t.hyperparameters.values] for t in trials]},
                  open("best.json", "w"))
""")



@pytest.mark.slow
def test_kerastuner_chief_and_two_workers_share_one_search(tmp_path):
    script = tmp_path / "tune.py"
    script.write_text(TUNER_SCRIPT)
    oracle = {"KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": str(free_ports(1)[0])}
    run_together(script, [{**oracle, "KERASTUNER_TUNER_ID": name} for name in ("chief", "tuner0", "tuner1")],
                 tmp_path)

    best = json.loads((tmp_path / "best.json").read_text())
    assert best["role"] == "chief", "only the chief, which holds the oracle, writes the result"
    assert len(best["trials"]) == 4 and all(status == "COMPLETED" for status, _, _ in best["trials"])
    scores = [score for _, score, _ in best["trials"]]
    assert scores == sorted(scores), "best trials come first (lowest validation loss)"
    builders = {path.name.split("_")[0] for path in (tmp_path / "ran").iterdir()}
    assert builders == {"tuner0", "tuner1"}, f"trials were built by {builders}: both workers must run trials"
