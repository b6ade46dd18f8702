"""The three serving signatures of an exported sca-tf classifier, built with Keras' ``ExportArchive``.

=================  ==========================================  ===============================================
signature          input                                       output
=================  ==========================================  ===============================================
serving_default    ``sequences``: tf.string ``[batch]``, DNA   ``probability``: float32 ``[batch]``, P(DE)
predict_onehot     ``one_hot``: float32 ``[batch, L, 4]``      ``probability``: float32 ``[batch]``
embed              ``sequences``: tf.string ``[batch]``        ``features``: float32 ``[batch, width]``, the
                                                               feature layer the XGBoost bridge is trained on
variant_effect     ``sequences`` (reference windows),          ``ref``, ``alt``: float32 ``[batch]``, P(DE) of
                   ``index``: int64 ``[batch]`` (0-based),     the window and of the window with ``alt`` at
                   ``alt``: tf.string ``[batch]`` (one base)   ``index``; ``delta`` = alt - ref
=================  ==========================================  ===============================================

String inputs are checked (length, alphabet, non-empty batch) and one-hot encoded inside the graph
(:mod:`sca_tf.export.encoding`), so TF Serving clients send plain DNA.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from sca_tf.export.encoding import check_one_hot, dna_strings_to_one_hot, substitute_base
from sca_tf.models import FEATURE_LAYER, feature_extractor

SERVING_DEFAULT = "serving_default"
PREDICT_ONEHOT = "predict_onehot"
EMBED = "embed"
VARIANT_EFFECT = "variant_effect"
SIGNATURE_NAMES = (SERVING_DEFAULT, PREDICT_ONEHOT, EMBED, VARIANT_EFFECT)
SEQUENCES_INPUT, ONE_HOT_INPUT, INDEX_INPUT, ALT_INPUT = "sequences", "one_hot", "index", "alt"
PROBABILITY_OUTPUT, FEATURES_OUTPUT = "probability", "features"
REF_OUTPUT, ALT_OUTPUT, DELTA_OUTPUT = "ref", "alt", "delta"


def input_length_of(model: keras.Model) -> int:
    """Bases per promoter the classifier takes (the length axis of its ``[batch, L, 4]`` input)."""
    return int(model.inputs[0].shape[1])


def embedding_width(model: keras.Model) -> int:
    """Width of what ``embed`` returns: the feature layer plus the logit column (see ``feature_extractor``)."""
    return int(model.get_layer(FEATURE_LAYER).output.shape[-1]) + 1


SignatureFunction = Callable[..., dict[str, tf.Tensor]]


def signature_functions(model: keras.Model) -> dict[str, tuple[SignatureFunction, list[tf.TensorSpec]]]:
    """Signature name -> (function, input signature) for ``model``; the functions call it in inference mode."""
    length = input_length_of(model)
    embedder = feature_extractor(model)
    strings_spec = [tf.TensorSpec([None], tf.string, name=SEQUENCES_INPUT)]
    one_hot_spec = [tf.TensorSpec([None, length, 4], tf.float32, name=ONE_HOT_INPUT)]

    def probability(encoded: tf.Tensor) -> dict[str, tf.Tensor]:
        return {PROBABILITY_OUTPUT: tf.reshape(tf.cast(model(encoded, training=False), tf.float32), [-1])}

    def serving_default(sequences: tf.Tensor) -> dict[str, tf.Tensor]:
        return probability(dna_strings_to_one_hot(sequences, length))

    def predict_onehot(one_hot: tf.Tensor) -> dict[str, tf.Tensor]:
        return probability(check_one_hot(one_hot, length))

    def embed(sequences: tf.Tensor) -> dict[str, tf.Tensor]:
        return {FEATURES_OUTPUT: embedder(dna_strings_to_one_hot(sequences, length), training=False)}

    def variant_effect(sequences: tf.Tensor, index: tf.Tensor, alt: tf.Tensor) -> dict[str, tf.Tensor]:
        both = tf.concat([sequences, substitute_base(sequences, index, alt, length)], axis=0)
        ref, alt_p = tf.split(probability(dna_strings_to_one_hot(both, length))[PROBABILITY_OUTPUT], 2)
        return {REF_OUTPUT: ref, ALT_OUTPUT: alt_p, DELTA_OUTPUT: alt_p - ref}

    variant_spec = [tf.TensorSpec([None], tf.string, name=SEQUENCES_INPUT),
                    tf.TensorSpec([None], tf.int64, name=INDEX_INPUT),
                    tf.TensorSpec([None], tf.string, name=ALT_INPUT)]
    return {
        SERVING_DEFAULT: (serving_default, strings_spec),
        PREDICT_ONEHOT: (predict_onehot, one_hot_spec),
        EMBED: (embed, strings_spec),
        VARIANT_EFFECT: (variant_effect, variant_spec),
    }


def describe_signatures(input_length: int, embedding_width: int) -> dict[str, str]:
    """Signature name -> a one-line description of its input and output, for provenance files."""
    return {
        SERVING_DEFAULT: (f"{SEQUENCES_INPUT}: string [batch] ({input_length} bases) -> "
                          f"{PROBABILITY_OUTPUT}: float32 [batch]"),
        PREDICT_ONEHOT: f"{ONE_HOT_INPUT}: float32 [batch, {input_length}, 4] -> {PROBABILITY_OUTPUT}: float32 [batch]",
        EMBED: f"{SEQUENCES_INPUT}: string [batch] -> {FEATURES_OUTPUT}: float32 [batch, {embedding_width}]",
        VARIANT_EFFECT: (f"{SEQUENCES_INPUT}: string [batch], {INDEX_INPUT}: int64 [batch] (0-based), {ALT_INPUT}: "
                         f"string [batch] (one base) -> {REF_OUTPUT}, {ALT_OUTPUT}, {DELTA_OUTPUT}: float32 [batch]"),
    }


def export_archive(model: keras.Model) -> keras.export.ExportArchive:
    """An ``ExportArchive`` tracking ``model`` with :data:`SIGNATURE_NAMES` as endpoints (not yet written)."""
    archive = keras.export.ExportArchive()
    archive.track(model)
    for name, (function, input_signature) in signature_functions(model).items():
        archive.add_endpoint(name, function, input_signature=input_signature)
    return archive
