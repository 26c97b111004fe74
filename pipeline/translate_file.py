"""`pipeline translate FILE.md`: one Markdown file through an engine, catalogs untouched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .articles import Article, parse_article
from .catalog import MACHINE, guard_stopped
from .engines import Engine
from .errors import PipelineError
from .glossary import Glossary
from .guard import inspect
from .markdown import markdown
from .outputs.markdown_copy import markdown_text
from .reassemble import reassemble
from .render import sanitize
from .segment import segment
from .translate import run_engine


def read_any(path: Path, text: str) -> Article:
    """An article with front matter, or any Markdown file without it."""
    if text.startswith(("---\n", "---\r\n")):
        try:
            article = parse_article(path, text, required=())
        except PipelineError:
            article = None  # a thematic break, not front matter
        if article is not None and article.meta:
            return article
    return Article(path, path.stem, {}, text, 1, {})


def translate_markdown(
    article: Article,
    engine: Engine,
    source: str,
    target: str,
    fmt: str = "html",
    glossary: Glossary | None = None,
    cache: Path | None = None,
    warn: Callable[[str], None] = lambda _: None,
) -> str:
    """The article translated by ``engine``, rendered as HTML or Markdown; ``cache`` holds
    the engine's dictionaries with the glossary (see run_engine)."""
    doc = segment(article)
    texts = list(dict.fromkeys(u.text for u in doc.units()))
    outputs = run_engine(engine, texts, source, target, glossary or Glossary([]), cache, warn)
    results = {
        text: inspect(text, out.text, target, engine.writes_target_language)
        for text, out in zip(texts, outputs, strict=True)
    }

    def choose(piece) -> str | None:
        text, problems = results[piece.text]
        return text if text and not guard_stopped(MACHINE, problems) else None

    meta, _ = reassemble(doc, target, choose)
    if fmt == "html":  # sanitised as a published page is: the output may be pasted into one
        md = markdown()
        return str(sanitize(md.renderer.render(doc.tokens, md.options, doc.env)))
    return markdown_text(doc, {**article.meta, **meta} if article.meta else None)
