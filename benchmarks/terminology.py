"""The glossary inside Apertium's dictionaries, measured against protect-and-restore.

    .venv/bin/python benchmarks/terminology.py [--shared ../shared] [--skip-eval]

Three ways to translate the same units with the Debian Apertium pairs:
  raw          `apertium -u`, no glossary at all;
  placeholders every term hidden behind a code, the rendering put back after
               (what the pipeline did before, and still does for engines
               without dictionaries);
  overlay      the glossary and vocabulary compiled into the pair's dictionaries.
All three without the pre- and post-editing of preedit.py/postedit.py (measured
by benchmarks/draft_quality.py), so that the dictionaries' own effect shows.

1. The five articles (es, ca): glossary occurrences with the required rendering,
   units with words Apertium does not know, and problems around terms by kind
   (determiner, adjective, verb number, English compound order; in Catalan also
   a lost elision and an elided word before a consonant), all read with the
   target language's analyser (the same one for every method).
2. FLORES-200 devtest (es, ca) and TICO-19 (es; all, and the sentences with a
   glossary term): chrF and BLEU (sacrebleu) against the human references.
3. Apertium's time on the publish's own batches (inline markup as codes, one
   unit per block) against the same sentences as plain text, median of 5.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import sacrebleu
from glossary_terms import term_accuracy  # same folder: run as a script
from publish_speed import children_cpu

from pipeline.agreement import KINDS, analyse, problems
from pipeline.articles import load_articles
from pipeline.config import load_config
from pipeline.engines import get_engine
from pipeline.engines.apertium_dictionary import build_overlay
from pipeline.glossary import Glossary, load_glossary
from pipeline.placeholders import PLACEHOLDER_RE
from pipeline.segment import segment
from pipeline.target_checks import analyser_for, check
from pipeline.translate import run_engine

ROOT = Path(__file__).resolve().parent.parent
PAIRS = {"es": "eng-spa", "ca": "eng-cat"}
REPEAT = 5  # interleaved runs per measure: a busy two-core machine varies by 20%
# Catalan: "la" left whole before a vowel (but not before an unstressed i/u:
# "la inflamació" is right), or "de" before any vowel; not "medul·la òssia".
LOST_ELISION_RE = re.compile(
    r"(?<![\w·'])(?:[Ll]a (?=[hH]?[aeoàèéòóAEOÀÈÉÒÓ])|[Dd]e (?=[hH]?[aeiouàèéíïòóúüAEIOUÀÈÉÍÒÓÚ]))"
    r"(?!i |u |o |a |e )"
)
BAD_ELISION_RE = re.compile(r"\b[dlDL]'(?=[^aeiouàèéíïòóúühAEIOUÀÈÉÍÒÓÚH\W])")


def article_units() -> list[str]:
    config = load_config(ROOT)
    articles = load_articles(config.source_dir, config.root)
    return list(dict.fromkeys(u.text for a in articles for u in segment(a).units()))


def translate(method: str, texts: list[str], lang: str, glossary: Glossary, cache: Path):
    """The engine's Translations for ``texts`` by one of the three methods."""
    engine = get_engine("apertium")
    if method == "raw":
        return run_engine(engine, texts, "en", lang, Glossary([]), edit=False)
    if method == "placeholders":
        return run_engine(engine, texts, "en", lang, glossary, edit=False)
    return run_engine(engine, texts, "en", lang, glossary, cache, edit=False)


def articles(glossary: Glossary, cache: Path) -> None:
    units = article_units()
    print(f"1. The five articles: {len(units)} distinct units per language")
    kinds = [*KINDS, "lost elision", "elided before consonant"]
    header = f"{'':4}{'method':14}{'terms ok':>10}{'unknown':>9}{'run tog.':>9}" + "".join(
        f"{k[:11]:>12}" for k in kinds
    )
    print(header)
    for lang, pair in PAIRS.items():
        overlay = build_overlay(pair, lang, glossary, cache)
        for method in ("raw", "placeholders", "overlay"):
            translations = translate(method, units, lang, glossary, cache)
            outputs = [t.text for t in translations]
            unknown = sum("unknown-words" in t.flags for t in translations)
            glued = sum("run-together" in t.flags for t in translations)
            ok, needed = term_accuracy(glossary, units, outputs, lang)
            counts: Counter = Counter()
            for tokens in analyse(overlay.target_analyser, outputs):
                counts.update({kind for kind, _ in problems(tokens, set(overlay.terms))})
            if lang == "ca":
                plain = [PLACEHOLDER_RE.sub(" ", o) for o in outputs]
                counts["lost elision"] = sum(bool(LOST_ELISION_RE.search(o)) for o in plain)
                counts["elided before consonant"] = sum(
                    bool(BAD_ELISION_RE.search(o)) for o in plain
                )
            catalan_only = kinds[len(KINDS) :]
            cells = "".join(
                f"{'-' if lang != 'ca' and kind in catalan_only else counts[kind]:>12}"
                for kind in kinds
            )
            print(f"{lang:4}{method:14}{f'{ok}/{needed}':>10}{unknown:>9}{glued:>9}{cells}")
    print("(problem columns: units with at least one problem of that kind)")


