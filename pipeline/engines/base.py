"""The one interface every translation engine implements: a batch in, a batch out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..glossary import Glossary


@dataclass(frozen=True)
class Translation:
    text: str  # placeholder text in the target language
    flags: tuple[str, ...] = ()  # review flags the engine raises (e.g. "unknown-words")

    @classmethod
    def of(cls, text: str) -> Translation:
        """An engine's text for a unit; none: the unit was lost on the way (flagged)."""
        text = text.strip()
        return cls(text) if text else cls("", ("engine-error",))


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


class GlossaryFallback(Exception):
    """The engine could take the glossary into its dictionaries, but not here and now:
    the terms are protected with placeholders instead, and the user is told why."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix


class Engine(ABC):
    name: str  # as configured: [tool.pipeline.languages.X] engines = [...]
    # Whether the output is text in the target language, for the checks that read it
    # with that language's analyser (pseudo-localization is not).
    writes_target_language = True

    @property
    def translator(self) -> str:
        """The MT system whose output this is (a catalog's ``mt-<translator>`` flag): the
        engine, unless it only carries another's output (APy runs Apertium)."""
        return self.name

    def adopt_glossary(self, glossary: Glossary, source: str, target: str, cache: Path) -> bool:
        """Put the glossary into the engine's own dictionaries for the pair; ``cache`` is a
        folder for what that takes. Returns whether it did: if not, the pipeline hides
        each term behind a code and puts the rendering back (an engine without
        dictionaries, such as a neural one). Raises GlossaryFallback when it should have."""
        return False

    @abstractmethod
    def check(self, source: str, target: str) -> None:
        """Raise EngineUnavailable unless this engine can translate the pair now."""

    @abstractmethod
    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
        """Translate placeholder texts; one result per text, in order."""
