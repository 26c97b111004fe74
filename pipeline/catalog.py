"""Per-article gettext catalogs: the meeting point of machine and human translation.

A unit's state is written in gettext's own terms, so Poedit, Weblate, msgmerge
or a text editor show and change it the usual way:

=============  =====================================================
untranslated   empty msgstr (the page shows the English)
machine        fuzzy, and ``# pipeline-flags: mt-<engine>``: engine output,
               not reviewed
draft          fuzzy, from a human (a suggestion, or "needs work"): not
               reviewed, for the English as it is
stale          fuzzy with ``#| msgid``: the English the translation was made
               for has changed (what msgmerge --previous writes)
approved       not fuzzy and translated: a human has reviewed it
=============  =====================================================

The pipeline's own flags (``mt-apertium``, ``unknown-words``, ``markup``...)
travel in a translator comment, ``# pipeline-flags: ...``, because GNU gettext's
tools keep only gettext's flags in ``#,`` and drop the rest, while every tool
keeps translator comments. The unit's glossary hint (language-specific, so not
in the template) is a translator comment too, ``# glossary: ...``: msgmerge
replaces extracted comments with the template's. Files are written in gettext's
canonical form (po_format.py), so a re-save by a gettext tool changes nothing.

A human's translation is never replaced: machine output only fills empty
entries, and a human text whose English changed stays as the entry's
suggestion (stale) or as an obsolete ``#~`` entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, denormalize, read_po

from . import po_format
from .errors import PipelineError
from .fsutil import read_or_none, sha, write_if_changed
from .guard import BLOCKING
from .po_check import FIX as PO_FIX
from .po_check import check_po, header_msgstr
from .po_format import parse_header, read_layout
from .segment import Unit

UNTRANSLATED, MACHINE, DRAFT, STALE, APPROVED = (
    "untranslated",
    "machine",
    "draft",
    "stale",
    "approved",
)
STATES = (APPROVED, MACHINE, DRAFT, STALE, UNTRANSLATED)
MT_PREFIX = "mt-"
FLAGS_COMMENT = "pipeline-flags: "
GLOSSARY_COMMENT = "glossary: "


def state_of(message: Message) -> str:
    if not message.string:
        return UNTRANSLATED
    if "fuzzy" not in message.flags:
        return APPROVED
    if message.previous_id:
        return STALE
    return MACHINE if is_machine(message) else DRAFT


def is_machine(message: Message) -> bool:
    """Whether the text came from an engine (approved or not)."""
    return any(f.startswith(MT_PREFIX) for f in message.flags)


def guard_stopped(state: str, flags: Iterable[str]) -> list[str]:
    """The output guard's findings that keep a machine translation off the page (a
    unit in ``state`` with ``flags``); empty when its translation is shown."""
    return sorted(BLOCKING.intersection(flags)) if state == MACHINE else []


def is_gettext_flag(flag: str) -> bool:
    """A flag GNU gettext's tools know, and so keep in ``#,``."""
    return (
        flag in ("fuzzy", "wrap", "no-wrap")
        or flag.endswith("-format")
        or flag.startswith("range:")
    )


def entries(catalog: Catalog) -> list[Message]:
    """The catalog's entries, header excluded, in order.

    Iterating a Catalog formats its whole header (dates through Babel's locale
    data) on every pass; this reads the entries alone.
    """
    return list(catalog._messages.values())


# Worst first: an article, a page or a block shows the worst state of its units.
SEVERITY = {UNTRANSLATED: 0, STALE: 1, MACHINE: 2, DRAFT: 3, APPROVED: 4}


def worst(states: Iterable[str]) -> str | None:
    return min(states, key=SEVERITY.__getitem__, default=None)


@dataclass
class ArticleSummary:
    """An article's units in one language, counted in one pass over its catalog."""

    counts: dict[str, int]  # units per state
    state: str  # the worst (for the switcher)
    english: int  # units its page shows in English (untranslated, or stopped by the guard)

    @property
    def coverage(self) -> float:
        return translated_share(self.counts, self.english)


def summarize(texts: Iterable[str], catalog: Catalog | None) -> ArticleSummary:
    """Units per state (an English text with no entry yet is untranslated), the worst
    state and how many units the page shows in English."""
    counts = dict.fromkeys(STATES, 0)
    english = 0
    for text in texts:
        message = catalog.get(text) if catalog is not None else None
        state = state_of(message) if message else UNTRANSLATED
        counts[state] += 1
        english += (
            message is None or state == UNTRANSLATED or bool(guard_stopped(state, message.flags))
        )
    state = worst(state for state, count in counts.items() if count) or APPROVED
    return ArticleSummary(counts, state, english)


