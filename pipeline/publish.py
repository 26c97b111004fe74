"""`pipeline publish`: sources -> catalogs -> engine (gaps only) -> catalogs -> pages.

Every stage reads the previous stage's output and nothing earlier. Engines are
chosen (and a broken installation reported) before anything is written, so a
failed run leaves catalogs and pages as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from mdformat.renderer import MDRenderer

from .articles import Article, load_articles
from .catalog import Memory, catalog_path, merge, new_catalog, read_catalog, write_catalog
from .chrome import CHROME, fill_chrome, merge_chrome, to_engine, translations
from .config import Config, Language
from .fsutil import write_if_changed
from .glossary import Glossary, load_glossary
from .markdown import markdown
from .render import (
    SiteContext,
    article_state,
    mark_blocks,
    render_article,
    render_language_index,
    render_root,
    translate_document,
)
from .segment import segment
from .sitemap import render_sitemap
from .translate import EngineChoice, check_glossary, choose_engine, fill, run_engine


@dataclass
class LanguagePlan:
    language: Language
    catalogs: dict[str, Catalog]  # slug -> catalog after merging
    pending: list[str]  # distinct msgids that need an engine
    chrome: Catalog | None = None  # the site chrome's strings
    chrome_pending: list[str] = field(default_factory=list)
    choice: EngineChoice | None = None


@dataclass
class PublishResult:
    sent: dict[str, int] = field(default_factory=dict)  # language -> units sent to an engine
    engines: dict[str, str] = field(default_factory=dict)  # language -> engine used
    hints: list[str] = field(default_factory=list)  # what to do about English fallbacks
    written: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Outputs:
    """Where and what to write besides the catalogs."""

    site: Path | None = None  # default: the configured output folder
    review_marks: bool = False  # highlight every unit that is not approved
    markdown: Path | None = None  # also write translated Markdown (<dir>/<lang>/<slug>.md)


Report = Callable[[str], None]
# Wraps a long loop (items, label) for a progress display; by default, no display.
Progress = Callable[[list, str], AbstractContextManager[Iterable]]


def no_progress(items: list, label: str) -> AbstractContextManager[Iterable]:
    return nullcontext(items)


def _read_language(config: Config, language: Language) -> dict[str, Catalog]:
    """Every catalog of a language, keyed by file stem (articles, chrome, leftovers)."""
    folder = config.translations_dir / language.code
    catalogs = {}
    for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        catalog = read_catalog(path, language.locale)
        if catalog is not None:
            catalogs[path.stem] = catalog
    return catalogs


def plan_language(config: Config, language: Language, articles: list[Article]) -> LanguagePlan:
    old = _read_language(config, language)
    memory = Memory.from_catalogs(c for stem, c in old.items() if stem != CHROME)
    catalogs, pending = {}, {}
    for article in articles:
        previous = old.get(article.slug)
        fresh = new_catalog(
            previous, language.locale, f"{config.site_name} {article.slug}", str(article.path)
        )
        units = segment(article).units()
        catalogs[article.slug], missing = merge(previous, units, str(article.path), memory, fresh)
        pending.update(dict.fromkeys(missing))
    chrome, chrome_pending = merge_chrome(old.get(CHROME), language.locale, config.site_name)
    return LanguagePlan(language, catalogs, list(pending), chrome, chrome_pending)


def publish(
    config: Config,
    languages: tuple[str, ...] = (),
    engine: str | None = None,
    report: Report = lambda _: None,
    progress: Progress = no_progress,
    outputs: Outputs = Outputs(),
) -> PublishResult:
    result = PublishResult()
    articles = load_articles(config.source_dir, config.root)
    targets = [config.language(code) for code in languages] or list(config.languages)
    source = config.source_language.code
    glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})

    plans = [plan_language(config, language, articles) for language in targets]
    for plan in plans:  # all engines are settled before anything is written
        if plan.pending or plan.chrome_pending:
            plan.choice = choose_engine(source, plan.language, engine, config.engine_options)

    for plan in plans:
        _translate(plan, source, glossary, result, report)
        for catalog in plan.catalogs.values():
            check_glossary([m for m in catalog if m.id], glossary, plan.language.code)

    for plan in plans:
        for slug, catalog in [*plan.catalogs.items(), (CHROME, plan.chrome)]:
            path = catalog_path(config.translations_dir, plan.language.code, slug)
            if write_catalog(path, catalog):
                result.written.append(path)

    _write_site(config, articles, plans, result, progress, outputs)
    return result


def _translate(
    plan: LanguagePlan, source: str, glossary: Glossary, result: PublishResult, report: Report
) -> None:
    code = plan.language.code
    if not (plan.pending or plan.chrome_pending):
        return
    chosen = plan.choice.engine if plan.choice else None
    if chosen is None:
        hint = plan.choice.hint(source, code) if plan.choice else ""
        if plan.pending:
            result.hints.append(f"{len(plan.pending)} {code} units shown in English: {hint}")
        return
    units = len(plan.pending) + len(plan.chrome_pending)
    report(f"{code}: translating {units} units with {chosen.name}")
    texts = [*plan.pending, *(to_engine(t) for t in plan.chrome_pending)]
    outputs = run_engine(chosen, texts, source, code, glossary)
    results = dict(zip(plan.pending, outputs[: len(plan.pending)], strict=True))
    for catalog in plan.catalogs.values():
        fill([m for m in catalog if m.id], results, chosen.name, code)
    chrome_results = dict(zip(plan.chrome_pending, outputs[len(plan.pending) :], strict=True))
    fill_chrome(plan.chrome, chrome_results, chosen.name)
    result.sent[code] = units
    result.engines[code] = chosen.name


def _write(path: Path, text: str, result: PublishResult) -> None:
    if write_if_changed(path, text.encode("utf-8")):
        result.written.append(path)


def _site_context(
    config: Config, articles: list[Article], plans: list[LanguagePlan], review_marks: bool
) -> SiteContext:
    """Chrome translations and each article's state in every language (for the switcher)."""
    planned = {plan.language.code: plan for plan in plans}
    chrome, states = {}, {}
    for language in config.languages:
        plan = planned.get(language.code)
        if plan is not None:
            catalogs, chrome_catalog = plan.catalogs, plan.chrome
        else:  # not published this time: its catalogs as they are on disk
            catalogs = {
                a.slug: read_catalog(
                    catalog_path(config.translations_dir, language.code, a.slug), language.locale
                )
                for a in articles
            }
            chrome_catalog = read_catalog(
                catalog_path(config.translations_dir, language.code, CHROME), language.locale
            )
        chrome[language.code] = translations(chrome_catalog)
        for article in articles:
            units = [u.text for u in segment(article).units()]
            states[(language.code, article.slug)] = article_state(units, catalogs[article.slug])
    return SiteContext(config, chrome, states, review_marks)


