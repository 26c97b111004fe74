"""Pseudo-localization: accented, expanded, bracketed text; deterministic.

Developers and translators use it to see at a glance which strings are not
going through translation (they stay plain English) and where a layout
truncates longer languages (the text grows by about 40%).
"""

from __future__ import annotations

import math

from ..placeholders import PLACEHOLDER_RE
from .base import Engine, Translation

ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
EXPANSION = 0.4
PAD = "·"


def pseudo_localize(text: str) -> str:
    """Accent the letters outside placeholders, pad to ~140% length and bracket."""
    parts, pos, letters = [], 0, 0
    for match in PLACEHOLDER_RE.finditer(text):
        chunk = text[pos : match.start()]
        parts.append(chunk.translate(ACCENTS))
        letters += len(chunk)
        parts.append(match.group())
        pos = match.end()
    parts.append(text[pos:].translate(ACCENTS))
    letters += len(text) - pos
    padding = PAD * math.ceil(letters * EXPANSION)
    return f"⟦{''.join(parts)} {padding}⟧"


class PseudoEngine(Engine):
    name = "pseudo"
    writes_target_language = False

    def check(self, source: str, target: str) -> None:
        return None  # works for any pair

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
        return [Translation(pseudo_localize(t)) for t in texts]