def translated_share(counts: dict[str, int], english: int) -> float:
    """The share of an article's units (``counts``: units per state) that its page
    shows translated, ``english`` of them being shown in English."""
    total = sum(counts.values())
    return 1.0 if not total else 1 - english / total


def engine_of(message: Message) -> str:
    return next((f[len(MT_PREFIX) :] for f in sorted(message.flags) if f.startswith(MT_PREFIX)), "")


def quality_flags(message: Message) -> list[str]:
    """Flags that report a problem, as opposed to the state flags."""
    return sorted(f for f in message.flags if f != "fuzzy" and not f.startswith(MT_PREFIX))


def is_human(message: Message) -> bool:
    """A translation a person made or signed off (a machine draft msgmerge matched to
    other English is not)."""
    state = state_of(message)
    return state in (APPROVED, DRAFT) or (state == STALE and not is_machine(message))


def unit_id(slug: str, msgid: str) -> str:
    """A unit's id across review, approve and XLIFF: ``<slug>.<hash of the English>``."""
    return f"{slug}.{hashlib.sha1(msgid.encode('utf-8')).hexdigest()[:12]}"


def catalog_path(translations_dir: Path, language: str, slug: str) -> Path:
    return translations_dir / language / f"{slug}.po"


OBSOLETE_PREVIOUS_RE = re.compile(rb"^#~\|", re.MULTILINE)


def read_catalog(path: Path, locale: Locale) -> Catalog | None:
    """The catalog at ``path``, or None when there is none yet."""
    return load_catalog(path, locale)[0]


def load_catalog(
    path: Path, locale: Locale, ours: str | None = None
) -> tuple[Catalog | None, str | None]:
    """The catalog at ``path`` and the ``sha`` of the bytes read (None, None: no file).

    The hash lets a writer check that nobody saved the file in between
    (``write_if_changed``'s ``expect``). ``ours``: the sha of what the pipeline last
    wrote there; a file still byte for byte that skips the strict syntax check,
    which it passed (a third of the reading time).
    """
    data = read_or_none(path)
    if data is None:
        return None, None
    digest = sha(data)
    return parse_catalog(data, path, locale, checked=digest == ours), digest


def parse_catalog(data: bytes, path: Path, locale: Locale, checked: bool = False) -> Catalog:
    """A PO file's bytes as a catalog; ``path`` is named in errors. ``checked``: the
    bytes are known to pass ``check_po``."""
    try:
        text = data.decode("utf-8")
        header = header_msgstr(text, path) if checked else check_po(text, path)
        # Babel's reader refuses the previous msgid of an obsolete entry (``#~|``, which
        # msgmerge writes): read as ``#|`` it becomes the entry's previous_id below.
        data = OBSOLETE_PREVIOUS_RE.sub(b"#|", data)
        catalog = read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    except PoFileError as exc:
        raise PipelineError(
            f"PO syntax error ({str(exc).rsplit(' on ', 1)[0]})",
            path=path,
            line=exc.lineno,
            fix=PO_FIX,
        ) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise PipelineError(
            f"unreadable PO file ({exc})", path=path, fix="save it as UTF-8 or restore it from git"
        ) from exc
    # What po_format writes back as it was: a tool's header fields, its line breaks.
    catalog.header_fields = parse_header(header)  # type: ignore[attr-defined]
    catalog.layout = read_layout(text)  # type: ignore[attr-defined]
    for message in [*entries(catalog), *catalog.obsolete.values()]:
        _recover_previous(message)
        _read_comments(message)
    return catalog


def _read_comments(message: Message) -> None:
    """The pipeline's translator comments back into flags and the glossary hint."""
    comments = []
    for comment in message.user_comments:
        if comment.startswith(FLAGS_COMMENT):
            message.flags.update(
                filter(None, map(str.strip, comment[len(FLAGS_COMMENT) :].split(",")))
            )
        elif comment.startswith(GLOSSARY_COMMENT):
            message.auto_comments = [*message.auto_comments, comment]
        else:
            comments.append(comment)
    message.user_comments = comments


