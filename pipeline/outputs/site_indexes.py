"""Each language's index of articles, <site>/<lang>/index.html, and the root page that
lists the languages, <site>/index.html."""

from __future__ import annotations

from ..render import render_language_index, render_root
from .base import Emit, Remove, Site, SiteBuilder


class IndexBuilder(SiteBuilder):
    name = "indexes"
    help = "The language indexes and the root page."
    suffix = ""

    def finish(self, site: Site, emit: Emit, remove: Remove) -> None:
        languages = {lang.code: lang for lang in site.ctx.languages}
        for code, listing in site.listings.items():
            html = render_language_index(site.ctx, languages[code], listing)
            emit(self.folder / code / "index.html", html)
        emit(self.folder / "index.html", render_root(site.ctx))
