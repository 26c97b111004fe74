"""Everything a publish writes besides catalogs, one builder module each (as Sphinx's
builders).

A publish hands every builder each article it redoes, in each target language,
translated (``Translated``), and once at the end the whole site (``Site``); the
builder writes its files through the publish's writer and knows nothing else of
the publish.

``SITE``: the site itself (pages, indexes, sitemap, stylesheet), always written
into the output folder, in this order. ``BUILDERS``: more files on request;
registering one here gives it its command-line option (``pipeline publish
--<name> DIR``), its folder in the writability probe that runs before anything
is written, and its folder in the cache key (another folder redoes every article).
"""

from __future__ import annotations

from pathlib import Path

from ..render import SiteContext
from .assets import AssetsBuilder
from .base import Builder, Emit, Remove, Site, SiteBuilder, Translated
from .json_units import JsonBuilder
from .markdown_copy import MarkdownBuilder
from .site_indexes import IndexBuilder
from .site_pages import PageBuilder
from .sitemap import SitemapBuilder

SITE: tuple[type[SiteBuilder], ...] = (PageBuilder, IndexBuilder, SitemapBuilder, AssetsBuilder)
BUILDERS: dict[str, type[Builder]] = {b.name: b for b in (MarkdownBuilder, JsonBuilder)}


def site_builders(folder: Path, ctx: SiteContext) -> list[Builder]:
    return [builder(folder, ctx) for builder in SITE]


__all__ = ["BUILDERS", "SITE", "Builder", "Emit", "Remove", "Site", "Translated", "site_builders"]