def evaluation(shared: Path, glossary: Glossary, cache: Path) -> None:
    eval_dir = shared / "eval"
    sets = [
        (
            "FLORES-200 en-es",
            "flores200-devtest/eng_Latn.txt",
            "flores200-devtest/spa_Latn.txt",
            "es",
        ),
        (
            "FLORES-200 en-ca",
            "flores200-devtest/eng_Latn.txt",
            "flores200-devtest/cat_Latn.txt",
            "ca",
        ),
        ("TICO-19 en-es", "tico19-test/eng-spa.eng", "tico19-test/eng-spa.spa", "es"),
    ]
    print("\n2. chrF / BLEU against the human references")
    print(f"{'set':34}{'raw':>14}{'placeholders':>16}{'overlay':>14}")
    for name, src, ref, lang in sets:
        sources = (eval_dir / src).read_text(encoding="utf-8").splitlines()
        refs = (eval_dir / ref).read_text(encoding="utf-8").splitlines()
        rows = {"all": range(len(sources))}
        if name.startswith("TICO"):
            rows["with glossary terms"] = [i for i, s in enumerate(sources) if glossary.terms_in(s)]
        outputs = {
            m: [t.text for t in translate(m, sources, lang, glossary, cache)]
            for m in ("raw", "placeholders", "overlay")
        }
        for label, index in rows.items():
            cells = []
            for method in ("raw", "placeholders", "overlay"):
                hyp = [outputs[method][i] for i in index]
                ref_rows = [[refs[i] for i in index]]
                chrf = sacrebleu.corpus_chrf(hyp, ref_rows).score
                bleu = sacrebleu.corpus_bleu(hyp, ref_rows).score
                cells.append(f"{chrf:.2f}/{bleu:.1f}")
            title = f"{name} ({label}, {len(index)})"
            print(f"{title:34}{cells[0]:>14}{cells[1]:>16}{cells[2]:>14}")


def _timed(runs: dict[str, list[float]], name: str, call, *args, **kwargs):
    wall, cpu = time.perf_counter(), children_cpu()
    result = call(*args, **kwargs)
    runs[name].append(children_cpu() - cpu)
    runs[f"{name} wall"].append(time.perf_counter() - wall)
    return result


def timing(glossary: Glossary, cache: Path) -> None:
    """Apertium's CPU time (all its processes, the figure the target is about: wall
    time on a shared two-core machine varies by 20% from run to run), and wall time."""
    units = article_units() * 8  # ~2,500 units: long enough to time
    plain = [" ".join(PLACEHOLDER_RE.sub(" ", u).split()) for u in units]
    print("\n3. Apertium's time: the publish's batches against the same sentences as plain text")
    for lang, pair in PAIRS.items():
        engine = get_engine("apertium")
        engine.adopt_glossary(glossary, "en", lang, cache)
        analyser = analyser_for("en", lang, glossary, cache)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
            fh.write("\n".join(plain) + "\n")
        protected = [glossary.protect(u, lang)[0] for u in units]
        runs: dict[str, list[float]] = defaultdict(list)
        for _ in range(REPEAT):  # interleaved: the same machine conditions for each
            command = ["apertium", "-u", pair, fh.name]
            _timed(runs, "plain", subprocess.run, command, capture_output=True, check=True)
            outputs = _timed(runs, "batch", engine.translate_batch, units, "en", lang)
            coded = get_engine("apertium")
            _timed(runs, "codes", coded.translate_batch, protected, "en", lang)
            started = time.perf_counter()
            check(analyser, glossary, lang, units, [o.text for o in outputs])
            runs["checks"].append(time.perf_counter() - started)
        med = {k: statistics.median(v) for k, v in runs.items()}
        print(
            f"{lang}: Apertium CPU time: plain text {med['plain']:.2f} s; the publish's batch "
            f"with the glossary in the dictionaries {med['batch']:.2f} s = "
            f"{med['batch'] / med['plain']:.2f}x; with terms as codes {med['codes']:.2f} s = "
            f"{med['codes'] / med['plain']:.2f}x. Wall: {med['plain wall']:.2f} s, "
            f"{med['batch wall']:.2f} s = {med['batch wall'] / med['plain wall']:.2f}x. "
            f"Checks on the output (target analyser): {med['checks']:.2f} s. "
            f"({len(units)} units, medians of {REPEAT})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--skip-eval", action="store_true", help="only the five articles")
    args = parser.parse_args()
    config = load_config(ROOT)
    glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})
    cache = config.cache_dir
    articles(glossary, cache)
    if not args.skip_eval:
        evaluation(args.shared, glossary, cache)
    timing(glossary, cache)


if __name__ == "__main__":
    main()
