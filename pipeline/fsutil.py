"""File writes that are atomic and skip unchanged content (so mtimes stay put)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from enum import Enum
from pathlib import Path

from .errors import PipelineError


class _Expect(Enum):
    ANY = "any"  # an enum member: still itself after a trip through a worker's pipe


ANY = _Expect.ANY  # write_if_changed's ``expect``: whatever the file holds may be replaced


class ChangedOnDisk(PipelineError):
    """A file was changed by someone else after this command read it."""


def changed_on_disk(path: Path) -> ChangedOnDisk:
    return ChangedOnDisk(
        "was changed by someone else while this command ran; it was not overwritten",
        path=path,
        fix="run the command again: it reads the new version and keeps its changes",
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def read_or_none(path: Path) -> bytes | None:
    """The file's bytes, or None when there is no such file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def file_sha(path: Path) -> str | None:
    data = read_or_none(path)
    return None if data is None else sha(data)


def shown(path: Path, root: Path) -> Path:
    """``path`` as a user reads it in messages: relative to the project when inside it."""
    try:  # not is_relative_to first: it is relative_to, and would run it twice
        return path.relative_to(root)
    except ValueError:
        return path


def write_if_changed(path: Path, data: bytes, expect: str | object | None = ANY) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly those bytes.

    The new content goes to a temporary file in the same folder and is renamed
    into place, so a crash never leaves a half-written file. Returns whether
    the file was written. ``expect``: the ``sha`` of the file as the caller read
    it (None: there was none); if the file has changed since, someone else's
    save would be lost, so ChangedOnDisk is raised and nothing is written.
    """
    tmp = stage(path, data, expect)
    if tmp is not None:
        commit([(tmp, path)])
    return tmp is not None


def stage(path: Path, data: bytes, expect: str | object | None = ANY) -> Path | None:
    """``data`` in a temporary file beside ``path``, to be renamed into place by
    ``commit`` (None: ``path`` already holds it). See write_if_changed."""
    try:
        current: bytes | None = path.read_bytes()
    except FileNotFoundError:
        current = None
    except OSError:
        current = None  # not readable: writing it will say what is wrong
    if current == data:
        return None
    if expect is not ANY and (None if current is None else sha(current)) != expect:
        raise changed_on_disk(path)
    # One temporary name per process (workers are processes): no random names, and
    # a file created with the usual permissions (umask), as any other tool would.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    try:
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileNotFoundError:  # a new folder
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, flags, 0o666)
    except OSError as exc:
        raise PipelineError(
            f"cannot write here ({exc.strerror})",
            path=path.parent,
            fix="make the folder writable or choose another output folder",
        ) from exc
    try:
        # No fsync: the rename is atomic, so a killed process leaves the old file or
        # the new one, never half of one (power loss is the file system's business).
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_failed(path, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def commit(staged: Iterable[tuple[Path, Path]]) -> None:
    """Rename staged files (temporary, final) into place."""
    for tmp, path in staged:
        try:
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _write_failed(path, exc) from exc


def commit_unchanged(tmp: Path, path: Path, expect: str | object | None) -> None:
    """Rename a staged file into place unless ``path`` changed since it was read as
    ``expect`` (see write_if_changed): then the staged file is dropped and
    ChangedOnDisk raised, so someone's save made meanwhile is kept."""
    if expect is not ANY and file_sha(path) != expect:
        tmp.unlink(missing_ok=True)
        raise changed_on_disk(path)
    commit([(tmp, path)])


def _write_failed(path: Path, exc: OSError) -> PipelineError:
    """Writing a file's bytes, or renaming them into place, failed."""
    return PipelineError(
        f"cannot write this file ({exc.strerror})",
        path=path,
        fix="make the folder writable, free some disk space, or choose another output folder",
    )


def probe_writable(folder: Path) -> None:
    """Fail now, with a clear message, if files cannot be created in ``folder``.

    A command calls this for every folder it will write to before it writes
    anything, so an unwritable output never leaves half of its work done. The
    folder need not exist yet: its nearest existing parent is tried.
    """
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    problem = "it is not a folder" if not existing.is_dir() else ""
    if not problem:
        try:
            fd, name = tempfile.mkstemp(dir=existing, prefix=".pipeline-probe-")
            os.close(fd)
            os.unlink(name)
        except OSError as exc:
            problem = exc.strerror or str(exc)
    if problem:
        raise PipelineError(
            f"cannot write here ({problem}); nothing was changed",
            path=existing,
            fix="make the folder writable or choose another output folder",
        )


TEMPORARY_RE = re.compile(r"^\..+\.(\d+)\.tmp$")  # write_if_changed's ".NAME.PID.tmp"


def remove_temporaries(folders: Iterable[Path], ours: bool = False) -> int:
    """Delete the temporary files a killed command left under ``folders`` (call it
    holding the project lock: no other writer is alive); with ``ours``, this
    process's too (a failed publish's staged files). Returns how many."""
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob(".*.tmp"):
            match = TEMPORARY_RE.match(path.name)
            if match and (ours or int(match.group(1)) != os.getpid()) and path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
    return removed
