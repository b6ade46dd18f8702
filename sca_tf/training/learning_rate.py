"""The learning rate an optimizer is given: a constant, or a cosine decay to zero over the run's steps (Loshchilov
& Hutter 2017), for classifiers (:mod:`sca_tf.training.recipe`) and generators (:mod:`sca_tf.training.generator`).

>>> learning_rate_schedule(1e-3, cosine_decay=False)
0.001
>>> schedule = learning_rate_schedule(1e-3, cosine_decay=True, total_steps=100)
>>> round(float(schedule(50)), 6), round(float(schedule(100)), 6)
(0.0005, 0.0)
"""

from __future__ import annotations

import keras

from sca_tf.errors import ScaInputError


def learning_rate_schedule(
    learning_rate: float, *, cosine_decay: bool, total_steps: int | None = None,
) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """``learning_rate`` itself, or with ``cosine_decay`` a :class:`keras.optimizers.schedules.CosineDecay` from it
    to zero over ``total_steps`` (then required: usually ``epochs * steps_per_epoch``). The schedule reads the
    optimizer's step counter, so a resumed run (``BackupAndRestore``) picks up where it stopped."""
    if not cosine_decay:
        return learning_rate
    if total_steps is None or total_steps < 1:
        raise ScaInputError(f"cosine decay needs a positive number of training steps, got {total_steps!r}")
    return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=int(total_steps))
