"""Pages: article token streams and catalogs -> HTML under the output folder.

Every unit that is not approved or carries a quality flag is wrapped in a
``<span data-l10n-unit="STATE" data-l10n-flags="...">`` (``lang="en"`` where
the English is shown), the title included; blocks carry only their units'
worst state as ``data-l10n-state``, which nothing draws, so a mark covers one
sentence and never its paragraph. Browsers, screen readers, reviewers and the
``--review-marks`` build all read the same marks.

An article whose share of translated units in a language is below that
language's ``min_coverage`` is not advertised in it: its page is ``noindex``,
out of every hreflang list and the sitemap, says in the page's language that
the article is not translated yet, and links to the languages that have it.
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
    UNTRANSLATED,
    entries,
    guard_stopped,
    quality_flags,
    state_of,
    worst,
)
from .config import Config, Language
from .markdown import markdown
from .reassemble import Placed, reassemble
from .segment import Document, Piece

ORIGINAL = "original"
# An article below its language's min_coverage (the switcher's word for it).
NOT_TRANSLATED = "not-translated"


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


@dataclass
class UnitView:
    """How one unit shows on a page: its state and problems."""

    state: str
    flags: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        """Whether the page shows the translation (the guard stops machine output)."""
        return not guard_stopped(self.state, self.flags)


def unit_views(catalog: Catalog | None) -> dict[str, UnitView]:
    if catalog is None:
        return {}
    return {m.id: UnitView(state_of(m), quality_flags(m)) for m in entries(catalog) if m.string}


def standing(state: str, coverage: float, language: Language) -> str:
    """An article's state in a language as other pages see it: NOT_TRANSLATED when
    the share of units its page shows translated is below the language's min_coverage."""
    return NOT_TRANSLATED if coverage < language.min_coverage else state


@dataclass
class SiteContext:
    """What every page of one publish needs to know about the others."""

    config: Config
    translations: dict[str, Translations]  # language -> chrome translations
    # (language, slug) -> the article's standing: its worst state, or NOT_TRANSLATED
    states: dict[tuple[str, str], str]
    review_marks: bool = False

    @property
    def languages(self) -> list[Language]:
        return [self.config.source_language, *self.config.languages]

    def advertised(self, code: str, slug: str | None) -> bool:
        """Whether a page is offered to readers and search engines in this language
        (``slug`` None: the language's index, advertised when it lists an article)."""
        if code == self.config.source_language.code:
            return True
        if slug is None:
            return any(c == code and s != NOT_TRANSLATED for (c, _), s in self.states.items())
        return self.states.get((code, slug), NOT_TRANSLATED) != NOT_TRANSLATED

    def url(self, code: str, slug: str | None = None) -> str:
        path = f"{code}/{slug}/" if slug else f"{code}/"
        base = self.config.base_url
        return f"{base}/{path}" if base else path


def _mark(view: UnitView | None, translated: bool, refused: bool = False) -> dict[str, str] | None:
    """A unit's span attributes (None: nothing to mark). ``refused``: its translation's
    markup did not match the English, which is shown instead."""
    state = view.state if view and translated else UNTRANSLATED
    flags = [*(view.flags if view else []), *(["markup"] if refused else [])]
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
        return view is not None and view.shown

    def choose(piece: Piece) -> str | None:
        return catalog[piece.text].string if usable(piece) else None

    def wrap(piece: Piece, translated: bool, refused: bool) -> dict[str, str] | None:
        return _mark(views.get(piece.text), translated, refused) if marks else None

    meta, placed = reassemble(doc, language, choose, wrap)
    return meta, placed, views


def drawn(attrs: dict[str, str] | None) -> str:
    """Which of the legend's marks a unit's span shows: "flagged", "untranslated" or ""."""
    if not attrs:
        return ""
    if "data-l10n-flags" in attrs:
        return "flagged"
    return "untranslated" if attrs["data-l10n-unit"] == UNTRANSLATED else ""


def mark_blocks(placed: list[Placed], views: dict[str, UnitView]) -> tuple[str | None, set[str]]:
    """Set each block's worst state; returns the page's worst state and the marks its
    units show (see drawn). Flags stay on the units' spans."""
    blocks: dict[int, tuple[object, str]] = {}
    page_worst, kinds = None, set()
    for item in placed:
        view = views.get(item.piece.text)
        state = view.state if view and item.translated else UNTRANSLATED
        kinds.add(drawn(_mark(view, item.translated, bool(item.mismatch))))
        page_worst = worst(s for s in (page_worst, state) if s)
        if item.slot.block is None:
            continue
        key = id(item.slot.block)
        _, block_state = blocks.get(key, (None, APPROVED))
        blocks[key] = (item.slot.block, worst([block_state, state]))
    for block, state in blocks.values():
        block.attrSet("data-l10n-state", state)
        if state == UNTRANSLATED:
            block.attrSet("lang", "en")
    kinds.discard("")
    return page_worst, kinds


