"""The gate's report files: quality.json and the PNG plots, written without touching matplotlib's global state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from generative_data import markov_sequences

from sca_tf.motifs.pwm import Motif
from sca_tf.synthetic.quality import QualityThresholds, assess, write_quality_report


def test_report_is_written_as_json_and_plots(tmp_path: Path, real_sets: dict[str, list[str]],
                                             small_gate: QualityThresholds, chain_motifs: list[Motif]) -> None:
    report = assess(markov_sequences(40, 80, seed=3), real_sets["train"], real_sets["heldout"],
                    real_sets["negatives"], small_gate, motifs=chain_motifs, seed=5)
    files = write_quality_report(report, tmp_path / "quality")
    assert set(files) == {"kmer_jsd", "composition", "memorisation", "motifs", "report"}
    for name in ("kmer_jsd", "composition", "memorisation", "motifs"):
        assert files[name].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads(files["report"].read_text())
    assert saved["seed"] == 5 and saved["thresholds"]["kmer_k"] == 3 and saved["sizes"]["synthetic"] == 40
    assert saved["kmer_jsd"]["k"] == [1, 2, 3, 4, 5, 6] and len(saved["motifs"]["per_motif"]) == 5


def test_writing_a_report_leaves_the_matplotlib_backend_and_pyplot_alone(tmp_path: Path) -> None:
    """A library call must not switch the process's backend (it once called ``matplotlib.use("Agg")``)."""
    script = f"""
import sys, matplotlib
matplotlib.use("svg")
from generative_data import markov_sequences
from sca_tf.synthetic.quality import QualityThresholds, assess, write_quality_report
sets = [markov_sequences(20, 40, seed=seed) for seed in range(4)]
from sca_tf.motifs.pwm import motif_from_counts
motif = motif_from_counts("a", "a", [[10, 0, 0, 0]] * 4)
report = assess(*sets, QualityThresholds(kmer_k=2, motif_sequences=10), motifs=[motif])
write_quality_report(report, {str(tmp_path / "quality")!r})
print(matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules)
"""
    tests = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(tests), "PATH": "/usr/bin:/bin", "MPLBACKEND": ""})
    assert done.stdout.split() == ["svg", "False"]
    assert (tmp_path / "quality" / "motifs.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
