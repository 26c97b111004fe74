"""Agreement around glossary terms, read with the target language's own analyser.

A term that reaches the engine as a real word (see engines/apertium_dictionary.py)
gets the grammar around it right almost always, and this check finds where it
does not. The target analyser (Apertium's, with the glossary's renderings added)
tags every word of a translation; around each term the neighbours must agree:

* determiner: the word before the term, when it can only be a determiner,
  matches its gender and number ("Estos células madre");
* adjective: the word after the term, when it can only be an adjective,
  matches too ("células madre autólogo");
* verb: a term that opens its clause and is followed by a finite verb has that
  verb's number ("Células madre puede");
* order: a term directly followed by a noun kept the English compound order
  ("cordón umbilical sangre").

A neighbour with any reading that agrees is taken to agree: the check would
rather miss a problem than hide a correct translation behind a false alarm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .lttoolbox import lookup
from .placeholders import PLACEHOLDER_RE

STREAM_RE = re.compile(r"[][\\^$/<>@{}]")  # characters with a meaning in Apertium's stream
TAG_RE = re.compile(r"<([^<>]+)>")
FINITE = {"pri", "pii", "ifi", "fti", "cni", "prs", "pis", "fts", "pres", "past"}
VERBS = {"vblex", "vbser", "vbhaver", "vbmod", "vaux"}
KINDS = ("determiner", "adjective", "verb", "order")


@dataclass(frozen=True)
class Reading:
    lemma: str
    tags: tuple[str, ...]

    def has(self, *tags: str) -> bool:
        return any(t in self.tags for t in tags)

    @property
    def gender(self) -> str | None:
        return next((t for t in self.tags if t in ("m", "f", "mf", "GD")), None)

    @property
    def number(self) -> str | None:
        return next((t for t in self.tags if t in ("sg", "pl", "sp", "ND")), None)


@dataclass(frozen=True)
class Token:
    surface: str
    readings: tuple[Reading, ...]

    def only(self, tag: str) -> bool:
        """Every reading is this part of speech (and there is one)."""
        return bool(self.readings) and all(r.tags[:1] == (tag,) for r in self.readings)


def stream_lines(texts: list[str]) -> list[str]:
    """Texts as lines lt-proc reads: codes and stream characters out, one line each."""
    return [" ".join(STREAM_RE.sub(" ", PLACEHOLDER_RE.sub(" ", t)).split()) for t in texts]


def tokens_of(units: list[tuple[str, list[str]]]) -> list[Token]:
    """lt-proc's lexical units as tokens (an unknown word: a token with no readings)."""
    tokens = []
    for surface, readings in units:
        parsed = []
        for reading in readings:
            lemma, _, rest = reading.partition("<")
            if rest:
                parsed.append(Reading(lemma, tuple(TAG_RE.findall("<" + rest))))
        tokens.append(Token(surface, tuple(parsed)))
    return tokens


def analyse(binary: Path, texts: list[str], flag: str | None = None) -> list[list[Token]]:
    """Each text's words, tagged by the analyser at ``binary`` (one process for all)."""
    return [tokens_of(units) for units in lookup(binary, flag, stream_lines(texts))]


def _agree(a: str | None, b: str | None, shared: str) -> bool:
    """Whether two genders (or numbers) are compatible; ``shared``: the "both" value."""
    return a is None or b is None or a == b or shared in (a, b) or "GD" in (a, b) or "ND" in (a, b)


def _matches(term: Reading, other: Reading) -> bool:
    return _agree(term.gender, other.gender, "mf") and _agree(term.number, other.number, "sp")


def problems(tokens: list[Token], terms: set[str]) -> list[tuple[str, str]]:
    """(kind, the words concerned) for each disagreement around a term."""
    found = []
    for index, token in enumerate(tokens):
        readings = [r for r in token.readings if r.has("n") and r.lemma.casefold() in terms]
        if not readings:
            continue

        before = tokens[index - 1] if index else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        # Right before a noun, a word that can be a determiner is one ("Estos": det or prn).
        determiners = [r for r in before.readings if r.has("det")] if before else []
        if before and determiners and not _any_match(readings, determiners):
            found.append(("determiner", f"{before.surface} {token.surface}"))
        if after and after.only("adj") and not _any_match(readings, after.readings):
            found.append(("adjective", f"{token.surface} {after.surface}"))
        if after and after.only("n") and not after.surface[:1].isupper():
            found.append(("order", f"{token.surface} {after.surface}"))
        verb = _verb_after(tokens, index)
        if verb is not None and _opens_clause(tokens, index):
            numbers = [r for r in verb.readings if r.tags[0] in VERBS and r.number]
            if numbers and not any(
                _agree(t.number, r.number, "sp") for t in readings for r in numbers
            ):
                found.append(("verb", f"{token.surface} {verb.surface}"))
    return found


def _any_match(term: list[Reading], neighbour) -> bool:
    return any(_matches(t, r) for t in term for r in neighbour)


def _verb_after(tokens: list[Token], index: int) -> Token | None:
    """The finite verb right after the term (an adverb or clitic may stand between)."""
    for token in tokens[index + 1 : index + 3]:
        if token.readings and all(r.tags[0] in VERBS for r in token.readings):
            return token if any(FINITE & set(r.tags) for r in token.readings) else None
        if not token.readings or not all(r.tags[0] in ("adv", "prn") for r in token.readings):
            return None
    return None


def _opens_clause(tokens: list[Token], index: int) -> bool:
    """Whether only determiners and adjectives stand between the clause start and the term."""
    for token in reversed(tokens[:index]):
        if not token.readings:
            return False  # an unknown word: cannot tell
        if any(r.tags[0] in ("sent", "cm", "lpar", "cnjcoo") for r in token.readings):
            return True
        if not all(r.tags[0] in ("det", "predet", "adj", "num") for r in token.readings):
            return False
    return True
