"""`pipeline publish`: sources -> catalogs -> engine (gaps only) -> catalogs -> pages.

Every stage reads the previous stage's output and nothing earlier. Engines are
chosen (and a broken installation reported) before anything is written, so a
failed run leaves catalogs and pages as they were.

Work is incremental (see manifest.py): an article whose source, catalog and
environment are as the last publish left them is not parsed, merged or
rendered again. ``check=True`` computes everything from scratch, calls no
engine and writes nothing: it reports what a publish would change.

The work before and after the engines (sentence splitting; the output guard;
filling and rendering catalogs; rendering pages and the outputs package's
files) is spread over every core by parallel.fork_map, one job per article, or
per article, language and output for a few large articles; the engines of
different languages run side by side, while a child process renders the changed
articles' templates (they need only the English) on a core the engines leave
idle. Pages and the outputs package's files are staged by the workers and
renamed into place once every job succeeded (a failure midway leaves every one as
it was); catalogs and templates are written after them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock

from babel.messages.catalog import Catalog

from .articles import Article, Meta, load_articles
from .catalog import (
    APPROVED,
    DRAFT,
    STALE,
    STATES,
    TEMPLATES,
    UNTRANSLATED,
    ArticleSummary,
    catalog_path,
    entries,
    files_in,
    load_catalog,
    new_catalog,
    new_template_date,
    parse_catalog,
    read_catalog,
    render_catalog,
    render_template,
    state_of,
    summarize,
    template_date,
    template_entries,
    template_path,
)
from .chrome import CHROME, fill_chrome, format_errors, merge_chrome, to_engine, translations
from .config import Config, Language, check_output_dir
from .engines.base import Translation
from .fsutil import (
    ANY,
    ChangedOnDisk,
    changed_on_disk,
    commit,
    commit_unchanged,
    file_sha,
    probe_writable,
    read_or_none,
    remove_temporaries,
    sha,
    shown,
    stage,
    write_if_changed,
)
from .glossary import Found, Glossary, load_glossary
from .lock import writing
from .manifest import ArticleRecord, Manifest, contribution_sha, environment_key, memory_key
from .memory import Memory, contribution, merge, reopened
from .outputs import Builder, Site, Translated, site_builders
from .parallel import MIN_SHARE, Background, cores, fork_background, fork_map, keeping
from .placeholders import PLACEHOLDER_RE, markup_mismatch
from .po_check import msgid_lines
from .render import NOT_TRANSLATED, SiteContext, standing
from .segment import Document, Unit, segment
from .translate import (
    EngineChoice,
    check_glossary,
    choose_engine,
    fill,
    run_engine,
    to_message_fields,
)


@dataclass
class LanguagePlan:
    language: Language
    records: dict[str, ArticleRecord]  # slug -> record (clean ones as last written)
    catalogs: dict[str, Catalog]  # slug -> merged catalog, for the articles redone
    pending: list[str]  # distinct msgids that need an engine
    chrome: Catalog
    read: dict[str, str | None]  # slug -> sha of the catalog merged (None: there was none)
    chrome_read: str | None  # sha of the chrome catalog merged
    chrome_pending: list[str] = field(default_factory=list)
    chrome_changed: bool = False
    choice: EngineChoice | None = None
    engine_output: list[Translation] = field(default_factory=list)  # for pending, unguarded
    results: dict[str, tuple[str, set[str]]] = field(default_factory=dict)  # msgstr, flags


@dataclass
class PublishResult:
    sent: dict[str, int] = field(default_factory=dict)  # language -> units sent to an engine
    engines: dict[str, str] = field(default_factory=dict)  # language -> engine used
    hints: list[str] = field(default_factory=list)  # what to do about English fallbacks
    written: list[Path] = field(default_factory=list)  # changed (or, with check, would change)
    removed: list[Path] = field(default_factory=list)  # pages of articles that left source/
    states: dict[str, dict[str, int]] = field(default_factory=dict)  # language -> units/state
    engine_seconds: float = 0.0
    wall_seconds: float = 0.0
    redone: dict[str, int] = field(default_factory=dict)  # language -> articles redone
    errors: list[str] = field(default_factory=list)  # human translations refused (file:line)
    # language -> units its pages show in English (untranslated, or stopped by the guard)
    english: dict[str, int] = field(default_factory=dict)
    missing_engines: dict[str, str] = field(default_factory=dict)  # language -> why none runs
    not_advertised: dict[str, list[str]] = field(default_factory=dict)  # language -> slugs

    def summary(self, root: Path) -> dict:
        """The run as JSON (``publish --json``); paths relative to ``root``."""
        return {
            "errors": self.errors,
            "changed_files": sorted(str(shown(p, root)) for p in [*self.written, *self.removed]),
            "units_in_english": self.english,
            "missing_engines": self.missing_engines,
            "not_advertised": self.not_advertised,
            "wall_seconds": round(self.wall_seconds, 3),
            "engine_seconds": round(self.engine_seconds, 3),
            "units_sent": self.sent,
            "engines": self.engines,
            "units_by_state": self.states,
            "articles_redone": self.redone,
            "files_written": len(self.written),
            "warnings": self.hints,
        }


@dataclass(frozen=True)
class Outputs:
    """Where and what to write besides the catalogs."""

    site: Path | None = None  # default: the configured output folder
    review_marks: bool = False  # highlight every unit that is not approved
    builders: tuple[Builder, ...] = ()  # more files per translated page (outputs package)

    def key(self) -> str:
        """What the cache must be redone for when it changes."""
        extra = [(b.name, str(b.folder)) for b in self.builders]
        return repr((self.site, self.review_marks, extra))


Report = Callable[[str], None]
Advance = Callable[[int], None]
# A progress display for (total, label): gives a function to call as items are done.
Progress = Callable[[int, str], AbstractContextManager[Advance]]


@contextmanager
def no_progress(total: int, label: str) -> Iterator[Advance]:
    yield lambda _: None


class Writer:
    """Writes files that changed, or with ``dry_run`` only notes which would; with
    ``staged``, into temporary files (``staged``) that fsutil.commit renames into
    place later: a run's pages and outputs land all together or not at all."""

    def __init__(self, dry_run: bool, staged: bool = False) -> None:
        self.dry_run = dry_run
        self.written: list[Path] = []  # changed (or, dry, would change)
        self.removed: list[Path] = []
        self.staging = staged and not dry_run
        self.staged: list[tuple[Path, Path]] = []  # (temporary, final)

    def write(self, path: Path, data: bytes, expect: str | object | None = ANY) -> None:
        """``expect``: see write_if_changed (someone else's save is never overwritten)."""
        if self.dry_run:
            try:
                changed = path.read_bytes() != data
            except OSError:
                changed = True
        elif self.staging:
            tmp = stage(path, data, expect)
            changed = tmp is not None
            if tmp is not None:
                self.staged.append((tmp, path))
        else:
            changed = write_if_changed(path, data, expect)
        if changed:
            self.written.append(path)

    def text(self, path: Path, text: str) -> None:
        self.write(path, text.encode("utf-8"))

    def remove(self, path: Path) -> None:
        if path.exists():
            self.removed.append(path)
            if not self.dry_run:
                path.unlink()


