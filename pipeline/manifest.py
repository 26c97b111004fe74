"""What the last publish saw and wrote, so the next one redoes only what changed.

Kept in ``.pipeline-cache/manifest.json`` (a cache: never committed, safe to
delete). For each article: the hash of its source; for each language and
article: the hash of the catalog as written, the article's review state,
translated front matter, state counts and its translation-memory contribution.
An article is clean in a language when nothing it depends on has changed since:
the code, templates, settings and glossary (the environment), its source, its
catalog file, and, for articles with untranslated units, the language's
translation memory.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from . import __version__
from .fsutil import write_if_changed

MANIFEST = Path(".pipeline-cache") / "manifest.json"
FORMAT = 3


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def file_sha(path: Path) -> str | None:
    try:
        return sha(path.read_bytes())
    except FileNotFoundError:
        return None


def environment_key(pyproject: Path, glossary: Path, options: str) -> str:
    """Everything besides sources and catalogs that shapes the output."""
    parts = [__version__.encode(), options.encode(), pyproject.read_bytes()]
    parts.append(glossary.read_bytes() if glossary.exists() else b"")
    for folder in ("templates", "static"):
        for entry in sorted((resources.files("pipeline") / folder).iterdir(), key=lambda e: e.name):
            parts.append(entry.name.encode() + entry.read_bytes())
    return sha(b"\0".join(parts))


@dataclass
class ArticleRecord:
    """One article in one language, as the last publish left it."""

    catalog: str  # sha of the catalog file as written
    state: str  # the worst unit state (for the language switcher)
    meta: dict[str, str]  # translated title and summary
    counts: dict[str, int]  # units per state
    untranslated: int
    memory: dict[str, list]  # msgid -> [msgstr, flags]: what this catalog teaches
    memory_sha: str = ""  # hash of ``memory``
    problems: list[str] = field(default_factory=list)  # refused human translations


@dataclass
class Manifest:
    environment: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # slug -> source sha
    chrome: dict[str, str] = field(default_factory=dict)  # language -> _site.po sha
    articles: dict[str, dict[str, ArticleRecord]] = field(default_factory=dict)  # lang -> slug
    memory_keys: dict[str, str] = field(default_factory=dict)  # language -> memory signature

    @classmethod
    def load(cls, root: Path) -> Manifest:
        try:
            data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return cls()
        if data.get("format") != FORMAT:
            return cls()
        articles = {
            lang: {slug: ArticleRecord(**record) for slug, record in records.items()}
            for lang, records in data.get("articles", {}).items()
        }
        return cls(
            data["environment"],
            data["sources"],
            data["chrome"],
            articles,
            data.get("memory_keys", {}),
        )

    def save(self, root: Path) -> None:
        data = {
            "format": FORMAT,
            "environment": self.environment,
            "sources": self.sources,
            "chrome": self.chrome,
            "memory_keys": self.memory_keys,
            "articles": {
                lang: {slug: record.__dict__ for slug, record in sorted(records.items())}
                for lang, records in sorted(self.articles.items())
            },
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        write_if_changed(root / MANIFEST, text.encode("utf-8"))


def contribution_sha(memory: dict[str, list]) -> str:
    return sha(json.dumps(memory, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def memory_key(contributions: dict[str, str]) -> str:
    """A signature of a language's translation memory: slug -> its contribution's hash."""
    return sha(
        "".join(f"{slug}\0{contributions[slug]}\n" for slug in sorted(contributions)).encode()
    )
