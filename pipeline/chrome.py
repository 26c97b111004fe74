"""The site chrome's own strings (header, switcher, banners, footer), in every language.

The templates mark their strings with ``_()`` / ``ngettext()`` (Jinja2's i18n
extension). Babel extracts them; each language keeps them in
``translations/<lang>/_site.po`` (an underscore: never an article slug), which
machine translation fills and humans review like any other catalog. Pages are
rendered through these catalogs with gettext.

Translators' strings are text, never markup: each is HTML-escaped before it
reaches a template (Jinja2's newstyle gettext marks what it returns as safe).
Jinja2 also formats every string with ``%``, so a translation whose format
directives do not match its English (``msgfmt --check-format``'s rule, applied
to every string) is not used: the page shows the English and the entry is
flagged ``format``.
"""

from __future__ import annotations

import io
import re
from functools import cache
from importlib import resources
from pathlib import Path

from babel import Locale
from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.support import Translations
from jinja2.ext import babel_extract
from markupsafe import escape

from .catalog import MT_PREFIX, UNTRANSLATED, guard_stopped, new_catalog, state_of
from .engines import Translation
from .fsutil import shown
from .guard import inspect, writes_language
from .po_check import msgid_lines

CHROME = "_site"
PYFORMAT_RE = re.compile(r"%\((\w+)\)[sd]")
FORMAT_FLAG = "format"


@cache  # the templates ship with the package: extracted once per process
def extract_messages() -> list[tuple[str | tuple[str, str], list[str], str]]:
    """(msgid or (singular, plural), translator comments, "template:line") in template order."""
    found: dict[str | tuple[str, str], tuple[list[str], str]] = {}
    folder = resources.files("pipeline") / "templates"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".html"):
            continue
        data = io.BytesIO(entry.read_bytes())
        options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
        for line, message, comments, _ in extract(babel_extract, data, options=options):
            found.setdefault(message, (list(comments), f"templates/{entry.name}:{line}"))
    return [(message, comments, where) for message, (comments, where) in found.items()]


def merge_chrome(old: Catalog | None, locale: Locale, project: str) -> tuple[Catalog, list[str]]:
    """The chrome catalog for a language, and the English strings still to translate."""
    fresh = new_catalog(old, locale, project, "pipeline/templates")
    pending: list[str] = []
    for msgid, comments, where in extract_messages():
        file, line = where.rsplit(":", 1)
        kept = old.get(msgid) if old is not None else None
        message = Message(
            msgid,
            kept.string if kept else ("", "") if isinstance(msgid, tuple) else "",
            flags=set(kept.flags) if kept else set(),
            auto_comments=comments,
            locations=[(file, int(line))],
        )
        fresh[msgid] = message
        if not _translated(message):
            pending.extend([msgid] if isinstance(msgid, str) else list(msgid))
    if old is not None:  # a string that left the templates stays as memory
        for message in [*old, *old.obsolete.values()]:
            if message.id and message.id not in fresh and _translated(message):
                fresh.obsolete[message.id] = message
    check_formats(fresh)
    return fresh, list(dict.fromkeys(pending))


def _directives(text: str) -> tuple[list[tuple[str, str]], bool]:
    """(name, conversion) of each format directive, and whether a lone '%' is left."""
    found = [(m.group(1), m.group(3)) for m in PYTHON_FORMAT.finditer(text) if m.group(3) != "%"]
    return found, "%" in PYTHON_FORMAT.sub("", text)


def format_problem(english: str, translation: str) -> str:
    """Why ``translation`` cannot be formatted where ``english`` is ('' if it can)."""
    wanted, _ = _directives(english)
    found, lone = _directives(translation)
    expected = " ".join(f"%({name})s" for name, _ in wanted) or "none"
    if lone or any(name is None for name, _ in found):
        return "a '%' that is not one of the English's directives (write '%%' for a percent sign)"
    if set(found) != set(wanted):
        return f"format directives that differ from the English's ({expected})"
    return ""