@dataclass
class _Run:
    """What one publish works with, settled at its start."""

    config: Config
    articles: list[Article]
    units: _Units
    manifest: Manifest
    changed_sources: set[str]  # articles whose English changed (all, with refresh)
    glossary: Glossary
    writer: Writer
    result: PublishResult
    engine: str | None  # --engine, if given
    outputs: Outputs
    report: Report
    progress: Progress
    jobs: int | None
    check: bool
    refresh: bool
    templates: _Templates | None = None  # started before the engines (see _Templates)


def publish(
    config: Config,
    languages: tuple[str, ...] = (),
    engine: str | None = None,
    report: Report = lambda _: None,
    progress: Progress = no_progress,
    outputs: Outputs = Outputs(),
    check: bool = False,
    jobs: int | None = None,
    refresh: bool = False,
    keep: list[object] | None = None,
) -> PublishResult:
    """``jobs``: processes for the per-article work (default: one per core).
    ``refresh``: machine drafts nobody has touched are translated again (after an
    engine or glossary change); approved and stale entries are kept as always.
    ``keep``: where to leave the publish's state, for a caller about to exit (the
    ``pipeline`` command): freed as the publish returns, its millions of objects took
    0.06 s of a 1,000-article publish, one core's work after the files were written."""
    for folder in (outputs.site, *(b.folder for b in outputs.builders)):
        if folder is not None:
            check_output_dir(folder, config.source_dir, config.translations_dir)
    args = (config, languages, engine, report, progress, outputs, check, jobs, refresh, keep)
    if check:
        with keeping():
            return _publish(*args)
    folders = [outputs.site or config.output_dir, config.translations_dir]
    with writing(config.root, [*folders, *(b.folder for b in outputs.builders)]), keeping():
        return _publish(*args)


