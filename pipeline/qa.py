"""Quality checks on a translation, one small named function each (in the spirit of
translate-toolkit's pofilter and Weblate's checks).

Each check takes the English unit, its translation and the target language and
returns True when the translation has that problem. They run on engine output
(guard.py turns a failure into a catalog flag, shown on the page and counted by
`status`) and, through `pipeline qa`, on every translation, human ones included.
A check must not fire on a correct translation: "siglo XV" for "15th century"
and "2,4" for "2.4" pass the numbers check.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from .placeholders import PLACEHOLDER_RE
from .preedit import sentence_case

# Lower case, a list number or a label's code and a space may come before a unit's
# first word; the first letter after them is the one whose case is compared.
LEAD_RE = re.compile(
    r"^(?:\s|<x\d+/>|<g\d+>|</g\d+>|\d+[.)]\s|[-*•\u2013\u2014\"'\u201c\u2018«(¿¡])*"
)


def lead_end(text: str) -> int:
    """Where the first word whose case is compared begins (after LEAD_RE's lead)."""
    match = LEAD_RE.match(text)  # always matches (the empty lead included)
    return match.end() if match else 0


REPEATED_RE = re.compile(r"\b([^\W\d_]+)\s+\1\b", re.IGNORECASE)
# The English may repeat a word on purpose, with a comma ("very, very").
REPEATED_ON_PURPOSE_RE = re.compile(r"\b([^\W\d_]+),?\s+\1\b", re.IGNORECASE)
END_RE = re.compile(r"([.:;!?…])[\s\"'\u201d\u2019»)\]]*(?:</g\d+>|<x\d+/>)*\s*$")
PAIR_RE = re.compile(r"<g(\d+)>(.*?)</g\1>", re.DOTALL)
# Numbers as written in English ("1,000.5", "15th") and as a target locale may write
# them ("1.000,5", "1 000,5"); Roman numerals for centuries and ordinals ("siglo XV").
DIGIT_RE = re.compile(r"\d")
NUMBER_RE = re.compile(r"\d+(?:[\u00a0\u202f ]\d{3}(?!\d))*(?:[.,]\d+)*")
ROMAN_RE = re.compile(
    r"\b(?=[MDCLXVI]{1,8}\b)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b"
)
ROMAN = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}


def _visible(text: str) -> str:
    """The text with each code as one neutral character, so spacing around it counts."""
    return PLACEHOLDER_RE.sub("\u2060", text)


def double_space(source: str, target: str, language: str) -> bool:
    """Two spaces in a row that the English does not have."""
    return "  " in _visible(target).strip() and "  " not in _visible(source).strip()


def repeated_word(source: str, target: str, language: str) -> bool:
    """The same word twice in a row ("debido a a"), where the English repeats none
    (on purpose: "very, very")."""
    plain = PLACEHOLDER_RE.sub("", target)
    if REPEATED_ON_PURPOSE_RE.search(PLACEHOLDER_RE.sub("", source)):
        return False
    return REPEATED_RE.search(plain) is not None


def _end(text: str) -> str:
    match = END_RE.search(text)
    mark = match.group(1) if match else ""
    return "." if mark in ("…",) else mark


def end_punctuation(source: str, target: str, language: str) -> bool:
    """The English ends with a full stop, colon, question or exclamation mark and the
    translation ends differently (or the other way round); doubled stops ("..")."""
    if re.search(r"(?<!\.)\.\.(?!\.)", PLACEHOLDER_RE.sub("", target)):
        return True
    if language.split("_")[0] in ("zh", "ja"):
        return False  # full-width marks: another check's job
    return _end(source) != _end(target)


def opening_marks(source: str, target: str, language: str) -> bool:
    """Spanish questions and exclamations open with ¿ and ¡."""
    if language.split("_")[0] != "es":
        return False
    plain = PLACEHOLDER_RE.sub("", target)
    return ("?" in plain and "¿" not in plain) or ("!" in plain and "¡" not in plain)


def _first_letter(text: str) -> str:
    """The first letter, where the script has capitals at all (not Chinese)."""
    rest = text[lead_end(text) :]
    letter = next((c for c in rest if c.isalpha()), "")
    return letter if letter.isupper() or letter.islower() else ""


def capitalisation(source: str, target: str, language: str) -> bool:
    """The unit, or a label the English wraps in markup, starts with a capital in one
    language and not in the other; or a capital after a comma mid-sentence where the
    English has a lower-case word ("la inflamación Crónica")."""
    pairs = [(source, target)]
    english_labels = {n: inner for n, inner in PAIR_RE.findall(source)}
    for number, inner in PAIR_RE.findall(target):
        if number in english_labels:
            pairs.append((english_labels[number], inner))
    for english, translated in pairs:
        first, second = _first_letter(english), _first_letter(translated)
        if first and second and first.isupper() != second.isupper():
            return True
    return _capitals_inside(source, target)


