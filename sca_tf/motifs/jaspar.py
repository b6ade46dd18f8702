"""JASPAR motifs from the SQLite databases that ``pyjaspar`` ships inside its wheel (no network needed)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyjaspar import jaspar_releases, jaspardb

from sca_tf.errors import ScaInputError
from sca_tf.motifs import pwm
from sca_tf.sequence import ALPHABET

DEFAULT_RELEASE = "JASPAR2026"


@dataclass(frozen=True)
class JasparMotif:
    """One JASPAR matrix: identifiers, TF class and family, and its frequency matrix ``[width, 4]`` (A, C, G, T)."""

    matrix_id: str
    name: str
    tf_class: str
    tf_family: str
    pfm: np.ndarray

    @property
    def width(self) -> int:
        return len(self.pfm)


def load_jaspar(
    release: str = DEFAULT_RELEASE, collection: str = "CORE", tax_group: str = "vertebrates"
) -> list[JasparMotif]:
    """The latest version of every ``collection`` matrix of ``tax_group`` in a JASPAR ``release``.

    Counts become frequencies with JASPAR's usual pseudocount (0.8 spread over the bases).
    """
    if release not in jaspar_releases:
        raise ScaInputError(f"JASPAR release {release!r} is not shipped with pyjaspar; "
                            f"expected one of {', '.join(jaspar_releases)}")
    records = jaspardb(release=release).fetch_motifs(collection=collection, tax_group=[tax_group])
    if not records:
        raise ScaInputError(f"{release}: no {collection} motifs for tax group {tax_group!r}")
    return [
        JasparMotif(
            matrix_id=record.matrix_id,
            name=record.name,
            tf_class="; ".join(record.tf_class),
            tf_family="; ".join(record.tf_family),
            pfm=pwm.frequencies(np.array([record.counts[base] for base in ALPHABET]).T),
        )
        for record in records
    ]


def best_matches(query: np.ndarray, motifs: list[JasparMotif], top: int = 3) -> list[tuple[JasparMotif, float]]:
    """The ``top`` JASPAR motifs most similar to frequency matrix ``query`` (see :func:`pwm.similarity`)."""
    scored = [(motif, pwm.similarity(query, motif.pfm)[0]) for motif in motifs]
    return sorted(scored, key=lambda pair: -pair[1])[:top]
