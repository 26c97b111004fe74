"""Work spread over forked processes: same results as one process, errors kept whole.

fork_map forks only a single-threaded process, and this test session has threads
(the browser tests' driver), so each case runs in a fresh interpreter, as the
`pipeline` command does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.parallel import cores, fork_map

needs_cores = pytest.mark.skipif(cores() < 2, reason="one core: nothing is forked")
ROOT = Path(__file__).resolve().parent.parent


def fresh_python(code: str) -> str:
    """Run ``code`` in a new interpreter; its stdout (the test fails on a non-zero exit)."""
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


@needs_cores
def test_results_keep_their_order_and_come_from_several_processes() -> None:
    out = fresh_python(
        """
        import os, time
        from pipeline.parallel import fork_map
        ticks = []

        def square(n):
            time.sleep(0.002)  # long enough for the child to start before all is taken
            return n * n, os.getpid()

        results = fork_map(square, list(range(100)), ticks.append, min_share=10, jobs=2)
        assert [square for square, _ in results] == [n * n for n in range(100)]
        print(len({pid for _, pid in results}), sum(ticks))
        """
    )
    assert out.split() == ["2", "100"]  # two processes; the progress display heard of all


@needs_cores
def test_a_slower_process_is_given_fewer_items() -> None:
    """Items are dealt out as processes ask: a child whose items take five times as
    long does about a sixth of them, and the results are in order all the same."""
    out = fresh_python(
        """
        import os, time
        from pipeline.parallel import fork_map
        parent = os.getpid()

        def work(n):
            time.sleep(0.001 if os.getpid() == parent else 0.005)
            return n, os.getpid() == parent

        results = fork_map(work, list(range(400)), min_share=10, jobs=2)
        assert [n for n, _ in results] == list(range(400))
        print(sum(not here for _, here in results))
        """
    )
    assert 20 <= int(out) <= 140  # a fixed half would be 200


@needs_cores
def test_a_childs_results_arrive_while_this_process_still_works() -> None:
    """Each chunk's results come back when the chunk is done, not all at the end: by
    the time the parent is halfway through its own items, it holds some of the
    child's; all are in their places at the end (large results too: a chunk of
    pages outgrows a pipe's default size)."""
    out = fresh_python(
        """
        import os, time
        import pipeline.parallel as parallel
        parent = os.getpid()
        own = [0]  # items this process has done
        halfway = []  # the child's results in hand at each look during the first half
        collect = parallel._collect

        def looking(ready, children, pieces, finished, advance):
            collect(ready, children, pieces, finished, advance)
            if own[0] <= 100:
                halfway.append(sum(len(r) for _, r in pieces if r[0][1] != parent))

        parallel._collect = looking

        def work(n):
            time.sleep(0.002)
            own[0] += os.getpid() == parent
            return n, os.getpid(), "x" * 20_000

        results = parallel.fork_map(work, list(range(400)), min_share=10, jobs=2)
        assert [n for n, _, _ in results] == list(range(400))
        print(sum(pid != parent for _, pid, _ in results), max(halfway, default=0))
        """
    )
    child, early = map(int, out.split())
    assert child >= 100  # about half
    assert early >= 40  # sent all at once at the end, none would be here


@needs_cores
def test_what_this_processs_share_keeps_is_never_scanned_by_the_collector() -> None:
    """The parent keeps its share's results (a reading share keeps the articles'
    tokens): no collection runs in it during the phase, and at the end those objects
    are among the old ones, unscanned, with the collector on again and nothing
    frozen. Children's collections are their own business."""
    out = fresh_python(
        """
        import gc, os
        from pipeline.parallel import fork_map
        gc.set_threshold(1000, 10, 10)  # low: a share of 200 items makes 40,000 objects
        parent = os.getpid()
        collections = []
        gc.callbacks.append(
            lambda phase, info: phase == "start" and os.getpid() == parent
            and collections.append(info["generation"])
        )
        kept = fork_map(lambda n: [[n] for _ in range(200)], list(range(400)), jobs=2)
        during = len(collections)
        young = gc.get_count()[0]
        print(during, young, gc.isenabled(), gc.get_freeze_count(), len(kept))
        """
    )
    during, young, enabled, frozen, kept = out.split()
    assert (during, enabled, frozen, kept) == ("0", "True", "0", "400")
    assert int(young) < 100  # the 40,000 kept lists are old, not waiting for a scan


