"""Translated pieces -> the article's token stream, in place.

The caller decides which text each piece gets (a translation, or ``None`` for
the English). A translation whose placeholders do not match its English is not
used: the piece keeps its English and the mismatch is reported, so a page is
never published with broken markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it.token import Token
from markupsafe import escape

from .articles import Meta
from .placeholders import PlaceholderMismatch
from .segment import Document, Piece, Slot
from .unit_kinds import KINDS, plain_text
from .writing import without_spaces


@dataclass
class Placed:
    """What a piece ended up showing on the page."""

    slot: Slot
    piece: Piece
    translated: bool  # False: the English is shown
    mismatch: str = ""  # why a translation was refused


def _spaced(before: str, after: str) -> bool:
    """Whether two sentences need a space between them in a language without spaces:
    yes where both sides are Latin-script text (an English fallback among Chinese)."""
    return bool(before) and bool(after) and ord(before[-1]) < 0x2E80 and ord(after[0]) < 0x2E80


def _join(parts: list[list[Token]], joiner: str) -> list[Token]:
    out: list[Token] = []
    for index, part in enumerate(parts):
        if index and (joiner or _spaced(plain_text(parts[index - 1]), plain_text(part))):
            out.append(Token("text", "", 0, content=joiner or " "))
        out.extend(part)
    return out


@lru_cache(maxsize=1024)  # a page has thousands of units and a handful of different marks
def _opening(attrs: tuple[tuple[str, str], ...]) -> str:
    return "<span" + "".join(f' {name}="{escape(value)}"' for name, value in attrs) + ">"


def _wrapped(tokens: list[Token], attrs: dict[str, str]) -> list[Token]:
    """``tokens`` inside a ``<span>`` with ``attrs`` (the review marks of one unit)."""
    return [
        Token("html_inline", "", 0, content=_opening(tuple(attrs.items()))),
        *tokens,
        Token("html_inline", "", 0, content="</span>"),
    ]


def reassemble(
    doc: Document,
    language: str,
    choose: Callable[[Piece], str | None],
    wrap: Callable[[Piece, bool, bool], dict[str, str] | None] | None = None,
) -> tuple[Meta, list[Placed]]:
    """Write translations into ``doc.tokens``; returns translated front matter and placements.

    ``wrap(piece, translated, refused)`` may give attributes for a span around a unit
    of body text (page marks); ``refused``: its translation's markup did not match.
    """
    joiner = "" if without_spaces(language) else " "
    meta: Meta = {}
    placed: list[Placed] = []
    for slot in doc.slots:
        kind, parts = KINDS[slot.kind], []
        for piece in slot.pieces:
            target = choose(piece) if piece.translatable else None
            tokens, mismatch = None, ""
            if target is not None:
                try:
                    tokens = piece.codes.decode(target)
                except PlaceholderMismatch as exc:
                    mismatch = str(exc)
            if tokens is None:
                tokens = piece.codes.decode(piece.text)
            translated = target is not None and not mismatch
            attrs = wrap(piece, translated, bool(mismatch)) if wrap and piece.translatable else None
            parts.append(_wrapped(tokens, attrs) if attrs and kind.marked else tokens)
            if piece.translatable:
                placed.append(Placed(slot, piece, translated, mismatch))
        kind.put(slot, _join(parts, joiner), meta)
    return meta, placed
