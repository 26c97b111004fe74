"""Publish speed and memory on a generated corpus (a benchmark, not a test).

    .venv/bin/python benchmarks/publish_speed.py [--articles 1000] [--repeat 3] [--no-glossary]
                                                 [--engine apertium|pseudo]

Builds N articles from the client's sentences (deterministic), with the
client's glossary, three languages (es and ca through Apertium, zh through
pseudo), then measures in fresh processes:

1. cold publish: engine time versus the pipeline's own time. The engine time is
   that of the engines alone on the very batches the publish sent them (timed
   afterwards, languages side by side as publish runs them); the pipeline's own
   time is the publish's wall time minus that. (The time of engine calls within
   the publish would hide whatever the pipeline does while engines run.) The
   machine's speed drifts between runs, so there are --repeat cold publishes,
   each paired with its engines-alone run, and the median pair is reported.
2. no-op publish (nothing changed);
3. publish after one changed sentence: units sent per language and time;
4. no-op publish of one language (``--lang es``) on a copy where only Spanish
   was ever published (the others' switcher entries are remembered, not re-read);
5. peak memory of the cold publish: the resident memory of the publish process
   and its worker processes together, sampled every 100 ms (shared pages counted
   in each process, so an upper bound; the engines' own processes excluded).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """
[tool.pipeline]
site_name = "Benchmark"
base_url = "https://example.org"

[tool.pipeline.contact]
phone = "+447778936902"
phone_note = "WhatsApp"
email = "head_office@nbscience.com"

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

# Run in a child process: publish once, print timings as JSON. Every engine call's
# input is kept (argv[2]) so that the bare engine can be timed on the same work.
CHILD = textwrap.dedent(
    """
    import gc, json, os, sys, time
    from pathlib import Path
    from pipeline import COLLECTOR_THRESHOLDS
    from pipeline.config import load_config
    from pipeline.engines import ENGINES
    import pipeline.publish as publish

    spent = {"calls": [], "units": {}, "batches": []}
    for name, cls in list(ENGINES.items()):
        class Timed(cls):
            def translate_batch(self, texts, source, target, _cls=cls, _name=name):
                start = time.perf_counter()
                try:
                    return _cls.translate_batch(self, texts, source, target)
                finally:
                    spent["calls"].append((start, time.perf_counter()))
                    spent["units"][target] = spent["units"].get(target, 0) + len(texts)
                    spent["batches"].append((_name, source, target, list(texts)))
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

    gc.set_threshold(*COLLECTOR_THRESHOLDS)  # as the command sets them
    start = time.perf_counter()
    languages = tuple(os.environ.get("BENCH_LANGUAGES", "").split())  # none: all
    result = publish.publish(load_config(Path(sys.argv[1])), languages)
    wall = time.perf_counter() - start
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(json.dumps(spent["batches"]))
    print(json.dumps({"wall": wall, "engine": busy(spent["calls"]), "units": spent["units"],
                      "written": len(result.written)}))
    """
)

