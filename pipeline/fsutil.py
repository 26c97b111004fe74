"""File writes that are atomic and skip unchanged content (so mtimes stay put)."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import PipelineError


def shown(path: Path, root: Path) -> Path:
    """``path`` as a user reads it in messages: relative to the project when inside it."""
    return path.relative_to(root) if path.is_relative_to(root) else path


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly those bytes.

    The new content goes to a temporary file in the same folder and is renamed
    into place, so a crash never leaves a half-written file. Returns whether
    the file was written.
    """
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass  # missing, or not readable: writing it will say what is wrong
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
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PipelineError(
            f"cannot write this file ({exc.strerror})",
            path=path,
            fix="make the folder writable, free some disk space, or choose another output folder",
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True
