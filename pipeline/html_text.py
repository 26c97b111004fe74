"""The words inside raw HTML: the text of an HTML block, and ``title`` and ``alt``
attributes of any raw tag, as translation units.

Raw HTML is cut into the raw parts kept byte for byte and the *holes* that are
translated. A hole in an HTML block is a run of text between block-level tags
(``<div>``, ``<p>``, ``<td>``...); inline tags inside it (``<em>``, ``<a href>``,
``<br>``) and character references are codes, as Markdown's own inline markup
is; code, scripts, styles and comments are never translated. A hole in a tag is
an attribute's value. reassemble.py writes each hole back through ``Holes.put``,
escaped for where it stands.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown_it.token import Token

from .placeholders import Atom, has_words, text_atoms

_ATTRIBUTE = r"""\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?"""
# What CommonMark calls raw HTML (spec 6.6), and character references.
MARKUP_RE = re.compile(
    rf"<(?P<open>[A-Za-z][A-Za-z0-9-]*)(?:{_ATTRIBUTE})*\s*/?>"
    r"|</(?P<close>[A-Za-z][A-Za-z0-9-]*)\s*>"
    r"|<!---?>|<!--.*?-->|<\?.*?\?>|<![A-Za-z][^>]*>|<!\[CDATA\[.*?\]\]>"
    r"|&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"
    # A tag never closed on its line: a browser reads on to the next ">".
    r"|(?P<broken></?[A-Za-z][^>]*>?)",
    re.DOTALL,
)
# An attribute whose words are read by people (a tooltip, an image's description).
TRANSLATED_ATTRIBUTE_RE = re.compile(
    r"""(?<=\s)(?P<name>title|alt)\s*=\s*(?P<value>"[^"]*"|'[^']*'|[^\s"'=<>`]+)""",
    re.IGNORECASE,
)
# Inline elements: their tags are codes inside a hole, not its ends.
# fmt: off
INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "data", "del", "dfn", "em", "i", "img",
    "ins", "mark", "q", "s", "small", "span", "strong", "sub", "sup", "time", "u", "wbr",
})
# fmt: on
# Elements whose content is never translated: inline ones become one code.
RAW_INLINE = frozenset({"code", "kbd", "samp", "var"})
RAW_BLOCK = frozenset({"script", "style", "pre", "textarea", "svg", "math", "template"})
_NEWLINE_RE = re.compile(r"\s*\n\s*")
# What could start a tag or a character reference in translated text.
_TEXT_UNSAFE_RE = re.compile(r"<(?=[A-Za-z/!?])|&(?=#|[A-Za-z][A-Za-z0-9]*;)")
_BLANK_LINE_RE = re.compile(r"\n\s*\n")  # would end the HTML block in Markdown


@dataclass
class Holes:
    """Raw HTML (a token's ``content``) cut into parts: text kept as it is, holes that
    translations fill (the parts at the indexes the slots name), and tags (tokens)
    whose own attributes are holes; ``parent``: the HTML block such a tag stands in."""

    token: Token
    parts: list[str | Token]
    quoted: bool = False  # the holes are attribute values (written in double quotes)
    parent: Holes | None = None

    def __post_init__(self) -> None:
        self.out = list(self.parts)

    def put(self, hole: int, text: str) -> None:
        """Write ``text`` (plain text for a value, else HTML: ``rendered``) into a hole."""
        self.out[hole] = '"' + html.escape(text, quote=True) + '"' if self.quoted else text
        self.refresh()

    def refresh(self) -> None:
        self.token.content = "".join(p if isinstance(p, str) else p.content for p in self.out)
        if self.parent is not None:
            self.parent.refresh()


def rendered(tokens: list[Token]) -> str:
    """A hole's HTML from decoded tokens: codes as written, text escaped where it
    could read as markup (translated "<b>" stays text), a translation's blank lines
    closed up (one would end the HTML block in Markdown)."""
    parts = []
    for token in tokens:
        if token.type == "text":
            text = _BLANK_LINE_RE.sub("\n", token.content)
            parts.append(_TEXT_UNSAFE_RE.sub(lambda m: html.escape(m.group()), text))
        else:  # html_inline: a tag, a reference, a review mark's span
            parts.append(token.content)
    return "".join(parts)


