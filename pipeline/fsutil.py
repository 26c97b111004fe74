"""File writes that are atomic and skip unchanged content (so mtimes stay put)."""

from __future__ import annotations

import os
import tempfile
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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PipelineError(
            f"cannot write this file ({exc.strerror})",
            path=path,
            fix="make the folder writable, free some disk space, or choose another output folder",
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
