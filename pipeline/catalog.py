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
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, denormalize, generate_po, normalize, read_po

from .errors import PipelineError
from .fsutil import sha, write_if_changed
from .po_check import FIX as PO_FIX
from .po_check import check_po
from .segment import Unit

UNTRANSLATED, MACHINE, STALE, APPROVED = "untranslated", "machine", "stale", "approved"
STATES = (APPROVED, MACHINE, STALE, UNTRANSLATED)
MT_PREFIX = "mt-"
# A changed sentence keeps its old human translation as a suggestion when at least
# this similar (difflib ratio) to the old English.
SIMILARITY = 0.6
# Longer texts are only reused when identical: difflib's ratio grows with the square
# of the length (two 1 MB "sentences" take minutes), and no real sentence is this long.
SIMILAR_MAX_LENGTH = 4000
WORD_RE = re.compile(r"\w+")
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


OBSOLETE_PREVIOUS_RE = re.compile(rb"^#~\|", re.MULTILINE)


def read_catalog(path: Path, locale: Locale) -> Catalog | None:
    """The catalog at ``path``, or None when there is none yet."""
    return load_catalog(path, locale)[0]


def load_catalog(path: Path, locale: Locale) -> tuple[Catalog | None, str | None]:
    """The catalog at ``path`` and the ``sha`` of the bytes read (None, None: no file).

    The hash lets a writer check that nobody saved the file in between
    (``write_if_changed``'s ``expect``).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    return parse_catalog(data, path, locale), sha(data)


def parse_catalog(data: bytes, path: Path, locale: Locale) -> Catalog:
    """A PO file's bytes as a catalog; ``path`` is named in errors."""
    try:
        check_po(data.decode("utf-8"), path)
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
    for message in [*entries(catalog), *catalog.obsolete.values()]:
        _recover_previous(message)
    return catalog


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

    ``lookup(msgids)`` gives the (msgstr, flags) known for each of some English
    texts, and ``approved()`` every approved (msgid, msgstr, flags): from the
    manifest's SQLite store in a publish. Per English text the best one counts:
    approved before machine; stale entries translate other English.
    """

    def __init__(
        self,
        lookup: Callable[[list[str]], dict[str, list[tuple[str, Iterable[str]]]]],
        approved: Callable[[], list[tuple[str, str, Iterable[str]]]],
    ) -> None:
        self._lookup = lookup
        self._known: dict[str, list[tuple[str, Iterable[str]]]] = {}
        self._approved_source = approved
        self._approved: Similar | None = None

    def prefetch(self, msgids: Iterable[str]) -> None:
        """Look many texts up at once (one query per few hundred, not one each)."""
        missing = [m for m in dict.fromkeys(msgids) if m not in self._known]
        if missing:
            found = self._lookup(missing)
            self._known.update({m: found.get(m, []) for m in missing})

    def get(self, msgid: str) -> Message | None:
        self.prefetch([msgid])
        rank = {APPROVED: 0, MACHINE: 1}
        usable = [(rank[_state(f)], s, f) for s, f in self._known[msgid] if s and _state(f) in rank]
        if not usable:
            return None
        _, msgstr, flags = min(usable, key=lambda item: item[0])
        return Message(msgid, msgstr, flags=set(flags))

    @property
    def approved(self) -> Similar:
        """Approved translations, to look for similar English in."""
        if self._approved is None:
            self._approved = Similar(
                [Message(i, s, flags=set(f)) for i, s, f in self._approved_source()]
            )
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
    old: Catalog | None,
    units: list[Unit],
    source: str,
    memory: Memory,
    fresh: Catalog,
    refresh: bool = False,
) -> tuple[Catalog, list[str]]:
    """Fill ``fresh`` with the article's units, keeping every translation of ``old``
    (with ``refresh``, every one but the machine drafts, which are translated again).

    Returns the catalog and the msgids that still need a translation.
    """
    previous: dict[str, Message] = {}
    if old is not None:
        previous.update(old.obsolete)
        previous.update({m.id: m for m in entries(old)})
    current_ids = {u.text for u in units}
    # Human translations whose English is gone: candidates for a changed sentence.
    orphans = Similar([m for m in previous.values() if m.id not in current_ids and is_human(m)])

    memory.prefetch(u.text for u in units if u.text not in previous)
    for unit in units:
        if unit.text in fresh:
            fresh[unit.text].locations.append((source, unit.line))
            continue
        kept = previous.get(unit.text)
        if refresh and kept is not None and state_of(kept) == MACHINE:
            kept = None
        message = _carry(unit.text, kept, orphans, memory, refresh)
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


def _carry(
    text: str, kept: Message | None, orphans: Similar, memory: Memory, refresh: bool = False
) -> Message:
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
    if (match := orphans.closest(text)) is not None:
        orphans.remove(match)
        return _suggestion(match, text)
    if exact is not None and not (refresh and state_of(exact) == MACHINE):
        return _copy(exact, text)
    if (close := memory.approved.closest(text)) is not None:
        return _suggestion(close, text)
    return Message(text, "")


def _suggestion(match: Message, text: str) -> Message:
    """A human translation of other English, offered for ``text``: fuzzy, with the diff."""
    message = _copy(match, text)
    message.flags = {f for f in message.flags if not f.startswith(MT_PREFIX)} | {"fuzzy"}
    message.previous_id = match.previous_id or [match.id]
    return message


class Similar:
    """Messages to find the one whose English is closest to a text (difflib ratio).

    A few dozen candidates are compared one by one (those whose length allows a
    ratio of SIMILARITY at all), with one matcher per text: difflib indexes the
    text once. A translation memory of hundreds or thousands of sentences cannot
    be: every English sentence passes difflib's quick filters against every
    other, and 2,000 took 0.7 s per text. There, as translation-memory tools do,
    an index of words picks the CANDIDATES sentences sharing the most of the
    text's less common words, and only those are compared.
    """

    EXACT_UP_TO = 64  # candidate sets this small are compared in full
    CANDIDATES = 16

    def __init__(self, messages: list[Message]) -> None:
        self._messages = messages
        ranked = sorted(range(len(messages)), key=lambda i: len(messages[i].id))
        self._lengths = [len(messages[i].id) for i in ranked]
        self._ranked = ranked  # positions in the given order, shortest English first
        self._removed: set[int] = set()
        self._words: dict[str, list[int]] | None = None  # word -> positions

    def remove(self, message: Message) -> None:
        self._removed.add(id(message))

    def closest(self, text: str) -> Message | None:
        """The most similar message (the latest given, among equals), or None."""
        if not self._messages or len(text) > SIMILAR_MAX_LENGTH:
            return None
        # ratio = 2M / (a + b) <= 2 min(a, b) / (a + b): the length window.
        low = len(text) * SIMILARITY / (2 - SIMILARITY) - 1e-9  # (rounding never excludes)
        high = len(text) * (2 - SIMILARITY) / SIMILARITY + 1e-9
        if len(self._messages) <= self.EXACT_UP_TO:
            window = self._ranked[
                bisect_left(self._lengths, low) : bisect_right(self._lengths, high)
            ]
        else:
            window = self._likely(text, low, high)
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(text)
        best, best_key = None, (SIMILARITY, -1)
        for position in window:
            message = self._messages[position]
            if id(message) in self._removed:
                continue
            matcher.set_seq1(message.id)
            if matcher.real_quick_ratio() < best_key[0] or matcher.quick_ratio() < best_key[0]:
                continue
            key = (matcher.ratio(), position)
            if key >= best_key:
                best, best_key = message, key
        return best

    def _likely(self, text: str, low: float, high: float) -> list[int]:
        """Positions of the messages sharing most of the text's less common words."""
        if self._words is None:
            self._words = {}
            for position, message in enumerate(self._messages):
                for word in set(WORD_RE.findall(message.id.casefold())):
                    self._words.setdefault(word, []).append(position)
        common = max(32, len(self._messages) // 20)  # in more messages: says little
        shared: dict[int, float] = {}
        for word in set(WORD_RE.findall(text.casefold())):
            postings = self._words.get(word, ())
            if 0 < len(postings) <= common:
                weight = 1 / len(postings)  # a rarer word says more
                for position in postings:
                    shared[position] = shared.get(position, 0.0) + weight
        fitting = []
        for position, score in shared.items():
            length = len(self._messages[position].id)
            if low <= length <= high:  # among equals, the closest in length first
                fitting.append((score, -abs(length - len(text)), position))
        return [item[-1] for item in sorted(fitting, reverse=True)[: self.CANDIDATES]]
