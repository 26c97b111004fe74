"""`pipeline review` and `pipeline approve`: what needs a human, and signing it off.

Review lists every current unit of a language that is not approved (machine
output, drafts, stale translations) or that carries a quality flag, with the
English, the translation, its flags, notes and full glossary hint, and for stale
units a word-level diff of the English the translator approved against the
English now. Most visible first: titles and headings, then flagged units, then
human work whose English changed, drafts, and plain machine output.

Approve signs off what a reviewer has read: an article's listed units or named
ones (``--unit``), never a flagged one unless asked (``--include-flagged``),
and ``--dry-run`` shows what it would do.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .articles import load_articles
from .catalog import (
    APPROVED,
    DRAFT,
    GLOSSARY_COMMENT,
    MACHINE,
    STALE,
    catalog_path,
    entries,
    extracted_comments,
    guard_stopped,
    load_catalog,
    quality_flags,
    read_catalog,
    render_catalog,
    state_of,
    unit_id,
)
from .config import Config
from .errors import PipelineError
from .fsutil import write_if_changed
from .lock import writing
from .placeholders import markup_mismatch
from .render import templates

WORD_RE = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class ReviewItem:
    slug: str
    where: str  # "source/slug.md:12"
    english: str
    translation: str
    state: str
    flags: list[str]
    glossary: str  # the catalog's "glossary: ..." note, if any
    previous: str = ""  # the English the translation was made for (stale units)
    diff: list[tuple[str, str]] = field(default_factory=list)  # ("equal"|"delete"|"insert", text)
    unit: str = ""  # the unit's id, for `pipeline approve --unit`
    notes: list[str] = field(default_factory=list)  # what kind of text it is, from the English

    @property
    def priority(self) -> int:
        """0 titles and headings, 1 flagged, 2 stale, 3 drafts, 4 machine output."""
        if any(n in ("front matter: title", "heading") for n in self.notes):
            return 0
        if self.flags:
            return 1
        return {STALE: 2, DRAFT: 3}.get(self.state, 4)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff of two English texts as (operation, text) runs."""
    a, b = WORD_RE.findall(old), WORD_RE.findall(new)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            runs.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            runs.append(("insert", "".join(b[j1:j2])))
        if op == "equal":
            runs.append(("equal", "".join(a[i1:i2])))
    return runs


def article_catalogs(config: Config, language: str, article: str | None):
    lang = config.language(language)
    articles = load_articles(config.source_dir, config.root, config.front_matter)
    if article is not None and article not in {a.slug for a in articles}:
        raise PipelineError(
            f"no article with slug '{article}'",
            path=config.source_dir,
            fix="use a slug listed by `pipeline status`",
        )
    for a in articles:
        if article is None or a.slug == article:
            path = catalog_path(config.translations_dir, language, a.slug)
            yield a, path, read_catalog(path, lang.locale)


def needs_review(message) -> bool:
    state = state_of(message)
    return state in (MACHINE, DRAFT, STALE) or (state == APPROVED and bool(quality_flags(message)))


def review_items(
    config: Config,
    language: str,
    article: str | None = None,
    states: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
) -> list[ReviewItem]:
    """The units to review, most visible first; ``states`` and ``flags`` narrow the list
    (a unit is listed when it has one of the states and one of the flags given)."""
    items = []
    for a, _, catalog in article_catalogs(config, language, article):
        for message in catalog or []:
            if not message.id or not message.string or not needs_review(message):
                continue
            previous = message.previous_id[0] if message.previous_id else ""
            comments = message.auto_comments
            glossary = next((c for c in comments if c.startswith(GLOSSARY_COMMENT)), "")
            where = ", ".join(f"{f}:{n}" for f, n in message.locations[:1])
            item = ReviewItem(
                a.slug,
                where,
                message.id,
                message.string,
                state_of(message),
                quality_flags(message),
                glossary,
                previous,
                word_diff(previous, message.id) if previous else [],
                unit_id(a.slug, message.id),
                extracted_comments(message),
            )
            if states and item.state not in states:
                continue
            if flags and not set(flags) & set(item.flags):
                continue
            items.append(item)
    return sorted(items, key=lambda item: item.priority)  # stable: article order within


