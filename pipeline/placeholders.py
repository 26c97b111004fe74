"""Inline markup <-> placeholder text.

A translation unit is English text in which every piece of inline markup is a
numbered placeholder, in the style of XLIFF inline codes:

* ``<gN>...</gN>`` wraps text inside paired markup (emphasis, strong, links);
  the translator may move it but must keep it.
* ``<xN/>`` stands for something atomic that must come back unchanged: code,
  raw HTML, images, line breaks, autolinks, URLs, e-mail addresses, phone numbers.

Placeholders are numbered per unit from 1, so the same sentence gets the same
msgid wherever it appears. ``Placeholders`` keeps the tokens behind each number
so a translated text can be turned back into markdown-it tokens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markdown_it.token import Token

from .literals import protected_spans

PLACEHOLDER_RE = re.compile(r"<g(\d+)>|</g(\d+)>|<x(\d+)/>")
PAIRED = {"em_open", "strong_open", "s_open", "link_open"}


class PlaceholderMismatch(ValueError):
    """A translated text does not use its unit's placeholders exactly once each, nested."""


@dataclass
class Atom:
    """One step of an inline stream: text, an opening/closing code, or an atomic code."""

    kind: str  # "text" | "open" | "close" | "x"
    text: str = ""
    tokens: list[Token] = field(default_factory=list)
    partner: Atom | None = None  # for open/close: the matching close/open atom


def text_atoms(text: str) -> list[Atom]:
    atoms, pos = [], 0
    for start, end in protected_spans(text):
        if start > pos:
            atoms.append(Atom("text", text[pos:start]))
        atoms.append(Atom("x", tokens=[Token("text", "", 0, content=text[start:end])]))
        pos = end
    if pos < len(text):
        atoms.append(Atom("text", text[pos:]))
    return atoms


def atomize(children: list[Token]) -> list[Atom]:
    """Turn an inline token stream into atoms; paired markup is matched up."""
    atoms: list[Atom] = []
    stack: list[int] = []
    i = 0
    while i < len(children):
        tok = children[i]
        if tok.type in ("text", "text_special"):
            atoms.extend(text_atoms(tok.content))
        elif tok.type == "softbreak":
            atoms.append(Atom("text", " ", tokens=[tok]))
        elif tok.type == "link_open" and tok.info == "auto":
            # An autolink's text is its URL: the whole link is one atomic code.
            end = next(j for j in range(i, len(children)) if children[j].type == "link_close")
            atoms.append(Atom("x", tokens=children[i : end + 1]))
            i = end
        elif tok.type in PAIRED:
            stack.append(len(atoms))
            atoms.append(Atom("open", tokens=[tok]))
        elif tok.type.endswith("_close") and stack:
            opener = atoms[stack.pop()]
            opener.partner = Atom("close", tokens=[tok], partner=opener)
            atoms.append(opener.partner)
        else:  # code_inline, html_inline, image, hardbreak and anything unknown
            atoms.append(Atom("x", tokens=[tok]))
        i += 1
    return _collapse_wordless(atoms)


def _collapse_wordless(atoms: list[Atom]) -> list[Atom]:
    """Make paired markup with no words inside (a link on a phone number) one atomic code.

    There is nothing in it to translate, and engines tend to drop empty spans.
    """
    out: list[Atom] = []
    for atom in atoms:
        out.append(atom)
        if atom.kind != "close":
            continue
        start = next(i for i in range(len(out) - 1, -1, -1) if out[i] is atom.partner)
        inner = out[start + 1 : -1]
        if any(a.kind == "text" and has_words(a.text) for a in inner):
            continue
        tokens = [tok for a in out[start:] for tok in _atom_tokens(a)]
        del out[start:]
        out.append(Atom("x", tokens=tokens))
    return out


def _atom_tokens(atom: Atom) -> list[Token]:
    if atom.kind == "text" and not atom.tokens:  # plain text (softbreaks keep their token)
        return [Token("text", "", 0, content=atom.text)]
    return atom.tokens


def codes_of(text: str) -> dict[int, str]:
    """Number -> kind ("open" or "x") of the placeholders in a placeholder text."""
    return {int(g or x): "open" if g else "x" for g, _, x in PLACEHOLDER_RE.findall(text) if g or x}


def markup_mismatch(target: str, source: str) -> str:
    """Why ``target`` does not use exactly the codes of ``source`` ('' if it does): the
    one check of a translation's markup, for the guard, review, imports and pages."""
    try:
        check_codes(target, codes_of(source))
    except PlaceholderMismatch as exc:
        return str(exc)
    return ""


def check_codes(text: str, codes: dict[int, str]) -> None:
    """Raise PlaceholderMismatch unless ``text`` uses each code once, properly nested."""
    seen: set[int] = set()
    open_stack: list[int] = []
    for match in PLACEHOLDER_RE.finditer(text):
        g_open, g_close, x = match.groups()
        if g_close is not None:
            if not open_stack or open_stack[-1] != int(g_close):
                raise PlaceholderMismatch(f"</g{g_close}> closes nothing open")
            open_stack.pop()
            continue
        number = int(g_open if g_open is not None else x)
        if codes.get(number) != ("open" if g_open is not None else "x"):
            raise PlaceholderMismatch(f"{match.group()} is not a code of the English")
        if number in seen:
            raise PlaceholderMismatch(f"{match.group()} appears twice")
        seen.add(number)
        if g_open is not None:
            open_stack.append(number)
    if open_stack:
        raise PlaceholderMismatch(f"<g{open_stack[-1]}> is never closed")
    missing = sorted(set(codes) - seen)
    if missing:
        labels = (f"<g{n}>" if codes[n] == "open" else f"<x{n}/>" for n in missing)
        raise PlaceholderMismatch("missing " + ", ".join(labels))


def has_words(text: str) -> bool:
    """Whether placeholder text has anything to translate (a letter outside the codes)."""
    plain = PLACEHOLDER_RE.sub("", text)
    return any(unicodedata.category(c).startswith("L") for c in plain)


@dataclass
class Placeholders:
    """The codes of one unit: number -> the atom it stands for."""

    codes: dict[int, Atom] = field(default_factory=dict)

    @classmethod
    def encode(cls, atoms: list[Atom]) -> tuple[str, Placeholders]:
        """Placeholder text for ``atoms`` (which must be balanced), numbered from 1."""
        table = cls()
        parts: list[str] = []
        number_of: dict[int, int] = {}  # id(open atom) -> its number
        for atom in atoms:
            if atom.kind == "text":
                parts.append(atom.text)
            elif atom.kind == "close":
                parts.append(f"</g{number_of[id(atom.partner)]}>")
            else:
                number = len(table.codes) + 1
                table.codes[number] = atom
                number_of[id(atom)] = number
                parts.append(f"<g{number}>" if atom.kind == "open" else f"<x{number}/>")
        return "".join(parts), table

    def decode(self, text: str) -> list[Token]:
        """Tokens for a (translated) placeholder text; raises PlaceholderMismatch."""
        check_codes(text, {n: atom.kind for n, atom in self.codes.items()})
        tokens: list[Token] = []
        pos = 0
        for match in PLACEHOLDER_RE.finditer(text):
            if match.start() > pos:
                tokens.append(Token("text", "", 0, content=text[pos : match.start()]))
            pos = match.end()
            g_open, g_close, x = match.groups()
            atom = self.codes[int(g_open or g_close or x)]
            if g_close and atom.partner is not None:  # an open code's atom: its close's tokens
                atom = atom.partner
            tokens.extend(atom.tokens)
        if pos < len(text):
            tokens.append(Token("text", "", 0, content=text[pos:]))
        return tokens
