"""The pipeline's cold publish against mdpo's extract and merge on the same corpus
(a benchmark, not a test).

    .venv/bin/python benchmarks/mdpo_compare.py [--articles 1000] [--repeat 5]

mdpo (Markdown <-> PO, the peer issue 19 measures against) is not a dependency of
the project: the benchmark installs it in its own virtual environment under
.pipeline-cache/bench-mdpo/ (once; PyPI must be reachable the first time). The
corpus is publish_speed.py's; one language (es) through the pseudo engine, pages
included. Runs are paired (ours, then mdpo's extract and merge, on fresh copies,
in fresh processes) and the medians are printed. The target: the cold publish at
most 1.5x mdpo's extract + merge.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
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


def ours(project: Path) -> float:
    command = [sys.executable, "-m", "pipeline", "publish", "-q", "--lang", "es"]
    started = time.perf_counter()
    subprocess.run([*command, "--project", str(project)], check=True, capture_output=True)
    return time.perf_counter() - started


def theirs(python: Path, source: Path, out: Path) -> dict:
    run = subprocess.run(
        [str(python), "-c", MDPO_RUN, str(source), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(run.stdout)


def main() -> None:
    import publish_speed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    python = mdpo_python()
    root = Path(tempfile.mkdtemp(prefix="mdpo-compare-"))
    try:
        corpus = root / "corpus"
        publish_speed.build_corpus(corpus, args.articles, engine="pseudo")
        cold, extract, merge = [], [], []
        for n in range(args.repeat):
            project = root / f"ours-{n}"
            shutil.copytree(corpus, project)
            cold.append(ours(project))
            found = theirs(python, corpus / "source", root / f"mdpo-{n}")
            extract.append(found["extract"])
            merge.append(found["merge"])
            print(
                f"  run {n + 1}: publish {cold[-1]:.2f} s; mdpo extract {extract[-1]:.2f} s "
                f"+ merge {merge[-1]:.2f} s",
                flush=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ours_s = statistics.median(cold)
    peer = statistics.median(e + m for e, m in zip(extract, merge, strict=True))
    ratio = ours_s / peer
    verdict = "ok" if ratio <= 1.5 else "OVER 1.5x"
    print(
        f"{args.articles} articles, es, pseudo engine (medians of {args.repeat}): cold publish "
        f"{ours_s:.2f} s; mdpo extract {statistics.median(extract):.2f} s + merge "
        f"{statistics.median(merge):.2f} s = {peer:.2f} s; ratio {ratio:.1f}x  [{verdict}]"
    )


if __name__ == "__main__":
    main()
