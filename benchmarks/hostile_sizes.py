"""Inputs built to exhaust the pipeline, timed: a 1 MB paragraph, a 4,000-term glossary,
and the inputs that are refused by a stated limit instead of running for minutes.

    .venv/bin/python benchmarks/hostile_sizes.py [--repeat 5]

Every run is a fresh `pipeline publish` process with the pseudo engine (no engine
time to hide the pipeline's own). Targets: a 1 MB paragraph publishes in under 5 s
(cold, and after a one-word edit of a paragraph whose translation a human
approved); the five articles with a 4,000-term glossary cost under 2x the
client's 50-term one (paired runs, median).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = """[tool.pipeline]
site_name = "Bench"

[tool.pipeline.languages.es]
locale = "es_ES"
engines = ["pseudo"]

[tool.pipeline.languages.ca]
locale = "ca_ES"
engines = ["pseudo"]

[tool.pipeline.languages.zh]
locale = "zh_Hans_CN"
engines = ["pseudo"]
"""
WORDS = [
    *("stem", "cells", "repair", "damaged", "tissue", "and", "reduce", "pain", "in", "the"),
    *("joints", "of", "many", "patients"),
]


def publish(project: Path) -> tuple[float, subprocess.CompletedProcess]:
    command = [sys.executable, "-m", "pipeline", "publish", "-q", "--project", str(project)]
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    return time.perf_counter() - started, run


def project(root: Path, name: str, glossary: Path | None = None) -> Path:
    folder = root / name
    (folder / "source").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(CONFIG)
    if glossary is not None:
        shutil.copy(glossary, folder / "glossary.yaml")
    return folder


def paragraph(size: int, sentences: bool, rng: random.Random) -> str:
    parts, length = [], 0
    while length < size:
        count = rng.randint(8, 20) if sentences else 1000
        words = " ".join(rng.choice(WORDS) for _ in range(count))
        part = words.capitalize() + "." if sentences else words
        parts.append(part)
        length += len(part) + 1
    return " ".join(parts)[:size]


def article(slug: str, body: str) -> str:
    return f"---\ntitle: {slug.title()}\nslug: {slug}\n---\n\n{body}\n"


def approve_all(folder: Path) -> None:
    """What a translator does in Poedit: every entry loses its fuzzy flag (and with it
    the pipeline's machine-translation comment)."""
    for po in (folder / "translations").rglob("*.po"):
        text = po.read_text(encoding="utf-8")
        po.write_text(re.sub(r"^(#, fuzzy|# pipeline-flags: .*)\n", "", text, flags=re.M))


def big_paragraph(root: Path, sentences: bool, repeat: int, rng: random.Random) -> None:
    kind = "sentences" if sentences else "one sentence"
    text = article("big", paragraph(1_000_000, sentences, rng))
    colds, edits = [], []
    for n in range(repeat):  # the machine's speed drifts: the median of fresh projects
        folder = project(root, f"paragraph-{'many' if sentences else 'one'}-{n}")
        path = folder / "source" / "big.md"
        path.write_text(text)
        cold, run = publish(folder)
        assert run.returncode == 0, run.stderr
        approve_all(folder)
        publish(folder)
        middle = text.index(" ", len(text) // 2)
        path.write_text(text[:middle] + " newly added words" + text[middle:])
        edited, run = publish(folder)
        assert run.returncode == 0, run.stderr
        colds.append(cold)
        edits.append(edited)
    cold, edited = statistics.median(colds), statistics.median(edits)
    verdict = "ok" if max(cold, edited) < 5 else "OVER 5 s"
    print(
        f"1 MB paragraph ({kind}), 3 languages: cold {cold:.2f} s; after a one-word edit "
        f"of an approved paragraph {edited:.2f} s (medians of {repeat})  [{verdict}]"
    )


def big_glossary(path: Path, terms: int, rng: random.Random) -> None:
    """The client's glossary plus generated terms (one to three made-up words each)."""
    base = (ROOT / "glossary.yaml").read_text(encoding="utf-8")
    head, keep = base.split("\ndo_not_translate:")
    syllables = ["ka", "lo", "mi", "ne", "tu", "ra", "si", "po", "fe", "gu", "da", "ve"]
    seen, extra = set(), []
    while len(extra) < terms - head.count("\n  - en:"):
        word = " ".join(
            "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(1, 3))
        )
        if word not in seen:
            seen.add(word)
            extra.append(f"  - en: {word}\n    translations: {{es: {word}a, ca: {word}e}}\n")
    path.write_text(head.rstrip("\n") + "\n" + "".join(extra) + "\ndo_not_translate:" + keep)


def glossary_cost(root: Path, repeat: int, rng: random.Random) -> None:
    large = root / "glossary-4000.yaml"
    big_glossary(large, 4000, rng)
    small_times, large_times = [], []
    for n in range(repeat):  # paired: the same machine conditions for both
        for glossary, times in ((ROOT / "glossary.yaml", small_times), (large, large_times)):
            folder = project(root, f"glossary-{glossary.stem}-{n}", glossary)
            shutil.rmtree(folder / "source")
            shutil.copytree(ROOT / "source", folder / "source")
            seconds, run = publish(folder)
            assert run.returncode == 0, run.stderr
            times.append(seconds)
    small, large_median = statistics.median(small_times), statistics.median(large_times)
    ratio = large_median / small
    verdict = "ok" if ratio < 2 else "OVER 2x"
    print(
        f"five articles, 3 languages: 50-term glossary {small:.2f} s, 4,000-term "
        f"{large_median:.2f} s (medians of {repeat}) = {ratio:.2f}x  [{verdict}]"
    )


def refused(root: Path) -> None:
    folder = project(root, "table")
    rows = "\n".join(f"| cell {i} | value {i % 97} |" for i in range(100_000))
    (folder / "source" / "table.md").write_text(article("table", "| a | b |\n| - | - |\n" + rows))
    seconds, run = publish(folder)
    print(f"100,000-row table: refused in {seconds:.2f} s: {run.stderr.strip()}")
    folder = project(root, "alias-bomb")
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    (folder / "glossary.yaml").write_text("\n".join(lines) + "\nterms: []\n")
    (folder / "source" / "a.md").write_text(article("a", "Text."))
    seconds, run = publish(folder)
    print(f"YAML alias bomb (9^9 items): refused in {seconds:.2f} s: {run.stderr.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hostile-sizes-"))
    rng = random.Random(20)
    try:
        big_paragraph(root, sentences=True, repeat=args.repeat, rng=rng)
        big_paragraph(root, sentences=False, repeat=args.repeat, rng=rng)
        glossary_cost(root, args.repeat, rng)
        refused(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