def _write_site(
    config: Config,
    articles: list[Article],
    plans: list[LanguagePlan],
    result: PublishResult,
    progress: Progress,
    outputs: Outputs,
) -> None:
    out = outputs.site or config.output_dir
    ctx = _site_context(config, articles, plans, outputs.review_marks)
    english = config.source_language
    with progress(articles, f"pages ({english.code})") as bar:
        entries = list(_english_pages(ctx, out, bar, result))
    _write(out / english.code / "index.html", render_language_index(ctx, english, entries), result)

    for plan in plans:
        language = plan.language
        with progress(articles, f"pages ({language.code})") as bar:
            entries = list(_translated_pages(ctx, out, plan, bar, result, outputs.markdown))
        index = render_language_index(ctx, language, entries)
        _write(out / language.code / "index.html", index, result)
    _write(out / "index.html", render_root(ctx), result)
    _write(out / "sitemap.xml", render_sitemap(ctx, [a.slug for a in articles]), result)
    stylesheet = (resources.files("pipeline") / "static" / "site.css").read_text(encoding="utf-8")
    _write(out / "assets" / "site.css", stylesheet, result)


def _english_pages(
    ctx: SiteContext, out: Path, articles: Iterable[Article], result: PublishResult
) -> Iterator[tuple[str, dict[str, str], object]]:
    english = ctx.config.source_language
    for article in articles:
        doc = segment(article)
        meta = {k: str(v) for k, v in article.meta.items() if k in ("title", "summary")}
        html = render_article(ctx, english, doc, meta, None, False)
        _write(out / english.code / article.slug / "index.html", html, result)
        yield article.slug, meta, article.meta.get("date")


def _translated_pages(
    ctx: SiteContext,
    out: Path,
    plan: LanguagePlan,
    articles: Iterable[Article],
    result: PublishResult,
    markdown_dir: Path | None,
) -> Iterator[tuple[str, dict[str, str], object]]:
    language = plan.language
    for article in articles:
        catalog = plan.catalogs[article.slug]
        doc = segment(article)
        meta, placed, views = translate_document(doc, language.code, catalog)
        page_worst, marked = mark_blocks(placed, views)
        html = render_article(ctx, language, doc, meta, page_worst, marked)
        _write(out / language.code / article.slug / "index.html", html, result)
        if markdown_dir is not None:
            text = translated_markdown(article, language.code, catalog)
            _write(markdown_dir / language.code / f"{article.slug}.md", text, result)
        yield article.slug, meta, article.meta.get("date")


def translated_markdown(article: Article, language: str, catalog: Catalog) -> str:
    """The article as Markdown in ``language``, front matter included, for Hugo and friends."""
    doc = segment(article)
    meta, _, _ = translate_document(doc, language, catalog, marks=False)
    md = markdown()
    body = MDRenderer().render(doc.tokens, md.options, doc.env)
    front = {**article.meta, **meta, "lang": language}
    return f"---\n{yaml.safe_dump(front, allow_unicode=True, sort_keys=False)}---\n\n{body}"
