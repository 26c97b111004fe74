"""`pipeline publish`: sources -> catalogs -> engine (gaps only) -> catalogs -> pages.

Every stage reads the previous stage's output and nothing earlier. Engines are
chosen (and a broken installation reported) before anything is written, so a
failed run leaves catalogs and pages as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog

from .articles import Article, load_articles
from .catalog import Memory, catalog_path, merge, new_catalog, read_catalog, write_catalog
from .config import Config, Language
from .fsutil import write_if_changed
from .glossary import load_glossary
from .render import (
    mark_blocks,
    render_article,
    render_language_index,
    render_root,
    translate_document,
)
from .segment import segment
from .translate import EngineChoice, check_glossary, choose_engine, fill, run_engine


@dataclass
class LanguagePlan:
    language: Language
    catalogs: dict[str, Catalog]  # slug -> catalog after merging
    pending: list[str]  # distinct msgids that need an engine
    choice: EngineChoice | None = None


@dataclass
class PublishResult:
    sent: dict[str, int] = field(default_factory=dict)  # language -> units sent to an engine
    engines: dict[str, str] = field(default_factory=dict)  # language -> engine used
    hints: list[str] = field(default_factory=list)  # what to do about English fallbacks
    written: list[Path] = field(default_factory=list)


Report = Callable[[str], None]
# Wraps a long loop (items, label) for a progress display; by default, no display.
Progress = Callable[[list, str], AbstractContextManager[Iterable]]


def no_progress(items: list, label: str) -> AbstractContextManager[Iterable]:
    return nullcontext(items)


def _read_language(config: Config, language: Language) -> dict[str, Catalog]:
    """Every catalog of a language, keyed by file stem (articles and leftovers)."""
    folder = config.translations_dir / language.code
    catalogs = {}
    for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        catalog = read_catalog(path, language.locale)
        if catalog is not None:
            catalogs[path.stem] = catalog
    return catalogs


def plan_language(config: Config, language: Language, articles: list[Article]) -> LanguagePlan:
    old = _read_language(config, language)
    memory = Memory.from_catalogs(old.values())
    catalogs, pending = {}, {}
    for article in articles:
        previous = old.get(article.slug)
        fresh = new_catalog(
            previous, language.locale, f"{config.site_name} {article.slug}", str(article.path)
        )
        units = segment(article).units()
        catalogs[article.slug], missing = merge(previous, units, str(article.path), memory, fresh)
        pending.update(dict.fromkeys(missing))
    return LanguagePlan(language, catalogs, list(pending))


def publish(
    config: Config,
    languages: tuple[str, ...] = (),
    engine: str | None = None,
    report: Report = lambda _: None,
    progress: Progress = no_progress,
) -> PublishResult:
    result = PublishResult()
    articles = load_articles(config.source_dir, config.root)
    targets = [config.language(code) for code in languages] or list(config.languages)
    source = config.source_language.code
    glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})

    plans = [plan_language(config, language, articles) for language in targets]
    for plan in plans:  # all engines are settled before anything is written
        if plan.pending:
            plan.choice = choose_engine(source, plan.language, engine, config.engine_options)

    for plan in plans:
        code = plan.language.code
        if not plan.pending:
            continue
        chosen = plan.choice.engine if plan.choice else None
        if chosen is None:
            hint = plan.choice.hint(source, code) if plan.choice else ""
            result.hints.append(f"{len(plan.pending)} {code} units shown in English: {hint}")
            continue
        report(f"{code}: translating {len(plan.pending)} units with {chosen.name}")
        translations = run_engine(chosen, plan.pending, source, code, glossary)
        results = dict(zip(plan.pending, translations, strict=True))
        for catalog in plan.catalogs.values():
            fill([m for m in catalog if m.id], results, chosen.name, code)
        result.sent[code] = len(plan.pending)
        result.engines[code] = chosen.name

    for plan in plans:
        for catalog in plan.catalogs.values():
            check_glossary([m for m in catalog if m.id], glossary, plan.language.code)
        for slug, catalog in plan.catalogs.items():
            path = catalog_path(config.translations_dir, plan.language.code, slug)
            if write_catalog(path, catalog):
                result.written.append(path)

    _write_site(config, articles, plans, result, progress)
    return result


def _write(path: Path, text: str, result: PublishResult) -> None:
    if write_if_changed(path, text.encode("utf-8")):
        result.written.append(path)


def _write_site(
    config: Config,
    articles: list[Article],
    plans: list[LanguagePlan],
    result: PublishResult,
    progress: Progress,
) -> None:
    out = config.output_dir
    english = config.source_language
    with progress(articles, f"pages ({english.code})") as bar:
        entries = list(_english_pages(config, bar, result))
    index = render_language_index(config, english, entries)
    _write(out / english.code / "index.html", index, result)

    for plan in plans:
        language = plan.language
        with progress(articles, f"pages ({language.code})") as bar:
            entries = list(_translated_pages(config, plan, bar, result))
        index = render_language_index(config, language, entries)
        _write(out / language.code / "index.html", index, result)
    _write(out / "index.html", render_root(config), result)


def _english_pages(
    config: Config, articles: Iterable[Article], result: PublishResult
) -> Iterator[tuple[str, dict[str, str]]]:
    english = config.source_language
    for article in articles:
        doc = segment(article)
        meta = {k: str(v) for k, v in article.meta.items() if k in ("title", "summary")}
        html = render_article(config, english, doc, meta, None)
        _write(config.output_dir / english.code / article.slug / "index.html", html, result)
        yield article.slug, meta


def _translated_pages(
    config: Config, plan: LanguagePlan, articles: Iterable[Article], result: PublishResult
) -> Iterator[tuple[str, dict[str, str]]]:
    language = plan.language
    for article in articles:
        doc = segment(article)
        meta, placed, views = translate_document(doc, language.code, plan.catalogs[article.slug])
        worst = mark_blocks(placed, views)
        html = render_article(config, language, doc, meta, worst)
        _write(config.output_dir / language.code / article.slug / "index.html", html, result)
        yield article.slug, meta
