"""Translated Markdown, DIR/<lang>/<slug>.md, for Hugo, MkDocs and friends.

mdformat writes the token stream back as Markdown. It knows CommonMark only, so
the site's dialect (markdown.py: GFM tables and strikethrough, footnotes) is added here as
an mdformat extension (``GFM``), and ordered lists keep the numbers they were
written with (mdformat renumbers them 1, 1, 1): a translation changes words,
never a list's numbering.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import TYPE_CHECKING

import yaml

from ..markdown import markdown
from ..segment import Document
from .base import Builder, Emit, Translated

if TYPE_CHECKING:  # mdformat is imported where a copy is written (20 ms of every start)
    from mdformat.renderer import RenderContext, RenderTreeNode

ALIGNMENT = {"left": ":---", "right": "---:", "center": ":---:"}


def _cell(node: RenderTreeNode, context: RenderContext) -> str:
    # A cell holds one line; a pipe in it, even in a code span, is written \| in GFM.
    text = "".join(child.render(context) for child in node.children)
    return text.replace("|", "\\|").replace("\n", " ")


def _row(node: RenderTreeNode, context: RenderContext) -> str:
    return "| " + " | ".join(_cell(cell, context) for cell in node.children) + " |"


def _table(node: RenderTreeNode, context: RenderContext) -> str:
    head, *body = node.children
    header = head.children[0]
    delimiters = []
    for cell in header.children:
        style = str(cell.attrs.get("style", ""))
        delimiters.append(ALIGNMENT.get(style.removeprefix("text-align:"), "---"))
    lines = [_row(header, context), "| " + " | ".join(delimiters) + " |"]
    lines += [_row(row, context) for part in body for row in part.children]
    return "\n".join(lines)


def _strikethrough(node: RenderTreeNode, context: RenderContext) -> str:
    return node.markup + "".join(child.render(context) for child in node.children) + node.markup


def _ordered_list(node: RenderTreeNode, context: RenderContext) -> str:
    """Each item with the number it was written with ("2." stays "2.")."""
    entries = node.children
    tight = all(c.hidden for item in entries for c in item.children if c.type == "paragraph")
    markers = [f"{item.info or index + 1}{item.markup} " for index, item in enumerate(entries)]
    width = max(len(marker) for marker in markers)
    items = []
    with context.indented(width):
        for marker, item in zip(markers, entries, strict=True):
            first, *rest = item.render(context).split("\n")
            lines = [marker + first if first else marker.rstrip()]
            lines += [" " * len(marker) + line if line else "" for line in rest]
            items.append("\n".join(lines))
    return ("\n" if tight else "\n\n").join(items)


def _footnote_ref(node: RenderTreeNode, context: RenderContext) -> str:
    return f"[^{node.meta['label']}]"


def _footnote(node: RenderTreeNode, context: RenderContext) -> str:
    """A definition, "[^label]: text", its further lines and blocks indented by four."""
    with context.indented(4):
        text = "\n\n".join(out for child in node.children if (out := child.render(context)))
    first, *rest = text.split("\n")
    lines = [f"[^{node.meta['label']}]: {first}", *("    " + line if line else "" for line in rest)]
    return "\n".join(lines)


def _footnote_block(node: RenderTreeNode, context: RenderContext) -> str:
    return "\n\n".join(child.render(context) for child in node.children)


# Raw HTML is written byte for byte, but mdformat strips every line of a paragraph:
# spaces at a line break inside inline HTML (href="foo  \nbar") cross as stand-ins.
_EDGE_SPACE_RE = re.compile(r"[ \t]+(?=\n)|(?<=\n)[ \t]+")
_STAND_INS = str.maketrans(" \t", "\ue000\ue001")
_SPACES = str.maketrans("\ue000\ue001", " \t")


def _html_inline(node: RenderTreeNode, context: RenderContext) -> str:
    return _EDGE_SPACE_RE.sub(lambda m: m.group().translate(_STAND_INS), node.content)


def _spaces_back(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    return text.translate(_SPACES)


# An mdformat extension (what mdformat's plugins provide): renderers by token type.
GFM = SimpleNamespace(
    RENDERERS={
        "table": _table,
        "s": _strikethrough,
        "ordered_list": _ordered_list,
        "html_inline": _html_inline,
        "footnote_ref": _footnote_ref,
        "footnote_block": _footnote_block,
        "footnote": _footnote,
        "footnote_anchor": lambda node, context: "",  # the page's back-link, not Markdown
    },
    POSTPROCESSORS={"paragraph": _spaces_back},
)


def markdown_text(doc: Document, front: dict | None) -> str:
    """``doc`` as Markdown (as its tokens now read), under ``front`` matter if given."""
    from mdformat.renderer import MDRenderer

    md = markdown()
    options = {**md.options, "parser_extension": [GFM]}
    body = MDRenderer().render(doc.tokens, options, doc.env)
    if front is None:
        return body
    return f"---\n{yaml.safe_dump(front, allow_unicode=True, sort_keys=False)}---\n\n{body}"


class MarkdownBuilder(Builder):
    name = "markdown"
    suffix = ".md"
    help = "Also write translated Markdown, DIR/<lang>/<slug>.md (Hugo, MkDocs...)."

    def write(self, item: Translated, emit: Emit) -> None:
        meta, _, _ = item.translate()
        article = item.doc.article
        front = {**article.meta, **meta, "lang": item.language}
        emit(self.path(item.language, article.slug), markdown_text(item.doc, front))