@pytest.mark.parametrize(
    ("total", "workers"), [(1000, 2), (12577, 2), (30, 2), (1, 2), (1000, 8), (10**6, 64)]
)
def test_chunks_cover_the_list_once_and_shrink_towards_its_end(total: int, workers: int) -> None:
    """The last chunks are small, so the processes finish together (a fixed size left
    one working alone for up to a chunk), and never more than a pipe holds."""
    from pipeline.parallel import CHUNKS_PER_PROCESS, MAX_CHUNKS, _chunks

    chunks = _chunks(total, workers)
    assert [i for start, end in chunks for i in range(start, end)] == list(range(total))
    assert len(chunks) <= MAX_CHUNKS
    sizes = [end - start for start, end in chunks]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= max(1, -(-total // MAX_CHUNKS))  # an item, or the smallest allowed
    assert sizes[0] <= -(-total // (workers * CHUNKS_PER_PROCESS)) or len(chunks) == MAX_CHUNKS


def test_small_lists_stay_in_this_process() -> None:
    results = fork_map(lambda n: os.getpid(), list(range(5)))
    assert set(results) == {os.getpid()}


@needs_cores
def test_a_worker_error_reaches_the_caller_with_its_file_and_fix() -> None:
    out = fresh_python(
        """
        import os, time
        from pipeline.errors import PipelineError
        from pipeline.parallel import fork_map

        parent = os.getpid()

        def check(n):
            if os.getpid() != parent:  # whatever the child takes
                raise PipelineError("broken input", path="source/x.md", line=3, fix="repair it")
            time.sleep(0.002)  # the child starts before the parent has taken everything
            return n

        try:
            fork_map(check, list(range(100)), min_share=10, jobs=2)
        except PipelineError as exc:
            print(exc)
        """
    )
    assert out.strip() == "source/x.md:3: broken input. Fix: repair it"


@needs_cores
def test_a_worker_that_dies_is_reported_not_waited_for() -> None:
    out = fresh_python(
        """
        import os, time
        from pipeline.errors import PipelineError
        from pipeline.parallel import fork_map

        parent = os.getpid()

        def die(n):
            if os.getpid() != parent:
                os._exit(3)  # as if killed: no result, no message
            time.sleep(0.002)
            return n

        try:
            fork_map(die, list(range(100)), min_share=10, jobs=2)
        except PipelineError as exc:
            print(exc)
        """
    )
    assert "a worker process died" in out


@needs_cores
def test_background_work_is_done_by_another_process_and_comes_back_in_order() -> None:
    out = fresh_python(
        """
        import os, threading
        from pipeline.parallel import fork_background

        work = fork_background(lambda n: (n * n, os.getpid()), list(range(50)))
        results = work.result()
        assert [square for square, _ in results] == [n * n for n in range(50)]
        pids = {pid for _, pid in results}
        assert len(pids) == 1 and os.getpid() not in pids
        assert fork_background(abs, [1, 2], jobs=1) is None  # one process asked for
        assert fork_background(abs, []) is None
        waiting = threading.Event()
        thread = threading.Thread(target=waiting.wait)
        thread.start()
        print(fork_background(abs, [1, 2]))  # a thread could hold a lock the child needs
        waiting.set()
        """
    )
    assert out.strip() == "None"


@needs_cores
def test_a_background_error_reaches_the_caller_and_close_stops_the_child() -> None:
    out = fresh_python(
        """
        import time
        from pipeline.errors import PipelineError
        from pipeline.parallel import fork_background

        def check(n):
            raise PipelineError("broken input", path="source/x.md", line=3, fix="repair it")

        try:
            fork_background(check, [1, 2, 3]).result()
        except PipelineError as exc:
            print(exc)
        work = fork_background(time.sleep, [60])
        started = time.monotonic()
        work.close()  # the publish failed: its results are not wanted
        print(time.monotonic() - started < 10, work._process.is_alive())
        """
    )
    assert out.splitlines() == ["source/x.md:3: broken input. Fix: repair it", "True False"]


def _many_articles(root: Path, count: int) -> Path:
    """The project's articles, repeated under new slugs until there are ``count``."""
    project = root / "project"
    (project / "source").mkdir(parents=True)
    originals = sorted((ROOT / "source").glob("*.md"))
    for n in range(count):
        text = originals[n % len(originals)].read_text(encoding="utf-8")
        text = re.sub(r"(?m)^slug: .*$", f"slug: copy-{n:03d}", text, count=1)
        (project / "source" / f"copy-{n:03d}.md").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copy(ROOT / "glossary.yaml", project / "glossary.yaml")
    return project


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@needs_cores
def test_a_publish_runs_no_collection_and_leaves_the_collector_as_it_was(
    tmp_path: Path,
) -> None:
    """A publish keeps what it makes until it ends, so the collector, which would
    scan it all and free nothing, stays off in this process throughout, forked
    phases included; afterwards it is on again, nothing is frozen, and the
    publish's objects are among the old."""
    project = _many_articles(tmp_path, 40)  # enough to fork
    out = fresh_python(
        f"""
        import gc
        from pathlib import Path
        from pipeline.config import load_config
        from pipeline.publish import publish
        gc.set_threshold(700, 10, 10)  # the default: 122 collections without the pause
        collections = []
        config = load_config(Path({str(project)!r}))
        gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(1))
        publish(config, engine="pseudo")
        during = len(collections)
        print(during, gc.isenabled(), gc.get_freeze_count(), gc.get_count()[0] < 100)
        """
    )
    assert out.split() == ["0", "True", "0", "True"]


def test_the_command_raises_the_collector_thresholds_before_loading_its_modules() -> None:
    """`pipeline` (the installed script and python -m pipeline) runs no collection
    once it starts: at the default thresholds its imports made some 60."""
    out = fresh_python(
        """
        import atexit, gc, sys
        scans = []
        gc.callbacks.append(lambda phase, info: phase == "start" and scans.append(1))
        sys.argv = ["pipeline", "--version"]
        from pipeline.__main__ import main
        before = len(scans)
        atexit.register(lambda: print("scans", len(scans) - before))  # run() ends in os._exit
        main()
        """
    )
    assert out.splitlines()[-1] == "scans 0"
    scripts = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'pipeline = "pipeline.__main__:main"' in scripts


@needs_cores
def test_many_articles_are_read_by_several_processes_as_one_reads_them(tmp_path: Path) -> None:
    """load_articles forks where the articles are many: the same articles, in slug
    order; a broken one is reported with its file and fix, from whichever process."""
    from pipeline.articles import READ_SHARE

    project = _many_articles(tmp_path, 2 * READ_SHARE + 10)
    out = fresh_python(
        f"""
        import os
        from pathlib import Path
        import pipeline.articles as articles
        from pipeline.errors import PipelineError

        project = Path({str(project)!r})
        pids = project / "pids"  # a file per process that read an article
        pids.mkdir()
        real = articles._load

        def spy(path, root, fields):
            (pids / str(os.getpid())).touch()
            return real(path, root, fields)

        articles._load = spy
        found = articles.load_articles(project / "source", project, jobs=2)
        readers = len(list(pids.iterdir()))
        serial = articles.load_articles(project / "source", project, jobs=1)
        assert found == serial, "not what one process reads"
        print(readers > 1, len(found))
        broken = project / "source" / "copy-200.md"
        broken.write_text("---\\ntitle: [unclosed\\n---\\nText.\\n", encoding="utf-8")
        try:
            articles.load_articles(project / "source", project, jobs=2)
        except PipelineError as exc:
            print(exc)
        """
    )
    first, error = out.splitlines()
    assert first.split() == ["True", str(2 * READ_SHARE + 10)]
    assert error.startswith("source/copy-200.md:2") and "Fix:" in error, error


@needs_cores
def test_a_parallel_publish_writes_the_same_bytes_as_a_serial_one(tmp_path: Path) -> None:
    os.environ["SOURCE_DATE_EPOCH"] = "1767225600"  # the same catalog dates in both
    try:
        projects = {jobs: _many_articles(tmp_path / f"jobs-{jobs}", 60) for jobs in (2, 1)}
        for jobs, project in projects.items():
            out = fresh_python(
                f"""
                import os
                from pathlib import Path
                import pipeline.publish as publish
                from pipeline.config import load_config

                pids = set()
                real = publish.fork_map

                def spy(func, items, *args, **kwargs):  # which processes did the work
                    pairs = real(lambda item: (func(item), os.getpid()), items, *args, **kwargs)
                    pids.update(pid for _, pid in pairs)
                    return [result for result, _ in pairs]

                publish.fork_map = spy
                early = []  # the templates made beside the engines, or not (None)
                background = publish.fork_background

                def beside(*args, **kwargs):
                    early.append(background(*args, **kwargs))
                    return early[-1]

                publish.fork_background = beside
                publish.publish(load_config(Path({str(project)!r})), engine="pseudo", jobs={jobs})
                print(len(pids), [work is not None for work in early])
                """
            )
            processes, early = out.split(maxsplit=1)  # each parallel stage forks its own child
            assert int(processes) > 1 if jobs > 1 else int(processes) == 1
            assert early.strip() == ("[True]" if jobs > 1 else "[False]")
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    for folder in ("translations", "site"):
        assert _tree(projects[2] / folder) == _tree(projects[1] / folder), folder
    assert len(list((projects[2] / "site" / "es").glob("copy-*/index.html"))) == 60


@needs_cores
def test_one_large_article_is_split_by_language_with_the_same_bytes(tmp_path: Path) -> None:
    """Too few articles to share out: each language's catalog and page is its own job
    (forced here with SPLIT_UNITS = 0); the bytes are those of the serial publish."""
    os.environ["SOURCE_DATE_EPOCH"] = "1767225600"
    try:
        projects = {split: _many_articles(tmp_path / f"split-{split}", 2) for split in (1, 0)}
        for split, project in projects.items():
            out = fresh_python(
                f"""
                import os
                from pathlib import Path
                import pipeline.publish as publish
                from pipeline.config import load_config

                pids, jobs = set(), []
                real = publish.fork_map

                def spy(func, items, *args, **kwargs):
                    jobs.extend(items)
                    pairs = real(lambda item: (func(item), os.getpid()), items, *args, **kwargs)
                    pids.update(pid for _, pid in pairs)
                    return [result for result, _ in pairs]

                publish.fork_map = spy
                publish.SPLIT_UNITS = 0 if {split} else 10**9
                config = load_config(Path({str(project)!r}))
                publish.publish(config, engine="pseudo", jobs={2 if split else 1})
                finished = [j for j in jobs if isinstance(j, publish._Job)]
                print(len(pids), len(finished), sum(len(j.codes) == 1 for j in finished))
                """
            )
            processes, finished, single = map(int, out.split())
            if split:  # 2 articles x (English + 3 languages) x (catalogs, pages)
                assert (processes, finished, single) == (2, 16, 16)
            else:
                assert (processes, finished, single) == (1, 2, 0)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    for folder in ("translations", "site"):
        assert _tree(projects[1] / folder) == _tree(projects[0] / folder), folder


@needs_cores
def test_a_publish_failing_while_its_templates_are_made_leaves_them_as_they_were(
    tmp_path: Path,
) -> None:
    """The templates of changed articles are staged by a child while the engines run.
    An engine failing then (a fake one: it waits for staged templates, then raises)
    stops the child, and leaves every file as it was and no temporary file behind."""
    project = _many_articles(tmp_path, 40)
    fresh_python(
        f"""
        from pathlib import Path
        from pipeline.config import load_config
        from pipeline.publish import publish
        publish(load_config(Path({str(project)!r})), ("es",), engine="pseudo", jobs=1)
        """
    )
    before = _tree(project / "translations")
    for source in (project / "source").glob("*.md"):  # every template changes
        source.write_text(source.read_text(encoding="utf-8") + "\nOne more sentence.\n")
    out = fresh_python(
        f"""
        import multiprocessing, time
        from pathlib import Path
        import pipeline.publish as publish
        from pipeline.config import load_config
        from pipeline.errors import PipelineError

        project = Path({str(project)!r})
        seen = []

        def broken(*args, **kwargs):
            deadline = time.monotonic() + 30
            while not seen and time.monotonic() < deadline:
                seen.extend((project / "translations" / "templates").glob(".*.tmp"))
                time.sleep(0.01)
            raise PipelineError("the engine stopped", fix="start it again")

        publish.run_engine = broken
        try:
            publish.publish(load_config(project), ("es",), engine="pseudo", jobs=2)
        except PipelineError as exc:
            print(exc)
        print(bool(seen), multiprocessing.active_children())
        """
    )
    assert out.splitlines() == ["the engine stopped. Fix: start it again", "True []"]
    assert _tree(project / "translations") == before
    assert not list(project.rglob(".*.tmp"))
