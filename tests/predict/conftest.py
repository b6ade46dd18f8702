"""The predict tests' trained model: the shared simulated CNN (see ``simulated_model``), trained once here."""

from __future__ import annotations

import pytest
from simulated_model import train_simulated_cnn


@pytest.fixture(scope="package")
def simulated(tmp_path_factory):
    return train_simulated_cnn(tmp_path_factory.mktemp("simulated"))
