"""PO files in gettext's layout, keeping the line breaks a file already has.

Translators re-save catalogs with msgcat, msgmerge, Poedit or Weblate, which
wrap strings at 79 columns, each by its own rules (gettext breaks where Unicode
line breaking allows, translate-toolkit, under Weblate, mostly after spaces).
A string the file already holds is written back with the file's own line
breaks, and references too: a translator's save is one diff, and the next
publish has nothing to rewrite. A new string is wrapped by translate-toolkit's
``quoteforpo``, which follows gettext's rules closely (escapes kept whole, CJK
widths), with gettext's rule for when the first line is left empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from babel.messages.catalog import Message
from translate.storage.pypo import PoWrapper, quoteforpo

from .po_check import ESCAPES

PAGE_WIDTH = 79  # gettext's default --width
_WRAPPER = PoWrapper(PAGE_WIDTH - 2)  # the text between the quotes
# A string line: an optional obsolete/previous prefix, an optional keyword, the quotes.
_LINE_RE = re.compile(
    r'^(#~\|? ?|#\| ?)?(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)? *(".*")\s*$'
)
_ESCAPE_RE = re.compile(r"\\(.)")


@dataclass
class Layout:
    """How a file broke its lines: each string's quoted lines by (keyword, text), and
    each run of ``#:`` lines by the references in it."""

    strings: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    references: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    flags: dict[str, list[str]] = field(default_factory=dict)  # msgid -> its "#," lines


def read_layout(text: str) -> Layout:
    """The line breaks of a PO file that msgfmt accepts (po_check has read it)."""
    layout = Layout()
    keyword, prefix = "", ""
    quoted: list[str] = []
    refs: list[str] = []
    flags: list[str] = []  # the "#," lines of the entry being read

    def close() -> None:
        nonlocal keyword, quoted, flags
        if keyword:
            value = "".join(_ESCAPE_RE.sub(lambda m: ESCAPES[m.group(1)], q[1:-1]) for q in quoted)
            layout.strings.setdefault((keyword, value), quoted)
            if keyword == "msgid" and not prefix:
                layout.flags[value], flags = flags, []
        keyword, quoted = "", []

    for line in text.splitlines():
        if line.startswith("#:"):
            refs.append(line)
            continue
        if line.startswith("#,"):
            flags.append(line)
            continue
        if refs:
            layout.references.setdefault(tuple(" ".join(refs).replace("#:", " ").split()), refs)
            refs = []
        match = _LINE_RE.match(line)
        if match is None:
            close()
            continue
        if match.group(2):
            close()
            keyword, prefix = match.group(2), match.group(1) or ""
        if keyword:
            quoted.append(match.group(3))
    close()
    return layout


def _string(keyword: str, text: str, prefix: str, layout: Layout | None) -> list[str]:
    lines: Sequence[str] | None = layout.strings.get((keyword, text)) if layout else None
    if lines is None:
        lines = _wrapped(keyword, text)
    return [f"{prefix}{keyword} {lines[0]}", *(f"{prefix}{line}" for line in lines[1:])]


# The same English is written in every language's catalog and in the template.
@lru_cache(maxsize=32768)
def _wrapped(keyword: str, text: str) -> tuple[str, ...]:
    lines = quoteforpo(text, _WRAPPER) or ['""']
    # gettext leaves the first line empty when the string does not fit after its
    # keyword (translate-toolkit counts the width of "msgid " for every keyword).
    if len(lines) == 1 and len(keyword) + 1 + len(lines[0]) > PAGE_WIDTH:
        lines = ['""', *lines]
    return tuple(lines)


def _comments(marker: str, comments: Iterable[str]) -> list[str]:
    lines = []
    for comment in comments:
        for line in comment.split("\n"):
            lines.append(f"{marker} {line}" if line else marker)
    return lines


