"""The gate's novelty metrics: identity to the closest training sequence, real-vs-synthetic AUROC."""

from __future__ import annotations

import numpy as np
import pytest
from generative_data import composition_sequences, markov_sequences

from sca_tf.errors import ScaInputError
from sca_tf.synthetic.memorisation import discriminator_auroc, max_identity


def test_memorisation_finds_copies_and_their_source() -> None:
    train = composition_sequences(40, 100, gc=0.5, seed=0)
    queries = [train[7], train[21][:50] + "A" * 50, *composition_sequences(5, 100, gc=0.5, seed=1)]
    identity, nearest = max_identity(queries, train)
    assert identity[0] == 1.0 and nearest[0] == 7
    assert nearest[1] == 21 and 0.5 <= identity[1] < 0.8
    assert np.all(identity[2:] < 0.45)  # unrelated random sequences share ~25-35 % of positions


def test_discriminator_auroc_is_chance_for_one_distribution_and_high_for_two() -> None:
    same = discriminator_auroc(markov_sequences(80, 100, seed=0), markov_sequences(80, 100, seed=1))
    different = discriminator_auroc(composition_sequences(80, 100, gc=0.3, seed=0),
                                    composition_sequences(80, 100, gc=0.7, seed=1))
    assert 0.3 < same < 0.7
    assert different > 0.95
    with pytest.raises(ScaInputError, match="at least 2 sequences"):
        discriminator_auroc(["ACGT"], ["ACGT", "ACGA"])
