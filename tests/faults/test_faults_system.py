"""Fault cases of issue 17, items 4, 5 and 6: a full disk and a refused write (patched writer), a text file as an
XGBoost booster, Ctrl-C (a real SIGINT to a subprocess), and two processes writing into one output folder."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from faults.fault_data import Study, files_under, run_verb

from sca_tf import io

REPO = Path(__file__).resolve().parents[2]


def _failing_writes(monkeypatch: pytest.MonkeyPatch, name: str, code: int) -> None:
    """Make the atomic writer fail with ``OSError(code)`` for files called ``name``, as a full disk would."""
    real = io.atomic_path

    @contextlib.contextmanager
    def atomic_path(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[Path]:
        if Path(path).name == name:
            raise OSError(code, os.strerror(code), str(path))
        with real(path, suffix) as tmp:
            yield tmp

    monkeypatch.setattr(io, "atomic_path", atomic_path)


def test_case4_full_disk_in_dge_is_one_line_exit_5_and_leaves_nothing(study: Study, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _failing_writes(monkeypatch, "de_table.parquet", errno.ENOSPC)
    status, line = run_verb(["dge", "--counts", study.counts, "--out", tmp_path / "dge", "--n-cpus", "1"], capsys)
    assert status == 5
    assert line.startswith("sca-tf: error: ") and line.endswith("de_table.parquet: No space left on device (ENOSPC)")
    assert files_under(tmp_path) == []  # no lone de_table.tsv, no partial folder, no lock


def test_case4_full_disk_on_a_rerun_keeps_the_old_consistent_outputs(study: Study, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dge"
    assert run_verb(["dge", "--counts", study.counts, "--out", out, "--n-cpus", "1"], capsys)[0] == 0
    before = {name: (out / name).read_bytes() for name in ("de_table.tsv", "de_table.parquet", "de_run.json")}
    _failing_writes(monkeypatch, "de_run.json", errno.ENOSPC)
    status = run_verb(["dge", "--counts", study.counts, "--out", out, "--lfc-threshold", "1", "--n-cpus", "1"],
                      capsys)[0]
    assert status == 5
    assert {name: (out / name).read_bytes() for name in before} == before  # tsv, parquet and json still agree
    assert not (tmp_path / "dge.partial").exists()


def test_case4_permission_denied_in_promoters_is_one_line(study: Study, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    _failing_writes(monkeypatch, "promoters.fa", errno.EACCES)
    status, line = run_verb(["promoters", "--de-table", study.de_table, "--genome", study.genome, "--annotation",
                             study.annotation, "--out", tmp_path / "promoters", "--upstream", "100"], capsys)
    assert status == 5 and line.endswith("promoters.fa: Permission denied (EACCES)")
    assert files_under(tmp_path) == []


def test_case4_text_file_as_xgboost_booster_is_one_short_line(trained: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    booster = tmp_path / "booster.json"
    booster.write_text("this is not a booster\n")
    status, line = run_verb(["export", "--model", trained, "--booster", booster, "--out", tmp_path / "models"], capsys)
    assert status == 2
    assert line.startswith(f"sca-tf: error: {booster}: not an XGBoost model saved by sca-tf")
    assert "Stack trace" not in line and len(line) < 400
    assert not (tmp_path / "models").exists()


#: First lines of every child: SIGINT delivered and handled as Python does by default, as in a shell where a user
#: presses Ctrl-C (a test runner may block or ignore SIGINT, and a child inherits both across exec).
_AS_FROM_A_TERMINAL = """\
import signal
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
signal.signal(signal.SIGINT, signal.default_int_handler)
"""


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests"),
                                                        os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", _AS_FROM_A_TERMINAL + textwrap.dedent(script), *args], env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_case5_sigint_during_dge_exits_130_on_one_line_and_leaves_no_table(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "dge"
    process = _python("""
        import sys, time
        import sca_tf.prep.dge as dge
        def long_fit(*args, **kwargs):  # the long fit, interrupted
            print("fitting", flush=True)
            time.sleep(300)

        dge.differential_expression = long_fit
        from sca_tf.cli import main
        sys.exit(main(["dge", "--counts", sys.argv[1], "--out", sys.argv[2], "--n-cpus", "1"]))
    """, str(study.counts), str(out))
    try:
        assert process.stdout.readline().strip() == "fitting", process.communicate()  # inside the stage's fit
        assert (tmp_path / "dge.partial").is_dir()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "Traceback" not in err and err.splitlines()[-1] == "sca-tf: interrupted; rerun to resume"
    assert not out.exists()  # nothing looks finished; the partial build waits for the rerun


def test_case6_second_process_into_the_same_out_refuses(study: Study, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dge"
    holder = _python("""
        import sys, time
        from sca_tf.stages import locked
        with locked(sys.argv[1]):
            print("locked", flush=True)
            time.sleep(120)
    """, str(out))
    try:
        assert holder.stdout.readline().strip() == "locked"
        status, line = run_verb(["dge", "--counts", study.counts, "--out", out, "--n-cpus", "1"], capsys)
        assert status == 2
        assert line == (f"sca-tf: error: {out}: in use by another sca-tf run (lock {tmp_path / '.dge.lock'}); "
                        f"wait for it to finish or give another output directory")
        assert not out.exists()
    finally:
        holder.kill()
        holder.communicate()
    assert run_verb(["dge", "--counts", study.counts, "--out", out, "--n-cpus", "1"], capsys)[0] == 0  # lock died
    assert len(pd.read_csv(out / "de_table.tsv", sep="\t")) == 200


def test_case6_second_run_into_the_same_run_folder_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sca_tf.stages import locked

    out = tmp_path / "run"
    with locked(out):  # another open file description: flock refuses it even within one process
        status, line = run_verb(["run", "--out", out], capsys)
    assert status == 2 and "in use by another sca-tf run" in line
    assert files_under(tmp_path) == []