def references(locations: Iterable[tuple[str, int | None]], layout: Layout | None) -> list[str]:
    """``#:`` lines: as the file had them, or joined while they fit, as gettext does."""
    tokens = [f"{name}:{number}" if number is not None else name for name, number in locations]
    if layout and tuple(tokens) in layout.references:
        return layout.references[tuple(tokens)]
    lines: list[str] = []
    line = ""
    for reference in tokens:
        if line and len(line) + 1 + len(reference) > PAGE_WIDTH:
            lines.append(line)
            line = ""
        line = f"{line or '#:'} {reference}"
    return [*lines, line] if line else lines


def flag_line(flags: Iterable[str], kept: list[str] | None = None) -> list[str]:
    """``#,``: as the file had them (``kept``) if they say the same, else in one line,
    fuzzy first as gettext writes it."""
    wanted = set(flags)
    if kept and {f.strip() for line in kept for f in line[2:].split(",")} == wanted:
        return kept
    ordered = sorted(wanted, key=lambda f: (f != "fuzzy", f))
    return [f"#, {', '.join(ordered)}"] if ordered else []


def _body(message: Message, prefix: str, plurals: int, layout: Layout | None) -> list[str]:
    """msgctxt, msgid(_plural) and msgstr lines (``prefix``: "#~ " when obsolete);
    ``plurals``: the number of msgstr[N] forms (0: a template's strings are empty)."""
    lines = []
    if message.context:
        lines += _string("msgctxt", message.context, prefix, layout)
    if isinstance(message.id, (list, tuple)):
        lines += _string("msgid", message.id[0], prefix, layout)
        lines += _string("msgid_plural", message.id[1], prefix, layout)
        forms = list(message.string) if isinstance(message.string, (list, tuple)) else []
        for index in range(plurals or 2):
            text = forms[index] or "" if plurals and index < len(forms) else ""
            lines += _string(f"msgstr[{index}]", text, prefix, layout)
    else:
        lines += _string("msgid", message.id, prefix, layout)
        lines += _string("msgstr", message.string or "" if plurals else "", prefix, layout)
    return lines


def entry(
    message: Message,
    translator_comments: Sequence[str],
    extracted_comments: Sequence[str],
    flags: Iterable[str],
    plurals: int,
    layout: Layout | None = None,
    obsolete: bool = False,
) -> list[str]:
    """One entry's lines: comments, references, flags, previous msgid, strings.

    ``plurals``: see _body (0 writes a template entry)."""
    lines = _comments("#", translator_comments)
    lines += _comments("#.", extracted_comments)
    if not obsolete:
        lines += references(message.locations, layout)
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    lines += flag_line(flags, layout.flags.get(msgid) if layout and not obsolete else None)
    if message.previous_id and plurals:
        lines += _string("msgid", message.previous_id[0], "#~| " if obsolete else "#| ", layout)
    lines += _body(message, "#~ " if obsolete else "", plurals, layout)
    return lines


def header(
    comment: str,
    fields: Sequence[tuple[str, str]],
    fuzzy: bool = False,
    layout: Layout | None = None,
) -> list[str]:
    """The header comment and entry; ``fields`` in the order they are written."""
    lines = [line if line.startswith("#") else f"# {line}" for line in comment.splitlines()]
    lines += flag_line(["fuzzy"] if fuzzy else [])
    lines += _string("msgid", "", "", layout)
    text = "".join(f"{name}: {value}\n" for name, value in fields)
    return lines + _string("msgstr", text, "", layout)


def document(blocks: Iterable[list[str]]) -> bytes:
    """Entries separated by blank lines, as gettext writes them."""
    return "\n".join("\n".join(block) + "\n" for block in blocks if block).encode("utf-8")


def parse_header(text: str) -> list[tuple[str, str]]:
    """The header's fields in order (a header msgstr: ``Name: value`` lines)."""
    fields = []
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip():
            fields.append((name.strip(), value.strip()))
    return fields