def _tag(raw: str) -> Token:
    return Token("html_inline", "", 0, content=raw)


def _code(raw: str) -> Atom:
    return Atom("x", tokens=[_tag(raw)])


def _text(text: str, offset: int) -> list[tuple[Atom, int, int]]:
    """Text atoms with their spans; a line break and the indentation around it is one
    soft break."""
    out: list[tuple[Atom, int, int]] = []

    def plain(start: int, end: int) -> None:
        pos = start
        for atom in text_atoms(text[start:end]):
            size = len(atom.text if atom.kind == "text" else atom.tokens[0].content)
            out.append((atom, offset + pos, offset + pos + size))
            pos += size

    pos = 0
    for match in _NEWLINE_RE.finditer(text):
        plain(pos, match.start())
        soft = Atom("text", " ", tokens=[Token("softbreak", "br", 0)])
        out.append((soft, offset + match.start(), offset + match.end()))
        pos = match.end()
    plain(pos, len(text))
    return out


def _words_in_attributes(raw: str) -> bool:
    """Whether a tag (not a comment, not a whole code element) has a title or alt
    with words."""
    if not (raw[:1] == "<" and raw[1:2].isalpha()) or raw.count("<") > 1:
        return False
    return any(has_words(_value(m.group("value"))) for m in TRANSLATED_ATTRIBUTE_RE.finditer(raw))


def _value(value: str) -> str:
    return html.unescape(value[1:-1] if value[:1] in ("'", '"') else value)


@dataclass
class Block:
    """An HTML block, cut: its holes; for each text hole (by part index) its atoms and
    the line it starts on (0: the block's first); the tags whose ``title`` or ``alt``
    is translated (in a hole or between)."""

    holes: Holes
    runs: dict[int, tuple[list[Atom], int]]
    tags: list[Token]


