"""The one interface every translation engine implements: a batch in, a batch out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Translation:
    text: str  # placeholder text in the target language
    flags: tuple[str, ...] = ()  # review flags the engine raises (e.g. "unknown-words")


class EngineUnavailable(Exception):
    """The engine cannot translate this pair here.

    ``fatal`` marks a broken installation (the engine is meant to be there but
    is not): the command stops. Otherwise the next engine in line is tried.
    """

    def __init__(self, reason: str, fix: str, *, fatal: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix
        self.fatal = fatal


class Engine(ABC):
    name: str

    @abstractmethod
    def check(self, source: str, target: str) -> None:
        """Raise EngineUnavailable unless this engine can translate the pair now."""

    @abstractmethod
    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
        """Translate placeholder texts; one result per text, in order."""
