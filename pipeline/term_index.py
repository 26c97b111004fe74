"""Finding many terms in a text at once, in time that does not grow with the term list.

One regular expression with an alternative per term is what a glossary needs,
but Python's ``re`` tries every alternative at every word: a 4,000-term
glossary made publishing 50 times slower. Here each term is filed under its
first word (lower-cased), so at each word of the text only the terms that
start with that word are tried, in the order given; where the first words to
look for are few (a unit's own terms), each is found with ``str.find`` in the
lower-cased text instead of looking at every word. The results are those of
the alternation ``(?<!\\w)(?:term1|term2|...)(?!\\w)``: leftmost first, the
first listed term at a position, no overlaps.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

WORD_RE = re.compile(r"\w+")
# Up to this many words to look for, each is searched for in the whole text (fast,
# in C); more, and the text's words are looked up one by one (a large glossary).
FEW_KEYS = 24


def term_pattern(text: str) -> str:
    """A term as a pattern: any run of whitespace where the term has a space."""
    return re.escape(text).replace(r"\ ", r"\s+")


@dataclass(frozen=True)
class Term(Generic[T]):
    text: str
    value: T  # what a match reports (the caller's entry, form...)
    case_sensitive: bool = False


class TermIndex(Generic[T]):
    """Terms, in the caller's order of preference (longest first, usually)."""

    def __init__(self, terms: Iterable[Term[T]]) -> None:
        self.terms = list(terms)
        self._alternation: re.Pattern | None = None
        self._by_word: dict[str, list[Term[T]]] = {}
        for term in self.terms:
            first = WORD_RE.match(term.text)
            if first is None:  # starts with punctuation: no word to file it under
                self._alternation = alternation(self.terms)  # same results, slower
                break
            self._by_word.setdefault(first.group().lower(), []).append(term)
        # Patterns are compiled when a text first has their word: most terms never occur.
        self._compiled: dict[str, list[tuple[re.Pattern, Term[T]]]] = {}
        self._value_keys: dict[T, set[str]] | None = None  # see _keys_of

    def _candidates(self, key: str) -> list[tuple[re.Pattern, Term[T]]]:
        """The patterns of the terms filed under ``key`` (a word, lower-cased)."""
        found = self._compiled.get(key)
        if found is None:
            found = [
                (re.compile(term_pattern(t.text) + r"(?!\w)", _flags(t)), t)
                for t in self._by_word.get(key, ())
            ]
            self._compiled[key] = found
        return found

    def _keyed_words(self, text: str, keys: Collection[str]) -> Iterator[tuple[int, str]]:
        """(start, lower case) of each word of ``text`` that is one of ``keys`` (words
        terms are filed under), in order. Few keys (a unit's own terms, a language's
        forbidden ones): each is looked for in the lower-cased text, in C, not every
        word in turn in Python (most of a catalog's glossary check)."""
        # Word by word where the lower-cased text is not the words lower-cased one by
        # one: a letter whose lower case is longer ("İ") moves the places after it,
        # and a capital sigma's lower case depends on the letters beside it.
        few = len(keys) <= FEW_KEYS and "\u03a3" not in text
        lowered = text.lower() if few else ""  # many keys: not lower-cased for nothing
        if not few or len(lowered) != len(text):
            for word in WORD_RE.finditer(text):
                if (key := word.group().lower()) in keys:
                    yield word.start(), key
            return
        found = []
        for key in keys:
            at = lowered.find(key)
            while at >= 0:
                after = at + len(key)
                if (at == 0 or not _is_word(lowered[at - 1])) and (
                    after == len(lowered) or not _is_word(lowered[after])
                ):
                    found.append((at, key))
                at = lowered.find(key, after)
        yield from sorted(found)

    def _keys_of(self, only: Collection[T]) -> Collection[str]:
        """The words the terms valued in ``only`` are filed under."""
        if self._value_keys is None:
            self._value_keys = {}
            for key, terms in self._by_word.items():
                for term in terms:
                    self._value_keys.setdefault(term.value, set()).add(key)
        return {key for value in only for key in self._value_keys.get(value, ())}

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def by_word(self) -> bool:
        """Whether every term starts with a word (finditer's ``only`` needs it)."""
        return self._alternation is None

    def finditer(
        self, text: str, only: Collection[T] | None = None
    ) -> Iterator[tuple[int, int, Term[T]]]:
        """(start, end, term) of each match, leftmost first, never overlapping; with
        ``only``, as if the index held just the terms whose value is in it."""
        if not self.terms:
            return
        if self._alternation is not None:
            if only is not None:
                raise ValueError("only: not for an index of terms that start with punctuation")
            for found in self._alternation.finditer(text):
                group = found.lastgroup or ""  # one named group per term: "t<index>"
                yield found.start(), found.end(), self.terms[int(group[1:])]
            return
        end = 0
        keys = self._by_word if only is None else self._keys_of(only)
        for start, key in self._keyed_words(text, keys):
            if start < end:
                continue
            for pattern, term in self._candidates(key):
                if only is not None and term.value not in only:
                    continue
                match = pattern.match(text, start)
                if match is not None:
                    yield match.start(), match.end(), term
                    end = match.end()
                    break

    def present(self, text: str) -> list[Term[T]]:
        """The terms found anywhere in ``text``, each on its own (overlaps count), in order."""
        if not self.terms:
            return []
        if self._alternation is not None:
            return [
                t
                for t in self.terms
                if re.search(rf"(?<!\w){term_pattern(t.text)}(?!\w)", text, _flags(t))
            ]
        found: set[int] = set()
        for start, key in self._keyed_words(text, self._by_word):
            for pattern, term in self._candidates(key):
                if pattern.match(text, start):
                    found.add(id(term))
        return [t for t in self.terms if id(t) in found]


def alternation(terms: list[Term]) -> re.Pattern:
    """The one regular expression equivalent to an index (group ``tN``: the N-th term)."""
    parts = []
    for index, term in enumerate(terms):
        body = term_pattern(term.text)
        parts.append(f"(?P<t{index}>{body if term.case_sensitive else f'(?i:{body})'})")
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)")


def _is_word(char: str) -> bool:
    """Whether ``char`` is what ``\\w`` matches (re's definition, for one character)."""
    return char.isalnum() or char == "_"


def _flags(term: Term) -> int:
    return 0 if term.case_sensitive else re.IGNORECASE
