"""Glossary enforcement, measured: pipeline versus raw Apertium on the same units.

    .venv/bin/python benchmarks/glossary_terms.py [--shared ../shared]

1. The five articles, English to Spanish and Catalan: of all glossary term
   occurrences, how many carry the required rendering.
2. TICO-19 (medical) sentences that contain a glossary term, English to
   Spanish: term accuracy, chrF and BLEU against the human references.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import sacrebleu

from pipeline.articles import load_articles
from pipeline.config import load_config
from pipeline.engines import get_engine
from pipeline.glossary import Glossary, load_glossary
from pipeline.segment import segment
from pipeline.translate import run_engine

ROOT = Path(__file__).resolve().parent.parent


def term_accuracy(glossary: Glossary, sources: list[str], outputs: list[str], lang: str):
    needed = carried = 0
    for source, output in zip(sources, outputs, strict=True):
        wanted, present = glossary.coverage(source, output, lang)
        needed += sum(wanted.values())
        carried += sum(min(n, present[entry]) for entry, n in wanted.items())
    return carried, needed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    config = load_config(ROOT)
    glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})
    apertium = get_engine("apertium")
    empty = Glossary([])

    articles = load_articles(config.source_dir, config.root)
    units = list(dict.fromkeys(u.text for a in articles for u in segment(a).units()))
    print(f"Five articles: {len(units)} distinct units, {len(glossary)} glossary entries")
    print(f"{'pair':8} {'occurrences':>12} {'raw Apertium':>14} {'pipeline':>10}")
    for lang in ("es", "ca"):
        raw = [t.text for t in run_engine(apertium, units, "en", lang, empty)]
        ours = [t.text for t in run_engine(apertium, units, "en", lang, glossary)]
        raw_ok, needed = term_accuracy(glossary, units, raw, lang)
        ours_ok, _ = term_accuracy(glossary, units, ours, lang)
        print(
            f"en->{lang:4} {needed:12} {raw_ok:8} ({raw_ok / needed:.1%}) "
            f"{ours_ok:4} ({ours_ok / needed:.1%})"
        )

    tico = args.shared / "eval" / "tico19-test"
    english = (tico / "eng-spa.eng").read_text(encoding="utf-8").splitlines()
    spanish = (tico / "eng-spa.spa").read_text(encoding="utf-8").splitlines()
    pairs = [(s, r) for s, r in zip(english, spanish, strict=True) if glossary.occurrences(s)]
    sources, references = [s for s, _ in pairs], [r for _, r in pairs]
    print(f"\nTICO-19 en->es: {len(pairs)} of {len(english)} sentences contain glossary terms")
    print(f"{'':14} {'term accuracy':>14} {'chrF':>7} {'BLEU':>7}")
    counts = Counter()
    for name, gloss in (("raw Apertium", empty), ("pipeline", glossary)):
        outputs = [t.text for t in run_engine(apertium, sources, "en", "es", gloss)]
        ok, needed = term_accuracy(glossary, sources, outputs, "es")
        chrf = sacrebleu.corpus_chrf(outputs, [references]).score
        bleu = sacrebleu.corpus_bleu(outputs, [references]).score
        counts[name] = chrf
        print(f"{name:14} {ok:5}/{needed:<4} {ok / needed:6.1%} {chrf:7.2f} {bleu:7.2f}")
    print(f"chrF difference (pipeline - raw): {counts['pipeline'] - counts['raw Apertium']:+.2f}")


if __name__ == "__main__":
    main()