def _publish(
    config: Config,
    languages: tuple[str, ...],
    engine: str | None,
    report: Report,
    progress: Progress,
    outputs: Outputs,
    check: bool,
    jobs: int | None,
    refresh: bool = False,
    keep: list[object] | None = None,
) -> PublishResult:
    started = time.perf_counter()
    result = PublishResult()
    options = repr((outputs.key(), engine))
    env = environment_key(config.pyproject, config.glossary, options)
    manifest = Manifest.fresh() if check else Manifest.load(config.root)
    run: _Run | None = None
    plans: list[LanguagePlan] = []
    try:
        writer = Writer(check)
        articles = load_articles(config.source_dir, config.root, config.front_matter, jobs)
        targets = [config.language(code) for code in languages] or list(config.languages)
        glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})
        if not check:
            _probe_outputs(config, targets, outputs)
        if manifest.environment != env:
            manifest.reset(env)
        changed_sources = {a.slug for a in articles if manifest.sources.get(a.slug) != a.sha}
        if refresh:  # every catalog merged again, its machine drafts dropped
            changed_sources = {a.slug for a in articles}
        units = _Units(articles, glossary)
        unknown = {
            a.slug
            for a in articles
            for lang in targets
            if a.slug not in manifest.articles.get(lang.code, {})
        }
        with progress(len(changed_sources | unknown), "reading articles") as advance:
            units.prefetch(sorted(changed_sources | unknown), advance, jobs)

        run = _Run(
            config,
            articles,
            units,
            manifest,
            changed_sources,
            glossary,
            writer,
            result,
            engine,
            outputs,
            report,
            progress,
            jobs,
            check,
            refresh,
        )
        run.templates = _Templates.start(run)
        plans = _plan_and_translate(run, targets)
        _guard(plans, jobs)
        # The page chrome's template: the same English in every language's catalog.
        chrome_template = template_path(config.translations_dir, CHROME)
        date = template_date(chrome_template)
        if plans:
            pot = render_template(
                entries(plans[0].chrome), config.site_name, "pipeline/templates", date
            )
            writer.write(chrome_template, pot)
        for plan in plans:
            if check and plan.pending and plan.choice and plan.choice.engine:
                result.hints.append(
                    f"{len(plan.pending)} {plan.language.code} units need translating"
                )
                result.written.append(config.translations_dir / plan.language.code)
            chrome_data = rendered = render_catalog(plan.chrome, date)
            chrome_path = catalog_path(config.translations_dir, plan.language.code, CHROME)
            try:
                writer.write(chrome_path, chrome_data, expect=plan.chrome_read)
            except ChangedOnDisk as exc:
                result.errors.append(str(exc))
                chrome_data = b""  # not what is on disk: the next publish merges it
            result.errors.extend(format_errors(plan.chrome, chrome_path, config.root, rendered))
            plan.chrome_changed = manifest.chrome.get(plan.language.code) != sha(chrome_data)
            manifest.chrome[plan.language.code] = sha(chrome_data)
            result.redone[plan.language.code] = len(plan.catalogs)

        result.errors += _write_site(run, plans)
        result.written = [*writer.written, *result.written]
        result.removed = writer.removed
        for plan in plans:
            manifest.articles[plan.language.code] = plan.records
            if plan.catalogs or plan.language.code not in manifest.memory_keys:
                memories = {slug: record.memory_sha for slug, record in plan.records.items()}
                manifest.memory_keys[plan.language.code] = memory_key(memories)
            totals = dict.fromkeys(STATES, 0)
            for slug in sorted(plan.records):
                result.errors.extend(plan.records[slug].problems)
            for record in plan.records.values():
                for state, count in record.counts.items():
                    totals[state] += count
            result.states[plan.language.code] = totals
        _report_english(config, plans, engine, result)
        manifest.sources = {a.slug: a.sha for a in articles}
        if not check:
            manifest.save()
        result.wall_seconds = time.perf_counter() - started
        return result
    except BaseException:
        if run is not None and run.templates is not None:
            run.templates.abandon()
        raise
    finally:
        manifest.close()
        if keep is not None:
            keep.append((run, plans))


def _report_english(
    config: Config, plans: list[LanguagePlan], engine: str | None, result: PublishResult
) -> None:
    """On every run, a no-op included: each language's units still shown in English,
    whether an engine could translate them, and the articles not advertised in it."""
    source = config.source_language.code
    for plan in plans:
        language, code = plan.language, plan.language.code
        result.english[code] = sum(record.english for record in plan.records.values())
        untranslated = result.states[code][UNTRANSLATED]
        below = sorted(
            slug
            for slug, record in plan.records.items()
            if _standing(record, language) == NOT_TRANSLATED
        )
        if below:
            result.not_advertised[code] = below
            result.hints.append(
                f"{code}: {len(below)} of {len(plan.records)} articles are less than "
                f"{language.min_coverage:.0%} translated and are not published as {code} pages "
                f"(noindex, left out of hreflang and the sitemap)"
            )
        if not untranslated:
            continue
        choice = plan.choice or choose_engine(source, language, engine, config.engine_options)
        if choice.engine is None:
            result.missing_engines[code] = choice.hint(source, code)
            result.hints.append(
                f"{code}: {untranslated} units shown in English: {choice.hint(source, code)}"
            )


def _probe_outputs(config: Config, targets: list[Language], outputs: Outputs) -> None:
    """Every folder this publish may write to, tried before anything is written."""
    out = outputs.site or config.output_dir
    codes = [config.source_language.code, *(lang.code for lang in targets)]
    folders = [out, *(out / code for code in codes)]
    folders += [config.translations_dir / lang.code for lang in targets]
    folders.append(config.translations_dir / TEMPLATES)
    folders += [builder.folder / code for builder in outputs.builders for code in codes]
    for folder in folders:
        probe_writable(folder)


class _Units:
    """Each article's units, segmented once and only when needed."""

    def __init__(self, articles: list[Article], glossary: Glossary) -> None:
        self.by_slug = {a.slug: a for a in articles}
        self.glossary = glossary
        self.cache: dict[str, list[Unit]] = {}
        # Documents segmented in this process, for _Finish to reuse (few articles:
        # everything runs here; many: forked workers segment, only units come back).
        self.documents: dict[str, Document] = {}
        self.distinct: dict[str, list[str]] = {}

    def __call__(self, slug: str) -> list[Unit]:
        if slug not in self.cache:
            doc = self.documents[slug] = segment(self.by_slug[slug])
            self.cache[slug] = doc.units()
        return self.cache[slug]

    def document(self, slug: str) -> Document:
        """The article's document, as segmented (reset it before filling it in)."""
        doc = self.documents.get(slug)
        return doc if doc is not None else segment(self.by_slug[slug])

    def prefetch(self, slugs: list[str], advance: Advance, jobs: int | None) -> None:
        """Segment these articles in ``jobs`` processes (default: one per core), and
        find the glossary's terms in their English there (the engine's protection and
        the catalogs' checks need them: the publish would find them on one core)."""
        todo = [slug for slug in slugs if slug not in self.cache]
        done = fork_map(self._read, todo, advance, jobs=jobs)
        for slug, (units, found) in zip(todo, done, strict=True):
            self.cache[slug] = units
            self.glossary.adopt(self.texts(slug), found)

    def _read(self, slug: str) -> tuple[list[Unit], Found]:
        return self(slug), self.glossary.found_in(self.texts(slug))

    def texts(self, slug: str) -> list[str]:
        """The article's distinct English texts (asked once per language: kept)."""
        if slug not in self.distinct:
            self.distinct[slug] = list(dict.fromkeys(u.text for u in self(slug)))
        return self.distinct[slug]


