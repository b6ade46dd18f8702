"""The two motifs ``sca-tf simulate`` plants, one definition for the simulator, the quality gate and explain.

"up" is modelled on the CREB1 cAMP-response element TGACGTCA (JASPAR MA0018 family, bZIP); "down" on the
NF-kB site GGGAATTTCC (JASPAR MA0105 family, Rel). They share no 4-mer core, the kB site holds no CpG, and
the CRE's single central CpG is far from the GC/CpG-rich look of CpG islands, so neither motif can be learnt
as "CpG island or not". (NRF1, ETS and C/EBP sites were avoided because their cores contain CpG.) The
matrices below are hand-made from the consensus with JASPAR-like degeneracy, not copied JASPAR counts.

They are frequency matrices, so they are scored as they are (:func:`sca_tf.motifs.pwm.log_odds`, no
pseudocount): the simulator keeps a sampled site by the same relative score the gate and explain scan with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sca_tf.motifs import pwm
from sca_tf.motifs.pwm import Motif
from sca_tf.sequence import ALPHABET, codes_of


@dataclass(frozen=True)
class PlantedMotif:
    """A transcription-factor-like motif: its position frequency matrix (rows A, C, G, T per position)."""

    name: str
    consensus: str
    marks: str
    modelled_on: str
    pfm: tuple[tuple[float, float, float, float], ...]

    @property
    def width(self) -> int:
        """Number of positions."""
        return len(self.pfm)

    def motif(self) -> Motif:
        """The matrix to scan with, named ``planted_<marks>``."""
        return Motif(f"planted_{self.marks}", self.name, "", "", np.asarray(self.pfm))

    def relative_score(self, site: str) -> float:
        """Score of ``site`` scaled to [0, 1] between the worst and best possible PWM scores (as JASPAR does)."""
        return pwm.relative_score(self.motif().log_odds, codes_of(site))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready description (the matrix as rows of A, C, G, T frequencies)."""
        return {
            "name": self.name,
            "consensus": self.consensus,
            "marks": self.marks,
            "modelled_on": self.modelled_on,
            "alphabet": list(ALPHABET),
            "pfm": [list(row) for row in self.pfm],
        }


UP_MOTIF = PlantedMotif(
    name="CREB1",
    consensus="TGACGTCA",
    marks="up",
    modelled_on="CREB1 cAMP-response element (CRE), JASPAR MA0018 family",
    pfm=(
        (0.10, 0.10, 0.15, 0.65),
        (0.05, 0.02, 0.90, 0.03),
        (0.93, 0.02, 0.03, 0.02),
        (0.02, 0.94, 0.02, 0.02),
        (0.02, 0.02, 0.94, 0.02),
        (0.02, 0.03, 0.02, 0.93),
        (0.03, 0.90, 0.05, 0.02),
        (0.65, 0.15, 0.10, 0.10),
    ),
)
DOWN_MOTIF = PlantedMotif(
    name="NFKB1",
    consensus="GGGAATTTCC",
    marks="down",
    modelled_on="NF-kB (NFKB1/RELA) kB site, JASPAR MA0105 family",
    pfm=(
        (0.05, 0.05, 0.85, 0.05),
        (0.02, 0.02, 0.94, 0.02),
        (0.03, 0.03, 0.90, 0.04),
        (0.70, 0.05, 0.20, 0.05),
        (0.60, 0.15, 0.10, 0.15),
        (0.10, 0.10, 0.05, 0.75),
        (0.03, 0.03, 0.02, 0.92),
        (0.05, 0.20, 0.03, 0.72),
        (0.02, 0.94, 0.02, 0.02),
        (0.05, 0.85, 0.05, 0.05),
    ),
)
PLANTED_MOTIFS = (UP_MOTIF, DOWN_MOTIF)


def planted_motifs() -> list[Motif]:
    """The planted motifs (CREB1-like "up", NF-kB-like "down") as matrices to scan with."""
    return [planted.motif() for planted in PLANTED_MOTIFS]
