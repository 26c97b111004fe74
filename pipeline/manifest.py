"""What the last publish saw and wrote, so the next one redoes only what changed.

Kept in ``.pipeline-cache/state.sqlite`` (a cache: never committed, safe to
delete). For each article: the hash of its source; for each language and
article: the hash of the catalog as written, the article's review state,
translated front matter, state counts and its translation-memory contribution;
for an article with no record in a language (one never published), its state as
read from its catalog on disk, which its pages' language switchers showed (read
again only when that catalog or the English changes).
An article is clean in a language when nothing it depends on has changed since:
the code, templates, settings and glossary (the environment), its source, its
catalog file, and, for articles with untranslated units, the language's
translation memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import __version__
from .articles import Meta
from .catalog import translated_share
from .errors import PipelineError
from .fsutil import sha

STATE = Path(".pipeline-cache") / "state.sqlite"
FORMAT = 6
SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS memory (
    lang TEXT, slug TEXT, msgid TEXT, msgstr TEXT, flags TEXT, approved INTEGER
);
CREATE INDEX IF NOT EXISTS memory_by_msgid ON memory (lang, msgid);
CREATE INDEX IF NOT EXISTS memory_by_slug ON memory (lang, slug);
"""


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
    meta: Meta  # the translated front matter
    counts: dict[str, int]  # units per state
    untranslated: int
    memory_sha: str = ""  # hash of what this catalog teaches the memory
    problems: list[str] = field(default_factory=list)  # refused human translations
    # Units its page shows in English: untranslated, or a machine draft the guard stopped.
    english: int = 0

    @property
    def coverage(self) -> float:
        return translated_share(self.counts, self.english)


class Manifest:
    """The records, kept in SQLite with the translation memory they describe.

    One file, ``.pipeline-cache/state.sqlite``: the memory is looked up sentence
    by sentence instead of being loaded whole, and records and memory change in
    one transaction, so a killed publish leaves them as the previous one did.
    ``fresh()`` is an empty manifest in memory (for a full run or a check).
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection
        self.db.executescript(SCHEMA)
        data = self._get("manifest")
        if data is None or data.get("format") != FORMAT:
            data = {}
        self.environment: str = data.get("environment", "")
        self.sources: dict[str, str] = data.get("sources", {})  # slug -> source sha
        self.chrome: dict[str, str] = data.get("chrome", {})  # language -> _site.po sha
        self.memory_keys: dict[str, str] = data.get("memory_keys", {})  # language -> signature
        self.articles: dict[str, dict[str, ArticleRecord]] = {
            lang: {slug: ArticleRecord(**record) for slug, record in records.items()}
            for lang, records in data.get("articles", {}).items()
        }
        # language -> slug -> [source sha, catalog sha or "", state]: articles with no
        # record in the language, their state read from the catalog on disk
        self.on_disk: dict[str, dict[str, list[str]]] = data.get("on_disk", {})

    @classmethod
    def load(cls, root: Path) -> Manifest:
        path = root / STATE
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return cls(sqlite3.connect(path))
        except sqlite3.DatabaseError:  # a damaged cache is only a cache: start again
            path.unlink(missing_ok=True)
            return cls(sqlite3.connect(path))

    @classmethod
    def fresh(cls) -> Manifest:
        return cls(sqlite3.connect(":memory:"))

    def reset(self, environment: str) -> None:
        """Forget everything (the code, settings or glossary changed) but which articles
        there were: every one is redone, and one that left since still takes its pages."""
        self.db.execute("DELETE FROM memory")
        self.sources = dict.fromkeys(self.sources, "")  # a sha no article has
        self.environment, self.chrome = environment, {}
        self.memory_keys, self.articles = {}, {}
        self.on_disk = {}

    def _get(self, key: str) -> dict | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A failed write (a full disk) undoes this publish's changes to the cache."""
        try:
            yield
        except sqlite3.Error as exc:
            self.db.rollback()
            raise PipelineError(
                f"cannot save the publish cache ({exc}); catalogs and pages are written",
                path=STATE,
                fix="free some disk space and run the command again (the cache only saves "
                "time; deleting .pipeline-cache/ is always safe)",
            ) from exc

    def teach(self, language: str, slug: str, contribution: dict[str, list]) -> None:
        """Replace what one catalog teaches the language's memory."""
        with self._writing():
            self.db.execute("DELETE FROM memory WHERE lang = ? AND slug = ?", (language, slug))
            self.db.executemany(
                "INSERT INTO memory VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (language, slug, msgid, msgstr, _flags_json(tuple(flags)), "fuzzy" not in flags)
                    for msgid, (msgstr, flags) in contribution.items()
                ],
            )

    def lookup(self, language: str, msgids: list[str]) -> dict[str, list[tuple[str, list[str]]]]:
        """What the memory holds for each of ``msgids``: msgid -> [(msgstr, flags)]."""
        found: dict[str, list[tuple[str, list[str]]]] = {}
        if not self.db.execute(
            "SELECT 1 FROM memory WHERE lang = ? LIMIT 1", (language,)
        ).fetchone():
            return found  # nothing known in this language yet (a first publish)
        for start in range(0, len(msgids), 500):  # SQLite's limit on parameters is 999+
            chunk = msgids[start : start + 500]
            rows = self.db.execute(
                "SELECT msgid, msgstr, flags FROM memory WHERE lang = ? AND msgid IN "
                f"({','.join('?' * len(chunk))})",
                (language, *chunk),
            )
            for msgid, msgstr, flags in rows:
                found.setdefault(msgid, []).append((msgstr, json.loads(flags)))
        return found

    def approved(self, language: str) -> list[tuple[str, str, list[str]]]:
        rows = self.db.execute(
            "SELECT msgid, msgstr, flags FROM memory WHERE lang = ? AND approved", (language,)
        )
        return [(msgid, msgstr, json.loads(flags)) for msgid, msgstr, flags in rows]

    def save(self) -> None:
        data = {
            "format": FORMAT,
            "environment": self.environment,
            "sources": self.sources,
            "chrome": self.chrome,
            "memory_keys": self.memory_keys,
            "articles": {
                lang: {slug: record.__dict__ for slug, record in records.items()}
                for lang, records in self.articles.items()
            },
            "on_disk": self.on_disk,
        }
        with self._writing():
            self.db.execute(
                "INSERT OR REPLACE INTO state VALUES ('manifest', ?)",
                (json.dumps(data, ensure_ascii=False, separators=(",", ":")),),
            )
            self.db.commit()

    def close(self) -> None:
        self.db.close()


@lru_cache(maxsize=1024)  # a language's entries share a handful of flag sets
def _flags_json(flags: tuple[str, ...]) -> str:
    return json.dumps(list(flags))


def contribution_sha(memory: dict[str, list]) -> str:
    return sha(json.dumps(memory, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def memory_key(contributions: dict[str, str]) -> str:
    """A signature of a language's translation memory: slug -> its contribution's hash."""
    return sha(
        "".join(f"{slug}\0{contributions[slug]}\n" for slug in sorted(contributions)).encode()
    )
