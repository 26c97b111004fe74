"""Checks that read a translation with the target language's own analyser.

Apertium ships an analyser for each language it translates into (the reverse
pair's, ``spa-eng.automorf.bin``); with the glossary's renderings added (see
engines/apertium_dictionary.py) it tells, for any engine's output:

* ``unknown-words``: an English word went through untranslated;
* ``run-together``: a word in neither language, almost always words an engine
  ran together ("aliviomucho", "queproducencartílago");
* ``agreement``: a word around a glossary term does not agree with it
  (agreement.py).

One analyser process per batch; only the lines that can hold a finding are
parsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .agreement import problems, stream_lines, tokens_of
from .engines.apertium import ISO3
from .engines.apertium_dictionary import build_overlay, pair_files
from .lttoolbox import LttoolboxFailed, lookup, parse_units

if TYPE_CHECKING:
    from .glossary import Glossary

WORD_RE = re.compile(r"[^\W\d_]+")  # letters only


@dataclass(frozen=True)
class Analyser:
    binary: Path
    flag: str | None  # "-w": dictionary case, as the reverse pair runs it
    terms: frozenset[str]  # target lemmas of the glossary's terms (casefolded)


def analyser_for(
    source: str, target: str, glossary: Glossary, cache: Path | None
) -> Analyser | None:
    """The target language's analyser, with the glossary inside where it can be built;
    None where Apertium has no analyser for the language."""
    if source not in ISO3 or target not in ISO3:
        return None
    pair = f"{ISO3[source]}-{ISO3[target]}"
    try:
        files = pair_files(pair)
    except LttoolboxFailed:
        return None
    if files.target_analyser is None:
        return None
    overlay = None
    if cache is not None:
        try:
            overlay = build_overlay(pair, target, glossary, cache)
        except LttoolboxFailed:
            overlay = None  # the translation reported why; check with the pair's own
    if overlay is not None and overlay.target_analyser is not None:
        return Analyser(overlay.target_analyser, files.target_flag, overlay.terms)
    return Analyser(files.target_analyser, files.target_flag, frozenset())


def english_names(
    source: str, target: str, glossary: Glossary, cache: Path | None
) -> Callable[[Iterable[str]], set[str]]:
    """Which capitalised English words are names, to keep their capitals in sentence
    case: those whose lower-case form neither the glossary nor the English analyser
    (with the glossary inside, where built) knows; the glossary's names and
    case-sensitive terms. Without Apertium, only the glossary's words are lowered."""
    known = {w.casefold() for e in glossary.entries if not (e.keep or e.case_sensitive)
             for form in e.english.values() for w in WORD_RE.findall(form)}  # fmt: skip
    names = {w for e in glossary.entries if e.keep or e.case_sensitive
             for form in e.english.values() for w in form.split()}  # fmt: skip
    binary = _english_analyser(source, target, glossary, cache)

    def keep(words: Iterable[str]) -> set[str]:
        words = sorted(set(words))
        if binary is None:
            return {w for w in words if w.casefold() not in known}
        asked = [w for w in words if w.casefold() not in known and "-" not in w]
        found = lookup(binary, None, [w.lower() for w in asked])
        unknown = {w for w, units in zip(asked, found, strict=True) if _unknown_word(units)}
        return (unknown | names) & set(words)

    return keep


def _unknown_word(units) -> bool:
    return not units or any(r.startswith("*") for _, readings in units for r in readings)


def _english_analyser(
    source: str, target: str, glossary: Glossary, cache: Path | None
) -> Path | None:
    if source not in ISO3 or target not in ISO3:
        return None
    pair = f"{ISO3[source]}-{ISO3[target]}"
    try:
        files = pair_files(pair)
        overlay = build_overlay(pair, target, glossary, cache) if cache is not None else None
    except LttoolboxFailed:
        return None
    if overlay is not None and (overlay.folder / files.analyser.name).exists():
        return overlay.folder / files.analyser.name
    return files.analyser


def check(
    analyser: Analyser, glossary: Glossary, language: str, sources: list[str], outputs: list[str]
) -> list[set[str]]:
    """The flags of each (English, translation) pair."""
    terms = set(analyser.terms)
    term_re = (
        re.compile("/(?:" + "|".join(map(re.escape, sorted(terms))) + ")<n>", re.IGNORECASE)
        if terms
        else None
    )
    raw = lookup(analyser.binary, analyser.flag, stream_lines(outputs), parse=False)
    flags = []
    for source, line in zip(sources, raw, strict=True):
        found: set[str] = set()
        suspect = "/*" in line
        agreeing = term_re is not None and term_re.search(line) is not None
        if not (suspect or agreeing):
            flags.append(found)
            continue
        units = parse_units(line)
        if suspect:
            found |= _unknown(source, units, glossary, language)
        if agreeing and problems(tokens_of(units), terms):
            found.add("agreement")
        flags.append(found)
    return flags


def unglue_words(analyser: Analyser, sources: list[str], texts: list[str]) -> list[str]:
    """``texts`` with each word neither language knows parted in two, where the
    analyser knows both halves (the split with the most even halves wins). Words of
    the English (passed through, or names) are left whole."""
    english = {w.casefold() for source in sources for w in WORD_RE.findall(source)}
    words = sorted(
        {w for text in texts for w in WORD_RE.findall(text) if len(w) >= 5}
        - {w for text in texts for w in WORD_RE.findall(text) if w.casefold() in english}
    )
    found = lookup(analyser.binary, analyser.flag, words)
    unknown = [w for w, units in zip(words, found, strict=True) if _unknown_word(units)]
    splits = {w: [(w[:i], w[i:]) for i in range(2, len(w) - 1)] for w in unknown}
    halves = sorted({half for pairs in splits.values() for pair in pairs for half in pair})
    known = {
        half
        for half, units in zip(halves, lookup(analyser.binary, analyser.flag, halves), strict=True)
        if not _unknown_word(units)
    }
    parted = {}
    for word, pairs in splits.items():
        good = [p for p in pairs if p[0] in known and p[1] in known]
        if good:
            left, right = max(good, key=lambda p: min(len(p[0]), len(p[1])))
            parted[word] = f"{left} {right}"
    if not parted:
        return texts
    longest_first = sorted(parted, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b")
    return [pattern.sub(lambda m: parted[m.group()], text) for text in texts]


def _unknown(source: str, units, glossary: Glossary, language: str) -> set[str]:
    english = set(WORD_RE.findall(source.casefold()))
    # The unit's own renderings are words of the translation, known or not to the analyser.
    rendered = {
        w for entry in glossary.terms_in(source)
        for r in entry.renderings(language) for w in WORD_RE.findall(r.casefold())
    }  # fmt: skip
    found = set()
    for surface, readings in units:
        words = set(WORD_RE.findall(surface.casefold()))
        if not words or not any(r.startswith("*") for r in readings) or words <= rendered:
            continue
        found.add("unknown-words" if words <= english else "run-together")
    return found
