"""Reading source articles: YAML front matter + Markdown body."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from .errors import PipelineError
from .fsutil import shown

# libyaml's loader when PyYAML has it: ten times faster on a thousand articles.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED_FIELDS = ("title", "slug")
# Front-matter fields whose values are English prose and so get translated.
TRANSLATABLE_FIELDS = ("title", "summary")


@dataclass(frozen=True)
class Article:
    path: Path  # as given (relative paths read better in messages and references)
    slug: str
    meta: dict[str, object]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    meta_lines: dict[str, int]  # line of each top-level front-matter field
    sha: str = ""  # hash of the file's bytes (for incremental publishing)

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def translatable_meta(self) -> dict[str, str]:
        """The front-matter fields that are English prose (title, summary)."""
        return {k: str(v) for k, v in self.meta.items() if k in TRANSLATABLE_FIELDS}


def parse_article(path: Path, text: str, required: tuple[str, ...] = REQUIRED_FIELDS) -> Article:
    """Split ``text`` into front matter and body and validate the front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise PipelineError(
            "no front matter",
            path=path,
            line=1,
            fix="start the file with a '---' line, the YAML fields (title, slug, ...), and '---'",
        )
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == "---"), None)
    if end is None:
        raise PipelineError(
            "front matter is never closed",
            path=path,
            line=1,
            fix="end the front matter with a line holding only '---'",
        )
    try:
        meta = yaml.load("".join(lines[1:end]), Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        # The context mark is where the broken construct starts (an unclosed bracket).
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for '---', +1 for 1-based
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PipelineError(
            f"invalid YAML in front matter ({problem})",
            path=path,
            line=line,
            fix="correct the YAML syntax (quote values that contain ':')",
        ) from exc
    if not isinstance(meta, dict):
        raise PipelineError(
            "front matter is not a mapping of fields",
            path=path,
            line=2,
            fix="write the front matter as 'field: value' lines",
        )
    for name in required:
        if not str(meta.get(name) or "").strip():
            raise PipelineError(
                f"front matter has no '{name}'",
                path=path,
                line=2,
                fix=f"add '{name}: ...' to the front matter",
            )
    slug = str(meta.get("slug") or path.stem)
    if not SLUG_RE.match(slug) and "slug" in required:
        raise PipelineError(
            f"slug {slug!r} is not a plain lowercase name",
            path=path,
            line=2,
            fix="use lowercase letters, digits and single hyphens only (e.g. joint-pain)",
        )
    meta_lines: dict[str, int] = {}
    for number, line in enumerate(lines[1:end], start=2):
        field = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if field:
            meta_lines.setdefault(field.group(1), number)
    return Article(path, slug, meta, "".join(lines[end + 1 :]), end + 2, meta_lines)


def read_article(path: Path, shown: Path | None = None) -> Article:
    """Read one article; ``shown`` is the path used in messages and references."""
    shown = shown or path
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PipelineError(
            "is not UTF-8 text", path=shown, line=line, fix="save the file as UTF-8"
        ) from exc
    article = parse_article(shown, text)
    return replace(article, sha=hashlib.sha256(data).hexdigest()[:32])


def load_articles(source_dir: Path, root: Path) -> list[Article]:
    """All articles under ``source_dir`` in slug order; slugs must be unique."""
    if not source_dir.is_dir():
        raise PipelineError(
            "source folder not found",
            path=source_dir,
            fix="create it and put the Markdown articles (<slug>.md) there",
        )
    articles: dict[str, Article] = {}
    for path in sorted(source_dir.glob("*.md")):
        article = read_article(path, shown(path, root))
        if article.slug in articles:
            raise PipelineError(
                f"slug '{article.slug}' is already used by {articles[article.slug].path}",
                path=article.path,
                line=2,
                fix="give every article its own slug",
            )
        articles[article.slug] = article
    return sorted(articles.values(), key=lambda a: a.slug)
