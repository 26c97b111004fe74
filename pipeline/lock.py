"""One writer at a time per project: publish, approve and imports take this lock."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import PipelineError

LOCK = Path(".pipeline-cache") / "lock"


@contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """Hold the project's lock, or fail at once if another command holds it."""
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
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock
