"""Where a cold publish's own time goes when the engine is fast (a profile, not a test).

    .venv/bin/python benchmarks/publish_profile.py [--articles 1000] [--languages 1] [--top 15]

Builds publish_speed.py's corpus (the client's sentences, deterministic) with the
pseudo engine for every language, then runs one cold publish in this process
under cProfile, with the command's collector thresholds (both runs here set them:
without, the timeline showed planning at 0.275 s instead of 0.132 s and the whole
at 3.56 s instead of 3.12 s, medians of 6: time the command never spends). To let
the profile see every stage, the per-article work runs in this process
(``jobs=1``) and each language's engine runs inline instead of in its thread; the
figures are therefore one core's, a breakdown rather than the publish's wall time
(benchmarks/publish_speed.py measures that).

Each stage is the cumulative time of the functions that enter it (a call from one
of them to another counted once, a stage inside another taken out of that one),
so the stages add up, and what no stage claims is "other". The profiler's own
cost falls on Python calls, not on regular expressions or C: compare versions
with publish_speed.py, not with this.

Then a wall-clock timeline of another cold publish, run as users run it (a fresh
process, every core, no profiler): when each phase ran, and whether it ran on
every core (forked workers) or on one while the others waited. What one core does
alone bounds the speed-up any amount of per-article work can buy.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import Future
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

# stage -> functions entering it, as (file suffix, function name).
STAGES = {
    "reading articles (front matter)": [("pipeline/articles.py", "load_articles")],
    "Markdown parsing (markdown-it)": [("markdown_it/main.py", "parse")],
    "segmentation (sentences, placeholders)": [("pipeline/segment.py", "segment")],
    "catalog merge and memory lookup": [("pipeline/memory.py", "merge")],
    "engine (pseudo) with glossary protection": [("pipeline/translate.py", "run_engine")],
    "output guard": [("pipeline/translate.py", "to_message_fields")],
    "glossary check of every entry": [("pipeline/translate.py", "check_glossary")],
    "catalog and template writing (PO text)": [
        ("pipeline/catalog.py", "render_catalog"),
        ("pipeline/catalog.py", "render_template"),
    ],
    "translations into documents": [("pipeline/marks.py", "translate_document")],
    "page templating and sanitising": [
        ("pipeline/render.py", "render_article"),
        ("pipeline/render.py", "render_language_index"),
        ("pipeline/render.py", "render_root"),
    ],
    "sitemap": [("pipeline/outputs/sitemap.py", "render_sitemap")],
    "memory and cache (manifest)": [
        ("pipeline/catalog.py", "contribution"),
        ("pipeline/manifest.py", "contribution_sha"),
        ("pipeline/manifest.py", "teach"),
        ("pipeline/manifest.py", "save"),
    ],
    "file writes (staged, then renamed into place)": [
        ("pipeline/fsutil.py", "stage"),
        ("pipeline/fsutil.py", "commit"),
    ],
    "glossary terms found in the English": [("pipeline/glossary.py", "found_in")],
    "planning (memory and catalogs per language)": [("pipeline/publish.py", "plan_language")],
    "article states (catalog summaries, switchers)": [
        ("pipeline/catalog.py", "summarize"),
        ("pipeline/publish.py", "_site_context"),
        ("pipeline/publish.py", "markup_problems"),
    ],
}
# Stages inside another (their time is taken out of the outer one).
NESTED = {
    "segmentation (sentences, placeholders)": "Markdown parsing (markdown-it)",
    "planning (memory and catalogs per language)": "catalog merge and memory lookup",
}
OTHER = "other (imports, configuration, forks, records, indexes)"


# Run in a fresh process: one cold publish, each phase's wall-clock span as JSON.
TIMELINE = textwrap.dedent(
    """
    import gc, json, multiprocessing, sys, time
    started = time.perf_counter()
    from pipeline import COLLECTOR_THRESHOLDS
    gc.set_threshold(*COLLECTOR_THRESHOLDS)  # as the command sets them, before its imports
    collected = [0, 0.0, 0.0]  # this process's collections, their seconds, the last start

    def collecting(phase, info):
        if phase == "start":
            collected[2] = time.perf_counter()
        else:
            collected[0] += 1
            collected[1] += time.perf_counter() - collected[2]

    gc.callbacks.append(collecting)
    from pathlib import Path
    import pipeline.publish as publish
    from pipeline.config import load_config
    from pipeline.articles import READ_SHARE
    from pipeline.parallel import processes

    spans = []
    FORKED = {"_read": "reading and segmenting articles", "_guarded": "output guard",
              "_Finish": "catalogs and pages"}

    def timed(owner, name, label=None, language=None, own_share=None):
        function = getattr(owner, name)
        def wrapper(*args, **kwargs):
            what, forked = label, False
            if language is not None:  # the language argument's position
                code = args[language]
                what = f"{what}: {getattr(code, 'code', code)}"
            if what is None:  # fork_map(func, items, ...): forked as fork_map decides
                what = FORKED[getattr(args[0], "__name__", type(args[0]).__name__)]
                share = kwargs.get("min_share", publish.MIN_SHARE)
                forked = processes(len(args[1]), share, kwargs.get("jobs")) > 1
            start = time.perf_counter()
            result = function(*args, **kwargs)
            if own_share is not None:  # it forks as fork_map decides, an item per result
                forked = processes(len(result), own_share) > 1
            spans.append((start - started, time.perf_counter() - started, what, forked))
            return result
        setattr(owner, name, wrapper)

    timed(publish, "load_articles", "reading articles (front matter)", own_share=READ_SHARE)
    timed(publish, "plan_language", "planning (catalog merge, memory)", language=1)
    timed(publish, "run_engine", "engine (pseudo) with glossary protection", language=3)
    timed(publish, "_site_context", "site context (switcher states)")
    timed(publish, "fork_map")  # labelled by the function it maps

    # The templates' child (publish._Templates), beside the phases above: when it
    # started, and when it finished its last template (shared memory: a child's time).
    beside, child_done = [], multiprocessing.Value("d", 0.0, lock=False)
    start_templates, make_template = publish._Templates.start, publish._TemplateJob.__call__

    def starting(run):
        beside.append(time.perf_counter() - started)
        return start_templates(run)

    def making(job, article):
        try:
            return make_template(job, article)
        finally:
            child_done.value = time.perf_counter() - started

    publish._Templates.start, publish._TemplateJob.__call__ = staticmethod(starting), making
    config = load_config(Path(sys.argv[1]))
    begun = time.perf_counter() - started
    publish.publish(config, tuple(sys.argv[2:]))
    beside = [beside[0], child_done.value] if beside and child_done.value else None
    end = time.perf_counter() - started
    found = {"begun": begun, "end": end, "spans": spans, "beside": beside, "gc": collected}
    print(json.dumps(found))
    """
)


def timeline(project: Path, codes: tuple[str, ...]) -> None:
    """Print when each phase of a cold publish of ``project`` ran, and on how many cores."""
    from pipeline.parallel import cores

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-c", TIMELINE, str(project), *codes],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"timeline run failed:\n{done.stderr}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    workers = cores()
    print(f"\nwall-clock timeline of another cold publish ({workers} cores, no profiler):")
    at = 0.0
    rows = [(0.0, found["begun"], "start-up (imports, configuration)", False)]
    rows += [tuple(span) for span in sorted(found["spans"])]
    for start, end, label, forked in rows:  # languages' plans and engines may overlap
        if start - at > 0.01:  # between two known phases: the publish itself, on one core
            print(f"  {at:5.2f}-{start:5.2f} s  one core   (between phases)")
        print(f"  {start:5.2f}-{end:5.2f} s  {'all cores' if forked else 'one core '}  {label}")
        at = max(at, end)
    if found["end"] - at > 0.01:
        print(f"  {at:5.2f}-{found['end']:5.2f} s  one core   records, indexes, sitemap, cache")
    # Outside the forked phases only this process works (its engine threads share one
    # core: the pseudo engine is Python), and the templates' child where it runs.
    alone = found["end"] - sum(end - start for start, end, _, forked in rows if forked)
    used = 0.0
    if found.get("beside"):
        first, last = found["beside"]
        in_forked = sum(
            max(0.0, min(end, last) - max(start, first)) for start, end, _, f in rows if f
        )
        used = last - first - in_forked
        print(
            f"  beside them, from {first:.2f} to {last:.2f} s: templates (.pot) in a child "
            f"process, {used:.2f} s of it while one core worked alone"
        )
    print(
        f"one core alone for {alone:.2f} s of {found['end']:.2f} s: the other "
        f"{workers - 1} idle for {alone * (workers - 1) - used:.2f} core-seconds"
    )
    count, seconds, _ = found["gc"]  # the publish pauses it: each would scan and free nothing
    print(f"collector in this process: {count} collections, {seconds * 1000:.0f} ms")


class Inline:
    """An executor that runs each task at once (the engines' threads, for the profiler)."""

    def __init__(self, max_workers: int | None = None) -> None:
        pass

    def __enter__(self) -> Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future


def corpus(root: Path, articles: int) -> Path:
    import publish_speed

    project = root / "corpus"
    publish_speed.build_corpus(project, articles, engine="pseudo")
    publish_speed.compile_package()  # the timeline's start-up: from bytecode, as users'
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--languages", type=int, default=1, choices=(1, 2, 3))
    parser.add_argument("--top", type=int, default=15, help="functions by own time")
    args = parser.parse_args()

    import pipeline.publish as publish
    from pipeline import COLLECTOR_THRESHOLDS
    from pipeline.config import load_config

    gc.set_threshold(*COLLECTOR_THRESHOLDS)  # as the command sets them
    root = Path(tempfile.mkdtemp(prefix="publish-profile-"))
    try:
        project = corpus(root, args.articles)
        shutil.copytree(project, root / "timeline")
        config = load_config(project)
        publish.ThreadPoolExecutor = Inline  # type: ignore[misc, assignment]
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        # The first N configured languages (all three stay configured: the glossary has them).
        codes = tuple(language.code for language in config.languages)[: args.languages]
        publish.publish(config, codes, jobs=1)
        profiler.disable()
        wall = time.perf_counter() - started
        report(profiler, wall, args)
        timeline(root / "timeline", codes)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def report(profiler: cProfile.Profile, wall: float, args: argparse.Namespace) -> None:
    """The profile's stages, then the functions by their own time."""
    stats = pstats.Stats(profiler)

    def entered(entries: list[tuple[str, str]], filename: str, name: str) -> bool:
        filename = filename.replace("\\", "/")
        return any(filename.endswith(suffix) and name == wanted for suffix, wanted in entries)

    def stage_time(entries: list[tuple[str, str]]) -> float:
        """Cumulative time of the stage's functions, less their calls from one another
        (the switchers' states summarise catalogs: counted once)."""
        total = 0.0
        for (filename, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
            if not entered(entries, filename, name):
                continue
            for (caller_file, _, caller), timing in row[4].items():
                if not entered(entries, caller_file, caller):
                    total += timing[3]  # cumulative time of the calls from this caller
        return total

    total = stats.total_tt  # type: ignore[attr-defined]
    times = {stage: stage_time(entries) for stage, entries in STAGES.items()}
    for outer, inner in NESTED.items():
        times[outer] -= times[inner]
    times[OTHER] = total - sum(times.values())
    print(
        f"cold publish, {args.articles} articles, {args.languages} language(s), pseudo engine: "
        f"{wall:.2f} s under the profiler ({total:.2f} s profiled, one core)"
    )
    for stage, seconds in sorted(times.items(), key=lambda item: -item[1]):
        print(f"  {seconds:7.2f} s  {seconds / total:6.1%}  {stage}")
    print(f"\nfunctions by own time (top {args.top}):")
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
