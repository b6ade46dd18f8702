"""Cut a trained classifier at its embedding layer to feed other learners (e.g. XGBoost)."""

from __future__ import annotations

import keras

from sca_tf.errors import ScaInputError
from sca_tf.models.base import FEATURE_LAYER


def feature_extractor(model: keras.Model, layer_name: str = FEATURE_LAYER) -> keras.Model:
    """A model sharing ``model``'s weights that maps its input to the output of layer ``layer_name``.

    For sca-tf classifiers this is the penultimate embedding (the last dense ReLU layer, before dropout and the
    sigmoid), of width ``dense_units[-1]``. Dropout is inactive at inference, so ``predict`` is deterministic.
    The features come out as float32 even under a mixed-precision policy, ready for NumPy or XGBoost.
    """
    try:
        layer = model.get_layer(layer_name)
    except ValueError as exc:
        names = ", ".join(layer.name for layer in model.layers)
        raise ScaInputError(f"model {model.name!r} has no layer {layer_name!r}; its layers are: {names}") from exc
    features = keras.layers.Activation("linear", dtype="float32", name=f"{layer_name}_float32")(layer.output)
    return keras.Model(inputs=model.inputs[0], outputs=features, name=f"{model.name}_{layer_name}")
