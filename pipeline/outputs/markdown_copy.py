"""Translated Markdown, DIR/<lang>/<slug>.md, for Hugo, MkDocs and friends."""

from __future__ import annotations

import yaml
from mdformat.renderer import MDRenderer

from ..markdown import markdown
from ..segment import Document
from .base import Builder, Emit, Translated


def markdown_text(doc: Document, front: dict | None) -> str:
    """``doc`` as Markdown (as its tokens now read), under ``front`` matter if given."""
    md = markdown()
    body = MDRenderer().render(doc.tokens, md.options, doc.env)
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
