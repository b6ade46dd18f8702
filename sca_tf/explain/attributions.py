"""Per-base attributions of a classifier's prediction: integrated gradients and in-silico mutagenesis.

Both explain the pre-sigmoid logit of the output layer (the probability saturates, its gradients vanish) and
return float32 arrays shaped like the one-hot input, ``[n, length, 4]``:

* :func:`integrated_gradients`: ``(x - x') * mean gradient along the straight path from the reference x' to x``
  (Sundararajan et al. 2017), averaged over references; per sequence the values add up to
  ``logit(x) - mean logit(x')`` (completeness), up to the Riemann-sum error.
* :func:`in_silico_mutagenesis`: ``logit(x with base b at position i) - logit(x)`` for every position and base
  (zero for the observed base).

:func:`position_scores` turns either into one signed contribution per position.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from sca_tf.errors import ScaInputError
from sca_tf.models import OUTPUT_LAYER

REFERENCES = ("shuffle", "zero")
METHODS = ("integrated_gradients", "ism")


def logit_model(model: keras.Model) -> keras.Model:
    """A model sharing ``model``'s weights that outputs the output layer's pre-sigmoid logit ``[batch]``."""
    try:
        output = model.get_layer(OUTPUT_LAYER)
    except ValueError as exc:
        raise ScaInputError(f"model {model.name!r} has no output layer named {OUTPUT_LAYER!r}") from exc
    kernel, bias = output.kernel, output.bias
    logit = keras.layers.Lambda(
        lambda features: keras.ops.squeeze(keras.ops.matmul(keras.ops.cast(features, "float32"), kernel) + bias, -1),
        name="logit",
    )(output.input)
    return keras.Model(model.inputs[0], logit, name=f"{model.name}_logit")  # one input: called with a tensor


def shuffled_references(one_hot: np.ndarray, n_references: int, seed: int) -> np.ndarray:
    """``[n_references, n, length, 4]`` copies of each sequence with its positions permuted (composition kept)."""
    rng = np.random.default_rng(seed)
    n, length = one_hot.shape[:2]
    order = np.argsort(rng.random((n_references, n, length)), axis=-1)
    return np.take_along_axis(one_hot[None], order[..., None], axis=2)


def integrated_gradients(
    model: keras.Model,
    one_hot: np.ndarray,
    *,
    reference: str = "shuffle",
    steps: int = 32,
    n_references: int = 4,
    batch_size: int = 32,
    seed: int = 0,
    progress: bool = True,
) -> np.ndarray:
    """Integrated gradients of the logit for each sequence of ``one_hot`` ``[n, length, 4]``.

    Args:
        reference: ``"shuffle"`` (``n_references`` position shuffles of the sequence itself, which keep its base
            composition, averaged) or ``"zero"`` (the all-``N`` sequence).
        steps: points of the midpoint Riemann sum along each path.
        batch_size: sequences per gradient batch (each expands to ``steps`` interpolations).
        seed: seeds the shuffles.
    """
    one_hot = _checked_one_hot(model, one_hot)
    if reference not in REFERENCES:
        raise ScaInputError(f"reference {reference!r}: expected one of {', '.join(REFERENCES)}")
    if steps < 1 or n_references < 1:
        raise ScaInputError(f"steps and n_references must be >= 1, got {steps} and {n_references}")
    references = (shuffled_references(one_hot, n_references, seed) if reference == "shuffle"
                  else np.zeros((1, *one_hot.shape), np.float32))
    logits = logit_model(model)
    alphas = tf.constant((np.arange(steps) + 0.5) / steps, tf.float32)

    @tf.function(reduce_retracing=True)
    def path_gradients(x: tf.Tensor, x_ref: tf.Tensor) -> tf.Tensor:
        path = x_ref[None] + alphas[:, None, None, None] * (x - x_ref)[None]
        flat = tf.reshape(path, [-1, *x.shape[1:]])
        with tf.GradientTape() as tape:
            tape.watch(flat)
            output = logits(flat, training=False)
        gradients = tf.reshape(tape.gradient(output, flat), tf.shape(path))
        return (x - x_ref) * tf.reduce_mean(gradients, axis=0)

    attributions = np.zeros(one_hot.shape, np.float32)
    batches = range(0, len(one_hot), batch_size)
    for start in tqdm(batches, desc="integrated gradients", unit="batch", disable=not progress):
        x = tf.constant(one_hot[start:start + batch_size])
        total = sum(path_gradients(x, tf.constant(ref[start:start + batch_size])) for ref in references)
        attributions[start:start + batch_size] = total.numpy() / len(references)
    return attributions


def in_silico_mutagenesis(
    model: keras.Model, one_hot: np.ndarray, *, batch_size: int = 512, progress: bool = True
) -> np.ndarray:
    """``[n, length, 4]`` change of the logit when each position is set to each base (0 for the observed base).

    Costs ``length * 4`` forward passes per sequence, run ``batch_size`` mutants at a time.
    """
    one_hot = _checked_one_hot(model, one_hot)
    logits = logit_model(model)
    n, length, channels = one_hot.shape
    positions, bases = np.divmod(np.arange(length * channels), channels)
    effects = np.zeros(one_hot.shape, np.float32)
    for index in tqdm(range(n), desc="in-silico mutagenesis", unit="sequence", disable=not progress):
        sequence = one_hot[index]
        wild_type = float(logits(sequence[None], training=False)[0])
        for start in range(0, len(positions), batch_size):
            rows = np.arange(start, min(start + batch_size, len(positions)))
            mutants = np.repeat(sequence[None], len(rows), axis=0)
            mutants[np.arange(len(rows)), positions[rows]] = np.eye(channels, dtype=np.float32)[bases[rows]]
            delta = logits(mutants, training=False).numpy() - wild_type
            effects[index, positions[rows], bases[rows]] = delta
    effects[one_hot == 1] = 0.0
    return effects


def position_scores(attributions: np.ndarray, one_hot: np.ndarray, method: str) -> np.ndarray:
    """One signed contribution per position ``[n, length]``: positive where the base raises P(DE).

    Integrated gradients: the sum over the four channels. ISM: minus the mean effect of the possible
    substitutions (a position whose every mutation lowers the logit scores high).
    """
    if method == "integrated_gradients":
        return attributions.sum(axis=-1)
    if method == "ism":
        alternatives = one_hot.shape[-1] - one_hot.sum(axis=-1)
        return -attributions.sum(axis=-1) / np.maximum(alternatives, 1)
    raise ScaInputError(f"method {method!r}: expected one of {', '.join(METHODS)}")


def _checked_one_hot(model: keras.Model, one_hot: np.ndarray) -> np.ndarray:
    one_hot = np.asarray(one_hot, np.float32)
    expected = tuple(model.inputs[0].shape[1:])
    if one_hot.ndim != 3 or one_hot.shape[1:] != expected:
        raise ScaInputError(f"sequences to explain have shape {one_hot.shape}; model {model.name!r} takes "
                            f"[n, {expected[0]}, {expected[1]}]")
    if len(one_hot) == 0:
        raise ScaInputError("no sequences to explain")
    return one_hot
