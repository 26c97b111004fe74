"""XLIFF 2.0 exchange with CAT tools (OmegaT, Trados, memoQ), via translate-toolkit.

Export: one file per language (optionally one article), one unit per catalog
entry, id ``<slug>.<hash of the English>``. The segment state says what we
know: ``final`` (approved), ``translated`` (machine output or a suggestion,
with a note saying which), ``initial`` (nothing yet). Placeholders such as
``<g1>`` travel as text and must be kept.

Import: targets go back into the catalogs. A ``reviewed``/``final`` segment
approves its unit; any other state is a suggestion that needs review. An
approved unit is never replaced by an unapproved one, and a translation whose
placeholders differ from the English is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from translate.storage.xliff2 import Xliff2File, Xliff2Unit

from .articles import load_articles
from .catalog import (
    APPROVED,
    MACHINE,
    MT_PREFIX,
    STALE,
    catalog_path,
    engine_of,
    load_catalog,
    render_catalog,
    state_of,
)
from .config import Config
from .errors import PipelineError
from .fsutil import write_if_changed
from .lock import project_lock
from .placeholders import PlaceholderMismatch, check_codes, codes_of
from .review import article_catalogs


def unit_id(slug: str, msgid: str) -> str:
    return f"{slug}.{hashlib.sha1(msgid.encode('utf-8')).hexdigest()[:12]}"


def export_xliff(config: Config, language: str, article: str | None = None) -> bytes:
    store = Xliff2File(sourcelanguage=config.source_language.code, targetlanguage=language)
    store.settargetlanguage(language)
    for a, _, catalog in article_catalogs(config, language, article):
        for message in catalog or []:
            if not message.id:
                continue
            unit = Xliff2Unit(message.id)
            unit.setid(unit_id(a.slug, message.id))
            state = state_of(message)
            if message.string:
                unit.target = message.string
                unit.xmlelement.set("state", "final" if state == APPROVED else "translated")
            else:
                unit.xmlelement.set("state", "initial")
            if state == MACHINE:
                unit.addnote(
                    f"machine translation ({engine_of(message)}), not reviewed", "pipeline"
                )
            elif state == STALE and message.previous_id:
                unit.addnote(f"the English was: {message.previous_id[0]}", "pipeline")
            for comment in message.auto_comments:
                unit.addnote(comment, "pipeline")
            store.addunit(unit)
    return bytes(store)


@dataclass
class ImportReport:
    approved: int = 0
    suggested: int = 0
    refused: list[str] = field(default_factory=list)


def import_xliff(config: Config, path: Path) -> ImportReport:
    with project_lock(config.root):
        return _import(config, path)


UNIT_ID_RE = re.compile(r"(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<digest>[0-9a-f]{12})")


def _import(config: Config, path: Path) -> ImportReport:
    try:
        store = Xliff2File.parsefile(str(path))
    except Exception as exc:  # lxml and translate-toolkit raise many kinds
        raise PipelineError(
            f"not a readable XLIFF 2 file ({exc})",
            path=path,
            fix="export it again as XLIFF 2.0 from the CAT tool",
        ) from exc
    language = store.gettargetlanguage()
    if not language:
        raise PipelineError(
            "the file names no target language (trgLang)",
            path=path,
            fix="set trgLang on the <xliff> element",
        )
    lang = config.language(language)
    incoming = _units_by_article(config, store, path)
    # Every catalog is read, and every unit checked, before any file is written.
    report = ImportReport()
    changed: dict[Path, tuple[Catalog, str | None]] = {}
    for slug, units in sorted(incoming.items()):
        target = catalog_path(config.translations_dir, lang.code, slug)
        catalog, read = load_catalog(target, lang.locale)
        if catalog is None:
            report.refused.extend(f"{u.getid()}: no catalog for '{slug}'" for u in units)
            continue
        if _apply(catalog, slug, units, report):
            changed[target] = catalog, read
    for target, (catalog, read) in changed.items():
        write_if_changed(target, render_catalog(catalog), expect=read)
    return report


def _units_by_article(config: Config, store: Xliff2File, path: Path) -> dict[str, list]:
    """The file's translated units by article slug; an id that names no article of the
    project (a path, the page chrome, another project) stops the import."""
    slugs = {a.slug for a in load_articles(config.source_dir, config.root)}
    incoming: dict[str, list[Xliff2Unit]] = {}
    bad = []
    for unit in store.units:
        if not unit.target:
            continue
        match = UNIT_ID_RE.fullmatch(unit.getid() or "")
        if match is None or match["slug"] not in slugs:
            bad.append(unit)
            continue
        incoming.setdefault(match["slug"], []).append(unit)
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise PipelineError(
            f"unit id {bad[0].getid()!r} is not '<article slug>.<hash>' for an article of this "
            f"project{more}; nothing was imported",
            path=path,
            line=_line(bad[0]),
            fix="import the file `pipeline xliff export` wrote, with its unit ids unchanged",
        )
    return incoming


def _line(unit: Xliff2Unit) -> int:
    """The line of the unit's <unit> element (translate-toolkit's element is the <segment>)."""
    element = unit.xmlelement
    if element.tag.endswith("segment") and element.getparent() is not None:
        element = element.getparent()
    return element.sourceline


def _apply(catalog: Catalog, slug: str, units: list, report: ImportReport) -> bool:
    """Put the units' targets into ``catalog``; returns whether anything changed."""
    changed = False
    by_id = {unit_id(slug, m.id): m for m in catalog if isinstance(m.id, str) and m.id}
    for unit in units:
        message = by_id.get(unit.getid())
        if message is None:
            report.refused.append(f"{unit.getid()}: the English has changed since export")
            continue
        text = str(unit.target)
        try:
            check_codes(text, codes_of(message.id))
        except PlaceholderMismatch as exc:
            report.refused.append(f"{unit.getid()}: {exc}")
            continue
        final = unit.xmlelement.get("state") in ("reviewed", "final")
        if state_of(message) == APPROVED and not final:
            if text != message.string:
                report.refused.append(f"{unit.getid()}: would replace an approved translation")
            continue
        if text == message.string and final == (state_of(message) == APPROVED):
            continue
        message.string = text
        message.flags = {f for f in message.flags if not f.startswith(MT_PREFIX)}
        if final:
            message.flags.discard("fuzzy")
            message.previous_id = []
            report.approved += 1
        else:
            message.flags.add("fuzzy")
            report.suggested += 1
        changed = True
    return changed
