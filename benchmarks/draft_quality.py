"""Machine drafts as a reader and a reviewer see them: quality checks counted before
and after the pipeline's own preparation and post-editing.

    .venv/bin/python benchmarks/draft_quality.py [--shared ../shared] [--before REV]

1. The five articles (es, ca), Apertium with the glossary in its dictionaries:
   units failing each check (qa.py, guard.py, and the target analyser's
   unknown-words / run-together / agreement), "before" = the glossary of git
   revision REV (default d971321, the terminology work) with no pre- or
   post-editing; "after" = today's glossary, preedit.py and postedit.py.
2. translate-toolkit's pofilter (every test but isfuzzy, --language set) on the catalogs under
   translations/: units failing, and each failure listed.
3. FLORES-200 devtest (es, ca) and TICO-19 (es): chrF of what the page shows
   (the English where the output guard stops a unit) against raw `apertium -u`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import sacrebleu
from terminology import article_units  # same folder: run as a script

from pipeline.config import load_config
from pipeline.engines import get_engine
from pipeline.glossary import Glossary, load_glossary
from pipeline.guard import BLOCKING, CHECKS, inspect
from pipeline.translate import run_engine

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("es", "ca")
ANALYSER_FLAGS = ("unknown-words", "run-together", "agreement")


def glossary_at(revision: str, languages: set[str], folder: Path) -> Glossary:
    text = subprocess.run(
        ["git", "show", f"{revision}:glossary.yaml"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    path = folder / "glossary.yaml"
    path.write_text(text, encoding="utf-8")
    return load_glossary(path, languages)


def failures(units: list[str], translations, lang: str) -> Counter:
    counts: Counter = Counter()
    for source, out in zip(units, translations, strict=True):
        _, problems = inspect(source, out.text, lang)
        counts.update(set(problems) | (set(out.flags) & set(ANALYSER_FLAGS)))
    return counts


def articles(before: Glossary, after: Glossary, cache: Path, scratch: Path) -> None:
    units = article_units()
    engine = get_engine("apertium")
    print(f"1. The five articles: {len(units)} distinct units per language; units failing")
    checks = [*CHECKS, *ANALYSER_FLAGS]
    heads = "".join(f"{lang + ' before':>11}{lang + ' after':>10}" for lang in LANGS)
    print(f"{'check':16}{heads}")
    table = {}
    for lang in LANGS:
        old = run_engine(engine, units, "en", lang, before, scratch / "cache", edit=False)
        new = run_engine(engine, units, "en", lang, after, cache)
        table[lang] = (failures(units, old, lang), failures(units, new, lang))
    for check in checks:
        cells = "".join(f"{table[lang][0][check]:>11}{table[lang][1][check]:>10}" for lang in LANGS)
        print(f"{check:16}{cells}")


def pofilter() -> None:
    print("\n2. pofilter (translate-toolkit, all tests but isfuzzy) on translations/")
    for lang in LANGS:
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "pofilter"),
                    "--excludefilter=isfuzzy",
                    f"--language={lang}",  # Spanish ¿ ¡ are not "different punctuation"
                    "--fuzzy",  # machine drafts are fuzzy: check them too
                    "-i",
                    str(ROOT / "translations" / lang),
                    "-o",
                    out,
                ],
                capture_output=True,
                check=True,
            )
            found = []
            for po in sorted(Path(out).glob("*.po")):
                text = po.read_text(encoding="utf-8")
                for block in text.split("\n\n")[1:]:
                    tests = re.findall(r"\(pofilter\) (\w+)", block)
                    msgid = re.search(r'msgid "(.*)"', block)
                    english = msgid.group(1) if msgid else ""
                    if not english and (more := re.search(r'msgid ""\n"(.*)"', block)):
                        english = more.group(1)
                    if tests:
                        found.append((po.stem, ",".join(tests), english))
        print(f"{lang}: {len(found)} units fail")
        for slug, tests, english in found:
            print(f"  {slug[:28]:28} {tests:28} {english[:60]}")


def evaluation(shared: Path, glossary: Glossary, cache: Path) -> None:
    eval_dir = shared / "eval"
    sets = [
        ("FLORES-200 en-es", "flores200-devtest/eng_Latn.txt", "flores200-devtest/spa_Latn.txt"),
        ("FLORES-200 en-ca", "flores200-devtest/eng_Latn.txt", "flores200-devtest/cat_Latn.txt"),
        ("TICO-19 en-es", "tico19-test/eng-spa.eng", "tico19-test/eng-spa.spa"),
    ]
    print("\n3. chrF of what the page shows, against raw `apertium -u`")
    print(f"{'set':22}{'raw':>8}{'page':>8}{'stopped by the guard':>24}")
    engine = get_engine("apertium")
    for name, src, ref in sets:
        lang = "ca" if name.endswith("ca") else "es"
        sources = (eval_dir / src).read_text(encoding="utf-8").splitlines()
        refs = [(eval_dir / ref).read_text(encoding="utf-8").splitlines()]
        raw = run_engine(engine, sources, "en", lang, Glossary([]), edit=False)
        page, stopped = [], 0
        drafts = run_engine(engine, sources, "en", lang, glossary, cache)
        for source, out in zip(sources, drafts, strict=True):
            text, problems = inspect(source, out.text, lang)
            blocked = bool(set(problems) & BLOCKING)
            stopped += blocked
            page.append(source if blocked else text)
        raw_chrf = sacrebleu.corpus_chrf([t.text for t in raw], refs).score
        page_chrf = sacrebleu.corpus_chrf(page, refs).score
        print(f"{name:22}{raw_chrf:>8.2f}{page_chrf:>8.2f}{stopped:>24}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--before", default="d971321")
    parser.add_argument("--skip-eval", action="store_true")
    args = parser.parse_args()
    config = load_config(ROOT)
    languages = {lang.code for lang in config.languages}
    glossary = load_glossary(config.glossary, languages)
    with tempfile.TemporaryDirectory() as scratch:
        before = glossary_at(args.before, languages, Path(scratch))
        articles(before, glossary, config.cache_dir, Path(scratch))
    pofilter()
    if not args.skip_eval:
        evaluation(args.shared, glossary, config.cache_dir)


if __name__ == "__main__":
    main()
