"""Pages: a marked article document (marks.py) -> sanitised HTML through the Jinja2
templates, plus the language indexes and the root page.

An article whose share of translated units in a language is below that
language's ``min_coverage`` is not advertised in it: its page is ``noindex``,
out of every hreflang list and the sitemap, says in the page's language that
the article is not translated yet, and links to the languages that have it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any

import nh3
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket, BytecodeCache
from markupsafe import Markup, escape

from .articles import Meta
from .catalog import (
    APPROVED,
    UNTRANSLATED,
)
from .config import Config, Language
from .markdown import markdown
from .marks import drawn
from .segment import Document

ORIGINAL = "original"
# An article below its language's min_coverage (the switcher's word for it).
NOT_TRANSLATED = "not-translated"


def templates() -> Environment:
    """The templates with the page chrome in English (untranslated)."""
    return _english()


# One environment per chrome translation, its templates compiled once: installing a
# language's strings for every page, and looking each string up again, was a fifth
# of a page's templating. Kept for the last few, by identity (a publish builds its own),
# each with its translations: alive, they keep their id from being reused.
_ENVIRONMENTS: dict[int, tuple[Translations, Environment]] = {}


def _environment(translations: Translations | None) -> Environment:
    if translations is None:
        return _english()
    if (kept := _ENVIRONMENTS.get(id(translations))) is not None:
        return kept[1]
    env = _new_environment()
    # As Jinja's install_gettext_translations does, with ngettext remembered; its
    # _ and gettext are then replaced by _newstyle's (the same strings, fewer calls).
    # install_*: a method the jinja2.ext.i18n extension adds, unknown to type checkers.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translations.ugettext,
        cache(translations.ungettext),
        newstyle=True,
        pgettext=translations.pgettext,
        npgettext=translations.npgettext,
    )
    env.globals.update(_newstyle(translations.ugettext))
    if len(_ENVIRONMENTS) >= 16:
        _ENVIRONMENTS.clear()
    _ENVIRONMENTS[id(translations)] = (translations, env)
    return env


@cache
def _english() -> Environment:
    env = _new_environment()
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]  # i18n ext
    env.globals.update(_newstyle(str))  # _ and gettext, as above
    return env


def _newstyle(gettext: Callable[[str], str]) -> dict[str, Callable[..., Markup]]:
    """``_`` and ``gettext`` as Jinja2's newstyle gettext gives them to HTML templates
    (the string marked safe, then formatted with its escaped variables), in one call
    where Jinja's wrappers take three through the template context, and remembered
    for strings without variables: a page asks for a dozen of them."""

    @cache
    def plain(string: str) -> Markup:
        return Markup(gettext(string)) % {}

    def newstyle(string: str, **variables: object) -> Markup:
        return Markup(gettext(string)) % variables if variables else plain(string)

    return {"_": newstyle, "gettext": newstyle}


class _Compiled(BytecodeCache):
    """Templates compiled once per process, for every language's environment."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()


class _Environment(Environment):
    """Templates whose globals are a plain dict, not Jinja's ChainMap over the
    environment's: every render copies them into its context, and every import of
    macros.html compares their keys, and a ChainMap walks all its maps for each (8%
    of a page's templating). Globals are complete before a template loads."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def _new_environment() -> Environment:
    return _Environment(
        bytecode_cache=_COMPILED,
        loader=PackageLoader("pipeline", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates ship with the package: no stat() per page
        cache_size=-1,  # a plain dict: a handful of templates, looked up thrice a page
    )


def render_template(name: str, translations: Translations | None, **context) -> str:
    if isinstance(page := context.get("page"), dict):
        context["page"] = _attributes(page)
    return _environment(translations).get_template(name).render(**context)


def _attributes(page: dict) -> SimpleNamespace:
    """A page's dict, and the dicts in its lists, as attributes: Jinja2 reads
    ``page.title`` as an attribute first, and on a dict that fails, with an
    exception, before the key is tried (eighty times a page)."""
    return SimpleNamespace(
        **{
            key: [SimpleNamespace(**item) if isinstance(item, dict) else item for item in value]
            if isinstance(value, list)
            else value
            for key, value in page.items()
        }
    )


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
    "section",
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
    # Presentation, never behaviour: a content team's <div class="note"> keeps its style.
    "*": {"lang", "dir", "title", "id", "class"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
}


# nh3 0.3 takes time quadratic in the number of U+0080-U+00BF characters in one text
# node (a 1 MB paragraph of "·" took seconds): they cross it as private-use stand-ins,
# which it passes through unchanged. U+00A0 stays itself: it is written as &nbsp;.
# A regular expression finds runs of them, translated run by run (str.translate on
# the whole page would look up every character).
# A text or attribute is never longer than the run between two "<": up to this many
# characters nh3 is fast (10,000 of them: milliseconds; 100,000: 0.2 s).
QUADRATIC_FROM = 10_000
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
    text = str(html)  # a Markup's split would wrap every piece in a Markup again
    if len(text) <= QUADRATIC_FROM or max(map(len, text.split("<"))) <= QUADRATIC_FROM:
        return Markup(_clean(text))  # no text long enough to be slow: no stand-ins
    if _STAND_IN_RE.search(text):
        return Markup(_clean(text))  # stand-ins already in the text: no shortcut
    return Markup(_STAND_IN_RE.sub(_back, _clean(_LATIN1_RE.sub(_stand_in, text))))


# Built once: nh3.clean builds its rules again for every page (a third of its time).
_CLEANER = nh3.Cleaner(
    tags=SAFE_TAGS,
    attributes=SAFE_ATTRIBUTES,
    generic_attribute_prefixes={"data-l10n-"},
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel=None,
    filter_style_properties={"text-align"},
)


def _clean(html: str) -> str:
    return str(_CLEANER.clean(html))


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
        "contact": ctx.config.contact,
    }


def _date(value: object, language: Language) -> str:
    if isinstance(value, dt.date):
        return format_date(value, format="long", locale=language.locale)
    return ""


def render_article(
    ctx: SiteContext,
    language: Language,
    doc: Document,
    meta: Meta,
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
        **_category(doc, meta, language, is_source, ctx),
        body=sanitize(render_body(doc)),
    )
    return render_template(
        "article.html",
        ctx.translations.get(language.code),
        site_name=ctx.config.site_name,
        page=page,
        review_marks=ctx.review_marks,
    )


def _category(
    doc: Document, meta: Meta, language: Language, is_source: bool, ctx: SiteContext
) -> dict[str, str]:
    """The article's category, in the page's language where it is translated (a list,
    such as tags, joined); marked English where it is shown untranslated."""
    english = doc.article.meta.get("category")
    if not english:
        return {"category": "", "category_lang": ""}

    def shown(value: object) -> str:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)

    text = shown(meta.get("category", english))
    untranslated = not is_source and text == shown(english)
    source = ctx.config.source_language.bcp47
    return {"category": text, "category_lang": source if untranslated else ""}


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