def markup_problems(catalog: Catalog, path: Path, root: Path, data: bytes) -> list[str]:
    """Human translations that use other codes than their English: refused on the page.

    ``data``: the catalog as written, for the line numbers in the messages."""
    where = shown(path, root)
    lines: dict[str, int] | None = None
    problems = []
    for message in entries(catalog):
        if not isinstance(message.id, str) or not message.string:
            continue
        if state_of(message) not in (APPROVED, DRAFT, STALE):
            continue  # machine output: the guard flags it
        if mismatch := markup_mismatch(message.string, message.id):
            codes = " ".join(m.group() for m in PLACEHOLDER_RE.finditer(message.id))
            lines = lines or msgid_lines(data.decode("utf-8"), path)
            problems.append(
                f"{where}:{lines[message.id]}: the translation's markup does not match the English "
                f"({mismatch}); it is not published. Fix: use exactly the English's codes "
                f"{codes or '(none)'} in msgstr"
            )
    return problems


def _standing(record: ArticleRecord, language: Language) -> str:
    return standing(record.state, record.coverage, language)


def _record(found: ArticleSummary, data: bytes, taught: dict) -> ArticleRecord:
    counts = found.counts
    memory_sha = contribution_sha(taught)
    return ArticleRecord(
        sha(data), found.state, {}, counts, counts[UNTRANSLATED], memory_sha, english=found.english
    )


def plan_language(
    config: Config,
    language: Language,
    articles: list[Article],
    units: _Units,
    manifest: Manifest,
    changed_sources: set[str],
    refresh: bool = False,
) -> LanguagePlan:
    """Merge the catalogs of the articles that need it, with the language's memory."""
    code = language.code
    records = dict(manifest.articles.get(code, {}))
    on_disk = files_in(config.translations_dir / code, ".po")
    shas = {a.slug: file_sha(on_disk[a.slug]) if a.slug in on_disk else None for a in articles}
    dirty = {
        a.slug
        for a in articles
        if a.slug in changed_sources
        or a.slug not in records
        or records[a.slug].catalog != shas[a.slug]
    }
    read: dict[str, str | None] = {}  # slug -> sha of the catalog as merged
    old: dict[str, Catalog | None] = {}
    ours = {slug: record.catalog for slug, record in records.items()}
    for slug in sorted(dirty & set(on_disk)):
        old[slug], read[slug] = load_catalog(on_disk[slug], language.locale, ours.get(slug))
    # The memory holds what catalogs taught when this pipeline wrote them; the ones
    # someone changed since, and those of articles that are gone, teach what they hold now.
    for stem, path in on_disk.items():
        if stem != CHROME and stem not in records and stem not in old:
            manifest.teach(code, stem, contribution(read_catalog(path, language.locale)))
    taught = {}  # slug -> contribution sha, of the catalogs that taught here
    for slug, catalog in old.items():
        if catalog is not None and read[slug] != ours.get(slug):
            manifest.teach(code, slug, lesson := contribution(catalog))
            taught[slug] = contribution_sha(lesson)
    memory = Memory(lambda ids: manifest.lookup(code, ids), lambda: manifest.approved(code))
    if dirty:  # with nothing dirty, the memory is as the last publish left it
        reread = {slug for slug, catalog in old.items() if catalog is not None}
        dirty |= reopened(records, dirty, reread, taught, manifest.memory_keys.get(code))
    catalogs, pending = {}, {}
    for article in articles:
        if article.slug not in dirty:
            continue
        if article.slug in on_disk and article.slug not in old:
            old[article.slug], read[article.slug] = load_catalog(
                on_disk[article.slug], language.locale, ours.get(article.slug)
            )
        previous = old.get(article.slug)
        read.setdefault(article.slug, None)
        fresh = new_catalog(
            previous, language.locale, f"{config.site_name} {article.slug}", str(article.path)
        )
        catalogs[article.slug], missing = merge(
            previous, units(article.slug), str(article.path), memory, fresh, refresh=refresh
        )
        pending.update(dict.fromkeys(missing))
    for slug in set(records) - {a.slug for a in articles}:
        del records[slug]  # the article left source/
    chrome_path = catalog_path(config.translations_dir, code, CHROME)
    old_chrome, chrome_read = load_catalog(chrome_path, language.locale)
    chrome, chrome_pending = merge_chrome(old_chrome, language.locale, config.site_name)
    return LanguagePlan(
        language, records, catalogs, list(pending), chrome, read, chrome_read, chrome_pending
    )


