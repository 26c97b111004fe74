"""The client's terminology: loading, protection around engines, and verification.

``glossary.yaml`` holds terms and do-not-translate names::

    terms:
      - en: {singular: stem cell, plural: stem cells}   # English forms by name
        translations:
          es: {singular: célula madre, plural: células madre}
          zh: 干细胞                 # one rendering for every form
        forbidden: {es: [celdas de raíz]}
        note: Never "celdas" (a cell of a grid).
    do_not_translate: [NBScience, WhatsApp, FDA]

A rendering may also be a list: the first is inserted, all are accepted (for
adjectives that agree with their noun). Before an engine runs, each term
occurrence becomes an ``<xN/>`` code the engine cannot touch; afterwards the
required rendering, in the English occurrence's form, takes its place. Every
unit, machine or human, is then verified: each English occurrence needs one of
the term's renderings and no forbidden rendering may appear.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import PipelineError
from .placeholders import PLACEHOLDER_RE, codes_of
from .term_index import Term, TermIndex, term_pattern
from .writing import is_cjk
from .yamltext import load_yaml_nodes

# What restore tidies where a code stood: spaces between Chinese characters, and
# "term , next" (LOOSE_PUNCT, a plain scan, tells whether the slower pattern is needed).
CJK_GAP_RE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
LOOSE_PUNCT_RE = re.compile(r" [,.;:!?](?:\s|$)")
SPACE_BEFORE_PUNCT_RE = re.compile(r"(?<=\w) +(?=[,.;:!?](?:\s|$))")

# --- the file format, validated by pydantic ------------------------------------


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, AfterValidator(_not_blank)]
Rendering = Text | Annotated[list[Text], Field(min_length=1)]


VERB_FORMS = ("infinitive", "present", "past", "participle", "gerund")


class WordSpec(BaseModel):
    """A word or phrase and its renderings: a vocabulary entry, and the base of a term."""

    model_config = ConfigDict(extra="forbid")

    en: Text | dict[str, Text]
    translations: dict[str, Rendering | dict[str, Rendering]] = Field(min_length=1)
    case_sensitive: bool = False
    note: str = ""
    pos: Literal["n", "adj", "adv", "vblex", "np"] | None = None
    gender: dict[str, Literal["m", "f", "mf"]] = {}

    @field_validator("en")
    @classmethod
    def _has_forms(cls, value: str | dict[str, str]) -> str | dict[str, str]:
        if not value:
            raise ValueError("give at least one English form")
        return value

    @model_validator(mode="after")
    def _verb_forms(self) -> WordSpec:
        if self.pos == "vblex":
            names = set(self.en) if isinstance(self.en, dict) else set()
            if not names or not names <= set(VERB_FORMS) or "infinitive" not in names:
                raise ValueError(f"a verb names its English forms: {', '.join(VERB_FORMS)}")
        return self


class KeepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    term: Text
    case_sensitive: bool = True
    note: str = ""


class TermSpec(WordSpec):
    forbidden: dict[str, list[Text]] = {}


class GlossarySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terms: list[TermSpec] = []
    do_not_translate: list[Text | KeepSpec] = []
    vocabulary: list[WordSpec] = []


# --- the model the pipeline uses ------------------------------------------------


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Entry:
    english: dict[str, str]  # form name -> English text
    targets: dict[str, dict[str, tuple[str, ...]]]  # language -> form -> renderings
    forbidden: dict[str, tuple[str, ...]] = field(default_factory=dict)
    case_sensitive: bool = False
    keep: bool = False  # do-not-translate: the English is the rendering everywhere
    note: str = ""
    line: int = 0
    pos: str | None = None  # "n", "adj" or "np"; None: found out where it is needed
    gender: dict[str, str] = field(default_factory=dict)  # language -> "m", "f" or "mf"
    enforced: bool = True  # False: vocabulary, preferred by engines but not checked
    # language -> renderings, as worked out once (asked for every occurrence checked)
    _renderings: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False)

    @property
    def name(self) -> str:
        return next(iter(self.english.values()))

    def renderings(self, language: str) -> tuple[str, ...]:
        found = self._renderings.get(language)
        if found is None:
            if self.keep:
                found = tuple(self.english.values())
            else:
                forms = self.targets.get(language, {})
                found = tuple(dict.fromkeys(r for rs in forms.values() for r in rs))
            self._renderings[language] = found
        return found

    def rendering(self, language: str, form: str) -> str | None:
        if self.keep:
            return self.english[form]
        forms = self.targets.get(language)
        if not forms:
            return None
        return (forms.get(form) or next(iter(forms.values())))[0]


@dataclass(frozen=True)
class Occurrence:
    start: int
    end: int
    entry: Entry
    form: str


# Occurrences as another process sends them: text -> [(start, end, entry's index, form)].
Found = dict[str, list[tuple[int, int, int, str]]]


# Answers kept per text: enough for any site, bounded for a long-lived process.
KEPT = 100_000


def _keep(kept: dict, key: object, value: object) -> None:
    if len(kept) >= KEPT:
        kept.clear()
    kept[key] = value


def _word_pattern(text: str) -> str:
    return r"(?<!\w)" + term_pattern(text) + r"(?!\w)"


class Glossary:
    """The enforced entries (terms and do-not-translate names) and the vocabulary."""

    def __init__(
        self,
        entries: list[Entry],
        vocabulary: list[Entry] | None = None,
        path: Path = Path("glossary.yaml"),
    ) -> None:
        self.entries = entries
        self.vocabulary = vocabulary or []
        self.path = path  # where the entries' lines are
        forms = [
            Term(text, (entry, form), entry.case_sensitive)
            for entry in entries
            for form, text in entry.english.items()
        ]
        forms.sort(key=lambda term: -len(term.text))  # longest first: "mesenchymal stem cells"
        self._source = TermIndex(forms)
        self._numbers = {id(entry): number for number, entry in enumerate(entries)}  # found_in
        # Every entry's renderings per language, searched for a unit's own entries
        # only (None: one pattern per set of entries, below, is needed).
        self._renderings: dict[str, TermIndex[Entry] | None] = {}
        # Target patterns per (terms of a unit, language), and their groups' entries.
        self._target_res: dict[tuple, re.Pattern | None] = {}
        self._target_index: dict[tuple, Entry] = {}
        self._forbidden: dict[str, TermIndex[tuple[Entry, str]]] = {}
        self._found: dict[str, list[Occurrence]] = {}
        self._problems: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    # -- finding terms -------------------------------------------------------------

    def occurrences(self, text: str) -> list[Occurrence]:
        """Term occurrences in English placeholder text (never inside a code).

        Kept per text: a unit is looked at when protected for each language, and
        again for its translator comment and its check.
        """
        if not self._source:
            return []
        found = self._found.get(text)
        if found is None:
            found = []
            for offset, chunk in _between_codes(text):
                for start, end, term in self._source.finditer(chunk):
                    entry, form = term.value
                    found.append(Occurrence(offset + start, offset + end, entry, form))
            _keep(self._found, text, found)
        return found

    def found_in(self, texts: Iterable[str]) -> Found:
        """The occurrences of the texts that have terms, as plain tuples (start, end,
        entry's index, form): what a worker process sends back for ``adopt``."""
        numbers, found = self._numbers, {}
        for text in texts:
            if occurrences := self.occurrences(text):
                found[text] = [(o.start, o.end, numbers[id(o.entry)], o.form) for o in occurrences]
        return found

    def adopt(self, texts: Iterable[str], found: Found) -> None:
        """Take the occurrences another process found in ``texts`` (``found_in``)."""
        if not self._source:
            return
        for text in texts:
            if text in self._found:
                continue  # found here already (no worker process was forked)
            adopted = [
                Occurrence(start, end, self.entries[number], form)
                for start, end, number, form in found.get(text, ())
            ]
            _keep(self._found, text, adopted)

    def terms_in(self, text: str) -> list[Entry]:
        return list(dict.fromkeys(o.entry for o in self.occurrences(text)))

    def _rendering_index(self, language: str) -> TermIndex[Entry] | None:
        """The renderings in ``language``, longest first, in one index: compiled once
        per rendering, not once per set of a unit's terms. None for languages written
        without spaces (renderings match inside words) and where a rendering starts
        with punctuation: there _target_re's pattern per set of terms is used."""
        if language not in self._renderings:
            terms = [Term(r, e) for e in self.entries for r in e.renderings(language)]
            terms.sort(key=lambda term: -len(term.text))
            index = TermIndex(terms)
            usable = index.by_word and not is_cjk(language)
            self._renderings[language] = index if usable else None
        return self._renderings[language]

    def _target_re(self, entries: tuple[Entry, ...], language: str) -> re.Pattern | None:
        """Renderings of ``entries`` in ``language``, longest first, one group each."""
        key = (tuple(id(e) for e in entries), language)
        if key not in self._target_res:
            renderings = sorted(
                {(r, e) for e in entries for r in e.renderings(language)},
                key=lambda item: -len(item[0]),
            )
            parts = []
            for index, (text, entry) in enumerate(renderings):
                pattern = re.escape(text) if is_cjk(language) else _word_pattern(text)
                parts.append(f"(?P<r{index}>{pattern})")
                self._target_index[(key, f"r{index}")] = entry
            self._target_res[key] = re.compile("|".join(parts), re.I) if parts else None
        return self._target_res[key]

    # -- around an engine ----------------------------------------------------------

    def protect(self, text: str, language: str) -> tuple[str, dict[int, Occurrence]]:
        """Replace term occurrences that have a rendering for ``language`` by codes."""
        first = max(codes_of(text), default=0) + 1
        table: dict[int, Occurrence] = {}
        parts, pos = [], 0
        for occurrence in self.occurrences(text):
            if occurrence.entry.rendering(language, occurrence.form) is None:
                continue
            number = first + len(table)
            table[number] = occurrence
            parts.append(text[pos : occurrence.start])
            parts.append(f"<x{number}/>")
            pos = occurrence.end
        parts.append(text[pos:])
        return "".join(parts), table

    def restore(self, text: str, table: dict[int, Occurrence], language: str) -> str:
        """Put each protected term's rendering where the engine left its code."""
        first_word = _first_visible(text) if table else 0

        def rendering(match: re.Match) -> str:
            number = int(match.group(3) or 0)
            if number not in table:
                return match.group()
            occurrence = table[number]
            value = occurrence.entry.rendering(language, occurrence.form) or ""
            if occurrence.entry.keep:
                return value
            if match.start() < first_word:  # the first word of the sentence
                return _capitalize(value)
            return value

        restored = PLACEHOLDER_RE.sub(rendering, text) if table else text
        if is_cjk(language):  # engines put spaces around codes; Chinese has none
            restored = CJK_GAP_RE.sub("", restored)
        elif LOOSE_PUNCT_RE.search(restored):  # "term , next", where a code moved
            restored = SPACE_BEFORE_PUNCT_RE.sub("", restored)
        return restored

    # -- verification --------------------------------------------------------------

    def coverage(self, source: str, target: str, language: str) -> tuple[Counter, Counter]:
        """Per term: its occurrences in the English, and its renderings found in ``target``."""
        return self._coverage(source, PLACEHOLDER_RE.sub(" ", target), language)

    def _coverage(self, source: str, plain: str, language: str) -> tuple[Counter, Counter]:
        """``coverage``, the target's codes already blanked out (``plain``)."""
        needed = Counter(o.entry for o in self.occurrences(source) if o.entry.renderings(language))
        present: Counter = Counter()
        if not needed:
            return needed, present
        # Only the unit's own terms count: "inyecciones de células madre" must not
        # hide "células madre" when the English has no "stem cell injection".
        index = self._rendering_index(language)
        if index is not None:
            for _, _, term in index.finditer(plain, only=needed):
                present[term.value] += 1
            return needed, present
        entries = tuple(needed)
        pattern = self._target_re(entries, language)
        if pattern is not None:
            key = (tuple(id(e) for e in entries), language)
            for match in pattern.finditer(plain):
                present[self._target_index[(key, match.lastgroup)]] += 1
        return needed, present

    def violations(self, source: str, target: str, language: str) -> list[str]:
        """Problems of ``target`` against the glossary, as short readable strings.

        Kept per (source, target, language): the engine's second chance looks at its
        output, and the catalogs' check at the same output in every article it is in."""
        key = (source, target, language)
        problems = self._problems.get(key)
        if problems is None:
            problems = tuple(self._violations(source, target, language))
            _keep(self._problems, key, problems)
        return list(problems)

    def _violations(self, source: str, target: str, language: str) -> list[str]:
        plain = PLACEHOLDER_RE.sub(" ", target)  # for the required and the forbidden terms
        needed, present = self._coverage(source, plain, language)
        problems = [
            f"'{entry.name}' needs '{entry.renderings(language)[0]}'"
            for entry, count in needed.items()
            if present[entry] < count
        ]
        for term in self._forbidden_index(language).present(plain):
            entry, wrong = term.value
            problems.append(f"'{wrong}' is forbidden (use '{entry.renderings(language)[0]}')")
        return problems

    def _forbidden_index(self, language: str) -> TermIndex[tuple[Entry, str]]:
        if language not in self._forbidden:
            self._forbidden[language] = TermIndex(
                Term(wrong, (entry, wrong))
                for entry in self.entries
                for wrong in entry.forbidden.get(language, ())
            )
        return self._forbidden[language]

    def restore_case(self, source: str, target: str, language: str) -> str:
        """``target`` with the case-sensitive terms of ``source`` spelt as the glossary does
        (an engine may lower-case "MSC" at the start of a sentence)."""
        for entry in self.terms_in(source):
            if not (entry.case_sensitive or entry.keep):
                continue
            for rendering in entry.renderings(language):
                pattern = re.compile(_word_pattern(rendering), re.IGNORECASE)
                target = pattern.sub(rendering, target)
        return target

    def comment(self, source: str, language: str) -> str:
        """Translator help: the unit's terms and their required renderings."""
        parts = []
        for entry in self.terms_in(source):
            renderings = entry.renderings(language)
            if entry.keep:
                part = f"{entry.name} = do not translate"
            elif renderings:
                part = f"{entry.name} = {' / '.join(renderings)}"
            else:
                continue
            parts.append(f"{part} ({entry.note})" if entry.note else part)
        return "glossary: " + "; ".join(parts) if parts else ""


def _between_codes(text: str) -> list[tuple[int, str]]:
    chunks, pos = [], 0
    for match in PLACEHOLDER_RE.finditer(text):
        chunks.append((pos, text[pos : match.start()]))
        pos = match.end()
    chunks.append((pos, text[pos:]))
    return chunks


def _first_visible(text: str) -> int:
    """Where ``text``'s first letter or digit outside codes is (its length if none)."""
    for offset, chunk in _between_codes(text):
        for index, character in enumerate(chunk):
            if character.isalnum():
                return offset + index
    return len(text)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- loading ----------------------------------------------------------------------


def _node_line(root: yaml.Node, loc: tuple) -> int:
    """1-based line of the YAML node at pydantic's error location ``loc``."""
    node, line = root, root.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


# Errors that say what is wrong with a value, rather than which union branch it missed.
_TELLING = ("value_error", "too_short", "missing", "extra_forbidden")


def _first_problem(exc: ValidationError) -> tuple[tuple, str]:
    """The most telling error: its location in the file's terms and its message."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] not in _TELLING)
    error = errors[0]
    # pydantic names union branches in locations ("str", "function-after[...]"): not keys.
    loc = tuple(p for p in error["loc"] if isinstance(p, int) or not _is_branch(p))
    return loc, error["msg"].removeprefix("Value error, ")


def _is_branch(part: str) -> bool:
    return "[" in part or part in ("str", "list", "dict")


def _duplicate_keys(node: yaml.Node, path: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if key.value in seen:
                raise PipelineError(
                    f"'{key.value}' is given twice (first on line {seen[key.value]})",
                    path=path,
                    line=key.start_mark.line + 1,
                    fix="keep one of them",
                )
            seen[key.value] = key.start_mark.line + 1
            _duplicate_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _duplicate_keys(item, path)


def _as_tuple(value: Rendering) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def load_glossary(path: Path, languages: set[str]) -> Glossary:
    """Read and validate a glossary; a missing file is an empty glossary."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Glossary([])
    except UnicodeDecodeError as exc:
        raise PipelineError("is not UTF-8 text", path=path, fix="save it as UTF-8") from exc
    data, root = load_yaml_nodes(text, path)
    if root is None:
        return Glossary([])
    _duplicate_keys(root, path)
    try:
        spec = GlossarySpec.model_validate(data)
    except ValidationError as exc:
        loc, message = _first_problem(exc)
        raise PipelineError(
            f"{'.'.join(map(str, loc))}: {message}",
            path=path,
            line=_node_line(root, loc),
            fix="see the format at the top of glossary.yaml (or pipeline/glossary.py)",
        ) from exc

    seen: dict[str, int] = {}

    def section(name: str, specs: list) -> list[Entry]:
        """The section's entries, each registered (a duplicate anywhere is an error)."""
        nodes = _items(root, name)
        found = []
        for index, item in enumerate(specs):
            line = nodes[index].start_mark.line + 1 if index < len(nodes) else 0
            if name == "do_not_translate":
                keep = KeepSpec(term=item) if isinstance(item, str) else item
                entry = Entry(
                    {"default": keep.term}, {}, {}, keep.case_sensitive, True, keep.note, line,
                    pos="np",
                )  # fmt: skip
            else:
                entry = _entry(item, (name, index), root, path, languages, line)
            _register(entry, seen, path, line)
            found.append(entry)
        return found

    entries = section("terms", spec.terms) + section("do_not_translate", spec.do_not_translate)
    return Glossary(entries, section("vocabulary", spec.vocabulary), path)


def _entry(
    spec: WordSpec, where: tuple, root: yaml.Node, path: Path, languages: set[str], line: int
) -> Entry:
    english = {"default": spec.en} if isinstance(spec.en, str) else dict(spec.en)
    targets = {}
    for language, value in spec.translations.items():
        at = _node_line(root, (*where, "translations", language))
        _check_language(language, languages, path, at)
        if isinstance(value, dict):
            missing = set(english) - set(value)
            if missing:
                raise PipelineError(
                    f"translations.{language} has no form {sorted(missing)[0]!r}",
                    path=path,
                    line=at,
                    fix=f"give a rendering for every English form: {', '.join(english)}",
                )
            targets[language] = {f: _as_tuple(value[f]) for f in english}
        else:
            targets[language] = {f: _as_tuple(value) for f in english}
    forbidden = getattr(spec, "forbidden", {})
    for language in [*forbidden, *spec.gender]:
        kind = "forbidden" if language in forbidden else "gender"
        _check_language(language, languages, path, _node_line(root, (*where, kind, language)))
    return Entry(
        english,
        targets,
        {k: tuple(v) for k, v in forbidden.items()},
        spec.case_sensitive,
        note=spec.note,
        line=line,
        pos=spec.pos,
        gender=dict(spec.gender),
        enforced=isinstance(spec, TermSpec),
    )


def _items(root: yaml.Node, key: str) -> list[yaml.Node]:
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == key and isinstance(v, yaml.SequenceNode):
                return v.value
    return []


def _check_language(language: str, languages: set[str], path: Path, line: int) -> None:
    if language not in languages:
        raise PipelineError(
            f"unknown language '{language}' (configured: {', '.join(sorted(languages))})",
            path=path,
            line=line,
            fix="use a language of [tool.pipeline.languages], or add that language",
        )


def _register(entry: Entry, seen: dict[str, int], path: Path, line: int) -> None:
    for text in dict.fromkeys(entry.english.values()):  # a verb's past may be its participle
        key = text if entry.case_sensitive else text.casefold()
        key = unicodedata.normalize("NFC", " ".join(key.split()))
        if key in seen:
            raise PipelineError(
                f"duplicate term '{text}' (already defined on line {seen[key]})",
                path=path,
                line=line,
                fix="merge the two entries into one",
            )
        seen[key] = line