# The engines alone on a publish's recorded batches: each language's batches in
# order, languages side by side (as publish runs them).
BARE = textwrap.dedent(
    """
    import json, sys, time
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path
    from pipeline.engines import get_engine

    by_language = {}
    for name, source, target, texts in json.loads(Path(sys.argv[1]).read_text()):
        by_language.setdefault(target, []).append((name, source, texts))

    def run(target, batches):
        for name, source, texts in batches:
            get_engine(name).translate_batch(texts, source, target)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, len(by_language))) as pool:
        list(pool.map(lambda item: run(*item), by_language.items()))
    print(json.dumps({"wall": time.perf_counter() - start}))
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


def build_corpus(root: Path, count: int, glossary: bool = True, engine: str = "") -> None:
    """N articles of 12 client sentences each, made unique per article (as real
    articles' sentences are) by a lead-in naming the article's case. ``engine``:
    the one engine of every language (default: Apertium for es and ca, pseudo for zh)."""
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
    config = CONFIG
    if engine:
        config = re.sub(r'engines = \["[a-z]+"\]', f'engines = ["{engine}"]', config)
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    if glossary:  # enforced as on the site
        shutil.copy(ROOT / "glossary.yaml", root / "glossary.yaml")


def children_cpu() -> float:
    """CPU seconds (user and system) used so far by this process's finished children,
    their own children included once waited for (a publish's workers, Apertium's
    stages)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_publish(
    project: Path, languages: tuple[str, ...] = ("es",), tree: Path = ROOT
) -> tuple[float, float, float]:
    """Wall, user CPU and user + system CPU (every process) of one quiet ``pipeline
    publish`` of ``project`` in a fresh process, with ``tree``'s package (a checkout;
    this one by default) and this environment's interpreter and libraries."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    command = [sys.executable, "-m", "pipeline", "publish", "-q", "--project", str(project)]
    command += [option for code in languages for option in ("--lang", code)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True, cwd=tree)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user = after.ru_utime - before.ru_utime
    return wall, user, user + after.ru_stime - before.ru_stime


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def python_tree(pid: int) -> list[int]:
    """``pid`` and its children running the same program (its forked workers, not engines)."""
    comm = Path(f"/proc/{pid}/comm").read_text()
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid and (entry / "comm").read_text() == comm:
                pids.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            pass  # gone meanwhile
    return pids


def compile_package(tree: Path = ROOT) -> None:
    """Byte-compile a checkout's pipeline/ (this one's by default) before any timed
    run, as pip does for a package it installs (mdpo's, in mdpo_compare.py). The
    project is installed editable, and a Python run with PYTHONDONTWRITEBYTECODE (as
    some CI machines and sandboxes are) never writes its bytecode: every timed
    publish would compile the package's sources again (80-90 ms here), which no
    user's second run does."""
    compileall.compile_dir(tree / "pipeline", quiet=1)


def run(script: str, *args: Path, languages: str = "") -> dict:
    """Run ``script`` in a fresh interpreter (publishing ``languages``, space-separated
    codes; none: all); its JSON line, plus the peak memory of it and its workers
    (sampled from this process every 100 ms)."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "BENCH_LANGUAGES": languages},
    )
    peak = 0
    while child.poll() is None:
        total = 0
        try:
            for pid in python_tree(child.pid):
                total += rss_kb(pid)
        except OSError:
            pass  # the run ended meanwhile
        peak = max(peak, total)
        time.sleep(0.1)
    out, err = child.communicate()
    if child.returncode:
        raise SystemExit(f"benchmark run failed:\n{err}")
    return {**json.loads(out.strip().splitlines()[-1]), "peak_mb": peak / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="cold publishes (median reported)")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument(
        "--no-glossary", action="store_true", help="publish without the client's glossary"
    )
    parser.add_argument(
        "--engine",
        choices=("apertium", "pseudo"),
        help="every language through this engine (pseudo: the pipeline's own time, the "
        "engine costing next to nothing); default: Apertium for es and ca, pseudo for zh",
    )
    args = parser.parse_args()
    root = args.workdir or Path(tempfile.mkdtemp(prefix="publish-bench-"))
    if root.exists():
        shutil.rmtree(root)
    corpus = root / "corpus"
    build_corpus(corpus, args.articles, glossary=not args.no_glossary, engine=args.engine or "")
    compile_package()
    units = len(
        {line for p in (corpus / "source").glob("*.md") for line in p.read_text().split(". ")}
    )
    terms = "without glossary" if args.no_glossary else "with the client's glossary"
    print(
        f"corpus: {args.articles} articles in {corpus} (~{units} sentence strings), "
        f"3 languages, {terms}"
    )

    # Each cold publish is paired with a run of the engines alone right after it, so
    # that both meet the same machine conditions; the median pair is reported.
    pairs = []
    for n in range(args.repeat):
        project = root / f"cold-{n}"
        shutil.copytree(corpus, project)
        batches = root / f"batches-{n}.json"
        cold = run(CHILD, project, batches)
        bare = run(BARE, batches)
        own = cold["wall"] - bare["wall"]
        pairs.append((own / bare["wall"], cold, bare))
        print(
            f"  cold run {n + 1}: {cold['wall']:.1f} s wall, engines alone {bare['wall']:.1f} s, "
            f"pipeline {own:.1f} s = {own / bare['wall']:.1%}"
        )
    share, cold, bare = sorted(pairs, key=lambda p: p[0])[len(pairs) // 2]
    print(
        f"cold publish (median of {len(pairs)}): {cold['wall']:.1f} s wall; the engines alone "
        f"on the same batches {bare['wall']:.1f} s; pipeline {cold['wall'] - bare['wall']:.1f} s"
        f" = {share:.1%} of engine time (engine calls within the publish: {cold['engine']:.1f} s)"
        f"; units sent {cold['units']}"
    )
    peak = max(p[1]["peak_mb"] for p in pairs)
    print(f"peak memory: {peak:.0f} MB (publish process and its workers, engines excluded)")

    noop = run(CHILD, project)
    print(
        f"no-op publish: {noop['wall']:.2f} s, {noop['written']} files written, "
        f"units sent {noop['units'] or 0}"
    )

    path = project / "source" / "article-0500.md"
    if not path.exists():
        path = sorted((project / "source").glob("*.md"))[0]
    text = path.read_text(encoding="utf-8")
    first = re.search(r"\n\n([A-Z][^\n]*?\.)", text).group(1)
    path.write_text(
        text.replace(first, first[:-1] + ", as the clinic reports.", 1), encoding="utf-8"
    )
    one = run(CHILD, project)
    print(
        f"one changed sentence: {one['wall']:.2f} s wall, engine {one['engine']:.2f} s, "
        f"pipeline {one['wall'] - one['engine']:.2f} s; units sent {one['units']}; "
        f"{one['written']} files written"
    )

    single = root / "spanish-only"
    shutil.copytree(corpus, single)
    run(CHILD, single, languages="es")
    again = run(CHILD, single, languages="es")
    print(
        f"no-op publish of Spanish alone (ca and zh never published): {again['wall']:.2f} s, "
        f"{again['written']} files written"
    )


if __name__ == "__main__":
    main()
