"""Stage outputs that know what made them: fingerprints, atomic stage directories and advisory locks.

Every stage (``dge``, ``promoters``, the TFDS dataset, ``train/<model>``, ``evaluation``) records a
:class:`Fingerprint` of what it was built from: the SHA-256 of each input file (streamed; size and mtime are
not trusted), the stage's resolved settings and the sca-tf version. A rerun reuses a stage only when the
fingerprint matches, and otherwise rebuilds it, logging why; a stage downstream hashes the files of the one
before it, so a rebuilt stage with other contents rebuilds everything after it.

A stage is built in ``<target>.partial`` beside its target and renamed into place when complete (the old
output, if any, is swapped out in the same step), so its files are committed together and an interrupted stage
never looks finished: rerun with the same fingerprint and it resumes in its partial directory. An advisory
``fcntl.flock`` on ``.<target>.lock`` beside it makes a second concurrent run refuse with one line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from sca_tf import __version__, io
from sca_tf.errors import ScaInputError
from sca_tf.provenance import sha256_of

logger = logging.getLogger(__name__)

FINGERPRINT = "fingerprint.json"
PARTIAL_SUFFIX = ".partial"
#: A partial build's fingerprint, so that a rerun with the same one resumes it; dropped when it is renamed in.
_PARTIAL_FINGERPRINT = ".fingerprint"
Result = TypeVar("Result")


@dataclasses.dataclass(frozen=True)
class Fingerprint:
    """What a stage was built from: input-file hashes (by role), resolved settings and the package version."""

    stage: str
    inputs: Mapping[str, str | None]
    settings: Mapping[str, Any]
    version: str = __version__

    def to_json(self) -> dict[str, Any]:
        return json.loads(json.dumps(dataclasses.asdict(self), sort_keys=True, default=str))

    def differences(self, recorded: Mapping[str, Any]) -> list[str]:
        """Why ``recorded`` (a fingerprint file's contents) is not this fingerprint; empty when it is."""
        mine = self.to_json()
        reasons = [] if recorded.get("version") == mine["version"] else [
            f"sca-tf version {recorded.get('version')} -> {mine['version']}"]
        for part in ("inputs", "settings"):
            old, new = recorded.get(part) or {}, mine[part]
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    reasons.append(f"input {key} changed" if part == "inputs" else
                                   f"setting {key}: {old.get(key)!r} -> {new.get(key)!r}")
        return reasons


def fingerprint(stage: str, files: Mapping[str, str | os.PathLike[str] | None],
                settings: Mapping[str, Any]) -> Fingerprint:
    """The fingerprint of ``stage`` built from ``files`` (role -> path, ``None`` for an absent optional input)."""
    hashes: dict[str, str | None] = {}
    for role, path in files.items():
        if path is not None and not Path(path).is_file():
            raise ScaInputError(f"{role} {path}: file not found")
        hashes[role] = None if path is None else sha256_of(path)
    return Fingerprint(stage=stage, inputs=hashes, settings=dict(settings))


def _recorded(directory: str | os.PathLike[str], name: str = FINGERPRINT) -> dict[str, Any] | None:
    """The fingerprint a stage directory records, or ``None`` if it has none (not built, or built before)."""
    try:
        return json.loads((Path(directory) / name).read_text())
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None


def stale_reason(directory: str | os.PathLike[str], expected: Fingerprint) -> str | None:
    """``None`` when ``directory`` holds a stage built from ``expected``; otherwise why it must be (re)built."""
    target = Path(directory)
    if not target.exists():
        return "not built yet"
    recorded = _recorded(target)
    if recorded is None:
        return "no fingerprint recorded (built by an older sca-tf or not finished)"
    differences = expected.differences(recorded)
    return "; ".join(differences) if differences else None


@contextlib.contextmanager
def locked(directory: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the advisory lock of ``directory`` (``flock`` on ``.<name>.lock`` beside it); refuse if another process
    holds it. The lock file is removed while still locked; a lock taken on a file that was removed meanwhile counts
    as held by the other process. Folders that did not exist before (``directory`` and its parents) are removed
    again if the block fails and leaves them empty.
    """
    target = _normalised(directory)
    created = [folder for folder in (target, *target.parents) if not folder.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    try:
        with open(lock_path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.fstat(handle.fileno()).st_ino != os.stat(lock_path).st_ino:
                    raise BlockingIOError
            except (BlockingIOError, FileNotFoundError) as exc:
                raise ScaInputError(f"{target}: in use by another sca-tf run (lock {lock_path}); wait for it to "
                                    f"finish or give another output directory") from exc
            try:
                yield
            finally:
                lock_path.unlink(missing_ok=True)
                fcntl.flock(handle, fcntl.LOCK_UN)
    except BaseException:
        for folder in created:  # deepest first; only empty ones go
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def run_stage(
    target: str | os.PathLike[str],
    stage: str,
    files: Mapping[str, str | os.PathLike[str] | None],
    settings: Mapping[str, Any],
    build: Callable[[Path], object],
    load: Callable[[Path], Result],
    *,
    owned: Collection[str] | None = None,
    reuse: bool = True,
) -> Result:
    """Reuse ``target`` if it was built from ``files`` and ``settings`` (see :func:`fingerprint`), else
    ``build(partial)`` and rename the partial directory into place; ``load(target)`` reads the result back.

    The target is checked before any input is read. ``owned`` names the entries this stage writes: an existing
    ``target`` without a fingerprint that holds anything else is refused rather than replaced (``None``: the
    stage owns the whole directory). ``reuse=False`` rebuilds a stage that is cheap to redo and whose result is
    not read back from disk (the evaluation), still atomically and recording its fingerprint.
    """
    given, target = target, _normalised(target)
    _check_not_current(target, given)
    check_target(target)
    expected = fingerprint(stage, files, settings)
    with locked(target):
        reason = stale_reason(target, expected) if reuse else "rebuilt on every run"
        if reason is None:
            logger.info("%s: reusing %s (inputs and settings unchanged)", stage, target)
            return load(target)
        _check_replaceable(target, owned)
        logger.info("%s: building %s (%s)", stage, target, reason)
        partial = _partial_dir(target, expected)
        try:
            build(partial)
        except Exception:  # a Ctrl-C keeps the partial build to resume; any error removes it
            shutil.rmtree(partial, ignore_errors=True)
            raise
        io.write_json(partial / FINGERPRINT, expected.to_json())
        _swap_into_place(partial, target)
    return load(target)


def check_target(target: str | os.PathLike[str]) -> None:
    """Refuse an output directory that cannot be made: a file in its place, or no writable folder above it."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ScaInputError(f"{target}: output path exists and is not a directory")
    ancestor = next(folder for folder in (target, *target.parents) if folder.exists())
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK):
        raise ScaInputError(f"{target}: cannot create output directory ({ancestor} is not a writable folder)")


def _normalised(target: str | os.PathLike[str]) -> Path:
    """``target`` as given, or made absolute when it has no name of its own (``.``); a root is refused."""
    path = Path(target)
    if path.name in ("", ".", ".."):
        path = Path(os.path.abspath(path))
    if not path.name:
        raise ScaInputError(f"{target}: a filesystem root cannot be an output directory")
    return path


def _check_not_current(target: Path, given: str | os.PathLike[str]) -> None:
    """A stage replaces its folder whole, so it must not be the current folder or one above it."""
    here = Path.cwd().resolve()
    if target.resolve() in (here, *here.parents):
        raise ScaInputError(f"{given}: the current folder or one above it cannot be a stage's output directory "
                            f"(a stage replaces its folder whole); give a new folder, e.g. {Path(given) / 'out'}")


def _partial_dir(target: Path, expected: Fingerprint) -> Path:
    """``<target>.partial``: resumed when an interrupted build left it with the same fingerprint, else fresh."""
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    recorded = _recorded(partial, _PARTIAL_FINGERPRINT)
    if partial.exists() and (recorded is None or expected.differences(recorded)):
        shutil.rmtree(partial)
    if partial.exists():
        logger.info("%s: resuming the interrupted build in %s", expected.stage, partial)
    partial.mkdir(parents=True, exist_ok=True)
    io.write_json(partial / _PARTIAL_FINGERPRINT, expected.to_json())
    return partial


def _check_replaceable(target: Path, owned: Collection[str] | None) -> None:
    """Refuse to replace an existing folder without a fingerprint that holds entries the stage does not own."""
    if owned is None or not target.exists() or _recorded(target) is not None:
        return
    foreign = sorted(entry.name for entry in target.iterdir() if entry.name not in owned)
    if foreign:
        raise ScaInputError(f"{target}: holds files sca-tf did not write there ({', '.join(foreign[:3])}); "
                            f"give an empty or new output directory")


def _swap_into_place(partial: Path, target: Path) -> None:
    """Rename ``partial`` onto ``target``; an old ``target`` is renamed aside first and removed after."""
    (partial / _PARTIAL_FINGERPRINT).unlink()
    if not target.exists():
        os.replace(partial, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    os.replace(partial, target)
    shutil.rmtree(old)
