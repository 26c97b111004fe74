"""Article -> translation units.

Every translatable piece of an article (front-matter fields, headings,
paragraphs, list items, table cells, block quotes, image alt text, link and
image titles, the text of raw HTML and its tags' titles and alt texts) becomes
one or more *pieces*, one per sentence. A piece is placeholder text (see
placeholders.py); the translatable ones are the units that go into catalogs. A
``Slot`` remembers where its pieces came from so that reassemble.py can put
translations back into the same token stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import sentencex
from markdown_it.token import Token

from .articles import Article
from .errors import PipelineError
from .html_text import Holes, attribute_holes, block_holes
from .markdown import markdown
from .placeholders import Atom, Placeholders, atomize, has_words, text_atoms
from .unit_kinds import KINDS

# Codes stand in the text given to the sentence splitter as private-use characters.
CODE_BASE = 0xE000
# Text without any of these cannot hold two sentences: the splitter is skipped.
SENTENCE_END_RE = re.compile(r"[.!?\u2026][\s\"'\u201d\u2019)\]\uE000-\uF8FF]")


@dataclass
class Piece:
    text: str  # placeholder text, as in the catalog's msgid
    codes: Placeholders
    line: int  # line in the source file
    translatable: bool


@dataclass
class Slot:
    kind: str  # a key of unit_kinds.KINDS
    pieces: list[Piece]
    token: Token | None = None  # the inline / image / link token written back to
    name: str = ""  # attribute name ("attr") or front-matter field ("meta")
    block: Token | None = None  # the enclosing block's opening token (for page markers)
    index: int | None = None  # the item, in a front-matter field holding a list
    hole: tuple[Holes, int] | None = None  # where in raw HTML ("html", "html_attr")


@dataclass
class Unit:
    """One catalog entry's worth of English: its text and where it occurs."""

    text: str
    line: int
    note: str = ""  # what kind of text it is, when not plain body text


@dataclass
class Document:
    article: Article
    tokens: list[Token]
    env: dict
    slots: list[Slot] = field(default_factory=list)
    # What reassembly and page marks overwrite, as parsed: (token, children, content, attrs).
    parsed: list[tuple[Token, list[Token] | None, str, dict]] = field(default_factory=list)

    def reset(self) -> None:
        """Put the token stream back as parsed (to render the article in another language)."""
        for token, children, content, attrs in self.parsed:
            token.children, token.content, token.attrs = children, content, dict(attrs)

    def units(self) -> list[Unit]:
        """Translatable units in reading order (duplicates included)."""
        out: list[Unit] = []
        for slot in self.slots:
            note = KINDS[slot.kind].note(slot)
            out.extend(Unit(p.text, p.line, note) for p in slot.pieces if p.translatable)
        return out


# A "sentence" without a letter ("1." before a heading's words) belongs to the next one.
LETTER_RE = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=65536)
def sentence_bounds(masked: str) -> tuple[int, ...]:
    """End offsets of the sentences of ``masked`` (cached: every page splits again)."""
    if not SENTENCE_END_RE.search(masked):
        return (len(masked),)
    ends, pos = [], 0
    # sentencex (Wikimedia): maintained, and a Rust core, some 100x faster than pysbd.
    for sentence in sentencex.segment("en", masked):
        start = masked.find(sentence, pos)
        if start < 0:  # the splitter changed the text: keep the paragraph whole
            return (len(masked),)
        pos = start + len(sentence)
        ends.append(pos)
    starts = [0, *ends[:-1]]
    ends = [
        end for start, end in zip(starts, ends, strict=True) if LETTER_RE.search(masked, start, end)
    ]
    if not ends:
        return (len(masked),)
    ends[-1] = len(masked)
    return tuple(ends)


def split_sentences(atoms: list[Atom]) -> list[list[Atom]]:
    """Split atoms at sentence ends, never inside paired markup."""
    masked: list[str] = []
    starts: list[int] = []
    pos = 0
    for atom in atoms:
        starts.append(pos)
        piece = atom.text if atom.kind == "text" else chr(CODE_BASE + len(masked) % 6000)
        masked.append(piece)
        pos += len(piece)
    joined = "".join(masked)
    bounds = sentence_bounds(joined)

    groups: list[list[Atom]] = [[]]
    b = 0
    for atom, start in zip(atoms, starts, strict=True):
        if atom.kind != "text":
            # A closing code at a sentence end belongs to the sentence it closes, and
            # so does a lone code glued to its end (a footnote mark: "help.[^1] More").
            glued = atom.kind == "close" or (
                atom.kind == "x" and start > 0 and not joined[start - 1].isspace()
            )
            while b < len(bounds) - 1 and (bounds[b] < start or (bounds[b] == start and not glued)):
                b += 1
                groups.append([])
            groups[-1].append(atom)
            continue
        text, offset = atom.text, start
        while b < len(bounds) - 1 and bounds[b] < offset + len(text):
            cut = max(0, bounds[b] - offset)
            if cut > 0:
                groups[-1].append(Atom("text", text[:cut], atom.tokens))
            text, offset = text[cut:], offset + cut
            b += 1
            groups.append([])
        if text:
            groups[-1].append(Atom("text", text, atom.tokens))
    return _merge_unbalanced([g for g in groups if g])


def _merge_unbalanced(groups: list[list[Atom]]) -> list[list[Atom]]:
    merged: list[list[Atom]] = []
    open_count = 0
    for group in groups:
        if open_count:
            merged[-1].extend(group)
        else:
            merged.append(list(group))
        open_count += sum(1 for a in group if a.kind == "open")
        open_count -= sum(1 for a in group if a.kind == "close")
    return merged


