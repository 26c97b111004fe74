"""One writer at a time per project: publish, approve and imports take this lock.

The lock is an ``flock`` on ``.pipeline-cache/lock``: the kernel releases it
when the last descriptor of its open file is closed, so a killed holder never
keeps it. A forked child (publish's workers) would hold that descriptor too and
keep the lock after its parent's death, so children close it as they start.

The file holds the holder's pid while it runs and is emptied when it finishes: a
pid found there by the next holder means the last command was killed, and may
have left temporary files behind (see fsutil.remove_temporaries).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import PipelineError
from .fsutil import remove_temporaries

LOCK = Path(".pipeline-cache") / "lock"
_held: list[IO[str]] = []  # this process's lock files


def _close_in_child() -> None:
    # Closing the child's copy of the descriptor leaves the parent's lock in place.
    for handle in _held:
        handle.close()
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


@contextmanager
def project_lock(root: Path) -> Iterator[bool]:
    """Hold the project's lock, or fail at once if another command holds it. Gives
    whether the last holder was killed before it finished."""
    path = root / LOCK
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+")
    except OSError as exc:
        raise PipelineError(
            f"cannot create the lock file ({exc.strerror})",
            path=path,
            fix="make the project folder writable",
        ) from exc
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise PipelineError(
                f"another pipeline command is writing this project (pid {holder})",
                path=root,
                fix="wait for it to finish, then run the command again",
            ) from None
        handle.seek(0)
        interrupted = bool(handle.read().strip())
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _held.append(handle)
        try:
            yield interrupted
        finally:  # finished or failed: each write completed or was undone; not killed
            handle.seek(0)
            handle.truncate()
            handle.flush()
    finally:
        if handle in _held:
            _held.remove(handle)
        handle.close()  # closing releases the lock


@contextmanager
def writing(root: Path, folders: Iterable[Path]) -> Iterator[None]:
    """The project's lock, for a command that writes under ``folders``; temporary
    files a killed command left there are removed first."""
    with project_lock(root) as interrupted:
        if interrupted:
            remove_temporaries(folders)
        yield
