"""One JSON file per article and language, DIR/<lang>/<slug>.json, for headless CMSs
and JavaScript site generators: the translated front matter and every unit with its
English, its translation, its review state and flags."""

from __future__ import annotations

import json

from ..catalog import UNTRANSLATED
from ..reassemble import Placed
from .base import Builder, Emit, Translated


class JsonBuilder(Builder):
    name = "json-units"
    suffix = ".json"
    help = "Also write each article as JSON units, DIR/<lang>/<slug>.json (headless CMSs...)."

    def write(self, item: Translated, emit: Emit) -> None:
        meta, placed, views = item.translate()
        article = item.doc.article
        units = []
        for place in placed:
            view = views.get(place.piece.text)
            flags = [*(view.flags if view else []), *(["markup"] if place.mismatch else [])]
            message = item.catalog.get(place.piece.text) if item.catalog else None
            units.append(
                {
                    "where": _where(place),
                    "line": place.piece.line,
                    "source": place.piece.text,
                    "target": message.string if message and message.string else None,
                    "shown": "target" if place.translated else "source",
                    "state": view.state if view else UNTRANSLATED,
                    "flags": flags,
                }
            )
        document = {
            "slug": article.slug,
            "language": item.language,
            "front_matter": {**article.meta, **meta},
            "units": units,
        }
        text = json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"
        emit(self.path(item.language, article.slug), text)


def _where(place: Placed) -> str:
    """The front-matter key, the block ("paragraph", "heading", "th"...), or the kind
    ("alt", "attr", "html": text in an HTML block, "html_attr": a raw tag's title or alt)."""
    slot = place.slot
    if slot.kind == "meta":
        return slot.name
    if slot.kind == "inline" and slot.block is not None:
        return slot.block.type.removesuffix("_open")
    return slot.kind
