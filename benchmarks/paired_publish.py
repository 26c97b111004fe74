"""Two versions of the pipeline, cold publishes side by side (a benchmark, not a test).

    .venv/bin/python benchmarks/paired_publish.py OLD_TREE NEW_TREE [--pairs 16]
                                                  [--articles 1000] [--lang es ...]

OLD_TREE and NEW_TREE are checkouts of the repository (``git worktree add
../old <commit>``); each publish runs that tree's package (PYTHONPATH) with this
environment's interpreter and libraries, from bytecode, on its own fresh copy of
publish_speed.py's corpus (pseudo engine), in a fresh process. The two versions
alternate, one first in even pairs and the other in odd ones, and the medians
of the per-pair ratios (new / old) are printed: wall time, user CPU, and user
plus system CPU of every process. This machine's speed drifts by half within an
hour, so a change shows in such ratios, not in figures taken at different times.

The copies are left in a temporary folder until every pair has run: deleting
thousands of files made the next publishes' file creations cost several times
more kernel time (ext4 checks recently freed inodes as it allocates).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from publish_speed import build_corpus, compile_package, timed_publish  # same folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--pairs", type=int, default=16)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--lang", action="append", dest="languages", default=[])
    args = parser.parse_args()
    languages = tuple(args.languages or ["es"])
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    for name, tree in trees.items():
        if not (tree / "pipeline" / "publish.py").is_file():
            parser.error(f"{name}: {tree} is not a checkout of this repository")
        compile_package(tree)
    root = Path(tempfile.mkdtemp(prefix="paired-publish-"))
    ratios: list[tuple[float, float, float]] = []
    try:
        corpus = root / "corpus"
        build_corpus(corpus, args.articles, engine="pseudo")
        for pair in range(args.pairs):
            order = ["old", "new"] if pair % 2 == 0 else ["new", "old"]
            found = {}
            for name in order:
                project = root / f"{pair}-{name}"
                shutil.copytree(corpus, project)
                found[name] = timed_publish(project, languages, trees[name])
            old, new = found["old"], found["new"]
            ratios.append((new[0] / old[0], new[1] / old[1], new[2] / old[2]))
            print(
                f"  pair {pair + 1}: old {old[0]:.2f} s (CPU {old[2]:.2f} s), "
                f"new {new[0]:.2f} s (CPU {new[2]:.2f} s)",
                flush=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    median = statistics.median
    print(
        f"new / old, medians of {args.pairs} pairs ({args.articles} articles, "
        f"{' '.join(languages)}): wall {median(r[0] for r in ratios):.3f}x, user CPU "
        f"{median(r[1] for r in ratios):.3f}x, all CPU {median(r[2] for r in ratios):.3f}x"
    )


if __name__ == "__main__":
    main()
