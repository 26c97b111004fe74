"""Rules applied to an engine's output, one small named function each.

Each rule takes the English unit, the translation and the target language and
returns the translation, changed only where the rule is sure: spacing, Spanish
opening marks, the capitals the English had at the start of the unit and of its
labels, a word the engine wrote twice, stray stops after an inserted term, and
the contractions and elisions Spanish and Catalan require where the engine left
them out ("de el" → "del", Catalan "de inflamació" → "d'inflamació"). They run
on machine output only; a translator's text is checked (qa.py), never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .placeholders import PLACEHOLDER_RE
from .preedit import is_title_case, sentence_case
from .qa import (
    DUE_RE,
    PAIR_RE,
    REPEATED_ON_PURPOSE_RE,
    REPEATED_RE,
    WORD_RE,
    capitalised_inside,
    lead_end,
)

CODE = r"(?:<x\d+/>|</?g\d+>)"


def spacing(source: str, target: str, language: str) -> str:
    """One space between words; none before , . ; : ? ! ) or after ( ¿ ¡."""
    target = re.sub(r"[ \t]{2,}", " ", target).strip()
    target = re.sub(r" +([,.;:?!)\]»])", r"\1", target)
    return re.sub(r"([(¿¡«\[]) +", r"\1", target)


def _sentence_start(text: str, end: int) -> int:
    """Where the sentence that ends at ``end`` begins."""
    before = max(text.rfind(mark, 0, end) for mark in (". ", "? ", "! ", ": ", "; "))
    return 0 if before < 0 else before + 2


def opening_marks(source: str, target: str, language: str) -> str:
    """Spanish questions and exclamations open with ¿ and ¡ ("¿Qué es?")."""
    if language.split("_")[0] != "es":
        return target
    for close, opening in (("?", "¿"), ("!", "¡")):
        position = target.find(close)
        while position >= 0:
            start = _sentence_start(target, position)
            if opening not in target[start:position]:
                lead = lead_end(target[start:position])
                target = target[: start + lead] + opening + target[start + lead :]
                position += 1
            position = target.find(close, position + 1)
    return target


def _capitalise_first(text: str) -> str:
    start = lead_end(text)
    for index in range(start, len(text)):
        if text[index].isalpha():
            return text[:index] + text[index].upper() + text[index + 1 :]
        if not (text[index] in "\"'\u201c\u2018«" or text[index].isspace()):
            break
    return text


def _first_upper(text: str) -> bool:
    rest = text[lead_end(text) :]
    first = next((c for c in rest if c.isalpha()), "")
    return first.isupper()


def _lower_first(text: str) -> str:
    match = re.search(r"[^\W\d_][^\W_]*", text[lead_end(text) :])
    if match is None:
        return text
    word = match.group()
    if any(c.isupper() for c in word[1:]):
        return text  # an acronym or a name such as "iPSC"
    index = lead_end(text) + match.start()
    return text[:index] + text[index].lower() + text[index + 1 :]


def capitals(source: str, target: str, language: str) -> str:
    """A unit, and a label its markup wraps, starts with a capital where the English
    does ("1. artrosis" → "1. Artrosis"), and without one where the English has
    none (a link text, "e-mail:"): headings and labels follow the English."""
    if _first_upper(source):
        target = _capitalise_first(target)
    elif _first_letter_cased(source):
        target = _lower_first(target)
    labels = {n for n, inner in PAIR_RE.findall(source) if _first_upper(inner)}

    def label(match: re.Match) -> str:
        if match.group(1) not in labels:
            return match.group()
        return f"<g{match.group(1)}>{_capitalise_first(match.group(2))}</g{match.group(1)}>"

    return PAIR_RE.sub(label, target)


def _first_letter_cased(text: str) -> bool:
    rest = text[lead_end(text) :]
    first = next((c for c in rest if c.isalpha()), "")
    return first.islower()


def inner_capitals(source: str, target: str, language: str) -> str:
    """A capital the engine carried from a sentence's first word to the middle of the
    translation ("la inflamación Crónica", "tratamientos de Célula madre") is lowered,
    when the English has no capitalised word mid-sentence (no name to keep)."""
    if is_title_case(source) or capitalised_inside(sentence_case(source, set())):
        return target
    plain_words = capitalised_inside(target)

    def lower(match: re.Match) -> str:
        word = match.group()
        if word.casefold() in plain_words and not DUE_RE.search(
            PLACEHOLDER_RE.sub("", target[: match.start()])
        ):
            return word[0].lower() + word[1:]
        return word

    return WORD_RE.sub(lower, target)


def repeated_words(source: str, target: str, language: str) -> str:
    """A word the engine wrote twice in a row ("debido a a") once, unless the English
    repeats it too."""
    if REPEATED_ON_PURPOSE_RE.search(source):
        return target

    def once(match: re.Match) -> str:
        return match.group(1)

    return REPEATED_RE.sub(once, target)


def stray_stops(source: str, target: str, language: str) -> str:
    """ ".." left where a term was put back before the final stop; a stop followed by
    the rest of the sentence ("utilitzat.. cèl·lules mare") is left to the checks."""
    return re.sub(r"(?<![.])\.\.(?![.])(?=\s*(?:" + CODE + r")*\s*$)", ".", target)


# (pattern, replacement) per language: contractions the grammar requires.
CONTRACTIONS = {
    "es": [(r"\b([Dd])e el\b", r"\1el"), (r"\b([Aa]) el\b", r"\1l")],
    "ca": [
        (r"\b([Dd])e el\b", r"\1el"),
        (r"\b([Dd])e els\b", r"\1els"),
        (r"\b([Aa]) el\b", r"\1l"),
        (r"\b([Aa]) els\b", r"\1ls"),
        (r"\b([Pp])er el\b", r"\1el"),
        (r"\b([Pp])er els\b", r"\1els"),
    ],
}
VOWEL = "aeiouàèéíïòóúüAEIOUÀÈÉÍÏÒÓÚÜ"


def contractions(source: str, target: str, language: str) -> str:
    """Spanish "de el"/"a el" → "del"/"al"; Catalan also "dels", "als", "pel", "pels"."""
    for pattern, replacement in CONTRACTIONS.get(language.split("_")[0], []):
        target = re.sub(pattern, replacement, target)
    return target


def elision(source: str, target: str, language: str) -> str:
    """Catalan elides "de" before a vowel or h ("d'inflamació"), and "el"/"la" before
    one ("l'articulació"), but "la" not before an unstressed i or u ("la inflamació")."""
    if language.split("_")[0] != "ca":
        return target
    word = r"(?=h?[" + VOWEL + r"])(?![iuIU]\s)"
    target = re.sub(r"(?<![\w·'])([Dd])e (?!(?:i|o|u|a|e)\s)" + word, r"\1'", target)
    target = re.sub(
        r"(?<![\w·'])([Ee])l (?!(?:i|o|u|a|e)\s)" + word,
        lambda m: "L'" if m.group(1) == "E" else "l'",
        target,
    )
    stressed = r"(?=h?[aeoàèéòóAEOÀÈÉÒÓ])"
    return re.sub(r"(?<![\w·'])([Ll])a (?!(?:o|a|e)\s)" + stressed, r"\1'", target)


RULES: dict[str, Callable[[str, str, str], str]] = {
    "contractions": contractions,
    "elision": elision,
    "repeated-words": repeated_words,
    "stray-stops": stray_stops,
    "opening-marks": opening_marks,
    "inner-capitals": inner_capitals,
    "capitals": capitals,
    "spacing": spacing,
}


def post_edit(source: str, target: str, language: str) -> str:
    """Every rule in turn; codes are left where they are."""
    if not target:
        return target
    for rule in RULES.values():
        target = rule(source, target, language)
    return target
