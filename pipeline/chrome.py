"""The site chrome's own strings (header, switcher, banners, footer), in every language.

The templates mark their strings with ``_()`` / ``ngettext()`` (Jinja2's i18n
extension). Babel extracts them; each language keeps them in
``translations/<lang>/_site.po`` (an underscore: never an article slug), which
machine translation fills and humans review like any other catalog. Pages are
rendered through these catalogs with gettext.
"""

from __future__ import annotations

import io
import re
from importlib import resources

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.support import Translations
from jinja2.ext import babel_extract

from .catalog import MT_PREFIX, UNTRANSLATED, new_catalog, state_of
from .engines import Translation
from .guard import BLOCKING, inspect

CHROME = "_site"
PYFORMAT_RE = re.compile(r"%\((\w+)\)[sd]")


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
    return fresh, list(dict.fromkeys(pending))


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
                inspect(to_engine(english), result.text, catalog.locale.language)
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


def translations(catalog: Catalog | None) -> Translations:
    """gettext translations for rendering: every usable entry, machine output included."""
    if catalog is None:
        return Translations()
    usable = Catalog(locale=catalog.locale, fuzzy=False)
    for message in catalog:
        if not message.id or state_of(message) == UNTRANSLATED:
            continue
        if BLOCKING & message.flags and "fuzzy" in message.flags:
            continue  # machine output the guard stopped
        usable[message.id] = Message(message.id, message.string)
    buf = io.BytesIO()
    write_mo(buf, usable, use_fuzzy=True)
    buf.seek(0)
    return Translations(buf)
