"""sca_tf.stages: fingerprints name what changed, a stage is renamed into place whole, a partial build of the same
fingerprint is resumed, and the lock refuses a second holder and cleans up after itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from sca_tf import stages
from sca_tf.errors import ScaInputError


def _build_counting(calls: list[Path], text: str):
    def build(folder: Path) -> None:
        calls.append(folder)
        (folder / "out.txt").write_text(text)

    return build


def test_reuse_rebuild_and_the_reason(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = tmp_path / "in.txt"
    source.write_text("a")
    calls: list[Path] = []
    target = tmp_path / "stage"
    load = lambda folder: (folder / "out.txt").read_text()
    assert stages.run_stage(target, "demo", {"source": source}, {"k": 1}, _build_counting(calls, "one"), load) == "one"
    assert stages.run_stage(target, "demo", {"source": source}, {"k": 1}, _build_counting(calls, "two"), load) == "one"
    assert len(calls) == 1  # reused
    source.write_text("b")  # same size, new content
    with caplog.at_level("INFO", logger="sca_tf"):
        assert stages.run_stage(target, "demo", {"source": source}, {"k": 2}, _build_counting(calls, "three"),
                                load) == "three"
    assert "demo: building" in caplog.text and "input source changed; setting k: 1 -> 2" in caplog.text
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.txt", "stage"]  # no partial, no lock, no old


def test_a_failed_build_leaves_nothing_and_an_interrupted_one_resumes(tmp_path: Path) -> None:
    target = tmp_path / "new" / "stage"

    def fail(folder: Path) -> None:
        (folder / "half.txt").write_text("half")
        raise ScaInputError("bad input")

    with pytest.raises(ScaInputError):
        stages.run_stage(target, "demo", {}, {}, fail, lambda folder: None)
    assert list(tmp_path.iterdir()) == []

    def interrupted(folder: Path) -> None:
        (folder / "epoch1.txt").write_text("done")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        stages.run_stage(target, "demo", {}, {}, interrupted, lambda folder: None)
    seen: list[list[str]] = []
    stages.run_stage(target, "demo", {}, {}, lambda folder: seen.append(sorted(p.name for p in folder.iterdir())),
                     lambda folder: None)
    assert seen == [[".fingerprint", "epoch1.txt"]]  # resumed in the partial folder
    assert sorted(path.name for path in target.iterdir()) == ["epoch1.txt", "fingerprint.json"]


def test_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with stages.locked(target), pytest.raises(ScaInputError, match="in use by another sca-tf run"), \
            stages.locked(target):
        pass
    assert list(tmp_path.iterdir()) == []


def test_missing_input_file_is_named_by_role(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match=r"counts .*absent\.tsv: file not found"):
        stages.fingerprint("dge", {"counts": tmp_path / "absent.tsv"}, {})