def _strip(group: list[Atom]) -> list[Atom]:
    """Drop the whitespace around a sentence (the joiner puts it back)."""
    group = list(group)
    while group and group[0].kind == "text" and not group[0].text.strip():
        group.pop(0)
    while group and group[-1].kind == "text" and not group[-1].text.strip():
        group.pop()
    if group and group[0].kind == "text":
        group[0] = Atom("text", group[0].text.lstrip(), group[0].tokens)
    if group and group[-1].kind == "text":
        group[-1] = Atom("text", group[-1].text.rstrip(), group[-1].tokens)
    return group


def _is_softbreak(atom: Atom) -> bool:
    return bool(atom.tokens) and atom.tokens[0].type == "softbreak"


def pieces_of(atoms: list[Atom], first_line: int) -> list[Piece]:
    """Sentence pieces of an atom stream; ``first_line`` is the line of its first atom."""
    pieces, breaks_before = [], 0
    for group in split_sentences(atoms):
        stripped = _strip(group)
        leading = next((i for i, a in enumerate(group) if a.text.strip() or a.kind != "text"), 0)
        line = first_line + breaks_before + sum(map(_is_softbreak, group[:leading]))
        breaks_before += sum(map(_is_softbreak, group))
        if stripped:
            text, codes = Placeholders.encode(stripped)
            pieces.append(Piece(text, codes, line, has_words(text)))
    return pieces


def _check_nesting(article: Article, tokens: list[Token], limit: int) -> None:
    """markdown-it silently drops blocks nested deeper than its limit: say so instead."""
    for token in tokens:
        if token.nesting == 1 and token.level >= limit - 1:
            line = article.body_line + (token.map[0] if token.map else 0)
            raise PipelineError(
                f"quotes or lists are nested more than {limit - 1} levels deep here; "
                "what is deeper would be lost",
                path=article.path,
                line=line,
                fix="nest fewer quotes or lists",
            )


def _inline_slots(inline: Token, block: Token | None, line: int) -> list[Slot]:
    slots = [Slot("inline", pieces_of(atomize(inline.children or []), line), inline, block=block)]
    for child in inline.children or []:
        if child.type == "image" and child.children:
            alt = pieces_of(atomize(child.children), line)
            slots.append(Slot("alt", alt, child, block=block))
        title = child.attrGet("title") if child.type in ("image", "link_open") else None
        if title:
            pieces = pieces_of(text_atoms(str(title)), line)
            slots.append(Slot("attr", pieces, child, "title", block))
        if child.type == "html_inline":
            slots.extend(_attribute_slots(child, None, line, block))
    return slots


def _attribute_slots(
    tag: Token, parent: Holes | None, line: int, block: Token | None = None
) -> list[Slot]:
    """A raw tag's title and alt, one slot each."""
    holes, texts = attribute_holes(tag, parent)
    slots = []
    for hole, (name, text) in texts.items():
        pieces = pieces_of(text_atoms(text), line)
        slots.append(Slot("html_attr", pieces, tag, name, block, hole=(holes, hole)))
    return slots


def _html_block_slots(token: Token, line: int) -> list[Slot]:
    """The text of an HTML block between its block-level tags, and its tags' titles and
    alt texts (those first: the text's holes are written with the tags as translated)."""
    cut = block_holes(token)
    slots = [s for tag in cut.tags for s in _attribute_slots(tag, cut.holes, line)]
    for hole, (atoms, lines) in cut.runs.items():
        pieces = pieces_of(atoms, line + lines)
        slots.append(Slot("html", pieces, token, hole=(cut.holes, hole)))
    return slots


# More units than this in one article is not an article (a 100,000-row table took
# minutes and gigabytes); the limit is stated, not met by surprise.
MAX_UNITS = 20_000


def segment(article: Article) -> Document:
    """Parse an article and find all its pieces. The token stream is fresh each call."""
    env: dict = {}
    md = markdown()
    tokens = md.parse(article.body, env)
    _check_nesting(article, tokens, md.options["maxNesting"])
    doc = Document(article, tokens, env)
    for name in article.fields:
        value, line = article.meta.get(name), article.meta_lines.get(name, 2)
        if isinstance(value, list):  # tags: one unit per item
            for index, item in enumerate(value):
                pieces = pieces_of(text_atoms(str(item)), line + 1 + index)
                doc.slots.append(Slot("meta", pieces, name=name, index=index))
        elif value:
            pieces = pieces_of(text_atoms(str(value)), line)
            doc.slots.append(Slot("meta", pieces, name=name))
    block: Token | None = None
    line = article.body_line
    for tok in tokens:
        if tok.nesting == 1:
            block = tok
        if tok.map is not None:
            line = article.body_line + tok.map[0]
        if tok.type == "inline":
            doc.slots.extend(_inline_slots(tok, block, line))
        elif tok.type == "html_block":
            doc.slots.extend(_html_block_slots(tok, line))
    count = sum(len(slot.pieces) for slot in doc.slots)
    if count > MAX_UNITS:
        raise PipelineError(
            f"has {count:,} translation units; an article may have {MAX_UNITS:,}",
            path=article.path,
            fix="split it into several articles",
        )
    touched = {id(t): t for s in doc.slots for t in (s.token, s.block) if t is not None}
    doc.parsed = [(t, t.children, t.content, dict(t.attrs)) for t in touched.values()]
    return doc
