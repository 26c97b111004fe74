"""Checks on engine output, one small named function each (as translate-toolkit's pofilter).

Each check takes the English unit and the engine's text and returns True when
the output has that problem; the quality checks of qa.py (spacing, punctuation,
capitals, markup moved, locale-aware numbers) are among them. A problem in
``BLOCKING`` means the output is not published: the page shows the English,
flagged, and the catalog keeps the output for a reviewer. Lost placeholders are
re-inserted first where that is safe (codes that stood at the very start or end
of the unit).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import cache

from .placeholders import PLACEHOLDER_RE, codes_of, markup_mismatch
from .qa import CHECKS as QA_CHECKS
from .qa import numbers
from .writing import is_cjk

# A chunk four times in a row. Three back-references, not "\1{3,}": Python's regex
# engine runs them twice as fast as a repeat, and a longer run starts with four.
REPEAT_RE = re.compile(r"(\S.{1,15}?)\1\1\1", re.DOTALL)
SYMBOL_RUN_RE = re.compile(r"([^\w\s])\1\1\1+")  # back-references again: faster
WORDS_REPEAT_RE = re.compile(r"(.{1,8}?)\1\1", re.DOTALL)  # over one character per word


def _plain(text: str) -> str:
    return PLACEHOLDER_RE.sub(" ", text)


def markup(source: str, target: str, language: str) -> bool:
    return bool(markup_mismatch(target, source))


def _loops(text: str) -> bool:
    # A repeated chunk must hold a word: "·····" padding or "...." is no loop (and
    # such runs, shortened first, would be most of the search's work).
    text = SYMBOL_RUN_RE.sub(r"\1", text)
    if not _may_loop(text):
        return False
    return any(any(c.isalnum() for c in m.group(1)) for m in REPEAT_RE.finditer(text))


def _may_loop(text: str) -> bool:
    """False where REPEAT_RE cannot match, found at a tenth of its cost. A chunk
    without whitespace repeated four times lies in one word of 8+ characters; a
    chunk with some (at most 8 runs in 16 characters) makes the words repeat: the
    same 1 to 8 words three times in a row."""
    words = text.split()
    # A chunk of k >= 2 characters four times holds at most k distinct ones in 4k: a
    # word with one has 3k >= 6 repeated characters (few do). One search over those
    # words side by side (a match across two of them only sends the text to the full
    # search, which decides).
    repeating = [word for word in words if len(word) >= 8 and len(word) - len(set(word)) >= 6]
    if repeating and REPEAT_RE.search(" ".join(repeating)):
        return True
    counts = Counter(words)
    if max(counts.values(), default=0) < 3:
        return False  # no word three times: none three times in a row
    codes = {word: chr(0xE000 + number) for number, word in enumerate(counts)}
    return WORDS_REPEAT_RE.search("".join(map(codes.__getitem__, words))) is not None


def repetition(source: str, target: str, language: str) -> bool:
    """A loop such as "(掌声) (掌声) (掌声) (掌声)" that the English does not have."""
    return _loops(_plain(target)) and not _loops(_plain(source))


def length(source: str, target: str, language: str) -> bool:
    """Far shorter or longer than translations usually are."""
    src, tgt = len(_plain(source).strip()), len(_plain(target).strip())
    if src < 20:
        return tgt > 10 * max(src, 1)
    low, high = (0.12, 1.5) if is_cjk(language) else (0.4, 2.5)
    return not low <= tgt / src <= high


def untranslated(source: str, target: str, language: str) -> bool:
    return _plain(source).split() == _plain(target).split() and len(source.split()) > 2


CHECKS: dict[str, Callable[[str, str, str], bool]] = {
    "markup": markup,
    "repetition": repetition,
    "length": length,
    "numbers": numbers,
    "untranslated": untranslated,
    **QA_CHECKS,
}
BLOCKING = frozenset({"markup", "repetition", "length", "numbers"})
# What applies to output that is not text in the target language (pseudo-localization).
ANY_TEXT_CHECKS = {k: v for k, v in CHECKS.items() if k not in QA_CHECKS}


def repair_codes(source: str, target: str) -> str:
    """Put back codes the engine dropped, where their place is unambiguous.

    Unknown and repeated codes are removed; a missing code that stood at the
    very start or end of the English goes back there; paired codes that
    wrapped the whole English wrap the whole output again. Anything else is
    left for the markup check to report.
    """
    codes = codes_of(source)
    seen: set[str] = set()

    def keep(match: re.Match) -> str:
        label = match.group()
        number = int(next(g for g in match.groups() if g))
        kind = "x" if label.startswith("<x") else "open"
        if codes.get(number) != kind or (label in seen and not label.startswith("</")):
            return ""
        seen.add(label)
        return label

    target = PLACEHOLDER_RE.sub(keep, target).strip()
    lead = re.match(r"^(?:\s*(?:<x\d+/>|<g\d+>))+", source)
    tail = re.search(r"(?:(?:<x\d+/>|</g\d+>)\s*)+$", source)
    for block, at_start in ((lead, True), (tail, False)):
        if not block:
            continue
        labels = re.findall(r"<x\d+/>|</?g\d+>", block.group())
        missing = [label for label in labels if label not in target]
        if missing:
            joined = "".join(missing)
            target = joined + target if at_start else target + joined
    return target


def inspect(
    source: str, target: str, language: str, in_language: bool = True
) -> tuple[str, list[str]]:
    """The (possibly repaired) output and the names of the checks it fails; without
    ``in_language`` (pseudo-localization) only the checks that apply to any text."""
    broken = markup(source, target, language)
    if broken:
        repaired = repair_codes(source, target)
        if not markup(source, repaired, language):
            target, broken = repaired, False
    checks = CHECKS if in_language else ANY_TEXT_CHECKS
    problems = ["markup"] if broken else []  # known already; first in CHECKS
    for name, check in checks.items():
        if name != "markup" and check(source, target, language):
            problems.append(name)
    return target, problems


@cache  # asked for every unit
def writes_language(engine: str) -> bool:
    """Whether the named engine's output is text in the target language."""
    from .engines import ENGINES

    return getattr(ENGINES.get(engine), "writes_target_language", True)
