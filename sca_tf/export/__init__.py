"""Export trained classifiers for TensorFlow Serving (``sca-tf export``).

>>> from sca_tf.export import export_model
>>> exported = export_model(model, "saved_models", booster=booster)  # doctest: +SKIP
>>> exported.path  # doctest: +SKIP
PosixPath('saved_models/cnn/3')

* :mod:`~sca_tf.export.signatures`: ``serving_default`` (DNA strings -> P(DE)), ``predict_onehot`` and ``embed``.
* :mod:`~sca_tf.export.encoding`: the in-graph request checks and string -> one-hot encoding.
* :mod:`~sca_tf.export.layout`: ``<root>/<name>/<version>/`` (never overwritten) and ``models.config``.
* :mod:`~sca_tf.export.bridge`: the standalone CNN -> XGBoost predictor copied into exports with a booster.
* :mod:`~sca_tf.export.rest`: TF Serving's REST JSON mapping, for checking requests without a model server.
"""

from sca_tf.export.bridge import XGBoostBridge
from sca_tf.export.encoding import check_one_hot, dna_strings_to_one_hot
from sca_tf.export.exporter import TOLERANCE, ExportedModel, export_model, run_export, verify_export
from sca_tf.export.layout import MODELS_CONFIG, next_version, versions, write_models_config
from sca_tf.export.rest import predict_request
from sca_tf.export.signatures import SIGNATURE_NAMES

__all__ = [
    "MODELS_CONFIG",
    "SIGNATURE_NAMES",
    "TOLERANCE",
    "ExportedModel",
    "XGBoostBridge",
    "check_one_hot",
    "dna_strings_to_one_hot",
    "export_model",
    "next_version",
    "predict_request",
    "run_export",
    "verify_export",
    "versions",
    "write_models_config",
]
