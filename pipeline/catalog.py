"""Per-article gettext catalogs: the meeting point of machine and human translation.

A unit's state is written in gettext's own terms, so Poedit, Weblate or a text
editor show and change it the usual way:

=============  =====================================================
untranslated   empty msgstr (the page shows the English)
machine        ``#, fuzzy, mt-<engine>``: engine output, not reviewed
stale          ``#, fuzzy`` with ``#| msgid`` (the English a human approved
               has changed) or any other fuzzy entry a human left
approved       not fuzzy and translated: a human has reviewed it
=============  =====================================================

Other flags (``unknown-words``, ``markup``...) are quality findings on top of
the state. A human's translation is never replaced: machine output only fills
empty entries, and a human text whose English changed stays as the entry's
suggestion (stale) or as an obsolete ``#~`` entry.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, denormalize, generate_po, normalize, read_po

from .errors import PipelineError
from .fsutil import write_if_changed
from .segment import Unit

UNTRANSLATED, MACHINE, STALE, APPROVED = "untranslated", "machine", "stale", "approved"
STATES = (APPROVED, MACHINE, STALE, UNTRANSLATED)
MT_PREFIX = "mt-"
# A changed sentence keeps its old human translation as a suggestion when at least
# this similar (difflib ratio) to the old English.
SIMILARITY = 0.6
# Strings are not wrapped (as `msgcat --no-wrap`): a changed sentence is a changed
# line in git, and Babel's wrapping is most of the cost of writing catalogs.
WIDTH = 0


def state_of(message: Message) -> str:
    if not message.string:
        return UNTRANSLATED
    if "fuzzy" in message.flags:
        return MACHINE if any(f.startswith(MT_PREFIX) for f in message.flags) else STALE
    return APPROVED


def entries(catalog: Catalog) -> list[Message]:
    """The catalog's entries, header excluded, in order.

    Iterating a Catalog formats its whole header (dates through Babel's locale
    data) on every pass; this reads the entries alone.
    """
    return list(catalog._messages.values())


def count_states(texts: Iterable[str], catalog: Catalog | None) -> dict[str, int]:
    """Units per state; an English text with no entry yet counts as untranslated."""
    counts = dict.fromkeys(STATES, 0)
    for text in texts:
        message = catalog.get(text) if catalog is not None else None
        counts[state_of(message) if message else UNTRANSLATED] += 1
    return counts


def engine_of(message: Message) -> str:
    return next((f[len(MT_PREFIX) :] for f in sorted(message.flags) if f.startswith(MT_PREFIX)), "")


def quality_flags(message: Message) -> list[str]:
    """Flags that report a problem, as opposed to the state flags."""
    return sorted(f for f in message.flags if f != "fuzzy" and not f.startswith(MT_PREFIX))


def is_human(message: Message) -> bool:
    return state_of(message) in (APPROVED, STALE)


def catalog_path(translations_dir: Path, language: str, slug: str) -> Path:
    return translations_dir / language / f"{slug}.po"


def read_catalog(path: Path, locale: Locale) -> Catalog | None:
    """The catalog at ``path``, or None when there is none yet."""
    try:
        data = path.read_bytes()
        _lint(data, path)
        catalog = read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    except FileNotFoundError:
        return None
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
    for message in [*entries(catalog), *catalog.obsolete.values()]:
        _recover_previous(message)
    return catalog


# A PO keyword line or string continuation, each string closed by an unescaped quote.
PO_LINE_RE = re.compile(
    r"^(?:#~\s*)?"  # an obsolete entry's prefix
    r"(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"  # keyword, or continuation
    r'"(?:[^"\\]|\\.)*"\s*$'  # one string, closed
)
PO_FIX = "correct the entry (msgfmt --check shows the same error), or restore it from git"


def _lint(data: bytes, path: Path) -> None:
    """Reject what Babel's lenient reader would quietly misread (an unclosed string)."""
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not stripped.startswith("#~")):
            continue
        if stripped.startswith("#~") and not stripped[2:].strip():
            continue
        if not PO_LINE_RE.match(stripped):
            raise PipelineError(
                "PO syntax error (a string is not closed, or a line is not PO)",
                path=path,
                line=number,
                fix=PO_FIX,
            )


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


def render_catalog(catalog: Catalog) -> bytes:
    """The PO file's bytes: Babel's writer, plus ``#| msgid`` lines in GNU form.

    Babel wraps previous msgids like comments, splitting quoted strings across
    lines; so they are written here, right before each entry's msgid. Obsolete
    entries keep no previous msgid (Babel's reader rejects ``#~|``).
    """
    messages = iter(list(catalog))  # the header first, then entries in order
    chunks = []
    for chunk in generate_po(catalog, width=WIDTH, include_previous=False):
        if chunk.startswith("msgid "):
            message = next(messages, None)
            if message is not None and message.previous_id:
                lines = normalize(message.previous_id[0], width=WIDTH).splitlines()
                chunks.append(f"#| msgid {lines[0]}\n")
                chunks.extend(f"#| {line}\n" for line in lines[1:])
        chunks.append(chunk)
    return "".join(chunks).encode("utf-8")


def write_catalog(path: Path, catalog: Catalog) -> bool:
    return write_if_changed(path, render_catalog(catalog))


