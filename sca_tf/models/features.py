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
    head = model.get_layer(OUTPUT_LAYER)
    logit_layer = keras.layers.Dense(1, dtype="float32", name="logit")
    logit = logit_layer(features)
    logit_layer.set_weights([keras.ops.convert_to_numpy(weight).astype("float32") for weight in head.weights])
    outputs = keras.layers.Concatenate(dtype="float32", name=f"{layer_name}_and_logit")([features, logit])
    return keras.Model(inputs=model.inputs[0], outputs=outputs, name=f"{model.name}_{layer_name}")
