"""XLIFF 2.0 exchange with CAT tools (OmegaT, Trados, memoQ), valid against OASIS's schema.

Export: one ``<file>`` per article, one ``<unit>`` per catalog entry, id
``<slug>.<hash of the English>``. Inline markup travels as XLIFF inline codes,
so CAT tools protect it: ``<gN>...</gN>`` as ``<pc id="gN">``, ``<xN/>`` as
``<ph id="xN"/>``, each with its ``originalData``. The segment state says what
we know: ``final`` (approved), ``translated`` (machine output, a draft or a
stale translation, named by ``subState`` and a note), ``initial`` (nothing
yet). Notes carry the references, notes for translators, the glossary hint and
quality flags.

Import: targets go back into the catalogs, inline codes (``pc``/``ph``, also
``sc``/``ec`` and escaped ``<g1>`` text) turned back into placeholders. A
``reviewed``/``final`` segment approves its unit; any other state is a draft
that needs review. An approved unit is never replaced by an unapproved one, and
a translation whose codes differ from the English is refused, with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from lxml import etree

from .articles import load_articles
from .catalog import (
    APPROVED,
    DRAFT,
    GLOSSARY_COMMENT,
    MACHINE,
    MT_PREFIX,
    STALE,
    catalog_path,
    engine_of,
    load_catalog,
    quality_flags,
    render_catalog,
    state_of,
    unit_id,
)
from .config import Config
from .errors import PipelineError
from .fsutil import write_if_changed
from .lock import writing
from .placeholders import PLACEHOLDER_RE, markup_mismatch
from .review import article_catalogs

NS = "urn:oasis:names:tc:xliff:document:2.0"
Q = f"{{{NS}}}"  # lxml's "{namespace}tag"


def _inline(parent: etree._Element, text: str) -> None:
    """Append ``text`` to ``parent`` with its placeholders as pc/ph elements."""
    stack = [parent]
    last: etree._Element | None = None  # where the next text goes: .text of stack top or .tail

    def add_text(chunk: str) -> None:
        if not chunk:
            return
        if last is None or last.getparent() is not stack[-1]:
            stack[-1].text = (stack[-1].text or "") + chunk
        else:
            last.tail = (last.tail or "") + chunk

    pos = 0
    for match in PLACEHOLDER_RE.finditer(text):
        add_text(text[pos : match.start()])
        pos = match.end()
        opened, closed, atomic = match.groups()
        if opened:
            element = etree.SubElement(stack[-1], Q + "pc", id=f"g{opened}")
            element.set("dataRefStart", f"g{opened}s")
            element.set("dataRefEnd", f"g{opened}e")
            stack.append(element)
            last = None
        elif closed and len(stack) > 1:
            last = stack.pop()
        elif atomic:
            last = etree.SubElement(stack[-1], Q + "ph", id=f"x{atomic}", dataRef=f"x{atomic}")
    add_text(text[pos:])


def _original_data(unit: etree._Element, english: str) -> None:
    codes = list(PLACEHOLDER_RE.finditer(english))
    if not codes:
        return
    data = etree.SubElement(unit, Q + "originalData")
    for match in codes:
        opened, closed, atomic = match.groups()
        ident = f"g{opened}s" if opened else f"g{closed}e" if closed else f"x{atomic}"
        etree.SubElement(data, Q + "data", id=ident).text = match.group()


def _notes(message: Message) -> list[tuple[str, str]]:
    """(category, text) of the unit's notes."""
    notes = [("location", f"{name}:{line}") for name, line in message.locations]
    for comment in message.auto_comments:
        category = "glossary" if comment.startswith(GLOSSARY_COMMENT) else "note"
        notes.append((category, comment))
    state = state_of(message)
    if state == MACHINE:
        notes.append(("state", f"machine translation ({engine_of(message)}), not reviewed"))
    elif state == DRAFT:
        notes.append(("state", "a draft, not reviewed"))
    elif state == STALE and message.previous_id:
        notes.append(("state", f"the English was: {message.previous_id[0]}"))
    if quality_flags(message):
        notes.append(("flags", ", ".join(quality_flags(message))))
    return notes