def _recover_previous(message: Message) -> None:
    """Move ``#| msgid`` lines, which Babel's reader keeps as comments, to previous_id."""
    previous = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
    if not previous:
        return
    message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    fields: dict[str, list[str]] = {}
    current = None
    for line in previous:
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgid", "msgid_plural", "msgctxt"):
            current = fields.setdefault(keyword, [])
            line = rest
        if current is not None:
            current.append(line)
    if "msgid" in fields:
        message.previous_id = [denormalize("\n".join(fields["msgid"]))]


def extracted_comments(message: Message) -> list[str]:
    """The ``#.`` comments: the notes about the English (template and catalogs alike)."""
    return [c for c in message.auto_comments if not c.startswith(GLOSSARY_COMMENT)]


def _entry(catalog: Catalog, plurals: int, message: Message, obsolete: bool = False) -> list[str]:
    """An entry in gettext's form: the pipeline's flags and the glossary hint as
    translator comments, which every gettext tool keeps. ``plurals``: the catalog's
    num_plurals (Babel looks it up in the locale data each time it is asked)."""
    hints = [c for c in message.auto_comments if c.startswith(GLOSSARY_COMMENT)]
    extracted = extracted_comments(message)
    ours = sorted(f for f in message.flags if not is_gettext_flag(f))
    comments = [*message.user_comments, *hints]
    if ours:
        comments.append(FLAGS_COMMENT + ", ".join(ours))
    gettext_flags = [f for f in message.flags if is_gettext_flag(f)]
    layout = getattr(catalog, "layout", None)
    return po_format.entry(message, comments, extracted, gettext_flags, plurals, layout, obsolete)


def render_catalog(catalog: Catalog, template_date: str | None = None) -> bytes:
    """The PO file's bytes in gettext's layout, the line breaks it had kept.

    ``template_date``: the POT-Creation-Date of the template it was merged from
    (as msgmerge writes it), so that msgmerge with that template changes nothing."""
    layout = getattr(catalog, "layout", None)
    fields = header_fields(catalog)
    if template_date is not None:
        fields = [(k, template_date if k == "POT-Creation-Date" else v) for k, v in fields]
    blocks = [po_format.header(catalog.header_comment, fields, layout=layout)]
    plurals = catalog.num_plurals
    blocks += [_entry(catalog, plurals, m) for m in entries(catalog)]
    blocks += [_entry(catalog, plurals, m, obsolete=True) for m in catalog.obsolete.values()]
    return po_format.document(blocks)


TEMPLATES = "templates"  # translations/templates/<slug>.pot, as Weblate and sphinx-intl lay out
POT_DATE_RE = re.compile(r'^"POT-Creation-Date: (.*)\\n"$', re.MULTILINE)


def template_path(translations_dir: Path, slug: str) -> Path:
    return translations_dir / TEMPLATES / f"{slug}.pot"


