"""Reading source articles: YAML front matter + Markdown body."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from .errors import PipelineError
from .fsutil import sha, shown
from .parallel import fork_map
from .yamltext import load_yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED_FIELDS = ("title", "slug")
# Larger files are refused before they are parsed (a 1 MB paragraph publishes in a
# second or two; a 2.5 MB table of 100,000 rows took minutes and gigabytes).
MAX_BYTES = 2 * 2**20
# Front-matter fields whose values are English prose and so get translated, unless
# the site chooses others ([tool.pipeline] front_matter).
TRANSLATABLE_FIELDS = ("title", "summary")
# Translated front matter: a text, or a list of texts (tags), per field.
Meta = dict[str, "str | list[str]"]
# Articles per process below which reading them is not worth a fork: an article's
# front matter takes ~0.1 ms, a fork and the articles' way back a few.
READ_SHARE = 128


@dataclass(frozen=True)
class Article:
    path: Path  # as given (relative paths read better in messages and references)
    slug: str
    meta: dict[str, object]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    meta_lines: dict[str, int]  # line of each top-level front-matter field
    sha: str = ""  # hash of the file's bytes (for incremental publishing)
    fields: tuple[str, ...] = TRANSLATABLE_FIELDS  # the translated front-matter fields

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def translatable_meta(self) -> Meta:
        """The front-matter fields that are English prose (``fields``), in file order."""
        return {
            k: [str(item) for item in v] if isinstance(v, list) else str(v)
            for k, v in self.meta.items()
            if k in self.fields
        }


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
    meta = load_yaml("".join(lines[1:end]), path, 2, "YAML in front matter") or {}
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
    if len(data) > MAX_BYTES:
        raise PipelineError(
            f"is {len(data) / 2**20:.1f} MiB; an article may be at most {MAX_BYTES // 2**20} MiB",
            path=shown,
            fix="split it into several articles",
        )
    try:
        # A byte-order mark (some Windows editors write one) is not part of the text.
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PipelineError(
            "is not UTF-8 text", path=shown, line=line, fix="save the file as UTF-8"
        ) from exc
    article = parse_article(shown, text)
    return replace(article, sha=sha(data))


def _check_source_file(path: Path, root: Path, where: Path) -> None:
    """An article is a regular file inside the project (a link may point within it);
    ``where``: the path as messages show it."""
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise PipelineError(
                f"is a link to {target}, which does not exist",
                path=where,
                fix="remove the link, or point it at an article",
            )
        if not target.is_relative_to(root.resolve()):
            raise PipelineError(
                f"is a link to {target}, outside the project; it is not published",
                path=where,
                fix="copy the article into source/ instead of linking to it",
            )
    if not path.is_file():
        raise PipelineError(
            "is not a file (a folder whose name ends in .md?)",
            path=where,
            fix="rename it without '.md', or move it out of the source folder",
        )


def _check_fields(article: Article) -> None:
    for name in article.fields:
        value = article.meta.get(name)
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, (dict, list)) for item in items):
            raise PipelineError(
                f"front matter '{name}' is translated, but holds more than text or a list of texts",
                path=article.path,
                line=article.meta_lines.get(name),
                fix=f"write '{name}' as text or a list of texts, or remove it from "
                "[tool.pipeline] front_matter",
            )


def _load(path: Path, root: Path, fields: tuple[str, ...]) -> Article:
    """One article, checked (in whichever process reads it: see load_articles)."""
    where = shown(path, root)
    _check_source_file(path, root, where)
    article = replace(read_article(path, where), fields=fields)
    _check_fields(article)
    return article


def load_articles(
    source_dir: Path,
    root: Path,
    fields: tuple[str, ...] = TRANSLATABLE_FIELDS,
    jobs: int | None = None,
) -> list[Article]:
    """All articles under ``source_dir`` in slug order; slugs must be unique.
    ``fields``: the front-matter fields translated (text, or lists of text); ``jobs``:
    processes reading them, where they are many (default: one per core)."""
    if not source_dir.is_dir():
        raise PipelineError(
            "source folder not found",
            path=source_dir,
            fix="create it and put the Markdown articles (<slug>.md) there",
        )
    paths = sorted(source_dir.glob("*.md"))
    read = partial(_load, root=root, fields=fields)
    articles: dict[str, Article] = {}
    for article in fork_map(read, paths, min_share=READ_SHARE, jobs=jobs):
        if article.slug in articles:
            raise PipelineError(
                f"slug '{article.slug}' is already used by {articles[article.slug].path}",
                path=article.path,
                line=2,
                fix="give every article its own slug",
            )
        articles[article.slug] = article
    return sorted(articles.values(), key=lambda a: a.slug)
