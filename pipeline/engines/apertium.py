"""Apertium: rule-based, offline, installed from Debian packages.

A whole batch goes through one ``apertium -f html`` process. Each unit is a
``<p id="uN">`` block (a sentence boundary Apertium respects) and placeholders
travel as HTML elements that Apertium's HTML format handler keeps in place:
``<gN>`` as ``<span id="gN">``, ``<xN/>`` as ``<br id="xN">`` (an empty inline
element would make Apertium capitalise the next word; ``<br>`` does not).
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import subprocess

from ..errors import PipelineError
from ..placeholders import PLACEHOLDER_RE
from .base import Engine, EngineUnavailable, Translation

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
# A sentence that starts with codes: Apertium capitalises the first word after them.
LEADING_LOWER_RE = re.compile(r"^(?:\s*<[gx]\d+/?>)+\s*[a-z]")
LEADING_UPPER_RE = re.compile(r"^((?:\s*<[gx]\d+/?>)+\s*)(\w)")
# Apertium marks words it could not analyse (*), generate (#) or transfer (@).
MARK_RE = re.compile(r"(?<![\w*#@])[*#@](?=\w)")


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
        if not texts:
            return []
        mode = self.mode(source, target)
        wire = "".join(f'<p id="u{i}">{to_wire(t)}</p>\n' for i, t in enumerate(texts))
        try:
            run = subprocess.run(
                ["apertium", "-f", "html", mode],
                input=wire,
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
        found = {int(n): body for n, body in UNIT_RE.findall(run.stdout)}
        results = []
        for index in range(len(texts)):
            if index not in found:  # the unit boundary was lost: leave it untranslated
                results.append(Translation("", ("engine-error",)))
                continue
            text = from_wire(found[index]).strip()
            if LEADING_LOWER_RE.match(texts[index]):
                text = LEADING_UPPER_RE.sub(lambda m: m.group(1) + m.group(2).lower(), text)
            flags = ("unknown-words",) if MARK_RE.search(text) else ()
            results.append(Translation(MARK_RE.sub("", text), flags))
        return results
