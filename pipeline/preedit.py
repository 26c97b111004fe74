"""What the English is turned into before an engine reads it.

English headings and labels are in Title Case ("Conditions That May Benefit");
an engine reads each capital as a name ("May" became the month) and copies the
capitals into a language whose headings are in sentence case. Such a heading or
label is put in sentence case first: its first word keeps its capital, and so do
acronyms ("OA", "iPSC"), the glossary's names and case-sensitive terms, and
words that are names to the English dictionary (a word whose lower-case form it
does not know: "Barcelona", "Spain"). postedit.py gives the translation its
capitals back where the English had them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .placeholders import PLACEHOLDER_RE

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\u2019]*(?:-[A-Za-z][A-Za-z'\u2019]*)*")
# Words Title Case leaves in lower case; they say nothing about the style.
# fmt: off
MINOR = frozenset({
    "a", "an", "the", "and", "or", "but", "nor", "for", "of", "in", "on", "at", "to", "by",
    "with", "from", "as", "vs", "via", "into", "onto", "over", "per", "up", "off", "out",
    "than", "that",
})
# fmt: on
LABEL_RE = re.compile(r"(<g(\d+)>)(.*?)(</g\2>)", re.DOTALL)
LEAD_RE = re.compile(r"^(?:\s|<x\d+/>|<g\d+>|\d+[.)]\s+)*")


def _lead_end(text: str) -> int:
    """Where a sentence's words begin: after spaces, codes and a list number ("4. ")."""
    match = LEAD_RE.match(text)  # always matches (the empty lead included)
    return match.end() if match else 0


# Which capitalised words are names: given a list of words, the ones to keep.
Names = Callable[[Iterable[str]], set[str]]


def _acronym(word: str) -> bool:
    return any(c.isupper() for part in word.split("-") for c in part[1:])


def is_title_case(text: str) -> bool:
    """At least two words besides minor ones, all capitalised, none ending a sentence
    inside (a heading, not a sentence that happens to start with names)."""
    plain = PLACEHOLDER_RE.sub(" ", text)
    plain = plain[_lead_end(plain) :]  # "4. Long-Lasting Results"
    if re.search(r"[.!?]\s+\S", plain.strip()):
        return False
    words = [w for w in WORD_RE.findall(plain) if w.casefold() not in MINOR]
    if len(words) < 2:
        return False
    return all(w[0].isupper() for w in words) and any(not _acronym(w) for w in words[1:])


def candidates(texts: Iterable[str]) -> set[str]:
    """The capitalised words that sentence_case might lower, for one look-up."""
    found = set()
    for text in texts:
        for part in _parts(text):
            if is_title_case(part):
                found |= {w for w in WORD_RE.findall(part) if w[0].isupper() and not _acronym(w)}
    return found


def _parts(text: str) -> list[str]:
    """The unit, or else the labels its codes wrap (a heading inside a sentence)."""
    if is_title_case(text):
        return [text]
    return [m.group(3) for m in LABEL_RE.finditer(text)]


def sentence_case(text: str, keep: set[str]) -> str:
    """``text`` with its Title Case heading or labels in sentence case; words in
    ``keep`` (names) keep their capitals."""
    if is_title_case(text):
        return _lower(text, keep)

    def label(match: re.Match) -> str:
        inner = match.group(3)
        inner = _lower(inner, keep) if is_title_case(inner) else inner
        return match.group(1) + inner + match.group(4)

    return LABEL_RE.sub(label, text)


def _lower(text: str, keep: set[str]) -> str:
    start = _lead_end(text)
    first = WORD_RE.search(text, start)
    if first is None:
        return text

    def lower(match: re.Match) -> str:
        word = match.group()
        if _acronym(word) or word in keep:
            return word
        head, *rest = word.split("-")
        if match.start() != first.start():
            head = head[:1].lower() + head[1:]
        return "-".join([head, *(part[:1].lower() + part[1:] for part in rest)])

    return WORD_RE.sub(lower, text)
