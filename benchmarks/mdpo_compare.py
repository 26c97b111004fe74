"""The pipeline's cold publish against mdpo's extract and merge on the same corpus
(a benchmark, not a test).

    .venv/bin/python benchmarks/mdpo_compare.py [--articles 1000] [--repeat 5]

mdpo (Markdown <-> PO, the peer issue 19 measures against) is not a dependency of
the project: the benchmark installs it in its own virtual environment under
.pipeline-cache/bench-mdpo/ (once; PyPI must be reachable the first time). The
corpus is publish_speed.py's; one language (es) through the pseudo engine, pages
included; both start from bytecode (pip compiled mdpo's; the benchmark compiles
the project's, which is installed editable). Runs are paired (ours, then mdpo's
extract and merge, then ours with a second language, ca, each on a fresh copy in
a fresh process) and the medians are printed. mdpo's time is given two ways: by
its own timers around extract and merge, and as its whole process (interpreter
start and imports included, as the publish's always is). Both sides' CPU time
(user and system, every process) is printed too: divided by the cores, it is the
least wall time any share-out of the publish's work could reach. Targets: the
cold publish at most 1.5x mdpo's extract + merge; a second language adding at
most 0.6x the first's time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import textwrap
import time
import venv
from pathlib import Path

from publish_speed import (  # same folder
    build_corpus,
    children_cpu,
    compile_package,
    timed_publish,
)

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".pipeline-cache" / "bench-mdpo"
MDPO = "mdpo==2.1.4"

# Run with mdpo's interpreter: extract every article to its PO file, then merge
# each PO file back into Markdown (the PO files hold mdpo's own untranslated msgids,
# so the merge does the whole walk and writes every file).
MDPO_RUN = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from mdpo.md2po import markdown_to_pofile
    from mdpo.po2md import pofile_to_markdown

    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    files = sorted(source.glob("*.md"))
    (out / "po").mkdir(parents=True)
    (out / "md").mkdir()
    start = time.perf_counter()
    for path in files:
        markdown_to_pofile(str(path), po_filepath=str(out / "po" / (path.stem + ".po")), save=True)
    extract = time.perf_counter() - start
    start = time.perf_counter()
    for path in files:
        pofile_to_markdown(str(path), str(out / "po" / (path.stem + ".po")),
                           save=str(out / "md" / path.name))
    merge = time.perf_counter() - start
    print(json.dumps({"extract": extract, "merge": merge, "files": len(files)}))
    """
)


def mdpo_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"installing {MDPO} in {VENV} (once)", flush=True)
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", MDPO], check=True)
    return python


def ours(project: Path, languages: tuple[str, ...] = ("es",)) -> tuple[float, float]:
    """Wall and CPU seconds of one publish."""
    wall, _, cpu = timed_publish(project, languages)
    return wall, cpu


def theirs(python: Path, source: Path, out: Path) -> dict:
    started, cpu = time.perf_counter(), children_cpu()
    run = subprocess.run(
        [str(python), "-c", MDPO_RUN, str(source), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(run.stdout)
    return {**found, "process": time.perf_counter() - started, "cpu": children_cpu() - cpu}


def main() -> None:
    from pipeline.parallel import cores

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    python = mdpo_python()
    root = Path(tempfile.mkdtemp(prefix="mdpo-compare-"))
    try:
        corpus = root / "corpus"
        build_corpus(corpus, args.articles, engine="pseudo")
        compile_package()  # as pip compiled mdpo's
        cold, extract, merge, process, two = [], [], [], [], []
        cpu: list[tuple[float, float]] = []  # (ours, mdpo's), whole processes
        for n in range(args.repeat):
            for name in (f"ours-{n}", f"two-{n}"):
                shutil.copytree(corpus, root / name)
            wall, used = ours(root / f"ours-{n}")
            cold.append(wall)
            found = theirs(python, corpus / "source", root / f"mdpo-{n}")
            extract.append(found["extract"])
            merge.append(found["merge"])
            process.append(found["process"])
            cpu.append((used, found["cpu"]))
            two.append(ours(root / f"two-{n}", ("es", "ca"))[0])
            print(
                f"  run {n + 1}: publish {cold[-1]:.2f} s; mdpo extract {extract[-1]:.2f} s "
                f"+ merge {merge[-1]:.2f} s (process {process[-1]:.2f} s); publish es+ca "
                f"{two[-1]:.2f} s",
                flush=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    median = statistics.median
    ours_s, peer = median(cold), median(e + m for e, m in zip(extract, merge, strict=True))
    whole, second = median(process), median(t / c - 1 for t, c in zip(two, cold, strict=True))

    def verdict(ratio: float, most: float) -> str:
        return "ok" if ratio <= most else f"OVER {most}x"

    print(f"{args.articles} articles, pseudo engine, medians of {args.repeat} paired runs:")
    print(
        f"  cold publish (es) {ours_s:.2f} s; mdpo extract {median(extract):.2f} s + merge "
        f"{median(merge):.2f} s = {peer:.2f} s by its timers, {whole:.2f} s as a process"
    )
    print(f"  ratio to mdpo's timers: {ours_s / peer:.2f}x  [{verdict(ours_s / peer, 1.5)}]")
    print(f"  ratio process to process: {ours_s / whole:.2f}x  [{verdict(ours_s / whole, 1.5)}]")
    # CPU (user + system, every process): what two cores can at best halve.
    ours_cpu, peer_cpu = median(c for c, _ in cpu), median(c for _, c in cpu)
    print(
        f"  CPU time: publish {ours_cpu:.2f} s on {cores()} cores, mdpo {peer_cpu:.2f} s on one"
        f" ({ours_cpu / peer_cpu:.2f}x)"
    )
    print(
        f"  cold publish (es + ca) {median(two):.2f} s: the second language adds "
        f"{second:.2f}x the first  [{verdict(second, 0.6)}]"
    )


if __name__ == "__main__":
    main()
