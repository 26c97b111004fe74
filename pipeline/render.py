"""Pages: article token streams and catalogs -> HTML under the output folder.

Every unit that is not approved or carries a quality flag is wrapped in a
``<span data-l10n-unit="STATE" data-l10n-flags="...">`` (``lang="en"`` where
the English is shown); every block also carries its units' worst state as
``data-l10n-state``. Browsers, screen readers, reviewers and the
``--review-marks`` build all read the same marks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

import nh3
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .catalog import (
    APPROVED,
    DRAFT,
    MACHINE,
    STALE,
    UNTRANSLATED,
    entries,
    quality_flags,
    state_of,
)
from .config import Config, Language
from .guard import BLOCKING
from .markdown import markdown
from .reassemble import Placed, reassemble
from .segment import Document, Piece

# Worst first: a block or page shows the worst state of its units.
SEVERITY = {UNTRANSLATED: 0, STALE: 1, MACHINE: 2, DRAFT: 3, APPROVED: 4}
ORIGINAL = "original"


@cache
def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("pipeline", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates ship with the package: no stat() per page
    )
    env.install_null_translations(newstyle=True)
    return env


def render_template(name: str, translations: Translations | None, **context) -> str:
    env = templates()
    if translations is None:
        env.install_null_translations(newstyle=True)
    else:
        env.install_gettext_translations(translations, newstyle=True)
    return env.get_template(name).render(**context)


def worst(states) -> str | None:
    return min(states, key=SEVERITY.__getitem__, default=None)


@dataclass
class UnitView:
    """How one unit shows on a page: its state and problems."""

    state: str
    flags: list[str] = field(default_factory=list)


def unit_views(catalog: Catalog | None) -> dict[str, UnitView]:
    if catalog is None:
        return {}
    return {m.id: UnitView(state_of(m), quality_flags(m)) for m in entries(catalog) if m.string}


def article_state(units: list[str], catalog: Catalog | None) -> str:
    """The worst state of an article's units in one language (for the switcher)."""
    views = unit_views(catalog)
    return worst(views[u].state if u in views else UNTRANSLATED for u in units) or APPROVED


@dataclass
class SiteContext:
    """What every page of one publish needs to know about the others."""

    config: Config
    translations: dict[str, Translations]  # language -> chrome translations
    states: dict[tuple[str, str], str]  # (language, slug) -> the article's worst state
    review_marks: bool = False

    @property
    def languages(self) -> list[Language]:
        return [self.config.source_language, *self.config.languages]

    def url(self, code: str, slug: str | None = None) -> str:
        path = f"{code}/{slug}/" if slug else f"{code}/"
        base = self.config.base_url
        return f"{base}/{path}" if base else path


def _mark(view: UnitView | None, translated: bool) -> dict[str, str] | None:
    state = view.state if view and translated else UNTRANSLATED
    flags = view.flags if view else []
    if state == APPROVED and not flags:
        return None
    attrs = {"data-l10n-unit": state}
    if flags:
        attrs["data-l10n-flags"] = " ".join(flags)
    if state == UNTRANSLATED:
        attrs["lang"] = "en"
    return attrs


def translate_document(
    doc: Document, language: str, catalog: Catalog | None, marks: bool = True
) -> tuple[dict[str, str], list[Placed], dict[str, UnitView]]:
    """Put the catalog's translations into ``doc`` (English where there is none)."""
    views = unit_views(catalog)

    def usable(piece: Piece) -> bool:
        view = views.get(piece.text)
        return view is not None and not (view.state == MACHINE and BLOCKING & set(view.flags))

    def choose(piece: Piece) -> str | None:
        return catalog[piece.text].string if usable(piece) else None

    def wrap(piece: Piece, translated: bool) -> dict[str, str] | None:
        return _mark(views.get(piece.text), translated) if marks else None

    meta, placed = reassemble(doc, language, choose, wrap)
    return meta, placed, views


def mark_blocks(placed: list[Placed], views: dict[str, UnitView]) -> tuple[str | None, bool]:
    """Set review attributes on blocks; returns the page's worst state and whether
    any unit is marked (English fallback or flagged)."""
    blocks: dict[int, tuple[object, str, set[str]]] = {}
    page_worst, marked = None, False
    for item in placed:
        view = views.get(item.piece.text)
        state = view.state if view and item.translated else UNTRANSLATED
        flags = set(view.flags if view else [])
        if item.mismatch:
            flags.add("markup")
        marked = marked or state == UNTRANSLATED or bool(flags)
        page_worst = worst(s for s in (page_worst, state) if s)
        if item.slot.block is None:
            continue
        key = id(item.slot.block)
        _, block_state, block_flags = blocks.get(key, (None, APPROVED, set()))
        blocks[key] = (item.slot.block, worst([block_state, state]), block_flags | flags)
    for block, state, flags in blocks.values():
        block.attrSet("data-l10n-state", state)
        if flags:
            block.attrSet("data-l10n-flags", " ".join(sorted(flags)))
        if state == UNTRANSLATED:
            block.attrSet("lang", "en")
    return page_worst, marked


def render_body(doc: Document) -> Markup:
    md = markdown()
    return Markup(md.renderer.render(doc.tokens, md.options, doc.env))