def export_xliff(config: Config, language: str, article: str | None = None) -> bytes:
    root = etree.Element(
        Q + "xliff",
        nsmap={None: NS},
        version="2.0",
        srcLang=config.source_language.code,
        trgLang=language,
    )
    for a, _, catalog in article_catalogs(config, language, article):
        file = etree.SubElement(root, Q + "file", id=a.slug, original=str(a.path))
        for message in catalog or []:
            if not message.id or not isinstance(message.id, str):
                continue
            unit = etree.SubElement(file, Q + "unit", id=unit_id(a.slug, message.id))
            notes = etree.SubElement(unit, Q + "notes")
            for category, text in _notes(message):
                etree.SubElement(notes, Q + "note", category=category).text = text
            _original_data(unit, message.id)
            segment = etree.SubElement(unit, Q + "segment")
            state = state_of(message)
            _inline(etree.SubElement(segment, Q + "source"), message.id)
            if message.string:
                segment.set("state", "final" if state == APPROVED else "translated")
                if state != APPROVED:
                    segment.set("subState", f"pipeline:{state}")
                _inline(etree.SubElement(segment, Q + "target"), message.string)
            else:
                segment.set("state", "initial")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def inline_text(element: etree._Element) -> str:
    """A source or target element's content as placeholder text."""
    parts = [element.text or ""]
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        ident = child.get("id", "")
        if name == "pc":
            parts.append(f"<{ident}>{inline_text(child)}</{ident}>")
        elif name == "ph":
            parts.append(f"<{ident}/>")
        elif name == "sc":
            parts.append(f"<{ident}>")
        elif name == "ec":
            parts.append(f"</{child.get('startRef', ident)}>")
        elif name == "cp":
            parts.append(chr(int(child.get("hex", "0"), 16)))
        elif name == "mrk":  # an annotation (a term, a comment): its content is the text
            parts.append(inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


@dataclass
class ImportReport:
    approved: int = 0
    suggested: int = 0
    refused: list[str] = field(default_factory=list)  # "file:line: unit: why"


@dataclass
class Incoming:
    """A translated unit of the file."""

    id: str
    text: str  # the target, inline codes as placeholders
    final: bool  # every segment reviewed or final
    line: int


def import_xliff(config: Config, path: Path) -> ImportReport:
    with writing(config.root, [config.translations_dir, config.output_dir]):
        return _import(config, path)


UNIT_ID_RE = re.compile(r"(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<digest>[0-9a-f]{12})")
# No DTDs, entities or network: a file from outside is data, nothing more.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _import(config: Config, path: Path) -> ImportReport:
    try:
        root = etree.parse(str(path), PARSER).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise PipelineError(
            f"not a readable XLIFF 2 file ({exc})",
            path=path,
            fix="export it again as XLIFF 2.0 from the CAT tool",
        ) from exc
    if root.tag != Q + "xliff":
        raise PipelineError(
            "not an XLIFF 2.0 file (the root is not <xliff> in the XLIFF 2.0 namespace)",
            path=path,
            fix="export it as XLIFF 2.0 from the CAT tool",
        )
    language = root.get("trgLang")
    if not language:
        raise PipelineError(
            "the file names no target language (trgLang)",
            path=path,
            fix="set trgLang on the <xliff> element",
        )
    lang = config.language(language)
    incoming = _units_by_article(config, root, path)
    # Every catalog is read, and every unit checked, before any file is written.
    report = ImportReport()
    changed: dict[Path, tuple[Catalog, str | None]] = {}
    for slug, units in sorted(incoming.items()):
        target = catalog_path(config.translations_dir, lang.code, slug)
        catalog, read = load_catalog(target, lang.locale)
        if catalog is None:
            report.refused.extend(
                f"{path}:{u.line}: {u.id}: no catalog for '{slug}'" for u in units
            )
            continue
        if _apply(catalog, slug, units, report, path):
            changed[target] = catalog, read
    for target, (catalog, read) in changed.items():
        write_if_changed(target, render_catalog(catalog), expect=read)
    return report


def _translated(unit: etree._Element) -> Incoming | None:
    """The unit's target (its segments' targets in order), or None if it has none."""
    parts, final = [], True
    for child in unit:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name not in ("segment", "ignorable"):
            continue
        target = child.find(Q + "target")
        if target is None and name == "ignorable":
            target = child.find(Q + "source")
        if target is None:
            return None
        parts.append(inline_text(target))
        final = final and (name == "ignorable" or child.get("state") in ("reviewed", "final"))
    text = "".join(parts)
    return Incoming(unit.get("id", ""), text, final, unit.sourceline or 0) if text else None


def _units_by_article(config: Config, root: etree._Element, path: Path) -> dict[str, list]:
    """The file's translated units by article slug; an id that names no article of the
    project (a path, the page chrome, another project) stops the import."""
    slugs = {a.slug for a in load_articles(config.source_dir, config.root, config.front_matter)}
    incoming: dict[str, list[Incoming]] = {}
    bad = []
    for element in root.iter(Q + "unit"):
        unit = _translated(element)
        if unit is None:
            continue
        match = UNIT_ID_RE.fullmatch(unit.id)
        if match is None or match["slug"] not in slugs:
            bad.append(unit)
            continue
        incoming.setdefault(match["slug"], []).append(unit)
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise PipelineError(
            f"unit id {bad[0].id!r} is not '<article slug>.<hash>' for an article of this "
            f"project{more}; nothing was imported",
            path=path,
            line=bad[0].line,
            fix="import the file `pipeline xliff export` wrote, with its unit ids unchanged",
        )
    return incoming


def _apply(
    catalog: Catalog, slug: str, units: list[Incoming], report: ImportReport, path: Path
) -> bool:
    """Put the units' targets into ``catalog``; returns whether anything changed."""
    changed = False
    by_id = {unit_id(slug, m.id): m for m in catalog if isinstance(m.id, str) and m.id}
    for unit in units:
        where = f"{path}:{unit.line}: {unit.id}"
        message = by_id.get(unit.id)
        if message is None:
            report.refused.append(f"{where}: the English has changed since export")
            continue
        if mismatch := markup_mismatch(unit.text, message.id):
            report.refused.append(f"{where}: {mismatch}")
            continue
        if state_of(message) == APPROVED and not unit.final:
            if unit.text != message.string:
                report.refused.append(f"{where}: would replace an approved translation")
            continue
        if unit.text == message.string and unit.final == (state_of(message) == APPROVED):
            continue
        message.string = unit.text
        message.flags = {f for f in message.flags if not f.startswith(MT_PREFIX)}
        if unit.final:
            message.flags.discard("fuzzy")
            message.previous_id = []
            report.approved += 1
        else:
            message.flags.add("fuzzy")
            report.suggested += 1
        changed = True
    return changed