def render_report(config: Config, language: str, items: list[ReviewItem], out: Path) -> str:
    """A self-contained HTML page for translators (links point into site/)."""
    lang = config.language(language)
    site = config.output_dir.resolve()
    try:
        up = Path(*[".."] * len(out.resolve().parent.relative_to(config.root).parts))
        site_href = (up / site.relative_to(config.root)).as_posix()
    except ValueError:
        site_href = site.as_uri()
    return (
        templates()
        .get_template("review.html")
        .render(
            site_name=config.site_name,
            language=lang,
            items=items,
            site_href=site_href,
        )
    )


@dataclass
class Approval:
    approved: list[str] = field(default_factory=list)  # unit ids (with dry_run: would be)
    skipped: list[str] = field(default_factory=list)  # why units were left unapproved


def _approvable(message, include_flagged: bool) -> str:
    """Why a unit cannot be approved as it stands ('' if it can)."""
    if mismatch := markup_mismatch(message.string, message.id):
        return f"markup does not match the English ({mismatch})"
    if stopped := guard_stopped(state_of(message), message.flags):
        return f"the output guard stopped it ({', '.join(stopped)})"
    flagged = [f for f in quality_flags(message) if f != "glossary"]
    if flagged and not include_flagged:
        return f"flagged ({', '.join(flagged)}): read it, then approve it with --include-flagged"
    return ""


def approve(
    config: Config,
    language: str,
    article: str | None = None,
    units: tuple[str, ...] = (),
    include_flagged: bool = False,
    dry_run: bool = False,
) -> Approval:
    """Approve, as a reviewer who read them, the units `review` lists for one article,
    or the units named (ids as `review` shows them)."""
    if article is None and not units:
        raise PipelineError(
            "nothing to approve", path=config.translations_dir, fix="give --article or --unit"
        )
    with writing(config.root, [config.translations_dir, config.output_dir]):
        return _approve(config, language, article, units, include_flagged, dry_run)


def _approve(
    config: Config,
    language: str,
    article: str | None,
    units: tuple[str, ...],
    include_flagged: bool,
    dry_run: bool,
) -> Approval:
    result = Approval()
    wanted = set(units)
    slugs = {u.rsplit(".", 1)[0] for u in units}
    found: set[str] = set()
    for a, path, _ in article_catalogs(config, language, article):
        if units and a.slug not in slugs:
            continue
        catalog, read = load_catalog(path, config.language(language).locale)
        if catalog is None:
            raise PipelineError("no catalog yet", path=path, fix="run `pipeline publish` first")
        for message in entries(catalog):
            if not message.id or not message.string or not needs_review(message):
                continue
            uid = unit_id(a.slug, message.id)
            if units and uid not in wanted:
                continue
            found.add(uid)
            reason = _approvable(message, include_flagged)
            if reason:
                result.skipped.append(f"{uid} ({message.id[:50]}): {reason}")
                continue
            message.flags = {f for f in message.flags if f == "glossary" or f.startswith("mt-")}
            message.previous_id = []
            result.approved.append(uid)
        if not dry_run:
            write_if_changed(path, render_catalog(catalog), expect=read)
    result.skipped.extend(f"{u}: no such unit needs review" for u in sorted(wanted - found))
    return result


def format_terminal(items: list[ReviewItem]) -> str:
    """Plain-text review list; diffs as [-removed-]{+added+}."""
    lines = []
    for item in items:
        flags = f"  flags: {', '.join(item.flags)}" if item.flags else ""
        lines.append(f"[{item.state}] {item.unit}  {item.where}{flags}")
        lines.extend(f"  note: {note}" for note in item.notes)
        if item.diff:
            shown = "".join(
                text if op == "equal" else f"[-{text}-]" if op == "delete" else f"{{+{text}+}}"
                for op, text in item.diff
            )
            lines.append(f"  changed: {shown}")
        lines.append(f"  en: {item.english}")
        lines.append(f"  tr: {item.translation}")
        if item.glossary:
            lines.append(f"  {item.glossary}")
        lines.append("")
    return "\n".join(lines)