def _strings(message: Message) -> list[tuple[str, str]]:
    """(English, translation) for each form of an entry (plural forms: the plural's English)."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    forms = list(message.string)
    return [(message.id[min(i, 1)], text) for i, text in enumerate(forms)]


def entry_format_problem(message: Message) -> str:
    return next(
        (p for english, text in _strings(message) if text and (p := format_problem(english, text))),
        "",
    )


def check_formats(catalog: Catalog) -> None:
    """Set or clear each entry's ``format`` flag (human and machine entries alike)."""
    for message in catalog:
        if not message.id:
            continue
        message.flags.discard(FORMAT_FLAG)
        if entry_format_problem(message):
            message.flags.add(FORMAT_FLAG)


def format_errors(catalog: Catalog, path: Path, root: Path, data: bytes) -> list[str]:
    """One line per entry whose translation cannot be used, with file, line and fix.

    ``data``: the catalog as written, for the line numbers."""
    errors = []
    for message in catalog:
        if message.id and (problem := entry_format_problem(message)):
            english = message.id if isinstance(message.id, str) else message.id[0]
            line = msgid_lines(data.decode("utf-8"), path).get(english, "")
            errors.append(
                f"{shown(path, root)}:{line}: the translation of {english!r} has "
                f"{problem}; the English is shown. Fix: keep the English's %(name)s directives "
                "unchanged and write %% for a percent sign"
            )
    return errors


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return all(strings)


def to_engine(text: str) -> str:
    """Python-format fields become codes an engine must keep: %(count)s -> <x1/>."""
    names = PYFORMAT_RE.findall(text)
    for index, _ in enumerate(names, start=1):
        text = PYFORMAT_RE.sub(f"<x{index}/>", text, count=1)
    return text


def from_engine(english: str, translated: str) -> str:
    for index, match in enumerate(PYFORMAT_RE.finditer(english), start=1):
        translated = translated.replace(f"<x{index}/>", match.group())
    return translated


def fill_chrome(catalog: Catalog, results: dict[str, Translation], engine: str) -> None:
    """Put engine output into the chrome entries that have none."""
    num = catalog.num_plurals
    for message in catalog:
        if not message.id or _translated(message):
            continue
        forms = [message.id] if isinstance(message.id, str) else list(message.id)
        texts = []
        flags = {"fuzzy", f"{MT_PREFIX}{engine}"}
        for english in forms:
            result = results.get(english)
            text, problems = (
                inspect(
                    to_engine(english),
                    result.text,
                    catalog.locale.language,
                    writes_language(engine),
                )
                if result and result.text
                else ("", [])
            )
            texts.append(from_engine(english, text) if text else "")
            flags |= set(problems)
        if not all(texts):
            continue
        if isinstance(message.id, str):
            message.string = texts[0]
        else:  # the singular's translation for form 0, the plural's for the others
            message.string = tuple([texts[0]] + [texts[1]] * (num - 1)) if num > 1 else (texts[1],)
        message.flags |= flags  # keeps Babel's own python-format flag
    check_formats(catalog)


def translations(catalog: Catalog | None) -> Translations:
    """gettext translations for rendering: every usable entry, machine output included."""
    if catalog is None:
        return Translations()
    usable = Catalog(locale=catalog.locale, fuzzy=False)
    usable.mime_headers = [("Plural-Forms", catalog.plural_forms)]  # the catalog's own
    for message in catalog:
        state = state_of(message)
        if not message.id or state == UNTRANSLATED or guard_stopped(state, message.flags):
            continue
        if entry_format_problem(message):
            continue  # Jinja2 could not format it: the English is shown
        strings = message.string
        if isinstance(strings, str):
            usable[message.id] = Message(message.id, str(escape(strings)))
        else:
            usable[message.id] = Message(message.id, tuple(str(escape(s)) for s in strings))
    buf = io.BytesIO()
    write_mo(buf, usable, use_fuzzy=True)
    buf.seek(0)
    return Translations(buf)
