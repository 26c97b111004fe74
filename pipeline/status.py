"""`pipeline status`: how far each article's translation can be trusted."""

from __future__ import annotations

from dataclasses import dataclass

from .articles import load_articles
from .catalog import catalog_path, quality_flags, read_catalog, summarize
from .chrome import CHROME, extract_messages
from .config import Config
from .segment import segment


@dataclass
class Row:
    language: str
    slug: str
    total: int
    approved: int
    machine: int
    draft: int
    stale: int
    untranslated: int
    flagged: int
    glossary: int


def status(config: Config, languages: tuple[str, ...] = ()) -> list[Row]:
    """One row per language and article, counting the article's current units.

    Units with no catalog entry yet (a publish has not run since the English
    changed) count as untranslated. The page chrome (menus, banners, labels) is
    the last row of each language, as article ``_site``.
    """
    articles = load_articles(config.source_dir, config.root, config.front_matter)
    targets = [config.language(c) for c in languages] or list(config.languages)
    units = {a.slug: list(dict.fromkeys(u.text for u in segment(a).units())) for a in articles}
    # A plural's entry is found by its singular.
    units[CHROME] = [m if isinstance(m, str) else m[0] for m, _, _ in extract_messages()]
    rows = []
    for language in targets:
        for slug, texts in units.items():
            path = catalog_path(config.translations_dir, language.code, slug)
            catalog = read_catalog(path, language.locale)
            counts = summarize(texts, catalog).counts
            messages = [catalog.get(t) for t in texts] if catalog else []
            flagged = sum(bool(m and quality_flags(m)) for m in messages)
            glossary = sum(bool(m and "glossary" in m.flags) for m in messages)
            rows.append(
                Row(language.code, slug, len(texts), **counts, flagged=flagged, glossary=glossary)
            )
    return rows
