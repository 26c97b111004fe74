"""Files written beside the site's pages, one builder module each (as Sphinx's builders).

A publish hands every builder each article it redoes, in each target language,
translated (``Translated``); the builder writes its files through the publish's
writer, and knows nothing else of the publish. Registering a builder here gives it
its command-line option (``pipeline publish --<name> DIR``), its folder in the
writability probe that runs before anything is written, and its folder in the
cache key (another folder redoes every article).
"""

from __future__ import annotations

from .base import Builder, Emit, Translated
from .json_units import JsonBuilder
from .markdown_copy import MarkdownBuilder

BUILDERS: dict[str, type[Builder]] = {b.name: b for b in (MarkdownBuilder, JsonBuilder)}

__all__ = ["BUILDERS", "Builder", "Emit", "Translated"]
