"""Hand-made FASTA files for the promoter and genome tests; import it as ``prep.genome_data``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

CHROM_LENGTH = 600


def random_dna(length: int, seed: int) -> str:
    return "".join(np.random.default_rng(seed).choice(list("ACGT"), size=length))


def write_fasta(path: Path, records: dict[str, str], width: int = 60) -> Path:
    lines = []
    for name, sequence in records.items():
        lines.append(f">{name}")
        lines.extend(sequence[i : i + width] for i in range(0, len(sequence), width))
    path.write_text("\n".join(lines) + "\n")
    return path