def _creation_date() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def new_catalog(old: Catalog | None, locale: Locale, project: str, source: str) -> Catalog:
    """An empty catalog with a stable header (dates are kept from ``old``)."""
    catalog = Catalog(
        locale=locale,
        project=project,
        version="1",
        header_comment=(
            f"# {locale.english_name} translation of {source}.\n"
            "# Written by `pipeline publish`. Translate msgstr; remove the 'fuzzy'\n"
            "# flag to approve. Approved entries are never overwritten."
        ),
        copyright_holder=project,
        msgid_bugs_address="",
        creation_date=old.creation_date if old else _creation_date(),
        revision_date=old.revision_date if old else "YEAR-MO-DA HO:MI+ZONE",
        last_translator=old.last_translator if old else "FULL NAME <EMAIL@ADDRESS>",
        language_team=old.language_team if old else f"{locale.english_name} <LL@li.org>",
        fuzzy=False,
    )
    return catalog


class Memory:
    """Translations found anywhere in a language's catalogs, for reuse.

    ``lookup(msgid)`` gives the (msgstr, flags) known for an English text and
    ``approved()`` every approved (msgid, msgstr, flags): from a dict here, from
    the manifest's SQLite store in a publish. Per English text the best one
    counts: approved before machine; stale entries translate other English.
    """

    def __init__(
        self,
        lookup: Callable[[str], list[tuple[str, Iterable[str]]]],
        approved: Callable[[], list[tuple[str, str, Iterable[str]]]],
    ) -> None:
        self._lookup = lookup
        self._approved_source = approved
        self._approved: list[Message] | None = None

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, str, Iterable[str]]]) -> Memory:
        index: dict[str, list[tuple[str, Iterable[str]]]] = {}
        for msgid, msgstr, flags in entries:
            index.setdefault(msgid, []).append((msgstr, flags))
        return cls(
            lambda msgid: index.get(msgid, []),
            lambda: [
                (i, s, f) for i, found in index.items() for s, f in found if _state(f) == APPROVED
            ],
        )

    def get(self, msgid: str) -> Message | None:
        rank = {APPROVED: 0, MACHINE: 1}
        usable = [
            (rank[_state(f)], s, f) for s, f in self._lookup(msgid) if s and _state(f) in rank
        ]
        if not usable:
            return None
        _, msgstr, flags = min(usable, key=lambda item: item[0])
        return Message(msgid, msgstr, flags=set(flags))

    @property
    def approved(self) -> list[Message]:
        if self._approved is None:
            self._approved = [Message(i, s, flags=set(f)) for i, s, f in self._approved_source()]
        return self._approved


def _state(flags: Iterable[str]) -> str:
    if "fuzzy" not in flags:
        return APPROVED
    return MACHINE if any(f.startswith(MT_PREFIX) for f in flags) else STALE


def contribution(catalog: Catalog) -> dict[str, list]:
    """What a catalog adds to its language's memory: msgid -> [msgstr, flags]."""
    return {
        m.id: [m.string, sorted(m.flags)]
        for m in [*entries(catalog), *catalog.obsolete.values()]
        if isinstance(m.id, str) and m.id and m.string and state_of(m) != STALE
    }


def _copy(message: Message, msgid: str) -> Message:
    return Message(
        msgid,
        message.string,
        flags=set(message.flags),
        user_comments=list(message.user_comments),
        previous_id=message.previous_id,
    )


def merge(
    old: Catalog | None, units: list[Unit], source: str, memory: Memory, fresh: Catalog
) -> tuple[Catalog, list[str]]:
    """Fill ``fresh`` with the article's units, keeping every translation of ``old``.

    Returns the catalog and the msgids that still need a translation.
    """
    previous: dict[str, Message] = {}
    if old is not None:
        previous.update(old.obsolete)
        previous.update({m.id: m for m in entries(old)})
    current_ids = {u.text for u in units}
    # Human translations whose English is gone: candidates for a changed sentence.
    orphans = [m for m in previous.values() if m.id not in current_ids and is_human(m)]

    for unit in units:
        if unit.text in fresh:
            fresh[unit.text].locations.append((source, unit.line))
            continue
        message = _carry(unit.text, previous.get(unit.text), orphans, memory)
        message.locations = [(source, unit.line)]
        message.auto_comments = [unit.note] if unit.note else []
        fresh[unit.text] = message

    # Nothing with a translation is thrown away: it becomes an obsolete entry.
    for message in previous.values():
        if message.id not in current_ids and message.string:
            obsolete = _copy(message, message.id)
            fresh.obsolete[message.id] = obsolete
    pending = [m.id for m in fresh if m.id and state_of(m) == UNTRANSLATED]
    return fresh, pending


def _carry(text: str, kept: Message | None, orphans: list[Message], memory: Memory) -> Message:
    """The entry for an English unit, from the best translation already known.

    In order: this catalog's own entry; an identical sentence approved anywhere on
    the site; a human translation of a similar sentence this article lost (a small
    edit: stale, the old English as previous msgid); an identical sentence's
    machine output; a similar approved sentence elsewhere (a fuzzy suggestion).
    """
    if kept is not None:
        return _copy(kept, text)
    exact = memory.get(text)
    if exact is not None and state_of(exact) == APPROVED:
        return _copy(exact, text)
    if (match := _similar(text, orphans)) is not None:
        orphans.remove(match)
        return _suggestion(match, text)
    if exact is not None:
        return _copy(exact, text)
    if (close := _similar(text, memory.approved)) is not None:
        return _suggestion(close, text)
    return Message(text, "")


def _suggestion(match: Message, text: str) -> Message:
    """A human translation of other English, offered for ``text``: fuzzy, with the diff."""
    message = _copy(match, text)
    message.flags = {f for f in message.flags if not f.startswith(MT_PREFIX)} | {"fuzzy"}
    message.previous_id = match.previous_id or [match.id]
    return message


def _similar(text: str, candidates: list[Message]) -> Message | None:
    best, best_ratio = None, SIMILARITY
    for message in candidates:
        matcher = difflib.SequenceMatcher(None, message.id, text, autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio >= best_ratio:
            best, best_ratio = message, ratio
    return best
