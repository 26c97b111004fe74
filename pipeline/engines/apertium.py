"""Apertium: rule-based, offline, installed from Debian packages.

A whole batch goes through one ``apertium -u -f html`` process. Each unit is a
``<p id="uN">`` block (a sentence boundary Apertium respects) and placeholders
travel as HTML elements that Apertium's HTML format handler keeps in place:
``<gN>`` as ``<span id="gN">``, ``<xN/>`` as ``<br id="xN">`` (an empty inline
element would make Apertium capitalise the next word; ``<br>`` does not).

The glossary goes into the pair's own dictionaries (apertium_dictionary.py), so
terms are words the engine inflects and agrees with. Apertium runs without its
unknown-word marks (``-u``): a mark before a word stops the post-generator from
eliding ("l'startup" became "el startup") and survived after digits
("2.4*Ghz"). Words it did not know are found afterwards by reading the
translation with the target language's analyser (target_checks.py), which also
catches words an engine ran together.

Units without inline codes go as plain text, one paragraph each; the others as
HTML, whose format handler keeps markup on its words but costs half as much
again per unit.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PipelineError
from ..lttoolbox import LttoolboxFailed
from ..placeholders import PLACEHOLDER_RE
from .apertium_dictionary import Overlay, build_overlay
from .base import Engine, EngineUnavailable, GlossaryFallback, Translation

if TYPE_CHECKING:
    from ..glossary import Glossary

# Apertium names languages by ISO 639-3.
ISO3 = {
    "en": "eng",
    "es": "spa",
    "ca": "cat",
    "fr": "fra",
    "pt": "por",
    "it": "ita",
    "gl": "glg",
    "eu": "eus",
    "oc": "oci",
    "ro": "ron",
    "de": "deu",
    "nl": "nld",
}
PACKAGE_HINT = "sudo apt-get install apertium apertium-{pair}"

WIRE_RE = re.compile(r'<span id="g(\d+)">|</span>|<br id="x(\d+)">(?:</br>)?')
UNIT_RE = re.compile(r'<p id="u(\d+)">(.*?)</p>', re.DOTALL)
# Apertium splits a span around words it inserts or moves: "<g1>a</g1> de <g1>b</g1>".
REOPENED_RE = re.compile(r"</g(\d+)>((?:[^<]|<x\d+/>)*)<g\1>")
SENTENCE_END_RE = re.compile(r"[.!?…][\"'\u201d\u2019»)\]]*$")
# A sentence that starts with codes: Apertium capitalises the first word after them.
LEADING_LOWER_RE = re.compile(r"^(?:\s*<[gx]\d+/?>)+\s*[a-z]")
LEADING_UPPER_RE = re.compile(r"^((?:\s*<[gx]\d+/?>)+\s*)(\w)")


@functools.cache
def installed_modes() -> frozenset[str]:
    out = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False)
    return frozenset(line.strip() for line in out.stdout.splitlines() if line.strip())


def to_wire(text: str) -> str:
    parts, pos = [], 0
    for match in PLACEHOLDER_RE.finditer(text):
        parts.append(html.escape(text[pos : match.start()], quote=False))
        g_open, g_close, x = match.groups()
        if g_open:
            parts.append(f'<span id="g{g_open}">')
        elif g_close:
            parts.append("</span>")
        else:
            parts.append(f'<br id="x{x}">')
        pos = match.end()
    parts.append(html.escape(text[pos:], quote=False))
    return "".join(parts)


def from_wire(wire: str) -> str:
    """Apertium's HTML back to placeholder text; spans close in the order they opened."""
    parts, pos, stack = [], 0, []
    for match in WIRE_RE.finditer(wire):
        parts.append(html.unescape(wire[pos : match.start()]))
        g_open, x = match.groups()
        if g_open:
            stack.append(g_open)
            parts.append(f"<g{g_open}>")
        elif x:
            parts.append(f"<x{x}/>")
        elif stack:
            parts.append(f"</g{stack.pop()}>")
        pos = match.end()
    parts.append(html.unescape(wire[pos:]))
    text = "".join(parts)
    while REOPENED_RE.search(text):
        text = REOPENED_RE.sub(r"\2", text)
    return text


