"""keras-tuner's distributed search: one chief holds the oracle, any number of workers run trials.

Every process runs the same search script; the ``KERASTUNER_*`` variables give each its role::

    KERASTUNER_TUNER_ID=chief   KERASTUNER_ORACLE_IP=10.0.0.1 KERASTUNER_ORACLE_PORT=8000  python tune.py
    KERASTUNER_TUNER_ID=tuner0  KERASTUNER_ORACLE_IP=10.0.0.1 KERASTUNER_ORACLE_PORT=8000  python tune.py
    KERASTUNER_TUNER_ID=tuner1  ...

The chief serves the oracle (gRPC on ``ORACLE_IP:ORACLE_PORT``) and trains nothing; each worker asks it for
trials until ``max_trials`` are done. All processes must see the same ``directory`` (a shared file system) and
build the tuner with the same arguments. Only the chief holds the finished search afterwards: a worker that asks
the oracle for results once the chief has exited would wait forever, so workers stop after their last trial.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NamedTuple

import keras_tuner as kt

from sca_tf.errors import ScaInputError

_ID, _IP, _PORT = "KERASTUNER_TUNER_ID", "KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT"


class TunerRole(NamedTuple):
    """``standalone`` (no ``KERASTUNER_*`` variables), ``chief`` (serves the oracle) or ``worker`` (runs trials)."""

    kind: str
    tuner_id: str | None

    @property
    def holds_results(self) -> bool:
        """Whether the search's results can be read in this process once ``search`` returns."""
        return self.kind != "worker"


def tuner_role(env: Mapping[str, str] | None = None) -> TunerRole:
    """This process's role, after checking the ``KERASTUNER_*`` variables are complete and consistent.

    keras-tuner treats any tuner id containing ``chief`` as the chief, as this does.
    """
    env = os.environ if env is None else env
    present = [name for name in (_ID, _IP, _PORT) if env.get(name)]
    if not present:
        return TunerRole("standalone", None)
    missing = [name for name in (_ID, _IP, _PORT) if not env.get(name)]
    if missing:
        raise ScaInputError(f"distributed tuning needs {_ID}, {_IP} and {_PORT} together; "
                            f"{', '.join(present)} set but {', '.join(missing)} missing")
    if not env[_PORT].isdigit() or not 0 < int(env[_PORT]) < 65536:
        raise ScaInputError(f"{_PORT}={env[_PORT]!r} is not a port number (1-65535)")
    tuner_id = env[_ID]
    return TunerRole("chief" if "chief" in tuner_id else "worker", tuner_id)


def distributed_search(tuner: kt.Tuner, *fit_args: Any, **fit_kwargs: Any) -> bool:
    """Run ``tuner.search(*fit_args, **fit_kwargs)`` in this process's role; return whether it holds the results.

    Standalone: an ordinary search. Chief: serves the oracle until every trial is done. Worker: runs trials
    until the oracle has none left. Returns ``True`` on the standalone process and the chief, which can then
    read ``tuner.oracle.get_best_trials()``; ``False`` on a worker, which should write nothing shared.
    """
    role = tuner_role()
    tuner.search(*fit_args, **fit_kwargs)
    return role.holds_results
