"""Choosing an engine per language and turning its output into catalog entries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Message

from .catalog import MT_PREFIX
from .config import Language
from .engines import Engine, EngineUnavailable, GlossaryFallback, Translation, get_engine
from .errors import PipelineError
from .glossary import Glossary
from .guard import inspect, writes_language
from .postedit import post_edit
from .preedit import candidates, sentence_case
from .target_checks import analyser_for, check, english_names, unglue_words


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
    configured = [] if isinstance(language, str) else list(language.engines)  # a bare code: none
    names = [override] if override else configured
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
    engine: Engine,
    texts: list[str],
    source: str,
    target: str,
    glossary: Glossary,
    cache: Path | None = None,
    warn: Callable[[str], None] = lambda _: None,
    edit: bool = True,
) -> list[Translation]:
    """One engine batch, with the glossary in the engine's own dictionaries where it can
    take them (``cache``: a folder for them), else with each term protected by a code
    and its rendering put back afterwards (``warn`` says why, when the engine could).

    With ``edit`` (and an engine that writes the target language), Title Case headings
    and labels reach the engine in sentence case (preedit.py) and the output goes
    through the post-editing rules (postedit.py)."""
    edit = edit and engine.writes_target_language
    prepared = texts
    if edit:
        keep = english_names(source, target, glossary, cache)(candidates(texts))
        prepared = [sentence_case(text, keep) for text in texts]
    outputs = None
    if cache is not None:
        try:
            if engine.adopt_glossary(glossary, source, target, cache):
                outputs = engine.translate_batch(prepared, source, target)
                outputs = [
                    Translation(glossary.restore_case(text, out.text, target), out.flags)
                    for text, out in zip(prepared, outputs, strict=True)
                ]
                outputs = _second_chance(engine, prepared, outputs, source, target, glossary)
        except GlossaryFallback as exc:
            warn(
                f"{source}->{target}: glossary terms protected with placeholders, not in "
                f"{engine.name}'s dictionaries: {exc.reason}. Fix: {exc.fix}"
            )
    if outputs is None:
        outputs = _protected(engine, prepared, source, target, glossary)
    if not engine.writes_target_language:
        return outputs
    if edit:
        outputs = [
            Translation(post_edit(text, out.text, target), out.flags) if out.text else out
            for text, out in zip(texts, outputs, strict=True)
        ]
    return _read_back(texts, outputs, source, target, glossary, cache, unglue=edit)


def _read_back(
    texts: list[str],
    outputs: list[Translation],
    source: str,
    target: str,
    glossary: Glossary,
    cache: Path | None,
    unglue: bool = False,
) -> list[Translation]:
    """The outputs with the flags the target language's analyser raises (target_checks);
    with ``unglue``, two words the engine ran together are parted first, where the
    analyser knows both halves ("leshacen" → "les hacen")."""
    analyser = analyser_for(source, target, glossary, cache)
    if analyser is None:
        return outputs
    flags = check(analyser, glossary, target, texts, [out.text for out in outputs])
    glued = [i for i, found in enumerate(flags) if "run-together" in found] if unglue else []
    if glued:
        parted = unglue_words(analyser, [texts[i] for i in glued], [outputs[i].text for i in glued])
        again = check(analyser, glossary, target, [texts[i] for i in glued], parted)
        for index, text, found in zip(glued, parted, again, strict=True):
            outputs[index] = Translation(text, outputs[index].flags)
            flags[index] = found
    return [
        Translation(out.text, tuple(sorted({*out.flags, *found}))) if out.text else out
        for out, found in zip(outputs, flags, strict=True)
    ]


def _protected(
    engine: Engine, texts: list[str], source: str, target: str, glossary: Glossary
) -> list[Translation]:
    """Each term behind a code the engine keeps; its rendering put back afterwards."""
    protected = [glossary.protect(text, target) for text in texts]
    outputs = engine.translate_batch([text for text, _ in protected], source, target)
    return [
        Translation(glossary.restore(out.text, table, target), out.flags) if out.text else out
        for out, (_, table) in zip(outputs, protected, strict=True)
    ]


def _second_chance(
    engine: Engine,
    texts: list[str],
    outputs: list[Translation],
    source: str,
    target: str,
    glossary: Glossary,
) -> list[Translation]:
    """Units whose output lost a required rendering (the engine mangled the words around
    it: "cartilage-producing" -> "queproducencartílago"), translated again with their
    terms protected; the version with fewer glossary problems is kept."""
    missed = [
        i for i, (text, out) in enumerate(zip(texts, outputs, strict=True))
        if out.text and glossary.violations(text, out.text, target)
    ]  # fmt: skip
    if not missed:
        return outputs
    retried = _protected(engine, [texts[i] for i in missed], source, target, glossary)
    for index, again in zip(missed, retried, strict=True):
        before = len(glossary.violations(texts[index], outputs[index].text, target))
        if again.text and len(glossary.violations(texts[index], again.text, target)) < before:
            outputs[index] = again
    return outputs


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
    text, problems = inspect(source, result.text, language, writes_language(engine))
    return text, flags | set(problems)


def fill(messages: list[Message], results: dict[str, tuple[str, set[str]]]) -> None:
    """Put engine output (``to_message_fields``) into untranslated entries, never into others."""
    for message in messages:
        result = results.get(message.id)
        if result is None or message.string:
            continue
        message.string, message.flags = result[0], set(result[1])
