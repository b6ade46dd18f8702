"""The standalone bridge script copied into exports names the same signatures as the exporter."""

from __future__ import annotations

from sca_tf.evaluate import xgb
from sca_tf.export import bridge, signatures


def test_the_bridge_calls_the_exported_signatures_by_their_names() -> None:
    assert bridge.DEFAULT_SIGNATURE == signatures.SERVING_DEFAULT
    assert bridge.EMBED_SIGNATURE == signatures.EMBED
    assert (bridge.MARGIN_ATTRIBUTE, bridge.LOGIT_MARGIN) == (xgb.MARGIN_ATTRIBUTE, xgb.LOGIT_MARGIN)
