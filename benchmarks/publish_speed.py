"""Publish speed and memory on a generated corpus (a benchmark, not a test).

    .venv/bin/python benchmarks/publish_speed.py [--articles 1000] [--workdir DIR]

Builds N articles from the client's sentences (deterministic), three
languages (es and ca through Apertium, zh through pseudo), then measures in
fresh processes:

1. cold publish: engine time versus the pipeline's own time;
2. no-op publish (nothing changed);
3. publish after one changed sentence: units sent per language and time;
4. peak memory (max RSS) of the cold publish.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """
[tool.pipeline]
site_name = "Benchmark"
base_url = "https://example.org"

[tool.pipeline.languages.es]
locale = "es_ES"
engines = ["apertium"]

[tool.pipeline.languages.ca]
locale = "ca_ES"
engines = ["apertium"]

[tool.pipeline.languages.zh]
locale = "zh_Hans_CN"
engines = ["pseudo"]
"""

# Run in a child process: publish once, print timings as JSON.
CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from pipeline.config import load_config
    from pipeline.engines import ENGINES
    import pipeline.publish as publish

    spent = {"calls": [], "units": {}}
    for name, cls in list(ENGINES.items()):
        class Timed(cls):
            def translate_batch(self, texts, source, target, _cls=cls):
                start = time.perf_counter()
                try:
                    return _cls.translate_batch(self, texts, source, target)
                finally:
                    spent["calls"].append((start, time.perf_counter()))
                    spent["units"][target] = spent["units"].get(target, 0) + len(texts)
        ENGINES[name] = Timed

    def busy(calls):
        # Engines of different languages run side by side: count overlapping time once.
        total, end = 0.0, None
        for s, e in sorted(calls):
            if end is None or s > end:
                total, end = total + e - s, e
            elif e > end:
                total, end = total + e - end, e
        return total

    start = time.perf_counter()
    result = publish.publish(load_config(Path(sys.argv[1])))
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "engine": busy(spent["calls"]), "units": spent["units"],
                      "written": len(result.written), "peak_mb": peak}))
    """
)


def sentences() -> list[str]:
    """Every sentence of the client's articles (body text), in order."""
    sys.path.insert(0, str(ROOT))
    from pipeline.articles import load_articles
    from pipeline.segment import segment

    found = []
    for article in load_articles(ROOT / "source", ROOT):
        for unit in segment(article).units():
            if not unit.note and "<" not in unit.text and len(unit.text) > 40:
                found.append(unit.text)
    return list(dict.fromkeys(found))


def build_corpus(root: Path, count: int) -> None:
    """N articles of 12 client sentences each, made unique per article (as real
    articles' sentences are) by a lead-in naming the article's case."""
    pool = sentences()
    rng = random.Random(42)
    (root / "source").mkdir(parents=True)
    for n in range(count):
        picked = [f"In case {n}, {s[0].lower()}{s[1:]}" for s in rng.sample(pool, 12)]
        body = "\n\n".join(
            f"## Part {i // 4 + 1}\n\n" + " ".join(picked[i : i + 2])
            if i % 4 == 0
            else " ".join(picked[i : i + 2])
            for i in range(0, 12, 2)
        )
        meta = {"title": f"Article {n}", "slug": f"article-{n:04d}", "summary": picked[0]}
        front = f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n\n"
        (root / "source" / f"article-{n:04d}.md").write_text(front + body + "\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")


def run(root: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(root)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    root = args.workdir or Path(tempfile.mkdtemp(prefix="publish-bench-"))
    if root.exists():
        shutil.rmtree(root)
    build_corpus(root, args.articles)
    units = len(
        {line for p in (root / "source").glob("*.md") for line in p.read_text().split(". ")}
    )
    print(f"corpus: {args.articles} articles in {root} (~{units} sentence strings), 3 languages")

    cold = run(root)
    own = cold["wall"] - cold["engine"]
    print(
        f"cold publish: {cold['wall']:.1f} s wall, engine {cold['engine']:.1f} s, "
        f"pipeline {own:.1f} s = {own / cold['engine']:.0%} of engine time; "
        f"units sent {cold['units']}; peak memory {cold['peak_mb']:.0f} MB"
    )

    noop = run(root)
    print(
        f"no-op publish: {noop['wall']:.2f} s, {noop['written']} files written, "
        f"units sent {noop['units'] or 0}"
    )

    path = root / "source" / "article-0500.md"
    if not path.exists():
        path = sorted((root / "source").glob("*.md"))[0]
    text = path.read_text(encoding="utf-8")
    first = re.search(r"\n\n([A-Z][^\n]*?\.)", text).group(1)
    path.write_text(
        text.replace(first, first[:-1] + ", as the clinic reports.", 1), encoding="utf-8"
    )
    one = run(root)
    print(
        f"one changed sentence: {one['wall']:.2f} s wall, engine {one['engine']:.2f} s, "
        f"pipeline {one['wall'] - one['engine']:.2f} s; units sent {one['units']}; "
        f"{one['written']} files written"
    )


if __name__ == "__main__":
    main()
