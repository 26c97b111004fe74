"""The one Markdown dialect of the site: CommonMark plus GFM tables and strikethrough,
and footnotes (mdit-py-plugins, rendered with back-links)."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)
