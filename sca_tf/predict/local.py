"""Exact SNV scoring for CNNs by recomputing only the convolution tower near the variant.

A CNN's tower (``conv -> batch norm -> ReLU -> max-pool`` blocks, "same" padding) is local: a substitution at
input position ``i`` changes only the tower outputs whose receptive field holds ``i``. For each SNV the tower is
run on a crop of :attr:`LocalScorer.crop` bases around it (aligned to the tower's total stride, so every pooling
window lines up), the crop's outputs away from its cut edges are spliced into the gene's cached reference map,
and the rest of the network (pooling, dense head) runs on the spliced map. The result equals scoring the whole
ALT window up to float rounding; ``tests/predict/test_local.py`` checks it against full scoring at every edge.

Used only where it is exact by construction: sca-tf CNN classifiers whose input length is a multiple of the
tower's stride. Other models (and MNVs, indels) are scored on whole windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from sca_tf.data.encoding import one_hot
from sca_tf.models import OUTPUT_LAYER


@dataclass(frozen=True)
class LocalScorer:
    """The split CNN: ``tower`` (one-hot -> map ``[T, F]``), ``head`` (map -> logit), and the crop geometry."""

    tower: keras.Model
    head: keras.Model  # from the tower's map, or from the pooled vector when ``top_k`` is set
    length: int
    stride: int
    crop: int
    guard: int  # tower positions at each cut edge of a crop that are not trusted
    top_k: int | None = None  # k of a k-max (or global max, k = 1) pooling right after the tower

    @property
    def _kept(self) -> int:
        """Reference candidates kept per channel under k-max pooling: k plus every position a crop can replace."""
        return int(self.top_k) + self.crop // self.stride

    def reference_maps(self, codes: np.ndarray) -> tuple[tf.Tensor, tf.Tensor | None]:
        """Per window (base codes ``[n, L]``): the tower map ``[n, T, F]``; under k-max pooling instead its
        largest values per channel ``[n, F, K]`` and their positions."""
        maps = self.tower(one_hot(tf.constant(codes)), training=False)
        if self.top_k is None:
            return maps, None
        largest = tf.math.top_k(tf.transpose(maps, (0, 2, 1)), k=min(self._kept, int(maps.shape[1])))
        return largest.values, largest.indices

    def snv_logits(self, maps: tuple[tf.Tensor, tf.Tensor | None], which: np.ndarray, codes: np.ndarray,
                   index: np.ndarray, alt: np.ndarray) -> np.ndarray:
        """Logits of windows ``codes[which]`` with base ``alt`` (code) at ``index``, given their ``maps``."""
        first = np.clip((index - self.crop // 2) // self.stride * self.stride, 0, self.length - self.crop)
        crops = codes[which[:, None], first[:, None] + np.arange(self.crop)]
        crops[np.arange(len(index)), index - first] = alt
        cropped = self.tower(one_hot(tf.constant(crops)), training=False)
        width = int(cropped.shape[1])
        offset = first // self.stride
        lo = offset + np.where(first == 0, 0, self.guard)
        hi = offset + width - np.where(first + self.crop == self.length, 0, self.guard)
        if self.top_k is not None:
            return self._top_k_logits(maps, which, cropped, offset, lo, hi)
        grid = np.arange(int(maps[0].shape[1]))
        mask = (grid >= lo[:, None]) & (grid < hi[:, None])
        rows = np.repeat(np.arange(len(index)), width)
        scatter = np.stack([rows, (offset[:, None] + np.arange(width)).reshape(-1)], axis=1)
        placed = tf.scatter_nd(scatter, tf.reshape(cropped, [-1, cropped.shape[-1]]),
                               [len(index), int(maps[0].shape[1]), int(cropped.shape[-1])])
        spliced = tf.where(tf.constant(mask)[..., None], placed, tf.gather(maps[0], which))
        return self.head(spliced, training=False).numpy().astype(np.float64)

    def _top_k_logits(self, maps: tuple[tf.Tensor, tf.Tensor | None], which: np.ndarray, cropped: tf.Tensor,
                      offset: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """k-max pooling of the spliced map without building it: the reference's largest values outside the
        replaced positions, and the crop's values inside them."""
        values, positions = tf.gather(maps[0], which), tf.gather(maps[1], which)
        low, high = tf.constant(lo[:, None, None], tf.int32), tf.constant(hi[:, None, None], tf.int32)
        replaced = (positions >= low) & (positions < high)
        outside = tf.where(replaced, tf.constant(-np.inf, values.dtype), values)
        grid = offset[:, None] + np.arange(int(cropped.shape[1]))
        inside = tf.constant(((grid >= lo[:, None]) & (grid < hi[:, None]))[:, None, :])
        fresh = tf.where(inside, tf.transpose(cropped, (0, 2, 1)), tf.constant(-np.inf, cropped.dtype))
        pooled = tf.math.top_k(tf.concat([outside, fresh], axis=-1), k=self.top_k).values
        return self.head(tf.reshape(pooled, [len(which), -1]), training=False).numpy().astype(np.float64)


def local_scorer(model: keras.Model) -> LocalScorer | None:
    """A :class:`LocalScorer` for an sca-tf CNN, or ``None`` where the shortcut would not be exact."""
    hparams = getattr(model, "hparams", {})
    if getattr(model, "model_name", None) != "cnn":
        return None
    blocks, pool = len(hparams["filters"]), int(hparams["pool_size"])
    stride = pool ** blocks if pool > 1 else 1
    length = int(hparams["input_length"])
    if length % stride:
        return None
    reach = sum((kernel + pool) * pool ** block for block, kernel in enumerate(hparams["kernel_sizes"]))
    crop = stride * math.ceil((4 * reach + 10 * stride) / stride)
    if crop >= length:
        return None
    last = f"pool_{blocks}" if pool > 1 else f"relu_{blocks}"
    names = [layer.name for layer in model.layers]
    bases = keras.Input(shape=(None, int(model.inputs[0].shape[-1])))
    x = bases
    for name in names[1:names.index(last) + 1]:  # the same layers on inputs of any length
        x = model.get_layer(name)(x)
    tower = keras.Model(bases, x)
    after = names.index(last) + 1
    k = {"top_k": hparams["top_k"], "global_max": 1}.get(hparams["pooling"])
    if k is not None:  # the head starts after the pooling layer, on its [batch, F * k] vector
        after += 1
    mapped = keras.Input(shape=tuple(model.get_layer(names[after - 1]).output.shape[1:]))
    x = mapped
    for name in names[after:names.index(OUTPUT_LAYER)]:
        x = model.get_layer(name)(x)
    output = model.get_layer(OUTPUT_LAYER)
    logit = keras.ops.squeeze(keras.ops.matmul(keras.ops.cast(x, "float32"), output.kernel) + output.bias, -1)
    head = keras.Model(mapped, logit)
    return LocalScorer(tower, head, length, stride, crop, guard=math.ceil(reach / stride) + 1, top_k=k)
