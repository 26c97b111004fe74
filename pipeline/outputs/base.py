"""What a builder is given, and what it must provide."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from babel.messages.catalog import Catalog

from ..articles import Meta
from ..marks import UnitView, translate_document
from ..reassemble import Placed
from ..render import SiteContext
from ..segment import Document

# Writes a file (path, text) through the publish's writer: atomically, only when
# changed, and listed in what the publish reports.
Emit = Callable[[Path, str], None]
# Removes a file the site no longer has (an article that left source/).
Remove = Callable[[Path], None]


@dataclass
class Translated:
    """One article in one language, as the publish hands it to builders (the source
    language too, with no catalog, for the builders that write it: ``source_too``)."""

    doc: Document  # the English document, as segmented
    language: str  # the language's code
    catalog: Catalog | None  # its catalog, engine output and glossary flags in
    meta: Meta = field(default_factory=dict)  # front matter, once translated

    def translate(self, marks: bool = False) -> tuple[Meta, list[Placed], dict[str, UnitView]]:
        """Put the translations into ``doc``: the translated front matter (kept as
        ``meta``), what each piece shows, and each unit's state and flags; ``marks``:
        each unit that is not approved wrapped in its review mark (a page's)."""
        self.doc.reset()
        meta, placed, views = translate_document(self.doc, self.language, self.catalog, marks)
        self.meta = meta
        return meta, placed, views


@dataclass
class Site:
    """The site once every article is done, as ``finish`` is given it."""

    ctx: SiteContext
    slugs: list[str]  # every article, in source order
    # language -> its listing, (slug, front matter in it, date), for the languages
    # this publish wrote (a language left out keeps its index as it was)
    listings: dict[str, list[tuple[str, dict, object]]]
    gone: list[str]  # articles that left source/ since the last publish


class Builder:
    """One kind of output (as Sphinx's builders): ``outdated`` says whether an
    article's file must be written even if nothing else changed, ``write`` is
    called for every article and language the publish writes, ``finish`` once
    at the end with the whole site."""

    name: ClassVar[str]  # the option: --<name> DIR
    help: ClassVar[str]
    suffix: ClassVar[str]  # its file per article and language: <folder>/<lang>/<slug><suffix>
    source_too: ClassVar[bool] = False  # also written for the source language

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, language: str, slug: str) -> Path:
        return self.folder / language / f"{slug}{self.suffix}"

    def outdated(self, language: str, slug: str) -> bool:
        return not self.path(language, slug).exists()

    def write(self, item: Translated, emit: Emit) -> None:
        raise NotImplementedError

    def finish(self, site: Site, emit: Emit, remove: Remove) -> None:
        """Files about the whole site; the default writes none."""


class SiteBuilder(Builder):
    """A part of the site itself (always written, into the output folder): it knows
    every article's state in every language and the page chrome's translations."""

    def __init__(self, folder: Path, ctx: SiteContext) -> None:
        super().__init__(folder)
        self.ctx = ctx

    def write(self, item: Translated, emit: Emit) -> None:
        """Nothing per article; the default for builders of site-wide files."""

    def outdated(self, language: str, slug: str) -> bool:
        return False
