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