class ApertiumEngine(Engine):
    name = "apertium"

    def __init__(self) -> None:
        self._overlays: dict[str, Overlay | None] = {}  # target -> the glossary's dictionaries

    def adopt_glossary(self, glossary: Glossary, source: str, target: str, cache: Path) -> bool:
        pair = self.mode(source, target)
        try:
            self._overlays[target] = build_overlay(pair, target, glossary, cache)
        except LttoolboxFailed as exc:  # tools missing, or one failed while building
            raise GlossaryFallback(exc.reason, exc.fix) from exc
        return True

    def mode(self, source: str, target: str) -> str:
        src, tgt = ISO3.get(source), ISO3.get(target)
        if not src or not tgt:
            raise EngineUnavailable(
                f"Apertium has no {source}->{target} pair", "use another engine for this language"
            )
        return f"{src}-{tgt}"

    def check(self, source: str, target: str) -> None:
        mode = self.mode(source, target)
        if shutil.which("apertium") is None:
            raise EngineUnavailable(
                "the 'apertium' program is not installed",
                PACKAGE_HINT.format(pair=mode),
                fatal=True,
            )
        if mode not in installed_modes():
            raise EngineUnavailable(
                f"the Apertium pair {mode} is not installed",
                PACKAGE_HINT.format(pair=mode),
                fatal=True,
            )

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
        return self._translate(texts, source, target, split=True) if texts else []

    def _translate(
        self, texts: list[str], source: str, target: str, split: bool
    ) -> list[Translation]:
        # Units without inline codes go as plain text, one paragraph each (a blank line
        # ends a sentence for Apertium); the others as HTML, where Apertium keeps markup
        # on its words. HTML costs half as much again per unit, and most units have no
        # codes. The two run side by side.
        plain = [
            i for i, t in enumerate(texts)
            if split and "\n" not in t and not PLACEHOLDER_RE.search(t)
        ]  # fmt: skip
        marked = sorted(set(range(len(texts))) - set(plain))
        jobs = [("txt", group) for group in self._groups(plain, texts)]
        jobs += [("html", group) for group in self._groups(marked, texts)]
        documents = [(fmt, document(fmt, group, texts)) for fmt, group in jobs]
        runs = self._run(documents, source, target)
        outputs: dict[int, str] = {}
        for (fmt, group), out in zip(jobs, runs, strict=True):
            if fmt == "txt":
                pieces = [line for line in out.split("\n") if line.strip()]
                if len(pieces) != len(group):  # a unit boundary was lost: all through HTML
                    return self._translate(texts, source, target, split=False)
                outputs.update(zip(group, pieces, strict=True))
                continue
            members = set(group)
            for index, body in UNIT_RE.findall(out):
                if int(index) not in members:
                    continue
                text = from_wire(body)
                if LEADING_LOWER_RE.match(texts[int(index)]):
                    text = LEADING_UPPER_RE.sub(lambda m: m.group(1) + m.group(2).lower(), text)
                outputs[int(index)] = text
        # No text: the unit boundary was lost; the unit stays untranslated.
        return [Translation.of(outputs.get(i, "")) for i in range(len(texts))]

    def _groups(self, indices: list[int], texts: list[str]) -> list[list[int]]:
        """The units of one format, in the documents they travel in: here all in one."""
        return [indices] if indices else []

    def _run(self, documents: list[tuple[str, str]], source: str, target: str) -> list[str]:
        """Apertium's output for each (format, document): one process each, side by side."""
        mode = self.mode(source, target)
        overlay = self._overlays.get(target)
        where = ["-d", str(overlay.folder), overlay.mode] if overlay else [mode]
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda job: _apertium(job[0], where, job[1], mode), documents))


def document(fmt: str, group: list[int], texts: list[str]) -> str:
    """The units as Apertium reads them: plain lines, or one HTML paragraph each."""
    if fmt == "txt":
        # A unit that ends a sentence needs only a newline after it; a blank line (a
        # paragraph end, which costs Apertium more) only after the others: a title
        # would run into the next line.
        return "".join(
            texts[i] + ("\n" if SENTENCE_END_RE.search(texts[i]) else "\n\n") for i in group
        )
    return "".join(f'<p id="u{i}">{to_wire(texts[i])}</p>\n' for i in group)


def _apertium(fmt: str, where: list[str], data: str, mode: str) -> str:
    try:
        run = subprocess.run(
            ["apertium", "-u", "-f", fmt, *where],
            input=data,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise PipelineError(
            "the 'apertium' program is not installed", fix=PACKAGE_HINT.format(pair=mode)
        ) from exc
    if run.returncode != 0:
        raise PipelineError(f"apertium {mode} failed: {run.stderr.strip()[:300]}")
    return run.stdout
