"""Synthetic positives for augmentation, released only by a passed quality gate.

The augmentation path never reads a synthetic FASTA directly: :func:`approved_synthetic` checks that the quality
report (``quality.json`` from ``sca-tf assess-synthetic``) assessed exactly this file (SHA-256) and that every
check passed. How many of them one training epoch takes is the balancing's job
(:func:`sca_tf.data.balancing.composition`: exactly the synthetic:real ratio asked for, or an error).

>>> synthetic = approved_synthetic("out/synthetic.fa", "out/quality/quality.json",
...                                expected_length=2000)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

from sca_tf.config_files import read_json_file
from sca_tf.errors import ScaInputError
from sca_tf.provenance import sha256_of
from sca_tf.synthetic.fasta import read_synthetic_fasta


def approved_synthetic(synthetic_fasta: str | os.PathLike[str], quality_report: str | os.PathLike[str], *,
                       expected_length: int | None = None) -> list[str]:
    """The sequences of ``synthetic_fasta`` if ``quality_report`` assessed this very file and it passed the gate.

    Raises ``ScaInputError`` naming the failed checks (value vs threshold), or the mismatch between the report and
    the file, so a set that failed the gate cannot reach training by mistake.
    """
    report_path = Path(quality_report)
    report = read_json_file(report_path, "quality report not found; run `sca-tf assess-synthetic` first")
    if not isinstance(report, dict) or "passed" not in report or "checks" not in report:
        raise ScaInputError(f"{report_path}: not a quality report from `sca-tf assess-synthetic`")
    assessed = report.get("inputs", {}).get("synthetic_sha256")
    if assessed != sha256_of(synthetic_fasta):
        raise ScaInputError(
            f"{report_path} assessed another file than {synthetic_fasta} (SHA-256 differs); assess this file first"
        )
    if not report["passed"]:
        failed = [f"{check['name']} {check['value']:.3g} > {check['threshold']:.3g}"
                  for check in report["checks"] if not check["passed"]]
        raise ScaInputError(
            f"{synthetic_fasta} failed the quality gate ({'; '.join(failed)}); it is not used for augmentation"
        )
    return read_synthetic_fasta(synthetic_fasta, expected_length=expected_length).sequences

