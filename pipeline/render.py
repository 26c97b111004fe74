"""Pages: article token streams and catalogs -> HTML files under the output folder.

Every translated block carries its review state as data attributes
(``data-l10n-state``, ``data-l10n-flags``) and, where the English is shown,
``lang="en"``, so browsers, screen readers and reviewers know what they read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from babel.messages.catalog import Catalog
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .catalog import APPROVED, MACHINE, STALE, UNTRANSLATED, quality_flags, state_of
from .config import Config, Language
from .guard import BLOCKING
from .markdown import markdown
from .reassemble import Placed, reassemble
from .segment import Document

# Worst first: the state a block shows is the worst of its units.
SEVERITY = {UNTRANSLATED: 0, STALE: 1, MACHINE: 2, APPROVED: 3}
BANNERS = {
    UNTRANSLATED: "Parts of this page are not translated yet and are shown in English.",
    STALE: "The English original of parts of this page has changed since it was reviewed.",
    MACHINE: "This page was machine-translated and has not been reviewed yet.",
}


@cache
def templates() -> Environment:
    return Environment(
        loader=PackageLoader("pipeline", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def article_href(language: str, slug: str) -> str:
    return f"{language}/{slug}/"


@dataclass
class UnitView:
    """How one unit shows on a page: its state and problems."""

    state: str
    flags: list[str] = field(default_factory=list)


def unit_views(catalog: Catalog | None) -> dict[str, UnitView]:
    if catalog is None:
        return {}
    return {m.id: UnitView(state_of(m), quality_flags(m)) for m in catalog if m.id and m.string}


def translate_document(
    doc: Document, language: str, catalog: Catalog | None
) -> tuple[dict[str, str], list[Placed], dict[str, UnitView]]:
    """Put the catalog's translations into ``doc`` (English where there is none)."""
    views = unit_views(catalog)

    def choose(piece) -> str | None:
        view = views.get(piece.text)
        if view is None or (view.state == MACHINE and BLOCKING & set(view.flags)):
            return None  # engine output the guard stopped: the English is shown
        return catalog[piece.text].string

    meta, placed = reassemble(doc, language, choose)
    return meta, placed, views


def mark_blocks(placed: list[Placed], views: dict[str, UnitView]) -> str | None:
    """Set review attributes on the blocks of ``placed``; returns the page's worst state."""
    blocks: dict[int, tuple[object, str, set[str]]] = {}
    worst = None
    for item in placed:
        view = views.get(item.piece.text)
        state = view.state if view and item.translated else UNTRANSLATED
        flags = set(view.flags if view else [])
        if item.mismatch:
            flags.add("markup")
        if worst is None or SEVERITY[state] < SEVERITY[worst]:
            worst = state
        if item.slot.block is None:
            continue
        key = id(item.slot.block)
        _, block_state, block_flags = blocks.get(key, (None, APPROVED, set()))
        if SEVERITY[state] < SEVERITY[block_state]:
            block_state = state
        blocks[key] = (item.slot.block, block_state, block_flags | flags)
    for block, state, flags in blocks.values():
        block.attrSet("data-l10n-state", state)
        if flags:
            block.attrSet("data-l10n-flags", " ".join(sorted(flags)))
        if state == UNTRANSLATED:
            block.attrSet("lang", "en")
    return worst


def render_body(doc: Document) -> Markup:
    md = markdown()
    return Markup(md.renderer.render(doc.tokens, md.options, doc.env))


def _switcher(config: Config, current: str, href_for) -> list[dict]:
    langs = [config.source_language, *config.languages]
    return [
        {"hreflang": lang.code, "name": lang.native_name, "href": href_for(lang.code),
         "current": lang.code == current}
        for lang in langs
    ]  # fmt: skip


def _alternates(config: Config, href_for) -> list[dict]:
    langs = [config.source_language, *config.languages]
    alternates = [{"hreflang": lang.code, "href": href_for(lang.code)} for lang in langs]
    alternates.append({"hreflang": "x-default", "href": href_for(config.source_language.code)})
    return alternates


def render_article(
    config: Config,
    language: Language,
    doc: Document,
    meta: dict[str, str],
    worst: str | None,
) -> str:
    slug = doc.article.slug
    up = "../../"

    def href_for(code: str) -> str:
        return up + article_href(code, slug)

    title_attrs = ""
    banner = BANNERS.get(worst or APPROVED, "")
    if language.code != config.source_language.code and meta.get("title") == doc.article.title:
        title_attrs = Markup(' lang="{}"').format(config.source_language.code)
    page = {
        "lang": language.code,
        "dir": language.direction,
        "title": meta.get("title", doc.article.title),
        "title_attrs": title_attrs,
        "description": meta.get("summary", ""),
        "alternates": _alternates(config, href_for),
        "switcher": _switcher(config, language.code, href_for),
        "home": up + f"{language.code}/",
        "banner": banner,
        "banner_kind": worst or "",
        "body": render_body(doc),
    }
    return templates().get_template("article.html").render(site_name=config.site_name, page=page)


def render_language_index(
    config: Config, language: Language, entries: list[tuple[str, dict[str, str]]]
) -> str:
    def href_for(code: str) -> str:
        return f"../{code}/"

    page = {
        "lang": language.code,
        "dir": language.direction,
        "title": config.site_name,
        "description": "",
        "alternates": _alternates(config, href_for),
        "switcher": _switcher(config, language.code, href_for),
        "home": "./",
        "articles": [
            {"href": f"{slug}/", "title": meta.get("title", slug), "summary": meta.get("summary")}
            for slug, meta in entries
        ],
    }
    return templates().get_template("index.html").render(site_name=config.site_name, page=page)


def render_root(config: Config) -> str:
    source = config.source_language

    def href_for(code: str) -> str:
        return f"{code}/"

    page = {
        "lang": source.code,
        "dir": source.direction,
        "title": config.site_name,
        "description": "",
        "alternates": _alternates(config, href_for),
        "switcher": _switcher(config, source.code, href_for),
        "home": "./",
        "languages": [
            {"href": href_for(lang.code), "hreflang": lang.code, "name": lang.native_name}
            for lang in (source, *config.languages)
        ],
    }
    return templates().get_template("root.html").render(site_name=config.site_name, page=page)
