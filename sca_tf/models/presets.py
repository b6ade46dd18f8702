"""Named architecture presets: ``default`` is each classifier's constructor defaults (the measured recipe),
``paper`` the architectures the paper describes, kept for reproduction.

>>> preset_hparams("transformer", "paper")["num_layers"], preset_hparams("cnn", "default")
(3, {})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sca_tf.errors import ScaInputError

PRESETS: tuple[str, ...] = ("default", "paper")

#: The paper's architectures: the flatten CNN (64/k15 -> 128/k11 -> 256/k8, pool 4, dense 64: 865,921 parameters
#: at 2 kb), the DanQ-style CNN-LSTM (64/k15 -> 128/k11, pool 4, BiLSTM 64, global max: 201,857) and the
#: transformer (conv stem k15 stride 8 -> 250 tokens, sinusoidal positions, 3 pre-norm layers x 8 heads, d 64,
#: global average pooling, dense 64: 108,673).
PAPER_HPARAMS: Mapping[str, Mapping[str, Any]] = {
    "cnn": {"filters": (64, 128, 256), "kernel_sizes": (15, 11, 8), "pool_size": 4, "dense_units": (64,),
            "dropout": 0.2, "pooling": "flatten"},
    "cnn_lstm": {"filters": (64, 128), "kernel_sizes": (15, 11), "pool_size": 4, "lstm_units": 64, "skip": False,
                 "pooling": "global_max", "dense_units": (64,), "dropout": 0.2},
    "transformer": {"stem": "conv", "stride": 8, "stem_kernel_size": 15, "positions": "sinusoidal", "d_model": 64,
                    "num_layers": 3, "num_heads": 8, "ff_dim": 128, "layer_scale": 0.0, "pooling": "average", "dense_units": (64,),
                    "dropout": 0.1, "attention_dropout": 0.1},
}


def check_preset(preset: str) -> str:
    """``preset`` if it is one of :data:`PRESETS`; ``ScaInputError`` otherwise."""
    if preset not in PRESETS:
        raise ScaInputError(f"unknown preset {preset!r}: expected one of {', '.join(PRESETS)}")
    return preset


def preset_hparams(model_name: str, preset: str) -> dict[str, Any]:
    """The hyperparameters ``preset`` sets for ``model_name`` (empty for ``default``: the constructor's)."""
    if check_preset(preset) == "default":
        return {}
    return dict(PAPER_HPARAMS.get(model_name, {}))