# What a page body may contain: Markdown's own HTML, review marks and harmless raw
# HTML. Scripts, event handlers, javascript: URLs and anything else are removed.
SAFE_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "details",
    "div",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
SAFE_ATTRIBUTES = {
    "*": {"lang", "dir", "title", "id"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
    "code": {"class"},
}


# nh3 0.3 takes time quadratic in the number of U+0080-U+00BF characters in one text
# node (a 1 MB paragraph of "·" took seconds): they cross it as private-use stand-ins,
# which it passes through unchanged. U+00A0 stays itself: it is written as &nbsp;.
_STAND_IN = {c: 0x10FF00 + c for c in range(0x80, 0xC0) if c != 0xA0}
_BACK = {v: k for k, v in _STAND_IN.items()}
_STAND_IN_RE = re.compile("[\U0010ff80-\U0010ffbf]")


def sanitize(html: str) -> Markup:
    """Page HTML with anything that could run script removed (nh3 / Ammonia)."""
    if _STAND_IN_RE.search(html):
        return Markup(_clean(html))  # stand-ins already in the text: no shortcut
    return Markup(_clean(html.translate(_STAND_IN)).translate(_BACK))


def _clean(html: str) -> str:
    return str(
        nh3.clean(
            html,
            tags=SAFE_TAGS,
            attributes=SAFE_ATTRIBUTES,
            generic_attribute_prefixes={"data-l10n-"},
            url_schemes={"http", "https", "mailto", "tel"},
            link_rel=None,
            filter_style_properties={"text-align"},
        )
    )


def _page(ctx: SiteContext, language: Language, root: str, href_for, slug: str | None) -> dict:
    """The parts every page has: language, links to its other languages, switcher."""
    source = ctx.config.source_language.code
    switcher = []
    for lang in ctx.languages:
        state = ORIGINAL if lang.code == source else ctx.states.get((lang.code, slug or ""), "")
        switcher.append(
            {
                "hreflang": lang.bcp47,
                "name": lang.native_name,
                "href": root + href_for(lang.code),
                "current": lang.code == language.code,
                "state": state,
            }
        )
    base = ctx.config.base_url

    def absolute(code: str) -> str:
        return f"{base}/{href_for(code)}" if base else root + href_for(code)

    alternates = [{"hreflang": lang.bcp47, "href": absolute(lang.code)} for lang in ctx.languages]
    alternates.append({"hreflang": "x-default", "href": absolute(source)})
    return {
        "lang": language.bcp47,
        "dir": language.direction,
        "native_name": language.native_name,
        "root": root,
        "home": root + f"{language.code}/",
        "canonical": absolute(language.code),
        "alternates": alternates,
        "switcher": switcher,
        "description": "",
    }


def _date(value: object, language: Language) -> str:
    if isinstance(value, dt.date):
        return format_date(value, format="long", locale=language.locale)
    return ""


def render_article(
    ctx: SiteContext,
    language: Language,
    doc: Document,
    meta: dict[str, str],
    page_worst: str | None,
    marked: bool,
) -> str:
    slug = doc.article.slug
    page = _page(ctx, language, "../../", lambda code: f"{code}/{slug}/", slug)
    title = meta.get("title", doc.article.title)
    title_html = escape(title)
    is_source = language.code == ctx.config.source_language.code
    if not is_source and title == doc.article.title:  # the English title is shown
        title_html = Markup('<span data-l10n-unit="untranslated" lang="en">{}</span>').format(title)
    page.update(
        title=title,
        title_html=title_html,
        description=meta.get("summary", ""),
        banner_kind="" if is_source or page_worst in (None, APPROVED) else page_worst,
        marked=marked and not is_source,
        date=_date(doc.article.meta.get("date"), language),
        body=sanitize(render_body(doc)),
    )
    return render_template(
        "article.html",
        ctx.translations.get(language.code),
        site_name=ctx.config.site_name,
        page=page,
        review_marks=ctx.review_marks,
    )


def render_language_index(
    ctx: SiteContext, language: Language, entries: list[tuple[str, dict, object]]
) -> str:
    page = _page(ctx, language, "../", lambda code: f"{code}/", None)
    page.update(
        title=ctx.config.site_name,
        articles=[
            {
                "href": f"{slug}/",
                "title": meta.get("title", slug),
                "summary": meta.get("summary"),
                "date": _date(date, language),
            }
            for slug, meta, date in entries
        ],
        article_count=format_decimal(len(entries), locale=language.locale),
    )
    return render_template(
        "index.html",
        ctx.translations.get(language.code),
        site_name=ctx.config.site_name,
        page=page,
        review_marks=ctx.review_marks,
    )


def render_root(ctx: SiteContext) -> str:
    source = ctx.config.source_language
    page = _page(ctx, source, "", lambda code: f"{code}/", None)
    page.update(
        title=ctx.config.site_name,
        languages=[
            {"href": f"{lang.code}/", "hreflang": lang.bcp47, "name": lang.native_name}
            for lang in ctx.languages
        ],
    )
    return render_template(
        "root.html", None, site_name=ctx.config.site_name, page=page, review_marks=False
    )
