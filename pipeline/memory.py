"""The translation memory, and every decision made with it: which translation an
English unit starts from when its catalog is merged (``merge``), what a catalog
teaches its language's memory (``contribution``), and when articles waiting for
translations must be merged again because the memory changed (``reopened``).

The memory itself is stored by the manifest (SQLite); nothing here reads or
writes a file.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping

from babel.messages.catalog import Catalog, Message

from .catalog import (
    APPROVED,
    MACHINE,
    MT_PREFIX,
    STALE,
    UNTRANSLATED,
    entries,
    is_human,
    places,
    state_of,
)
from .manifest import ArticleRecord, memory_key
from .segment import Unit

# A changed sentence keeps its old human translation as a suggestion when at least
# this similar (difflib ratio) to the old English.
SIMILARITY = 0.6
# Longer texts are only reused when identical: difflib's ratio grows with the square
# of the length (two 1 MB "sentences" take minutes), and no real sentence is this long.
SIMILAR_MAX_LENGTH = 4000
WORD_RE = re.compile(r"\w+")


class Memory:
    """Translations found anywhere in a language's catalogs, for reuse.

    ``lookup(msgids)`` gives the (msgstr, flags) known for each of some English
    texts, and ``approved()`` every approved (msgid, msgstr, flags): from the
    manifest's SQLite store in a publish. Per English text the best one counts:
    approved before machine; stale entries translate other English.
    """

    def __init__(
        self,
        lookup: Callable[[list[str]], dict[str, list[tuple[str, list[str]]]]],
        approved: Callable[[], list[tuple[str, str, list[str]]]],
    ) -> None:
        self._lookup = lookup
        self._known: dict[str, list[tuple[str, list[str]]]] = {}
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


def reopened(
    records: Mapping[str, ArticleRecord],
    redone: set[str],
    reread: set[str],
    taught: Mapping[str, str],
    last_key: str | None,
) -> set[str]:
    """Articles to merge again because the language's memory changed since the last
    publish: those still waiting for translations, which the memory may now have.

    ``records``: the articles as the last publish left them; ``redone``: those
    merged anyway, ``reread`` the ones among them whose catalog was read, and
    ``taught`` slug -> what the catalogs someone changed teach now (their
    contribution's sha); ``last_key``: the memory's key after the last publish
    (None: there was none, and nothing waits for it)."""
    now = {
        slug: record.memory_sha
        for slug, record in records.items()
        if slug not in redone or (slug in reread and slug not in taught)
    }
    now.update({slug: lesson for slug, lesson in taught.items() if slug in records})
    if last_key in (None, memory_key(now)):
        return set()
    return {slug for slug, record in records.items() if record.untranslated}


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
    for text, (where, notes) in places(units, source).items():
        kept = previous.get(text)
        state = state_of(kept) if kept is not None else UNTRANSLATED
        if (state == MACHINE and refresh) or (state == STALE and not is_human(kept)):
            kept = None  # a draft to redo, or one msgmerge matched to other English
        message = _carry(text, kept, orphans, memory, refresh)
        message.locations, message.auto_comments = where, notes
        fresh[text] = message

    # Nothing with a translation is thrown away: it becomes an obsolete entry.
    for message in previous.values():
        if message.id not in current_ids and message.string:
            obsolete = _copy(message, message.id)
            fresh.obsolete[message.id] = obsolete
    pending = [m.id for m in entries(fresh) if state_of(m) == UNTRANSLATED]
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
