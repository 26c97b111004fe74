"""One error type for everything a user can fix, rendered as one line."""

from __future__ import annotations

from functools import partial
from pathlib import Path


class PipelineError(Exception):
    """A problem with the user's input or installation, with where it is and how to fix it."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.fix = fix

    def __reduce__(self):
        # Keeps path, line and fix when the error crosses from a worker process.
        return (partial(type(self), path=self.path, line=self.line, fix=self.fix), (self.message,))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{where}{self.message}.{fix}"
