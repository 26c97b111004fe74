"""A catalog's translations put into an article's document, and the review marks a
page draws: each unit's state and flags as a ``<span data-l10n-unit data-l10n-flags>``
(body text only), each block's worst state as ``data-l10n-state``, and which of the
legend's marks a page shows. render.py turns the marked document into HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from babel.messages.catalog import Catalog
from markdown_it.token import Token

from .articles import Meta
from .catalog import APPROVED, UNTRANSLATED, entries, guard_stopped, quality_flags, state_of, worst
from .reassemble import Placed, reassemble
from .segment import Document, Piece


@dataclass
class UnitView:
    """How one unit shows on a page: its state and problems."""

    state: str
    flags: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        """Whether the page shows the translation (the guard stops machine output)."""
        return not guard_stopped(self.state, self.flags)


def unit_views(catalog: Catalog | None) -> dict[str, UnitView]:
    if catalog is None:
        return {}
    return {m.id: UnitView(state_of(m), quality_flags(m)) for m in entries(catalog) if m.string}


def _mark(view: UnitView | None, translated: bool, refused: bool = False) -> dict[str, str] | None:
    """A unit's span attributes (None: nothing to mark). ``refused``: its translation's
    markup did not match the English, which is shown instead."""
    state = view.state if view and translated else UNTRANSLATED
    flags = [*(view.flags if view else []), *(["markup"] if refused else [])]
    if state == APPROVED and not flags:
        return None
    attrs = {"data-l10n-unit": state}
    if flags:
        attrs["data-l10n-flags"] = " ".join(flags)
    if state == UNTRANSLATED:
        attrs["lang"] = "en"
    return attrs


def translate_document(
    doc: Document, language: str, catalog: Catalog | None, marks: bool = True
) -> tuple[Meta, list[Placed], dict[str, UnitView]]:
    """Put the catalog's translations into ``doc`` (English where there is none)."""
    views = unit_views(catalog)

    def usable(piece: Piece) -> bool:
        view = views.get(piece.text)
        return view is not None and view.shown

    def choose(piece: Piece) -> str | None:
        return catalog[piece.text].string if catalog is not None and usable(piece) else None

    def wrap(piece: Piece, translated: bool, refused: bool) -> dict[str, str] | None:
        return _mark(views.get(piece.text), translated, refused) if marks else None

    meta, placed = reassemble(doc, language, choose, wrap)
    return meta, placed, views


def drawn(attrs: dict[str, str] | None) -> str:
    """Which of the legend's marks a unit's span shows: "flagged", "untranslated" or ""."""
    if not attrs:
        return ""
    if "data-l10n-flags" in attrs:
        return "flagged"
    return "untranslated" if attrs["data-l10n-unit"] == UNTRANSLATED else ""


def mark_blocks(placed: list[Placed], views: dict[str, UnitView]) -> tuple[str | None, set[str]]:
    """Set each block's worst state; returns the page's worst state and the marks its
    units show (see drawn). Flags stay on the units' spans."""
    blocks: dict[int, tuple[Token, str]] = {}
    page_worst, kinds = None, set()
    for item in placed:
        view = views.get(item.piece.text)
        state = view.state if view and item.translated else UNTRANSLATED
        kinds.add(drawn(_mark(view, item.translated, bool(item.mismatch))))
        page_worst = worst(s for s in (page_worst, state) if s)
        if item.slot.block is None:
            continue
        key = id(item.slot.block)
        _, block_state = blocks.get(key, (None, APPROVED))
        blocks[key] = (item.slot.block, worst([block_state, state]) or state)
    for block, state in blocks.values():
        block.attrSet("data-l10n-state", state)
        if state == UNTRANSLATED:
            block.attrSet("lang", "en")
    kinds.discard("")
    return page_worst, kinds


def title_mark(placed: list[Placed], views: dict[str, UnitView]) -> dict[str, str] | None:
    """The review mark of the front matter's title, drawn on the page's <h1>."""
    pieces = [p for p in placed if p.slot.kind == "meta" and p.slot.name == "title"]
    found = [_mark(views.get(p.piece.text), p.translated, bool(p.mismatch)) for p in pieces]
    marks = [m for m in found if m]
    if not marks:
        return None
    state = worst(m["data-l10n-unit"] for m in marks) or APPROVED
    flags = sorted({f for m in marks for f in m.get("data-l10n-flags", "").split() if f})
    return _mark(UnitView(state, flags), True)
