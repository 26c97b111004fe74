"""The site's article pages, <site>/<lang>/<slug>/index.html: the English as written,
each translation with its review marks (render.py does the templating)."""

from __future__ import annotations

from ..marks import mark_blocks, title_mark
from ..render import render_article
from .base import Builder, Emit, Remove, Site, SiteBuilder, Translated


class PageBuilder(SiteBuilder):
    name = "pages"
    help = "The site's article pages."
    suffix = "/index.html"
    source_too = True

    outdated = Builder.outdated  # a page is due when its file is missing

    def write(self, item: Translated, emit: Emit) -> None:
        ctx, doc = self.ctx, item.doc
        language = next(lang for lang in ctx.languages if lang.code == item.language)
        if item.catalog is None and language == ctx.config.source_language:
            doc.reset()
            html = render_article(ctx, language, doc, doc.article.translatable_meta, None, set())
        else:
            meta, placed, views = item.translate(marks=True)
            page_worst, marked = mark_blocks(placed, views)
            title = title_mark(placed, views)
            html = render_article(ctx, language, doc, meta, page_worst, marked, title)
        emit(self.path(item.language, doc.article.slug), html)

    def finish(self, site: Site, emit: Emit, remove: Remove) -> None:
        for slug in site.gone:
            for language in site.ctx.languages:
                remove(self.path(language.code, slug))
