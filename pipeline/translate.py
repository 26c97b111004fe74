"""Choosing an engine per language and turning its output into catalog entries."""

from __future__ import annotations

from dataclasses import dataclass

from babel.messages.catalog import Message

from .catalog import MT_PREFIX
from .config import Language
from .engines import Engine, EngineUnavailable, Translation, get_engine
from .errors import PipelineError
from .glossary import Glossary
from .guard import inspect


@dataclass
class EngineChoice:
    engine: Engine | None
    skipped: list[str]  # why each earlier engine in line was passed over

    def hint(self, source: str, target: str) -> str:
        reasons = "; ".join(self.skipped) or "no engine is configured"
        return f"{source}->{target}: {reasons}"


def choose_engine(
    source: str, language: Language | str, override: str | None, options: dict | None = None
) -> EngineChoice:
    """The first engine in the language's order that can translate the pair.

    A broken installation of a wanted engine stops the run (PipelineError); an
    engine that simply lacks the pair is skipped with its reason.
    """
    target = language if isinstance(language, str) else language.code
    names = [override] if override else list(language.engines)
    skipped = []
    for name in names:
        engine = get_engine(name, (options or {}).get(name))
        try:
            engine.check(source, target)
        except EngineUnavailable as exc:
            if exc.fatal or override:
                raise PipelineError(
                    f"engine '{name}' cannot translate {source}->{target}: {exc.reason}",
                    fix=exc.fix,
                ) from exc
            skipped.append(f"{name}: {exc.reason} (fix: {exc.fix})")
            continue
        return EngineChoice(engine, skipped)
    return EngineChoice(None, skipped)


def run_engine(
    engine: Engine, texts: list[str], source: str, target: str, glossary: Glossary
) -> list[Translation]:
    """One engine batch with the glossary's terms protected and then rendered."""
    protected = [glossary.protect(text, target) for text in texts]
    outputs = engine.translate_batch([text for text, _ in protected], source, target)
    return [
        Translation(glossary.restore(out.text, table, target), out.flags) if out.text else out
        for out, (_, table) in zip(outputs, protected, strict=True)
    ]


def check_glossary(messages: list[Message], glossary: Glossary, language: str) -> None:
    """Set or clear each translated entry's ``glossary`` flag; add the translator help.

    Human-approved entries are checked too; only their flag changes, never their text.
    """
    for message in messages:
        note = glossary.comment(message.id, language)
        if note:
            message.auto_comments = [*message.auto_comments, note]
        message.flags.discard("glossary")
        if message.string and glossary.violations(message.id, message.string, language):
            message.flags.add("glossary")


def to_message_fields(
    source: str, result: Translation, engine: str, language: str
) -> tuple[str, set[str]]:
    """msgstr and flags for a machine translation, after the output guard."""
    flags = {"fuzzy", f"{MT_PREFIX}{engine}", *result.flags}
    if not result.text.strip():
        return "", flags - {"fuzzy"}
    text, problems = inspect(source, result.text, language)
    return text, flags | set(problems)


def fill(messages: list[Message], results: dict[str, tuple[str, set[str]]]) -> None:
    """Put engine output (``to_message_fields``) into untranslated entries, never into others."""
    for message in messages:
        result = results.get(message.id)
        if result is None or message.string:
            continue
        message.string, message.flags = result[0], set(result[1])
