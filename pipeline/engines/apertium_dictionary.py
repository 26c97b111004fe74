"""The glossary inside Apertium: lttoolbox dictionaries appended to an installed pair.

Hiding a term from a rule-based engine behind a code gets the term right and the
sentence wrong: the engine no longer sees a noun with a gender and a number, so
verbs, determiners and adjectives around it stop agreeing ("Células madre
puede"). Here every glossary term and vocabulary word becomes a real word of
the pair, in the three dictionaries a translation passes through:

* English analysis (``automorf``): each English form with its lemma and tags
  (``stem cells`` -> ``stem cell<n><pl>``), multiwords included;
* bilingual (``autobil``): the lemma to the required rendering with its part of
  speech and gender (``stem cell<n>`` -> ``célula madre<n><f>``); where the pair
  already translates the word another way ("cell" -> "celda"), the entry's
  weight puts the glossary's rendering first, and the pair's own lexical
  selection step takes the first translation where no rule of its own applies
  (no extra step in the pipeline: an ``lrx-proc`` of our own cost 10% of the
  engine's time);
* target generation (``autogen``): every form the target needs
  (``célula madre<n><f><pl>`` -> ``células madre``; adjectives in all four
  gender and number forms).

Only what the pair lacks is added: a form the pair already analyses or
generates as wanted is left alone. Each dictionary is compiled with
``lt-comp``, appended to the installed one with ``lt-append``, and a mode (the
pair's own pipeline, pointing at the merged files) is written beside them.
The result lives under ``.pipeline-cache/apertium/`` and is rebuilt only when
the glossary's entries, the installed pair or this builder change.

Parts of speech and genders come from the glossary when it says (``pos``,
``gender``); otherwise from the shape of the renderings (two or four forms: an
adjective) and the target language's own analyser (the gender of the head noun
of "células madre" is that of "células").
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from ..errors import PipelineError
from ..lttoolbox import LttoolboxFailed, lookup, run

# This module's own code is part of every cached overlay's key: a change rebuilds them.
BUILDER = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
DATADIR = Path("/usr/share/apertium")
TOOLS = ("lt-comp", "lt-append", "lt-proc")
# Glossary entries of the bilingual dictionary weigh less than the pair's (0), so
# lt-proc -b lists them first among a word's translations.
PREFERRED = "-1"
TOOLCHAIN_FIX = "sudo apt-get install lttoolbox-dev"
MODE_SUFFIX = "-glossary"
NUMBERS = ("sg", "pl")
GENDERS = ("m", "f", "mf")
# The English analyser's tags for each form a vocabulary verb names.
VERB_TAGS = {
    "infinitive": ("<inf>", "<pres>"),
    "present": ("<pri><p3><sg>",),
    "past": ("<past>",),
    "participle": ("<pp>",),
    "gerund": ("<ger>", "<pprs>"),
}


class OverlayUnavailable(LttoolboxFailed):
    """The dictionaries cannot be built here (tools missing, a pair's files not found)."""


@dataclass(frozen=True)
class PairFiles:
    """The installed pair, as its mode file names it."""

    mode: Path
    pipeline: str  # the mode's shell pipeline
    analyser: Path  # English analysis
    bilingual: Path
    generator: Path
    target_analyser: Path | None  # the reverse pair's analyser (genders, checks)
    target_flag: str | None = None  # how the reverse pair runs it ("-w": dictionary case)

    def fingerprint(self) -> list:
        files = [self.mode, self.analyser, self.bilingual, self.generator]
        files += [self.target_analyser] if self.target_analyser else []
        return [self.pipeline, *[(str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files]]


def pair_files(pair: str) -> PairFiles:
    mode = DATADIR / "modes" / f"{pair}.mode"
    try:
        pipeline = mode.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise OverlayUnavailable(
            f"the Apertium mode {mode} cannot be read", f"sudo apt-get install apertium-{pair}"
        ) from exc
    analyser = _mode_file(pipeline, r"^lt-proc(?: -w)? '([^']+)'")
    bilingual = _mode_file(pipeline, r"lt-proc -b '([^']+)'")
    generator = _mode_file(pipeline, r"lt-proc \$1 '([^']+)'")
    if not (analyser and bilingual and generator):
        raise OverlayUnavailable(
            f"the mode {mode} is not the usual analysis-transfer-generation pipeline",
            "translate this pair with glossary placeholders (report the pair)",
        )
    source, target = pair.split("-", 1)
    reverse = DATADIR / "modes" / f"{target}-{source}.mode"
    target_analyser, target_flag = None, None
    if reverse.exists():
        text = reverse.read_text(encoding="utf-8").strip()
        target_analyser = _mode_file(text, r"^lt-proc(?: -w)? '([^']+)'")
        target_flag = "-w" if text.startswith("lt-proc -w") else None
    return PairFiles(mode, pipeline, analyser, bilingual, generator, target_analyser, target_flag)


def _mode_file(pipeline: str, pattern: str) -> Path | None:
    match = re.search(pattern, pipeline.strip())
    return Path(match.group(1)) if match else None


# --- what each entry becomes -----------------------------------------------------------


@dataclass
class Word:
    """One English lemma of the glossary, as the pair's dictionaries need it."""

    line: int  # in glossary.yaml
    pos: str  # "n", "adj", "adv", "vblex" or "np"
    lemma: str  # English lemma
    forms: dict[str, tuple[str, ...]]  # English surface -> its tags after the part of speech
    target: str  # target lemma
    gender: str | None  # nouns and names
    generated: dict[str, str]  # target tags after the part of speech -> surface
    enforced: bool = True

    @property
    def source_tags(self) -> str:
        return "<np><al>" if self.pos == "np" else f"<{self.pos}>"

    def target_tags(self) -> str:
        if self.pos in ("np", "n"):
            return f"{self.source_tags}<{self.gender}>"
        if self.pos == "adj" and self.gender == "mf":
            return "<adj><mf>"
        return f"<{self.pos}>"

    @property
    def probe(self) -> str:
        """A lexical form of the lemma for a bilingual lookup."""
        return (
            self.lemma
            + self.source_tags
            + {"adj": "", "adv": "", "vblex": "<inf>"}.get(self.pos, "<sg>")
        )


def words_for(entries: Iterable, language: str, analyse, glossary_path: Path) -> list[Word]:
    """The words of ``entries`` that have a rendering in ``language``.

    ``analyse(lines, side)`` gives each line's lexical units, analysed by the
    English ("source") or the target ("target") analyser.
    """
    words = []
    for entry in entries:
        if entry.keep:
            name = entry.name
            generated = {f"<{g}><{n}>": name for g in GENDERS for n in NUMBERS}
            words.append(
                Word(
                    entry.line,
                    "np",
                    name,
                    {name: ("<sg>",)},
                    name,
                    entry.gender.get(language, "m"),
                    generated,
                    entry.enforced,
                )
            )
            continue
        if language not in entry.targets:
            continue
        words.extend(_words_of_entry(entry, language, analyse, glossary_path))
    return words


def _words_of_entry(entry, language: str, analyse, glossary_path: Path) -> list[Word]:
    targets = entry.targets[language]
    shapes = {len(renderings) for renderings in targets.values()}
    pos = entry.pos or ("adj" if shapes & {2, 4} else None)
    head = entry.rendering(language, "singular" if "singular" in targets else next(iter(targets)))
    if pos is None:
        tags = _tags(analyse([head.split()[0]], "target")[0])
        pos = (
            "adj"
            if any(t.startswith("<adj>") for t in tags)
            and not any(t.startswith("<n>") for t in tags)
            else "n"
        )
    if pos == "adj":
        return [_adjective(entry, language)]
    if pos in ("adv", "vblex"):  # invariable; a verb is one the target already conjugates
        english = entry.english
        forms: dict[str, tuple[str, ...]] = {}
        for name, text in english.items():
            forms[text] = forms.get(text, ()) + VERB_TAGS.get(name, ("",))
        generated: dict[str, str] = {"": head} if pos == "adv" else {}
        lemma = english.get("infinitive") or next(iter(english.values()))
        return [Word(entry.line, pos, lemma, forms, head, None, generated, entry.enforced)]
    gender = entry.gender.get(language) or _gender(head, analyse)
    if gender is None:
        raise PipelineError(
            f"cannot tell the gender of '{head}' ({language}): the {language} analyser does "
            "not know its head noun",
            path=glossary_path,
            line=entry.line,
            fix=f"add  gender: {{{language}: f}}  (or m) to the entry",
        )
    # One lemma per English singular (its plural goes with it); other forms are lemmas too.
    lemmas: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, english in entry.english.items():
        lemma = (
            entry.english.get("singular", english) if name in ("singular", "plural") else english
        )
        number = _number(name, english, analyse)
        lemmas.setdefault(lemma, {})[english] = (f"<{number}>",)
    words = []
    for lemma, english_forms in lemmas.items():
        generated = {}  # tag -> the target form
        for english, (number,) in english_forms.items():
            name = next(n for n, text in entry.english.items() if text == english)
            generated[f"<{gender}>{number}"] = entry.rendering(language, name)
        target = next(
            (
                entry.rendering(language, n)
                for n, t in entry.english.items()
                if t in english_forms and english_forms[t] == ("<sg>",)
            ),
            next(iter(generated.values())),
        )
        words.append(
            Word(entry.line, "n", lemma, english_forms, target, gender, generated, entry.enforced)
        )
    return words


def _adjective(entry, language: str) -> Word:
    renderings = next(iter(entry.targets[language].values()))
    if len(renderings) == 4:  # masculine and feminine, singular and plural
        ms, fs, mp, fp = renderings
        gender = None
    elif len(renderings) == 2:  # one form per number, both genders
        ms, mp = renderings
        fs, fp, gender = ms, mp, "mf"
    else:
        ms = fs = mp = fp = renderings[0]
        gender = "mf"
    generated = {"<m><sg>": ms, "<f><sg>": fs, "<m><pl>": mp, "<f><pl>": fp}
    if gender == "mf":  # one form for both genders: the pair's own tag for that too
        generated |= {"<mf><sg>": ms, "<mf><pl>": mp}
    english: dict[str, tuple[str, ...]] = {text: ("",) for text in entry.english.values()}
    lemma = next(iter(entry.english.values()))
    return Word(entry.line, "adj", lemma, english, ms, gender, generated, entry.enforced)


def _tags(units: list[tuple[str, list[str]]]) -> list[str]:
    """The tags of the analyses of a single-unit line ([] when unknown or several units)."""
    if len(units) != 1:
        return []
    return [a[a.index("<") :] for a in units[0][1] if "<" in a]


def _gender(rendering: str, analyse) -> str | None:
    """The gender of a noun phrase's head: its first word that the analyser calls a noun."""
    for word in rendering.split():
        tags = _tags(analyse([word], "target")[0])
        genders = {m.group(1) for t in tags if (m := re.match(r"<n><(m|f|mf)>", t))}
        if genders:
            return "mf" if len(genders) > 1 else genders.pop()
    return None


def _number(name: str, english: str, analyse) -> str:
    if name in ("singular", "plural"):
        return "sg" if name == "singular" else "pl"
    tags = _tags(analyse([english.split()[-1]], "source")[0])
    return "pl" if tags and all(t.startswith("<n><pl>") for t in tags) else "sg"


# --- the dictionaries -------------------------------------------------------------------


def _text(value: str) -> str:
    return escape(value, quote=False).replace(" ", "<b/>")


def _symbols(tags: str) -> str:
    return "".join(f'<s n="{t}"/>' for t in re.findall(r"<([^<>]+)>", tags))


def _dix(entries: list[tuple[str, str]], section: str) -> str:
    """A dictionary of (left, right) pairs (right: lemma plus tags)."""
    names = sorted({t for _, right in entries for t in re.findall(r"<([^<>]+)>", right)})
    lines = [
        "<dictionary>",
        "<alphabet/>",
        "<sdefs>" + "".join(f'<sdef n="{n}"/>' for n in names) + "</sdefs>",
        f'<section id="{section}" type="standard">',
    ]
    for left, right in dict.fromkeys(entries):
        lemma, _, tags = right.partition("<")
        tags = "<" + tags if tags else ""
        lines.append(f"<e><p><l>{_text(left)}</l><r>{_text(lemma)}{_symbols(tags)}</r></p></e>")
    lines += ["</section>", "</dictionary>", ""]
    return "\n".join(lines)


def _bidix(entries: list[tuple[str, str]]) -> str:
    """A bilingual dictionary: (source lemma+tags, target lemma+tags)."""
    names = sorted(
        {t for pair in entries for side in pair for t in re.findall(r"<([^<>]+)>", side)}
    )
    lines = [
        "<dictionary>",
        "<alphabet/>",
        "<sdefs>" + "".join(f'<sdef n="{n}"/>' for n in names) + "</sdefs>",
        '<section id="pipeline-glossary" type="standard">',
    ]
    for left, right in dict.fromkeys(entries):
        sides = []
        for side in (left, right):
            lemma, _, tags = side.partition("<")
            sides.append(_text(lemma) + _symbols("<" + tags if tags else ""))
        lines.append(f'<e w="{PREFERRED}"><p><l>{sides[0]}</l><r>{sides[1]}</r></p></e>')
    lines += ["</section>", "</dictionary>", ""]
    return "\n".join(lines)


@dataclass
class Overlay:
    """A built overlay: ``apertium -d folder <mode>`` translates with the glossary inside."""

    folder: Path
    mode: str
    target_analyser: Path | None  # target analysis with the renderings (checks)
    added: dict[str, int] = field(default_factory=dict)  # dictionary -> entries added
    terms: frozenset[str] = frozenset()  # target lemmas of the enforced terms (casefolded)


def _missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def build_overlay(pair: str, language: str, glossary, cache_root: Path) -> Overlay | None:
    """The overlay of ``glossary`` for ``pair`` (None when it has nothing for the pair)."""
    entries = [*glossary.entries, *glossary.vocabulary]
    relevant = [e for e in entries if e.keep or language in e.targets]
    if not relevant:
        return None
    missing = _missing_tools()
    if missing:
        raise OverlayUnavailable(
            f"the lttoolbox programs {', '.join(missing)} are not installed",
            TOOLCHAIN_FIX,
        )
    files = pair_files(pair)
    key = hashlib.sha256(
        json.dumps(
            [BUILDER, language, files.fingerprint(), [_describe(e, language) for e in relevant]],
            ensure_ascii=False,
            default=str,
        ).encode("utf-8")
    ).hexdigest()[:16]
    folder = cache_root / "apertium" / f"{pair}-{key}"
    overlay = _load(folder, pair, files)
    if overlay is not None:
        return overlay
    cache_root.joinpath("apertium").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{pair}-", dir=cache_root / "apertium"))
    try:
        added, terms = _build(work, folder, pair, language, relevant, files, glossary)
        built = {"added": added, "terms": sorted(terms)}
        (work / "built.json").write_text(json.dumps(built, ensure_ascii=False), encoding="utf-8")
        try:
            os.replace(work, folder)  # built whole, or not there
        except OSError:  # another process built it meanwhile
            shutil.rmtree(work, ignore_errors=True)
        for old in (cache_root / "apertium").glob(f"{pair}-*"):
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _load(folder, pair, files)


def _describe(entry, language: str) -> list:
    return [
        entry.english,
        entry.targets.get(language),
        entry.keep,
        entry.pos,
        entry.gender.get(language),
        entry.case_sensitive,
        entry.enforced,
    ]


def _load(folder: Path, pair: str, files: PairFiles) -> Overlay | None:
    try:
        built = json.loads((folder / "built.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    target = folder / "target-analyser.bin"
    return Overlay(
        folder,
        pair + MODE_SUFFIX,
        target if target.exists() else None,
        built["added"],
        frozenset(built["terms"]),
    )


def _build(
    work: Path, final: Path, pair: str, language: str, entries, files: PairFiles, glossary
) -> tuple[dict[str, int], set[str]]:
    """Build in ``work``; the mode names the files as they will be in ``final``."""

    def analyse(lines: list[str], side: str):
        binary = files.analyser if side == "source" else files.target_analyser
        if binary is None:
            return [[] for _ in lines]
        return lookup(binary, None, lines)

    words = words_for(entries, language, analyse, glossary.path)
    _check_verbs(words, files, language, glossary.path)
    analysis, bilingual, generation, preferred = _entries(words, files)
    built: dict[str, int] = {}
    merged = {
        "analyser": files.analyser,
        "bilingual": files.bilingual,
        "generator": files.generator,
    }
    for name, pairs, direction, original in (
        ("analyser", analysis, "lr", files.analyser),
        ("bilingual", bilingual, "lr", files.bilingual),
        ("generator", generation, "rl", files.generator),
    ):
        built[name] = len(pairs)
        # The pair's own file name: apertium-wblank-mode finds the analyser and the
        # generator by it ("*.automorf.bin") to keep inline markup on its words.
        target = work / original.name
        if pairs:
            dix = work / f"{name}.dix"
            dix.write_text(
                _bidix(pairs) if name == "bilingual" else _dix(pairs, "pipeline-glossary"),
                encoding="utf-8",
            )
            run(["lt-comp", direction, str(dix), str(work / f"{name}-own.bin")])
            run(["lt-append", str(original), str(work / f"{name}-own.bin"), str(target)])
        else:
            shutil.copy(original, target)
        merged[name] = target
    if files.target_analyser is not None:  # the renderings, for the checks on the output
        dix = work / "target.dix"  # every rendering, including those the pair generates
        renderings = [
            (surface, f"{w.target}{'<np><al>' if w.pos == 'np' else f'<{w.pos}>'}{tags}")
            for w in words
            for tags, surface in w.generated.items()
        ]
        dix.write_text(_dix(renderings, "pipeline-glossary"), encoding="utf-8")
        run(["lt-comp", "lr", str(dix), str(work / "target-own.bin")])
        run(
            [
                "lt-append",
                str(files.target_analyser),
                str(work / "target-own.bin"),
                str(work / "target-analyser.bin"),
            ]
        )
    pipeline = files.pipeline
    for name, original in (
        ("analyser", files.analyser),
        ("bilingual", files.bilingual),
        ("generator", files.generator),
    ):
        pipeline = pipeline.replace(f"'{original}'", f"'{merged[name]}'")
    built["preferred"] = preferred
    (work / "modes").mkdir()
    pipeline = pipeline.replace(f"'{work}/", f"'{final}/")
    (work / "modes" / f"{pair}{MODE_SUFFIX}.mode").write_text(pipeline + "\n", encoding="utf-8")
    terms = {w.target.casefold() for w in words if w.enforced and w.pos in ("n", "np")}
    return built, terms


def _check_verbs(words: list[Word], files: PairFiles, language: str, glossary: Path) -> None:
    """A vocabulary verb's rendering must be a verb the target generator conjugates."""
    verbs = [w for w in words if w.pos == "vblex"]
    lines = "".join(f"^{w.target}<vblex><inf>$\n" for w in verbs)
    out = run(["lt-proc", "-g", str(files.generator)], lines).split("\n") if verbs else []
    for word, generated in zip(verbs, out, strict=False):
        if generated.startswith("#") or not generated.strip():
            raise PipelineError(
                f"the {language} generator does not conjugate the verb '{word.target}'",
                path=glossary,
                line=word.line,
                fix=f"translate '{word.lemma}' with a {language} verb Apertium knows",
            )


def _entries(words: list[Word], files: PairFiles):
    """What each dictionary lacks: (analysis, bilingual, generation), and how many
    bilingual entries outrank a translation of the pair's own."""
    analysis, bilingual, generation, preferred = [], [], [], 0
    # English analysis: forms the pair does not analyse as the glossary means them.
    forms = [(w, surface, t) for w in words for surface, tags in w.forms.items() for t in tags]
    known = lookup(files.analyser, None, [surface for _, surface, _ in forms])
    for (word, surface, tags), units in zip(forms, known, strict=True):
        reading = f"{word.lemma}{word.source_tags}{tags}".casefold()
        if not any(reading == r.casefold() for r in (units[0][1] if len(units) == 1 else [])):
            analysis.append((surface, f"{word.lemma}{word.source_tags}{tags}"))
    # Bilingual: the lemma to the rendering, unless the pair already gives only that.
    translated = lookup(files.bilingual, "-b", [f"^{w.probe}$" for w in words])
    for word, units in zip(words, translated, strict=True):
        readings = units[0][1] if units else []
        wanted = f"{word.target}{word.target_tags()}"
        found = [r for r in readings if not r.startswith("@")]
        ours = [r for r in found if r.casefold().startswith(wanted.casefold())]
        rivals = len(found) > len(ours)
        if not ours or rivals:  # an entry of the pair's own is outranked by the weight
            bilingual.append((f"{word.lemma}{word.source_tags}", wanted))
        preferred += rivals
    # Generation: every form the target needs, unless the pair already generates it. The
    # pair's transfer lower-cases a sentence's first word when it puts a determiner
    # before it ("MSCs have" -> "Las msc"): acronyms are generated from their lower-cased
    # lemma too (a name or "iPSC" would then be generated twice).
    needed = []
    for word in words:
        tags = "<np><al>" if word.pos == "np" else f"<{word.pos}>"
        lower = word.pos == "n" and word.target.isupper()  # mixed case ("iPSC") matches twice
        lemmas = dict.fromkeys([word.target, *([word.target.lower()] if lower else [])])
        for lemma in lemmas:
            needed += [
                (f"{lemma}{tags}{more}", surface) for more, surface in word.generated.items()
            ]
    lexical = "".join(f"^{form}$\n" for form, _ in needed)
    generated = run(["lt-proc", "-g", str(files.generator)], lexical).split("\n")
    for (form, surface), out in zip(needed, generated, strict=False):
        if out.strip() != surface:
            generation.append((surface, form))
    return analysis, bilingual, generation, preferred