def title_mark(placed: list[Placed], views: dict[str, UnitView]) -> dict[str, str] | None:
    """The review mark of the front matter's title, drawn on the page's <h1>."""
    pieces = [p for p in placed if p.slot.kind == "meta" and p.slot.name == "title"]
    marks = [_mark(views.get(p.piece.text), p.translated, bool(p.mismatch)) for p in pieces]
    marks = [m for m in marks if m]
    if not marks:
        return None
    state = worst(m["data-l10n-unit"] for m in marks) or APPROVED
    flags = sorted({f for m in marks for f in m.get("data-l10n-flags", "").split() if f})
    return _mark(UnitView(state, flags), True)


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
# A regular expression finds runs of them, translated run by run (str.translate on
# the whole page would look up every character).
_LATIN1_RE = re.compile("[\u0080-\u009f\u00a1-\u00bf]+")
_STAND_IN_RE = re.compile("[\U0010ff80-\U0010ffbf]+")
_STAND_IN = {c: 0x10FF00 + c for c in range(0x80, 0xC0) if c != 0xA0}
_BACK = {v: k for k, v in _STAND_IN.items()}


def _stand_in(match: re.Match) -> str:
    return match.group().translate(_STAND_IN)


def _back(match: re.Match) -> str:
    return match.group().translate(_BACK)


def sanitize(html: str) -> Markup:
    """Page HTML with anything that could run script removed (nh3 / Ammonia)."""
    if _STAND_IN_RE.search(html):
        return Markup(_clean(html))  # stand-ins already in the text: no shortcut
    return Markup(_STAND_IN_RE.sub(_back, _clean(_LATIN1_RE.sub(_stand_in, html))))


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
    """The parts every page has: language, links to its other languages, switcher.

    hreflang alternates list only the languages the page is advertised in; a page
    that is not advertised itself is ``noindex`` and has no canonical link."""
    source = ctx.config.source_language.code
    switcher = []
    for lang in ctx.languages:
        if lang.code == source:
            state = ORIGINAL
        elif slug is None:
            state = "" if ctx.advertised(lang.code, None) else NOT_TRANSLATED
        else:
            state = ctx.states.get((lang.code, slug), "")
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

    offered = [lang for lang in ctx.languages if ctx.advertised(lang.code, slug)]
    alternates = [{"hreflang": lang.bcp47, "href": absolute(lang.code)} for lang in offered]
    alternates.append({"hreflang": "x-default", "href": absolute(source)})
    advertised = ctx.advertised(language.code, slug)
    return {
        "lang": language.bcp47,
        "dir": language.direction,
        "native_name": language.native_name,
        "root": root,
        "home": root + f"{language.code}/",
        "canonical": absolute(language.code) if advertised else "",
        "noindex": not advertised,
        "alternates": alternates,
        # Where a page that is not advertised sends its reader.
        "available": [
            {"hreflang": lang.bcp47, "name": lang.native_name, "href": root + href_for(lang.code)}
            for lang in offered
        ],
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
    marked: set[str],
    title_attrs: dict[str, str] | None = None,
) -> str:
    """``marked``: the marks the body's units show (see drawn); ``title_attrs``: the
    title's mark (see title_mark). The legend explains exactly the marks drawn."""
    slug = doc.article.slug
    page = _page(ctx, language, "../../", lambda code: f"{code}/{slug}/", slug)
    title = meta.get("title", doc.article.title)
    title_html = escape(title)
    if title_attrs:
        attrs = Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in title_attrs.items())
        title_html = Markup("<span{}>{}</span>").format(attrs, title)
    is_source = language.code == ctx.config.source_language.code
    banner = "" if is_source or page_worst in (None, APPROVED) else page_worst
    legend = set() if is_source else {*marked, drawn(title_attrs)} - {""}
    if page["noindex"]:
        banner = NOT_TRANSLATED  # the banner says the English is shown: not drawn unit by unit
        legend.discard(UNTRANSLATED)
    page.update(
        title=title,
        title_html=title_html,
        description="" if page["noindex"] else meta.get("summary", ""),
        banner_kind=banner,
        legend=[kind for kind in ("untranslated", "flagged") if kind in legend],
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
    """The language's articles: those advertised in it (each title in its language)."""
    page = _page(ctx, language, "../", lambda code: f"{code}/", None)
    listed = [e for e in entries if ctx.advertised(language.code, e[0])]
    page.update(
        title=ctx.config.site_name,
        articles=[
            {
                "href": f"{slug}/",
                "title": meta.get("title", slug),
                "summary": meta.get("summary"),
                "date": _date(date, language),
            }
            for slug, meta, date in listed
        ],
        article_count=format_decimal(len(listed), locale=language.locale),
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
            if ctx.advertised(lang.code, None)
        ],
    )
    return render_template(
        "root.html", None, site_name=ctx.config.site_name, page=page, review_marks=False
    )