def _plan_and_translate(run: _Run, targets: list[Language]) -> list[LanguagePlan]:
    """Plan each language in turn; its engine starts as soon as its plan is ready,
    and language pairs translate side by side. Nothing is written here."""
    config, engine, refresh = run.config, run.engine, run.refresh
    source = config.source_language.code
    lock = Lock()
    plans = []
    with ThreadPoolExecutor(max_workers=max(1, min(len(targets), cores()))) as pool:
        running = []
        for language in targets:
            choice = None
            if refresh:  # drafts are dropped only where an engine can replace them
                choice = choose_engine(source, language, engine, config.engine_options)
            plan = plan_language(
                config,
                language,
                run.articles,
                run.units,
                run.manifest,
                run.changed_sources,
                refresh and choice is not None and choice.engine is not None,
            )
            plans.append(plan)
            if plan.pending or plan.chrome_pending:
                plan.choice = choice or choose_engine(
                    source, language, engine, config.engine_options
                )
                if not run.check:
                    running.append(pool.submit(_translate, run, plan, lock))
        for future in running:
            future.result()
    return plans


# Units per process below which the output guard is not worth a fork.
GUARD_SHARE = 2000


def _guard(plans: list[LanguagePlan], jobs: int | None) -> None:
    """The output guard on every language's engine output, on every core (its checks
    are pure Python: in the engines' threads they would share one core)."""
    work = [
        (msgid, out, plan.choice.engine.translator, plan.language.code)
        for plan in plans
        if plan.engine_output and plan.choice and plan.choice.engine
        for msgid, out in zip(plan.pending, plan.engine_output, strict=True)
    ]
    fields = fork_map(_guarded, work, min_share=GUARD_SHARE, jobs=jobs)
    start = 0
    for plan in plans:
        if plan.engine_output:
            count = len(plan.engine_output)
            plan.results = dict(zip(plan.pending, fields[start : start + count], strict=True))
            start += count
            plan.engine_output = []


def _guarded(item: tuple[str, Translation, str, str]) -> tuple[str, set[str]]:
    return to_message_fields(*item)


def _translate(run: _Run, plan: LanguagePlan, lock: Lock) -> None:
    """Engine output for the plan's pending units (put into catalogs by _Finish)."""
    source, result = run.config.source_language.code, run.result
    code = plan.language.code
    if not (plan.pending or plan.chrome_pending):
        return
    chosen = plan.choice.engine if plan.choice else None
    if chosen is None:
        return  # _report_english says so, on every run
    units = len(plan.pending) + len(plan.chrome_pending)
    run.report(f"{code}: translating {units} units with {chosen.name}")
    texts = [*plan.pending, *(to_engine(t) for t in plan.chrome_pending)]
    started = time.perf_counter()

    def warn(message: str) -> None:
        with lock:
            result.hints.append(message)

    outputs = run_engine(chosen, texts, source, code, run.glossary, run.config.cache_dir, warn)
    spent = time.perf_counter() - started
    plan.engine_output = outputs[: len(plan.pending)]  # guarded by _guard, on every core
    chrome_results = dict(zip(plan.chrome_pending, outputs[len(plan.pending) :], strict=True))
    fill_chrome(plan.chrome, chrome_results, chosen.translator)
    with lock:
        result.sent[code] = units
        result.engines[code] = chosen.name
        result.engine_seconds += spent


def _site_context(
    config: Config,
    articles: list[Article],
    units: _Units,
    plans: list[LanguagePlan],
    manifest: Manifest,
    review_marks: bool,
) -> tuple[SiteContext, dict[str, dict[str, list[str]]]]:
    """Chrome translations and each article's state in every language (for the switcher),
    and the states read from catalogs on disk (for ``Manifest.on_disk``).

    Articles whose catalog is redone get their state when _Finish has made it.
    """
    planned = {plan.language.code: plan for plan in plans}
    chrome, states = {}, {}
    on_disk: dict[str, dict[str, list[str]]] = {}
    for language in config.languages:
        plan = planned.get(language.code)
        if plan is not None:
            chrome[language.code] = translations(plan.chrome)
            records = plan.records
        else:  # not published this time: as the last publish left it
            path = catalog_path(config.translations_dir, language.code, CHROME)
            chrome[language.code] = translations(read_catalog(path, language.locale))
            records = manifest.articles.get(language.code, {})
        present: dict[str, Path] | None = None  # the language's catalogs, listed if needed
        for article in articles:
            if plan is not None and article.slug in plan.catalogs:
                continue
            record = records.get(article.slug)
            if record is None:  # unknown to the manifest: from the catalog on disk
                if present is None:
                    present = files_in(config.translations_dir / language.code, ".po")
                path = catalog_path(config.translations_dir, language.code, article.slug)
                # Read once: its sha, and the catalog if needed.
                data = read_or_none(path) if article.slug in present else None
                key = [article.sha, "" if data is None else sha(data)]
                kept = manifest.on_disk.get(language.code, {}).get(article.slug)
                if kept is not None and kept[:2] == key:
                    state = kept[2]  # neither the English nor the catalog changed
                else:
                    catalog = None if data is None else parse_catalog(data, path, language.locale)
                    found = summarize(units.texts(article.slug), catalog)
                    state = standing(found.state, found.coverage, language)
                on_disk.setdefault(language.code, {})[article.slug] = [*key, state]
            else:
                state = _standing(record, language)
            states[(language.code, article.slug)] = state
    return SiteContext(config, chrome, states, review_marks), on_disk


