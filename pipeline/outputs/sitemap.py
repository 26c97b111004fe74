"""sitemap.xml with every page and its language alternates (xhtml:link), for search engines."""

from __future__ import annotations

from html import escape

from ..render import SiteContext
from .base import Emit, Remove, Site, SiteBuilder

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def render_sitemap(ctx: SiteContext, slugs: list[str]) -> str:
    """One <url> per advertised page; each lists the languages the page is advertised
    in and x-default (an article below a language's min_coverage is left out).

    The sitemap protocol wants absolute addresses: without ``base_url`` the
    addresses are relative to the site's root, which crawlers will not follow.
    """
    source = ctx.config.source_language.code
    lines = [HEADER]
    for slug in [None, *slugs]:
        offered = [lang for lang in ctx.languages if ctx.advertised(lang.code, slug)]
        for language in offered:
            lines.append(f"<url><loc>{escape(ctx.url(language.code, slug))}</loc>\n")
            for other in offered:
                href = _attribute(ctx.url(other.code, slug))
                lines.append(
                    f'  <xhtml:link rel="alternate" hreflang="{other.bcp47}" href={href}/>\n'
                )
            default = _attribute(ctx.url(source, slug))
            lines.append(f'  <xhtml:link rel="alternate" hreflang="x-default" href={default}/>\n')
            lines.append("</url>\n")
    lines.append("</urlset>\n")
    return "".join(lines)


def _attribute(text: str) -> str:
    # html.escape quotes what XML needs (& < > " '); xml.sax.saxutils would cost
    # every command 18 ms of imports (urllib, http, ssl, email) for this one call.
    return f'"{escape(text)}"'


class SitemapBuilder(SiteBuilder):
    name = "sitemap"
    help = "sitemap.xml for search engines."
    suffix = ""

    def finish(self, site: Site, emit: Emit, remove: Remove) -> None:
        emit(self.folder / "sitemap.xml", render_sitemap(site.ctx, site.slugs))
