"""PO syntax as strict as ``msgfmt --check``, before Babel's lenient reader sees a file.

Babel reads what GNU gettext refuses and guesses: an unclosed string, a second
msgstr, a keyword out of place, an escape it does not know (``\\q``), and a
duplicate msgid, where it keeps one entry and drops the other's translation.
A translator's work must never vanish that way, so each of these is an error
naming the line, before anything is read into a catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PipelineError

FIX = "correct the entry (msgfmt --check shows the same error), or restore it from git"

# One quoted string, closed by an unescaped quote; the escapes Babel decodes.
STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
ESCAPE_RE = re.compile(r"\\(.|$)")
KEYWORD_RE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\S.*)$")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}


@dataclass
class _Entry:
    line: int  # where its msgid is
    obsolete: bool
    keywords: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    msgid: list[str] = field(default_factory=list)
    msgstr: list[str] = field(default_factory=list)

    def key(self) -> tuple[str, str]:
        return "".join(self.context), "".join(self.msgid)


def _unquote(string: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], string[1:-1])


def check_po(text: str, path: Path) -> str:
    """Raise PipelineError at the first line that msgfmt would reject.

    Returns the header's msgstr ('' if there is none): Babel's reader keeps only
    the fields it knows, and a tool's own (``X-Generator``) must be written back.
    """
    entries = _entries(text, path)
    _no_duplicates(entries, path)
    header = next((e for e in entries if e.key() == ("", "") and not e.obsolete), None)
    return "".join(header.msgstr) if header else ""


def header_msgstr(text: str, path: Path) -> str:
    """The header's msgstr of a file known to pass ``check_po`` (its first entry, if
    that is the header)."""
    first = next(iter(_entries(text.split("\n\n", 1)[0], path)), None)
    return "".join(first.msgstr) if first and first.key() == ("", "") else ""


def msgid_lines(text: str, path: Path) -> dict[str, int]:
    """The line of each entry's msgid (entries without a context), for messages."""
    return {
        entry.key()[1]: entry.line
        for entry in _entries(text, path)
        if not entry.obsolete and not entry.context
    }


def _fail(path: Path, number: int, problem: str) -> PipelineError:
    return PipelineError(f"PO syntax error ({problem})", path=path, line=number, fix=FIX)


def _entries(text: str, path: Path) -> list[_Entry]:
    entries: list[_Entry] = []
    entry: _Entry | None = None
    target: list[str] | None = None  # where a continuation string belongs

    def fail(number: int, problem: str) -> PipelineError:
        return _fail(path, number, problem)

    def complete(number: int) -> None:
        if entry is not None and not any(k.startswith("msgstr") for k in entry.keywords):
            raise fail(number, "an entry has a msgid but no msgstr")

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # a previous msgid of an obsolete entry: a comment
                continue
        elif line.startswith("#") or not line:
            if entry is not None and line.startswith("#"):
                complete(number)
                entry, target = None, None
            continue
        if not line:
            continue
        if line.startswith('"'):
            if target is None:
                raise fail(number, "a string that follows no keyword")
            target.append(_string(line, number, fail))
            continue
        match = KEYWORD_RE.match(line)
        if match is None:
            raise fail(number, "a string is not closed, or a line is not PO")
        keyword, index, rest = match.groups()
        value = _string(rest, number, fail)
        if keyword in ("msgctxt", "msgid") and (
            entry is None or any(k.startswith("msgstr") for k in entry.keywords)
        ):
            complete(number)
            entry = _Entry(number, obsolete)
            entries.append(entry)
        elif entry is None:
            raise fail(number, f"{keyword} before any msgid")
        if keyword in entry.keywords:
            raise fail(number, f"a second {keyword} in one entry, or one without its msgid")
        order = _ORDER.get(keyword.split("[")[0], 0)
        if any(_ORDER.get(k.split("[")[0], 0) > order for k in entry.keywords):
            raise fail(number, f"{keyword} is out of place in its entry")
        if keyword.startswith("msgstr") and "msgid" not in entry.keywords:
            raise fail(number, "msgstr before its msgid")
        plural = "msgid_plural" in entry.keywords
        if keyword.startswith("msgstr") and plural != (index is not None):
            problem = "msgstr[N] without msgid_plural" if index else "msgid_plural needs msgstr[N]"
            raise fail(number, problem)
        if keyword == "msgid":
            entry.line = number
        entry.keywords.append(keyword)
        target = {"msgctxt": entry.context, "msgid": entry.msgid, "msgstr": entry.msgstr}.get(
            keyword, []
        )
        target.append(value)
    complete(len(text.splitlines()))
    return entries


_ORDER = {"msgctxt": 0, "msgid": 1, "msgid_plural": 2, "msgstr": 3}


def _string(text: str, number: int, fail) -> str:
    match = STRING_RE.fullmatch(text.strip())
    if match is None:
        raise fail(number, "a string is not closed, or a line is not PO")
    for escape in ESCAPE_RE.finditer(match.group()[1:-1]):
        if escape.group(1) not in ESCAPES:  # msgfmt knows more; Babel would misread them
            raise fail(
                number,
                f"the escape '{escape.group()}' is not supported: write the character itself, "
                "or '\\\\' for a backslash",
            )
    return _unquote(match.group())


def _no_duplicates(entries: list[_Entry], path: Path) -> None:
    seen: dict[tuple[str, str], int] = {}
    for entry in entries:  # obsolete ones too, as msgfmt does
        key = entry.key()
        if key in seen:
            raise _fail(
                path,
                entry.line,
                f"a duplicate of the entry on line {seen[key]}: merge the two translations "
                "into one entry",
            )
        seen[key] = entry.line