WORD_RE = re.compile(r"[^\W\d_][^\W_]*(?:[-'\u2019][^\W_]+)*")
# Where a capital is due: the start, after a sentence's end, a colon, a list number,
# an opening mark or quote.
DUE_RE = re.compile(r"(?:^|[.!?:;]|\d[.)]|[¿¡\"\u201c«(\u2013\u2014-])\s*$")


def capitalised_inside(text: str) -> set[str]:
    plain = PLACEHOLDER_RE.sub("", text)
    return {
        m.group().casefold()
        for m in WORD_RE.finditer(plain)
        if m.group()[0].isupper()
        and not any(c.isupper() for c in m.group()[1:])
        and not DUE_RE.search(plain[: m.start()])
    }


def _capitals_inside(source: str, target: str) -> bool:
    """More capitalised words inside sentences than the English has names: a Title
    Case heading copied half-way ("Afecciones Que Beneficio")."""
    english_words = {w.casefold() for w in WORD_RE.findall(PLACEHOLDER_RE.sub("", source))}
    target_words = {w.casefold() for w in WORD_RE.findall(PLACEHOLDER_RE.sub("", target))}
    added = capitalised_inside(target) - english_words
    names = capitalised_inside(sentence_case(source, set())) - target_words
    return len(added) > len(names)


def markup_moved(source: str, target: str, language: str) -> bool:
    """A code pair that wraps words in the English wraps none in the translation
    ("<g1>Dolor neuropático</g1>:" became "Dolor neuropático<g1>:</g1>")."""
    english = {n: inner for n, inner in PAIR_RE.findall(source)}
    for number, inner in PAIR_RE.findall(target):
        words_before = any(c.isalnum() for c in PLACEHOLDER_RE.sub("", english.get(number, "")))
        if words_before and not any(c.isalnum() for c in PLACEHOLDER_RE.sub("", inner)):
            return True
    return False


def _roman(text: str) -> int:
    total = 0
    for letter, following in zip(text, [*text[1:], ""], strict=True):
        value = ROMAN[letter]
        total += -value if following and ROMAN[following] > value else value
    return total


def _readings(token: str, decimal: str) -> set[float]:
    """What a written number may mean: English style, and with ``decimal`` as the
    decimal separator; a space or the other mark groups thousands."""
    token = token.replace("\u00a0", " ").replace("\u202f", " ")
    values = set()
    for point in {".", decimal}:
        group = "," if point == "." else "."
        text = token.replace(" ", "").replace(group, "")
        if text.count(point) > 1:
            continue
        try:
            values.add(float(text.replace(point, ".")))
        except ValueError:
            continue
    return values


def numbers(source: str, target: str, language: str) -> bool:
    """Every number of the English, and no other, in the translation: written in the
    English or the target language's style, or as a Roman numeral ("siglo XV")."""
    english, plain = _plain(source), _plain(target)
    if not DIGIT_RE.search(english) and not DIGIT_RE.search(plain):
        return False  # most sentences: no number on either side (a Roman one needs both)
    found, written = NUMBER_RE.findall(english), NUMBER_RE.findall(plain)
    if found == written and all(map(str.isdigit, found)):
        return False  # the same whole numbers in the same order (most units with one)
    decimal = "." if language.split("_")[0] in ("zh", "ja", "ko", "en") else ","
    wanted = Counter(min(_readings(n, ".") or {0.0}) for n in found)
    for readings in (_readings(n, decimal) for n in written):
        match = next((value for value in sorted(readings) if wanted[value] > 0), None)
        if match is None:
            return True  # a number the English does not have
        wanted[match] -= 1
    # A Roman numeral stands for a number still missing ("siglo XV"); any other
    # (a vitamin C) is just a letter.
    for roman in filter(None, ROMAN_RE.findall(plain)):
        value = float(_roman(roman))
        if wanted[value] > 0:
            wanted[value] -= 1
    return any(count > 0 for count in wanted.values())


def _plain(text: str) -> str:
    return PLACEHOLDER_RE.sub(" ", text)


CHECKS: dict[str, Callable[[str, str, str], bool]] = {
    "double-space": double_space,
    "repeated-word": repeated_word,
    "punctuation": end_punctuation,
    "opening-marks": opening_marks,
    "capitalisation": capitalisation,
    "markup-moved": markup_moved,
}