@dataclass
class ArticleOutcome:
    """What finishing (part of) an article produced (sent back from a worker process).

    Catalogs and the template are staged by the worker, not renamed into place: the
    publish does that once every page is in place (a page that cannot be written
    leaves them as they were), each after checking nobody saved it meanwhile."""

    records: dict[str, ArticleRecord] = field(default_factory=dict)  # language -> record
    meta: dict[str, Meta] = field(default_factory=dict)  # language -> front matter
    taught: dict[str, dict[str, list]] = field(default_factory=dict)  # language -> memory
    # Changed catalogs (the template's code: ""): (code, path, staged file or None in
    # a dry run, sha of the file as merged)
    catalogs: list[tuple[str, Path, Path | None, str | object | None]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    staged: list[tuple[Path, Path]] = field(default_factory=list)  # pages, outputs: not in place
    errors: list[str] = field(default_factory=list)  # catalogs someone saved meanwhile


@dataclass(frozen=True)
class _Job:
    """Part of the work on one article: its catalogs, its pages, or both, in ``codes``."""

    article: Article
    codes: tuple[str, ...]
    catalogs: bool = True
    pages: bool = True


# Units (summed over languages) below which few articles' languages are not split
# between processes: forking costs more (a 1 MB article is split, the five are not).
SPLIT_UNITS = 8000


@dataclass
class _Filled:
    """A redone catalog with the engine output in and the glossary checked."""

    found: ArticleSummary
    read: str | None  # sha of the catalog as merged


# Articles whose English changed below which their templates are left to _Finish:
# a fork costs more than so few files.
EARLY_TEMPLATES = 2 * MIN_SHARE


def _template(config: Config, units: _Units, article: Article, date: str) -> bytes:
    """The article's template (.pot): its English units."""
    slug, source = article.slug, str(article.path)
    english = template_entries(units(slug), source).values()
    return render_template(english, f"{config.site_name} {slug}", source, date)


@dataclass
class _TemplateJob:
    """One article's template, rendered and staged in _Templates' child."""

    config: Config
    units: _Units
    dry_run: bool
    dates: dict[str, str]  # slug -> POT-Creation-Date

    def __call__(self, article: Article) -> tuple[Path, Path | None] | None:
        """(template, staged file or None in a dry run) where the template changes."""
        path = template_path(self.config.translations_dir, article.slug)
        writer = Writer(self.dry_run, staged=True)
        writer.write(path, _template(self.config, self.units, article, self.dates[article.slug]))
        return (path, writer.staged[0][0] if writer.staged else None) if writer.written else None


class _Templates:
    """The templates of the articles whose English changed, rendered and staged by a
    child process while this one plans and the engines run: a template needs only
    the English, and a core is idle then (planning is one core's work, and an
    engine's threads share one where the engine is Python). _Finish leaves them
    out; _write_site renames them into place with the catalogs."""

    def __init__(self, dates: dict[str, str], work: Background, folder: Path, dry: bool) -> None:
        self.dates = dates  # each template's date: its article's catalogs carry it too
        self._work, self._folder, self._dry = work, folder, dry
        self._staged: dict[Path, Path | None] | None = None

    @classmethod
    def start(cls, run: _Run) -> _Templates | None:
        articles = [a for a in run.articles if a.slug in run.changed_sources]
        if len(articles) < EARLY_TEMPLATES:
            return None
        folder = run.config.translations_dir
        made, new = files_in(folder / TEMPLATES, ".pot"), new_template_date()
        dates = {a.slug: template_date(made[a.slug]) if a.slug in made else new for a in articles}
        dry = run.writer.dry_run
        work = fork_background(_TemplateJob(run.config, run.units, dry, dates), articles, run.jobs)
        return None if work is None else cls(dates, work, folder / TEMPLATES, dry)

    def staged(self) -> dict[Path, Path | None]:
        """The templates that change: template -> staged file (None in a dry run)."""
        if self._staged is None:
            self._staged = dict(found for found in self._work.result() if found is not None)
        return self._staged

    def abandon(self) -> None:
        """The publish failed: stop the child and drop what it staged."""
        self._work.close()
        if not self._dry:
            remove_temporaries([self._folder], ours=True)


@dataclass
class _Finish:
    """An article's catalogs and pages, in some or all of its languages: engine
    output filled in, catalogs rendered, pages written (catalogs and the template
    are written by the publish, last). Runs in worker processes."""

    config: Config
    ctx: SiteContext
    plans: list[LanguagePlan]
    units: _Units
    glossary: Glossary
    builders: list[Builder]  # the site's, then those asked for (pages first)
    dry_run: bool
    changed_sources: set[str]
    previous_states: dict[tuple[str, str], str]
    early: dict[str, str]  # slug -> date of the templates _Templates does
    filled: dict[tuple[str, str], _Filled] = field(default_factory=dict)  # (code, slug)

    def restated(self, slug: str) -> bool:
        """Whether the article's state changed in a language: its switcher changes."""
        return any(
            self.ctx.states.get((lang.code, slug)) != self.previous_states.get((lang.code, slug))
            for lang in self.config.languages
        )

    def builders_for(self, code: str) -> list[Builder]:
        source = code == self.config.source_language.code
        return [b for b in self.builders if b.source_too or not source]

    def page_due(self, code: str, slug: str, redone: bool) -> bool:
        """Whether the article's files in a language (its page...) are to be written."""
        if self.dry_run or redone or self.restated(slug):
            return True
        return any(b.outdated(code, slug) for b in self.builders_for(code))

    def due(self, article: Article) -> bool:
        slug = article.slug
        if slug in self.changed_sources:
            return True
        codes = [self.config.source_language.code, *(p.language.code for p in self.plans)]
        if not template_path(self.config.translations_dir, slug).exists():
            return True
        return any(p.chrome_changed or slug in p.catalogs for p in self.plans) or any(
            self.page_due(code, slug, False) for code in codes
        )

    def fill(self, article: Article) -> list[str]:
        """Engine output into the article's redone catalogs, glossary checked, and its
        state in each language set; returns the catalogs someone saved meanwhile."""
        errors = []
        for plan in self.plans:
            catalog, code = plan.catalogs.get(article.slug), plan.language.code
            if catalog is None:
                continue
            path = catalog_path(self.config.translations_dir, code, article.slug)
            if not self.dry_run and file_sha(path) != plan.read[article.slug]:
                errors.append(str(changed_on_disk(path)))  # their save wins
                continue
            messages = entries(catalog)
            fill(messages, plan.results)
            check_glossary(messages, self.glossary, code)
            found = summarize(self.units.texts(article.slug), catalog)
            self.filled[(code, article.slug)] = _Filled(found, plan.read[article.slug])
            self.ctx.states[(code, article.slug)] = standing(
                found.state, found.coverage, plan.language
            )
        return errors

    def work(self, articles: list[Article]) -> tuple[list[_Job], bool]:
        """The jobs, and whether they are split: one job per article (engine output
        filled in by the job), or, where the articles are too few to share out but
        large, one per article, language and output, each worth a process (filled
        in here first: every language's state must be known before any page)."""
        codes = (self.config.source_language.code, *(p.language.code for p in self.plans))
        units = sum(len(self.units(a.slug)) for a in articles) * len(self.plans)
        if len(articles) >= 2 * MIN_SHARE or units < SPLIT_UNITS:
            return [_Job(article, codes) for article in articles], False
        # Pages wait for no catalog (their states are known): every part is its own
        # job. The light English ones come last of all: processes take the next job
        # as they finish one, and heaviest first is how such a share-out evens up.
        jobs = [_Job(a, (code,), pages=False) for code in codes[1:] for a in articles]
        jobs += [_Job(a, (code,), catalogs=False) for code in codes[1:] for a in articles]
        jobs += [_Job(a, (codes[0],), pages=False) for a in articles]
        jobs += [_Job(a, (codes[0],), catalogs=False) for a in articles]
        return jobs, True

    def __call__(self, job: _Job) -> ArticleOutcome:
        slug = job.article.slug
        outcome, writer = ArticleOutcome(), Writer(self.dry_run, staged=True)
        plans = [plan for plan in self.plans if plan.language.code in job.codes]
        if job.catalogs and job.pages:  # the whole article
            outcome.errors = self.fill(job.article)
        if job.catalogs:
            self._catalogs(job.article, job.codes, plans, outcome)
        if not job.pages:
            return outcome
        doc = self.units.document(slug)
        english = self.config.source_language.code
        if english in job.codes and self.page_due(english, slug, slug in self.changed_sources):
            self.build(Translated(doc, english, None), writer)
        for plan in plans:
            code = plan.language.code
            redone = (code, slug) in self.filled
            if slug in plan.catalogs and not redone:
                continue  # someone else's catalog: its page waits for the next publish
            if self.page_due(code, slug, redone or plan.chrome_changed):
                catalog = plan.catalogs.get(slug)
                if catalog is None:  # clean catalog, page to redo (a switcher state changed)
                    path = catalog_path(self.config.translations_dir, code, slug)
                    catalog = read_catalog(path, plan.language.locale)
                item = Translated(doc, code, catalog)
                self.build(item, writer)
                outcome.meta[code] = item.meta
        outcome.written, outcome.removed = writer.written, writer.removed
        outcome.staged = writer.staged
        return outcome

    def build(self, item: Translated, writer: Writer) -> None:
        for builder in self.builders_for(item.language):
            builder.write(item, writer.text)

    def _catalogs(
        self,
        article: Article,
        codes: tuple[str, ...],
        plans: list[LanguagePlan],
        outcome: ArticleOutcome,
    ) -> None:
        """The template (with the source language's code) and the redone catalogs of
        ``plans``, rendered; their records."""
        slug = article.slug
        template = template_path(self.config.translations_dir, slug)
        date = self.early.get(slug) or template_date(template)
        if self.config.source_language.code in codes and slug not in self.early:
            pot = _template(self.config, self.units, article, date)
            self._stage("", template, pot, ANY, outcome)
        for plan in plans:
            code = plan.language.code
            filled = self.filled.get((code, slug))
            if filled is None:
                continue
            catalog = plan.catalogs[slug]
            path = catalog_path(self.config.translations_dir, code, slug)
            data = render_catalog(catalog, date)
            if not self._stage(code, path, data, filled.read, outcome):
                continue
            outcome.taught[code] = contribution(catalog)
            record = _record(filled.found, data, outcome.taught[code])
            record.problems = markup_problems(catalog, path, self.config.root, data)
            outcome.records[code] = record

    def _stage(
        self, code: str, path: Path, data: bytes, read: str | object | None, outcome: ArticleOutcome
    ) -> bool:
        """Stage a catalog (the template: ``code`` "") for the publish to rename into
        place; False, and the error noted, when someone saved it since it was merged."""
        writer = Writer(self.dry_run, staged=True)
        try:
            writer.write(path, data, expect=read)
        except ChangedOnDisk as exc:
            outcome.errors.append(str(exc))
            return False
        if writer.written:
            outcome.catalogs.append(
                (code, path, writer.staged[0][0] if writer.staged else None, read)
            )
        return True


def _write_site(run: _Run, plans: list[LanguagePlan]) -> list[str]:
    """Catalogs and pages of the articles that need them, indexes, sitemap, assets.

    Returns the errors found: catalogs someone else saved during the publish."""
    config, manifest, writer = run.config, run.manifest, run.writer
    articles, units, outputs = run.articles, run.units, run.outputs
    out = outputs.site or config.output_dir
    ctx, on_disk = _site_context(config, articles, units, plans, manifest, outputs.review_marks)
    # What each page's switcher showed last time: the records' states, and for articles
    # with none, the states read from their catalogs on disk.
    languages = {lang.code: lang for lang in config.languages}
    previous_states = {
        (code, slug): _standing(r, languages[code])
        for code, records in manifest.articles.items()
        if code in languages
        for slug, r in records.items()
    }
    for code, remembered in manifest.on_disk.items():
        previous_states.update({(code, slug): found[2] for slug, found in remembered.items()})
    builders = [*site_builders(out, ctx), *outputs.builders]
    finish = _Finish(
        config,
        ctx,
        plans,
        units,
        run.glossary,
        builders,
        writer.dry_run,
        run.changed_sources,
        previous_states,
        run.templates.dates if run.templates else {},
    )
    todo = [a for a in articles if finish.due(a)]
    work, split = finish.work(todo)
    errors = [error for article in todo for error in finish.fill(article)] if split else []
    try:
        with run.progress(len(work), "catalogs and pages") as advance:
            outcomes = fork_map(
                finish, work, advance, min_share=1 if split else MIN_SHARE, jobs=run.jobs
            )
        early = run.templates.staged() if run.templates else {}
        for outcome in outcomes:  # every page is staged: all in place, then the catalogs
            commit(outcome.staged)
    except BaseException:  # a page or output failed: none of this run's lands
        if not writer.dry_run:
            folders = [b.folder for b in builders]
            remove_temporaries([*folders, config.translations_dir], ours=True)
        raise
    planned = {plan.language.code: plan for plan in plans}
    for outcome in outcomes:
        writer.written.extend(outcome.written)
        writer.removed.extend(outcome.removed)
        errors.extend(outcome.errors)
    try:
        for job, outcome in zip(work, outcomes, strict=True):
            template = template_path(config.translations_dir, job.article.slug)
            # Every article _Templates did has a job (its English changed: it is due).
            if template in early:  # as _Finish would have: the template, then catalogs
                outcome.catalogs.insert(0, ("", template, early.pop(template), ANY))
            for code, path, staged, read in outcome.catalogs:
                try:
                    if staged is not None:
                        commit_unchanged(staged, path, read)
                    writer.written.append(path)
                except ChangedOnDisk as exc:  # saved while the pages were written
                    errors.append(str(exc))
                    outcome.records.pop(code, None)
                    outcome.taught.pop(code, None)
    except BaseException:  # a catalog could not be renamed: the others stay as they were
        if not writer.dry_run:
            remove_temporaries([config.translations_dir], ours=True)
        raise
    for job, outcome in zip(work, outcomes, strict=True):
        slug = job.article.slug
        for code, record in outcome.records.items():
            planned[code].records[slug] = record
            ctx.states[(code, slug)] = _standing(record, planned[code].language)
        for code, taught in outcome.taught.items():
            manifest.teach(code, slug, taught)
    manifest.on_disk = on_disk
    for job, outcome in zip(work, outcomes, strict=True):
        for code, meta in outcome.meta.items():
            if (kept := planned[code].records.get(job.article.slug)) is not None:
                kept.meta = meta

    english = config.source_language
    listings = {english.code: [(a.slug, a.translatable_meta, a.meta.get("date")) for a in articles]}
    for plan in plans:
        # No record: its catalog was saved by someone else meanwhile (the English is listed).
        metas = {slug: r.meta for slug, r in plan.records.items()}
        listing = [(a.slug, metas.get(a.slug) or {}, a.meta.get("date")) for a in articles]
        listings[plan.language.code] = listing
    gone = sorted(set(manifest.sources) - {a.slug for a in articles})
    for slug in gone:
        writer.remove(template_path(config.translations_dir, slug))
    site = Site(ctx, [a.slug for a in articles], listings, gone)
    for builder in builders:
        builder.finish(site, writer.text, writer.remove)
    return errors
