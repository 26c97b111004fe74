"""Finding many terms in a text at once, in time that does not grow with the term list.

One regular expression with an alternative per term is what a glossary needs,
but Python's ``re`` tries every alternative at every word: a 4,000-term
glossary made publishing 50 times slower. Here each term is filed under its
first word (lower-cased), so at each word of the text only the terms that
start with that word are tried, in the order given. The results are those of
the alternation ``(?<!\\w)(?:term1|term2|...)(?!\\w)``: leftmost first, the
first listed term at a position, no overlaps.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

WORD_RE = re.compile(r"\w+")


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

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def by_word(self) -> bool:
        """Whether every term starts with a word (finditer's ``only`` needs it)."""
        return self._alternation is None

    def finditer(
        self, text: str, only: Container[T] | None = None
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
        end, by_word = 0, self._by_word
        for word in WORD_RE.finditer(text):
            if word.start() < end or (key := word.group().lower()) not in by_word:
                continue  # most words start no term: no call, no list
            for pattern, term in self._candidates(key):
                if only is not None and term.value not in only:
                    continue
                match = pattern.match(text, word.start())
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
        by_word = self._by_word
        for word in WORD_RE.finditer(text):
            if (key := word.group().lower()) not in by_word:
                continue
            for pattern, term in self._candidates(key):
                if pattern.match(text, word.start()):
                    found.add(id(term))
        return [t for t in self.terms if id(t) in found]


def alternation(terms: list[Term]) -> re.Pattern:
    """The one regular expression equivalent to an index (group ``tN``: the N-th term)."""
    parts = []
    for index, term in enumerate(terms):
        body = term_pattern(term.text)
        parts.append(f"(?P<t{index}>{body if term.case_sensitive else f'(?i:{body})'})")
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)")


def _flags(term: Term) -> int:
    return 0 if term.case_sensitive else re.IGNORECASE
