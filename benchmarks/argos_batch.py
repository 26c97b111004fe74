"""Argos: our batched path versus argostranslate.translate one unit at a time.

    .venv/bin/python benchmarks/argos_batch.py [--limit N] [--shared ../shared]

Both translate the FLORES-200 devtest English sentences with the tiny test
package from tests/build_argos_model.py, on the same CTranslate2 model with
the same beam size and the same decoding limit (CTranslate2's default, 256),
so the difference is the batching alone. argostranslate.translate needs a
sentence splitter; offline, the one packaged in the test model (spaCy) is used.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEAM = 2
DECODING_LIMIT = 256  # CTranslate2's default, which argostranslate.translate uses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()

    packages = tempfile.mkdtemp(prefix="argos-bench-")
    # argostranslate reads these when first imported.
    threads = str(os.cpu_count() or 1)
    os.environ.update(
        ARGOS_PACKAGES_DIR=packages,
        ARGOS_CHUNK_TYPE="SPACY",
        ARGOS_BEAM_SIZE=str(BEAM),
        ARGOS_INTRA_THREADS=threads,
    )
    sys.path.insert(0, str(ROOT / "tests"))
    import argostranslate.package
    import argostranslate.translate
    from build_argos_model import build_package

    from pipeline.engines.argos import ArgosEngine

    model = build_package(Path(packages).parent / f"{Path(packages).name}.argosmodel")
    argostranslate.package.install_from_path(model)

    flores = args.shared / "eval" / "flores200-devtest" / "eng_Latn.txt"
    sentences = flores.read_text(encoding="utf-8").splitlines()
    if args.limit:
        sentences = sentences[: args.limit]
    print(
        f"{len(sentences)} FLORES sentences, en->zh, test model, beam {BEAM}, "
        f"decoding limit {DECODING_LIMIT}"
    )

    engine = ArgosEngine(beam_size=BEAM, max_decoding_length=DECODING_LIMIT)
    engine.translate_batch(sentences[:2], "en", "zh")  # load the model outside the timing
    start = time.perf_counter()
    engine.translate_batch(sentences, "en", "zh")
    batched = time.perf_counter() - start

    argostranslate.translate.translate(sentences[0], "en", "zh")  # load likewise
    start = time.perf_counter()
    for sentence in sentences:
        argostranslate.translate.translate(sentence, "en", "zh")
    one_by_one = time.perf_counter() - start

    capped = ArgosEngine(beam_size=BEAM)  # the pipeline's default decoding limit
    start = time.perf_counter()
    capped.translate_batch(sentences, "en", "zh")
    default = time.perf_counter() - start

    n = len(sentences)
    rows = [
        ("batched (pipeline engine)", batched),
        ("argostranslate.translate, one by one", one_by_one),
        ("pipeline engine, default limits", default),
    ]
    for label, seconds in rows:
        print(f"{label:38} {n / seconds:8.1f} units/s  ({seconds:.1f} s)")
    print(f"speed-up of batching: {one_by_one / batched:.1f}x")


if __name__ == "__main__":
    main()
