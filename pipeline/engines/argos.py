"""Argos Translate: neural MT from installed ``.argosmodel`` packages.

Models are found with argostranslate's package API. Translation does not go
through ``argostranslate.translate``: that translates one text at a time and
splits it into sentences again. Our units are already sentences, so the whole
batch goes to the package's CTranslate2 model at once, tokenized with the
package's own tokenizer (SentencePiece or BPE).
"""

from __future__ import annotations

import os
from functools import cache

from .base import Engine, EngineUnavailable, Translation

INSTALL_HINT = (
    "`pipeline models install {s} {t}` where the Argos index can be reached, or "
    "`pipeline models install FILE.argosmodel` from a downloaded model"
)
DECODING_LIMIT = 256  # CTranslate2's default maximum output length
LIBRARY_HINT = (
    "pip install torch==2.13.0 && pip install argostranslate (or: pip install -e '.[argos]')"
)


def package_api():
    """argostranslate's package module; EngineUnavailable when it is not installed."""
    try:
        import argostranslate.package as package
    except ImportError as exc:
        raise EngineUnavailable("argostranslate is not installed", LIBRARY_HINT) from exc
    return package


def find_package(source: str, target: str):
    """The newest installed Argos package for the pair, or None."""
    packages = [
        p
        for p in package_api().get_installed_packages()
        if p.from_code == source and p.to_code == target
    ]
    return max(packages, key=lambda p: str(p.package_version), default=None)


def _device(wanted: str) -> str:
    if wanted != "auto":
        return wanted
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


@cache
def _translator(model_dir: str, device: str, threads: int):
    import ctranslate2

    return ctranslate2.Translator(model_dir, device=device, intra_threads=threads)


class ArgosEngine(Engine):
    """Options (``[tool.pipeline.engines.argos]`` or PIPELINE_ARGOS_* variables):

    device: "auto" (CUDA when present), "cpu" or "cuda"; threads: CPU threads
    (default: one per core); beam_size; batch_size: sentences per CTranslate2
    call; max_decoding_length: a fixed limit instead of twice the longest input
    of each batch (at most 256).
    """

    name = "argos"

    def __init__(
        self,
        device: str | None = None,
        threads: int | None = None,
        beam_size: int = 2,
        batch_size: int = 64,
        max_decoding_length: int | None = None,
    ) -> None:
        self.device = device or os.environ.get("PIPELINE_ARGOS_DEVICE", "auto")
        # One thread per core: CTranslate2's own default (4) oversubscribes small machines.
        default_threads = str(os.cpu_count() or 1)
        self.threads = int(
            threads
            if threads is not None
            else os.environ.get("PIPELINE_ARGOS_THREADS", default_threads)
        )
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.max_decoding_length = max_decoding_length

    def check(self, source: str, target: str) -> None:
        if find_package(source, target) is None:
            raise EngineUnavailable(
                f"no Argos Translate model for {source}->{target} is installed",
                INSTALL_HINT.format(s=source, t=target),
            )

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
        if not texts:
            return []
        package = find_package(source, target)
        if package is None:
            self.check(source, target)
        model = str(package.package_path / "model")
        translator = _translator(model, _device(self.device), self.threads)
        tokenized = [package.tokenizer.encode(text) for text in texts]
        # Chunks of similar length, each with its own decoding limit: a unit
        # that loops stops at twice its own length, not at the longest unit's.
        order = sorted(range(len(texts)), key=lambda i: len(tokenized[i]))
        hypotheses: dict[int, list[str]] = {}
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            sources = [tokenized[i] for i in chunk]
            prefix = [[package.target_prefix]] * len(chunk) if package.target_prefix else None
            outputs = translator.translate_batch(
                sources,
                target_prefix=prefix,
                max_batch_size=self.batch_size,
                beam_size=self.beam_size,
                replace_unknowns=True,
                max_decoding_length=self.max_decoding_length
                or min(DECODING_LIMIT, 2 * max(len(s) for s in sources) + 10),
            )
            hypotheses.update(zip(chunk, (o.hypotheses[0] for o in outputs), strict=True))
        results = []
        for index in range(len(texts)):
            text = package.tokenizer.decode(hypotheses[index])
            if package.target_prefix and text.startswith(package.target_prefix):
                text = text[len(package.target_prefix) :]
            results.append(Translation(text.strip()))
        return results
