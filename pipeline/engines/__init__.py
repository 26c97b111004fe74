"""Translation engines, looked up by the names used in [tool.pipeline]."""

from __future__ import annotations

from ..errors import PipelineError
from .apertium import ApertiumEngine
from .apy import ApyEngine
from .argos import ArgosEngine
from .base import Engine, EngineUnavailable, GlossaryFallback, Translation
from .libretranslate import LibreTranslateEngine
from .pseudo import PseudoEngine

ENGINES: dict[str, type[Engine]] = {
    "argos": ArgosEngine,
    "apertium": ApertiumEngine,
    "apy": ApyEngine,
    "libretranslate": LibreTranslateEngine,
    "pseudo": PseudoEngine,
}

__all__ = [
    "ENGINES",
    "Engine",
    "EngineUnavailable",
    "GlossaryFallback",
    "Translation",
    "get_engine",
]


def get_engine(name: str, options: dict | None = None) -> Engine:
    """An engine by name, with its options from [tool.pipeline.engines.<name>]."""
    if name not in ENGINES:
        known = ", ".join(sorted(ENGINES))
        raise PipelineError(f"unknown engine '{name}'", fix=f"use one of: {known}")
    try:
        return ENGINES[name](**(options or {}))
    except TypeError as exc:
        raise PipelineError(
            f"bad option for engine '{name}' ({exc})",
            fix=f"check [tool.pipeline.engines.{name}] in pyproject.toml",
        ) from exc