class _Cutter:
    """Walks an HTML block, collecting the runs of text between block-level tags."""

    def __init__(self, content: str) -> None:
        self.content = content
        self.cuts: list[tuple[int, int, list[Atom] | Token]] = []  # spans not kept as text
        self.tags: list[Token] = []  # with a translated title or alt
        self.run: list[tuple[Atom, int, int]] = []
        self.open: list[tuple[str, Atom]] = []

    def add(self, atoms: list[tuple[Atom, int, int]]) -> None:
        self.run.extend(atoms)

    def add_code(self, raw: str, start: int, end: int, kind: str = "x", name: str = "") -> None:
        atom = Atom(kind, tokens=[_tag(raw)])
        if kind == "close":
            opened = [i for i, (n, _) in enumerate(self.open) if n == name]
            if not opened:
                atom.kind = "x"
            else:
                del self.open[opened[-1] + 1 :]  # crossed tags: the inner opens stay codes
                opener = self.open.pop()[1]
                opener.partner, atom.partner = atom, opener
        elif kind == "open":
            self.open.append((name, atom))
        self.run.append((atom, start, end))

    def outside(self, start: int, end: int) -> None:
        """A block-level tag: it ends the run; its own title is translated."""
        self.flush()
        self._kept_tag(start, end)

    def _kept_tag(self, start: int, end: int, token: Token | None = None) -> None:
        token = token or _tag(self.content[start:end])
        if _words_in_attributes(token.content):
            self.cuts.append((start, end, token))
            self.tags.append(token)

    def flush(self) -> None:
        """End the current run: a hole if it has words; spaces and codes at its edges
        are kept as written."""
        run, self.run, self.open = self.run, [], []
        for atom, _, _ in run:  # an open tag closed after the run's end is a code of its own
            if atom.kind in ("open", "close") and atom.partner is None:
                atom.kind = "x"

        def edge(item: tuple[Atom, int, int]) -> bool:
            atom = item[0]
            return atom.kind == "x" or (atom.kind == "text" and not atom.text.strip())

        first = next((i for i, item in enumerate(run) if not edge(item)), len(run))
        last = next((i for i in range(len(run) - 1, -1, -1) if not edge(run[i])), -1)
        words = any(a.kind == "text" and has_words(a.text) for a, _, _ in run[first : last + 1])
        if not words:
            first, last = len(run), len(run) - 1
        for atom, start, end in [*run[:first], *run[last + 1 :]]:
            if atom.kind == "x" and atom.tokens[0].type == "html_inline":
                self._kept_tag(start, end, atom.tokens[0])
        if not words:
            return
        middle = [atom for atom, _, _ in run[first : last + 1]]
        start, end = run[first][1], run[last][2]
        if middle[0].kind == "text":
            lead = len(middle[0].text) - len(middle[0].text.lstrip())
            middle[0] = Atom("text", middle[0].text[lead:], middle[0].tokens)
            start += lead
        if middle[-1].kind == "text":
            trail = len(middle[-1].text) - len(middle[-1].text.rstrip())
            middle[-1] = Atom("text", middle[-1].text.rstrip(), middle[-1].tokens)
            end -= trail
        for atom in middle:
            if atom.kind != "text" and _words_in_attributes(atom.tokens[0].content):
                self.tags.append(atom.tokens[0])
        self.cuts.append((start, end, middle))

    def cut(self, token: Token) -> Block:
        content, pos = self.content, 0
        # Until its first words or block-level tag, what opens the block is kept as
        # written: it is what makes Markdown read an HTML block (a line "<a href>").
        leading = True
        for match in MARKUP_RE.finditer(content):
            if match.start() < pos:  # inside a raw element already taken whole
                continue
            if match.start() > pos:
                text = content[pos : match.start()]
                leading = leading and not text.strip()
                self.add(_text(text, pos))
            start, pos = match.start(), match.end()
            name = (match.group("open") or match.group("close") or "").lower()
            if name in RAW_INLINE | RAW_BLOCK and match.group("open"):
                closing = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(content, pos)
                pos = closing.end() if closing else len(content)
                if name in RAW_INLINE and not leading:
                    self.add([(_code(content[start:pos]), start, pos)])
                else:
                    self.flush()
            elif leading or match.group("broken"):
                self.outside(start, pos)
            elif not name:  # a comment, declaration or character reference
                self.add_code(match.group(), start, pos)
            elif name not in INLINE:
                self.outside(start, pos)
            elif match.group("close"):
                self.add_code(match.group(), start, pos, "close", name)
            elif match.group().endswith("/>") or name in ("br", "img", "wbr"):
                self.add_code(match.group(), start, pos)
            else:
                self.add_code(match.group(), start, pos, "open", name)
            leading = leading and name in INLINE | {""}
        if pos < len(content):
            self.add(_text(content[pos:], pos))
        self.flush()
        return self._block(token)

    def _block(self, token: Token) -> Block:
        content = self.content
        parts: list[str | Token] = []
        runs: dict[int, tuple[list[Atom], int]] = {}
        kept = 0
        for start, end, what in sorted(self.cuts, key=lambda cut: cut[0]):
            parts.append(content[kept:start])
            if isinstance(what, Token):
                parts.append(what)
            else:
                runs[len(parts)] = (what, content.count("\n", 0, start))
                parts.append(content[start:end])
            kept = end
        parts.append(content[kept:])
        return Block(Holes(token, parts), runs, self.tags)


def block_holes(token: Token) -> Block:
    """An HTML block's text holes and the tags with translated attributes."""
    return _Cutter(token.content).cut(token)


def attribute_holes(
    tag: Token, parent: Holes | None = None
) -> tuple[Holes, dict[int, tuple[str, str]]]:
    """The ``title`` and ``alt`` values with words in a raw tag (or an inline HTML
    token), as holes: hole -> the attribute's name and its text, unescaped."""
    parts: list[str | Token] = []
    texts: dict[int, tuple[str, str]] = {}
    kept, content = 0, tag.content
    for match in MARKUP_RE.finditer(content):
        if not match.group("open"):
            continue
        for attribute in TRANSLATED_ATTRIBUTE_RE.finditer(match.group()):
            value = attribute.group("value")
            if not has_words(_value(value)):
                continue
            start = match.start() + attribute.start("value")
            parts.append(content[kept:start])
            texts[len(parts)] = (attribute.group("name").lower(), _value(value))
            parts.append(value)
            kept = start + len(value)
    parts.append(content[kept:])
    return Holes(tag, parts, quoted=True, parent=parent), texts
