"""The kinds of translatable text in an article, declared once: what translators are
told about each, whether a page may mark its units, and how a translation is put
back. segment.py finds the slots of each kind; reassemble.py puts translations
back through this table, never by testing the kind itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markdown_it.token import Token

from .articles import Meta
from .html_text import rendered

if TYPE_CHECKING:
    from .segment import Slot


def plain_text(tokens: list[Token]) -> str:
    """Text of inline tokens as an attribute or alt would show it (markup dropped)."""
    parts = []
    for tok in tokens:
        if tok.type in ("text", "text_special", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "image":
            parts.append(plain_text(tok.children or []))
    return "".join(parts)


@dataclass(frozen=True)
class Kind:
    note: Callable[[Slot], str]  # the translators' note on its units ("" for body text)
    marked: bool  # a page's review marks may wrap its units in a <span>
    # Writes its translated tokens back: into the token stream, or the front matter.
    put: Callable[[Slot, list[Token], Meta], None]


def _token(slot: Slot) -> Token:
    assert slot.token is not None, slot.kind  # every kind but "meta" writes to a token
    return slot.token


def _put_inline(slot: Slot, tokens: list[Token], meta: Meta) -> None:
    _token(slot).children = tokens


def _put_alt(slot: Slot, tokens: list[Token], meta: Meta) -> None:
    _token(slot).children = tokens
    _token(slot).content = plain_text(tokens)


def _put_attr(slot: Slot, tokens: list[Token], meta: Meta) -> None:
    _token(slot).attrSet(slot.name, plain_text(tokens))


def _put_meta(slot: Slot, tokens: list[Token], meta: Meta) -> None:
    if slot.index is None:
        meta[slot.name] = plain_text(tokens)
        return
    items = meta.setdefault(slot.name, [])  # a list's items come in order
    assert isinstance(items, list)
    items.append(plain_text(tokens))


def _put_html(slot: Slot, tokens: list[Token], meta: Meta) -> None:
    assert slot.hole is not None
    holes, hole = slot.hole
    holes.put(hole, rendered(tokens))


def _put_html_attr(slot: Slot, tokens: list[Token], meta: Meta) -> None:
    assert slot.hole is not None
    holes, hole = slot.hole
    holes.put(hole, plain_text(tokens))


def _inline_note(slot: Slot) -> str:  # headings are listed first in review
    return "heading" if getattr(slot.block, "type", "") == "heading_open" else ""


KINDS: dict[str, Kind] = {
    "inline": Kind(_inline_note, True, _put_inline),  # an inline token's children
    "alt": Kind(lambda slot: "image alt text", False, _put_alt),
    "attr": Kind(lambda slot: f"{slot.name} attribute", False, _put_attr),
    "meta": Kind(lambda slot: f"front matter: {slot.name}", False, _put_meta),
    "html": Kind(lambda slot: "", True, _put_html),  # text inside an HTML block
    "html_attr": Kind(lambda slot: f"{slot.name} attribute", False, _put_html_attr),
}
