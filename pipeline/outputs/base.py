"""What a builder is given, and what it must provide."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from babel.messages.catalog import Catalog

from ..marks import UnitView, translate_document
from ..reassemble import Placed
from ..segment import Document

# Writes a file (path, text) through the publish's writer: atomically, only when
# changed, and listed in what the publish reports.
Emit = Callable[[Path, str], None]


@dataclass
class Translated:
    """One article in one target language, as the publish hands it to builders."""

    doc: Document  # the English document, as segmented
    language: str  # the target language's code
    catalog: Catalog | None  # its catalog, engine output and glossary flags in

    def translate(self) -> tuple[dict[str, str], list[Placed], dict[str, UnitView]]:
        """Put the translations into ``doc`` (unmarked): the translated front matter,
        what each piece shows, and each unit's state and flags."""
        self.doc.reset()
        return translate_document(self.doc, self.language, self.catalog, marks=False)


class Builder:
    """One kind of output: ``write`` is called for every article and target language
    whose page the publish writes."""

    name: ClassVar[str]  # the option: --<name> DIR
    help: ClassVar[str]

    suffix: ClassVar[str]  # its file per article and language: <folder>/<lang>/<slug><suffix>

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, language: str, slug: str) -> Path:
        return self.folder / language / f"{slug}{self.suffix}"

    def outdated(self, language: str, slug: str) -> bool:
        """Whether the article's file must be written even if nothing else changed."""
        return not self.path(language, slug).exists()

    def write(self, item: Translated, emit: Emit) -> None:
        raise NotImplementedError