def template_date(path: Path) -> str:
    """The template's POT-Creation-Date: kept while it exists (a stable file), else now."""
    try:
        found = POT_DATE_RE.search(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        found = None
    return found.group(1) if found else new_template_date()


def new_template_date() -> str:
    """The POT-Creation-Date of a template written for the first time."""
    return _date(_creation_date())


def files_in(folder: Path, suffix: str) -> dict[str, Path]:
    """The folder's files ending in ``suffix``, by stem (none without the folder): one
    listing, where a first publish would try to open a thousand files that are not
    there yet."""
    return {p.stem: p for p in sorted(folder.glob(f"*{suffix}"))} if folder.is_dir() else {}


def render_template(messages: Iterable[Message], project: str, source: str, date: str) -> bytes:
    """The English of a catalog as a POT file: what msgmerge and Weblate update from.

    Its extracted comments, references and order are the catalogs', so
    ``msgmerge --previous <catalog> <template>`` of a current catalog changes nothing."""
    comment = (
        f"# Template of {source}: the English of its translation units.\n"
        "# Written by `pipeline publish`; do not edit. Catalogs are merged from it."
    )
    fields = [
        ("Project-Id-Version", f"{project} 1"),
        ("Report-Msgid-Bugs-To", ""),
        ("POT-Creation-Date", date),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]
    blocks = [po_format.header(comment, fields, fuzzy=True)]
    for message in messages:
        extracted = extracted_comments(message)
        gettext_flags = [f for f in message.flags if is_gettext_flag(f) and f != "fuzzy"]
        blocks.append(po_format.entry(message, [], extracted, gettext_flags, plurals=0))
    return po_format.document(blocks)


def write_catalog(path: Path, catalog: Catalog) -> bool:
    return write_if_changed(path, render_catalog(catalog))


def gettext_language(locale: Locale) -> str:
    """The ``Language:`` value gettext tools expect: ll or ll_CC ("zh_CN", not "zh_Hans_CN")."""
    return "_".join(p for p in (locale.language, locale.territory) if p)


def header_fields(catalog: Catalog) -> list[tuple[str, str]]:
    """The header as written: the fields the file had (a tool's own, like ``X-Generator``,
    included), with the pipeline's where it had none, in the order gettext's tools
    write them (so msgmerge, Poedit or Weblate reorder nothing)."""
    kept = list(getattr(catalog, "header_fields", []))
    version = f" {catalog.version}" if catalog.version else ""
    ours = [
        ("Project-Id-Version", catalog.project + version),
        ("Report-Msgid-Bugs-To", ""),
        ("POT-Creation-Date", _date(catalog.creation_date)),
        ("PO-Revision-Date", _date(catalog.revision_date)),
        ("Last-Translator", catalog.last_translator),
        ("Language-Team", catalog.language_team),
        ("Language", gettext_language(catalog.locale) if catalog.locale else ""),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", catalog.plural_forms),
    ]
    # Babel wrote this before; the rest of ours are the template's (as msgmerge has them).
    kept = [(k, v) for k, v in kept if not (k == "Generated-By" and v.startswith("Babel"))]
    owned = {"Project-Id-Version", "Report-Msgid-Bugs-To", "Language", "Content-Type"}
    values = dict(ours)
    names = {k for k, _ in kept}
    fields = [(k, values[k] if k in owned else v) for k, v in kept]
    fields += [(k, v) for k, v in ours if k not in names]
    order = [k for k, _ in ours]
    return sorted(fields, key=lambda f: order.index(f[0]) if f[0] in order else len(order))


def _date(value: dt.datetime | str) -> str:
    return value.strftime("%Y-%m-%d %H:%M%z") if isinstance(value, dt.datetime) else value


def _creation_date() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


@cache  # Babel looks it up in the locale's data each time: a new catalog per article
def _english_name(locale: Locale) -> str | None:
    return locale.english_name


def new_catalog(old: Catalog | None, locale: Locale, project: str, source: str) -> Catalog:
    """An empty catalog with a stable header (dates are kept from ``old``)."""
    english = _english_name(locale)
    catalog = Catalog(
        locale=locale,
        project=project,
        version="1",
        header_comment=(
            f"# {english} translation of {source}.\n"
            "# Written by `pipeline publish`. Translate msgstr; remove the 'fuzzy'\n"
            "# flag to approve. Approved entries are never overwritten."
        ),
        copyright_holder=project,
        msgid_bugs_address="",
        creation_date=old.creation_date if old else _creation_date(),
        revision_date=old.revision_date if old else "YEAR-MO-DA HO:MI+ZONE",
        last_translator=old.last_translator if old else "FULL NAME <EMAIL@ADDRESS>",
        language_team=old.language_team if old else f"{english} <LL@li.org>",
        fuzzy=False,
    )
    if old is not None:  # what a tool wrote in the header stays (see header_fields)
        catalog.header_fields = getattr(old, "header_fields", [])  # type: ignore[attr-defined]
        # Its plural forms too, as gettext reads them: the header's, not the locale's
        # data (Babel 2.19's CLDR gives Spanish a third form, for millions; a catalog
        # written with two would gain an empty msgstr[2], shown in English).
        catalog.mime_headers = [("Plural-Forms", old.plural_forms)]
        catalog.layout = getattr(old, "layout", None)  # type: ignore[attr-defined]
        catalog.header_comment = old.header_comment or catalog.header_comment
    return catalog


def places(units: list[Unit], source: str) -> dict[str, tuple[list, list[str]]]:
    """Each distinct English text, in order: every place it occurs, and its note."""
    found: dict[str, tuple[list, list[str]]] = {}
    for unit in units:
        if unit.text in found:
            found[unit.text][0].append((source, unit.line))
        else:
            found[unit.text] = ([(source, unit.line)], [unit.note] if unit.note else [])
    return found


def template_entries(units: list[Unit], source: str) -> dict[str, Message]:
    """An article's distinct English texts as untranslated entries, in order, with
    every place each occurs and the unit's note: the template's entries, and the
    frame every language's catalog is merged into."""
    return {
        text: Message(text, "", locations=where, auto_comments=notes)
        for text, (where, notes) in places(units, source).items()
    }
