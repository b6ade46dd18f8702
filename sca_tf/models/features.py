"""Cut a trained classifier at its embedding layer to feed other learners (e.g. XGBoost)."""

from __future__ import annotations

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.base import FEATURE_LAYER, OUTPUT_LAYER


def feature_extractor(model: keras.Model, layer_name: str = FEATURE_LAYER) -> keras.Model:
    """A model sharing ``model``'s weights that maps its input to layer ``layer_name``'s output plus the logit.

    For sca-tf classifiers the columns are the penultimate embedding (the last dense ReLU layer, before dropout and
    the sigmoid; ``dense_units[-1]`` wide) and, last, the classifier's own logit (``features @ kernel + bias`` of
    the output layer, copied when the extractor is built), so a learner on these features starts from the signal
    the network found instead of relearning it from a narrow ReLU layer. Dropout is inactive at inference, so
    ``predict`` is deterministic. The features come out as float32 even under a mixed-precision policy.
    """
    try:
        layer = model.get_layer(layer_name)
    except ValueError as exc:
        names = ", ".join(layer.name for layer in model.layers)
        raise ScaInputError(f"model {model.name!r} has no layer {layer_name!r}; its layers are: {names}") from exc
    features = keras.layers.Activation("linear", dtype="float32", name=f"{layer_name}_float32")(layer.output)
    if int(model.outputs[0].shape[-1]) != 1:  # a softmax over classes (the direction target) has no one logit
        return keras.Model(inputs=model.inputs[0], outputs=features, name=f"{model.name}_{layer_name}")
    outputs = keras.layers.Concatenate(dtype="float32", name=f"{layer_name}_and_logit")([features, _logit(model, features)])
    return keras.Model(inputs=model.inputs[0], outputs=outputs, name=f"{model.name}_{layer_name}")


def _logit(model: keras.Model, features: keras.KerasTensor) -> keras.KerasTensor:
    """``[batch, 1]`` logit of P(DE): the output layer's own pre-sigmoid value where it is a dense layer on the
    features (copied weights; the dropout between them is inactive at inference), else (an ensemble averaging probabilities) the logit of the model's probability."""
    head = model.get_layer(OUTPUT_LAYER)
    if isinstance(head, keras.layers.Dense) and head.kernel.shape[0] == features.shape[-1]:  # dropout between
        logit_layer = keras.layers.Dense(1, dtype="float32", name="logit")
        logit = logit_layer(features)
        logit_layer.set_weights([keras.ops.convert_to_numpy(weight).astype("float32") for weight in head.weights])
        return logit
    probability = keras.ops.clip(keras.ops.cast(model.outputs[0], "float32"), 1e-7, 1 - 1e-7)
    return keras.layers.Activation("linear", dtype="float32", name="logit")(
        keras.ops.log(probability) - keras.ops.log1p(-probability))
