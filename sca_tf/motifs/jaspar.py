"""JASPAR motifs from the SQLite databases that ``pyjaspar`` ships inside its wheel (no network needed).

Every consumer (the quality gate's motif check, ``sca-tf explain``) reads the release pinned here,
:data:`JASPAR_RELEASE`, unless told otherwise, and records the release it used; a newer pyjaspar changes
nothing until this constant is moved.
"""

from __future__ import annotations

import functools

import numpy as np
from pyjaspar import jaspar_releases, jaspardb

from sca_tf.errors import ScaInputError
from sca_tf.motifs import pwm
from sca_tf.motifs.pwm import Motif
from sca_tf.sequence import ALPHABET

#: The JASPAR release every default reads.
JASPAR_RELEASE = "JASPAR2026"


def load_jaspar(
    release: str = JASPAR_RELEASE, collection: str = "CORE", tax_group: str = "vertebrates"
) -> list[Motif]:
    """The latest version of every ``collection`` matrix of ``tax_group`` in a JASPAR ``release``.

    Counts become frequencies with JASPAR's usual pseudocount (:func:`sca_tf.motifs.pwm.frequencies`).
    """
    if release not in jaspar_releases:
        raise ScaInputError(f"JASPAR release {release!r} is not shipped with pyjaspar; "
                            f"expected one of {', '.join(jaspar_releases)}")
    return list(_load(release, collection, tax_group))


@functools.lru_cache(maxsize=4)
def _load(release: str, collection: str, tax_group: str) -> tuple[Motif, ...]:
    records = jaspardb(release=release).fetch_motifs(collection=collection, tax_group=[tax_group])
    if not records:
        raise ScaInputError(f"{release}: no {collection} motifs for tax group {tax_group!r}")
    return tuple(
        Motif(
            matrix_id=record.matrix_id,
            name=record.name,
            tf_class="; ".join(record.tf_class),
            tf_family="; ".join(record.tf_family),
            pfm=pwm.frequencies(np.array([record.counts[base] for base in ALPHABET]).T),
        )
        for record in records
    )


def best_matches(query: np.ndarray, motifs: list[Motif], top: int = 3) -> list[tuple[Motif, float]]:
    """The ``top`` motifs most similar to frequency matrix ``query`` (see :func:`pwm.similarity`)."""
    scored = [(motif, pwm.similarity(query, motif.pfm)[0]) for motif in motifs]
    return sorted(scored, key=lambda pair: -pair[1])[:top]
