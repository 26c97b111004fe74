"""`pipeline status`: how far each article's translation can be trusted."""

from __future__ import annotations

from dataclasses import dataclass

from .articles import load_articles
from .catalog import catalog_path, count_states, quality_flags, read_catalog
from .config import Config
from .segment import segment


@dataclass
class Row:
    language: str
    slug: str
    total: int
    approved: int
    machine: int
    stale: int
    untranslated: int
    flagged: int
    glossary: int


def status(config: Config, languages: tuple[str, ...] = ()) -> list[Row]:
    """One row per language and article, counting the article's current units.

    Units with no catalog entry yet (a publish has not run since the English
    changed) count as untranslated.
    """
    articles = load_articles(config.source_dir, config.root)
    targets = [config.language(c) for c in languages] or list(config.languages)
    units = {a.slug: list(dict.fromkeys(u.text for u in segment(a).units())) for a in articles}
    rows = []
    for language in targets:
        for article in articles:
            path = catalog_path(config.translations_dir, language.code, article.slug)
            catalog = read_catalog(path, language.locale)
            counts = count_states(units[article.slug], catalog)
            messages = [catalog.get(t) for t in units[article.slug]] if catalog else []
            flagged = sum(bool(m and quality_flags(m)) for m in messages)
            glossary = sum(bool(m and "glossary" in m.flags) for m in messages)
            total = len(units[article.slug])
            rows.append(
                Row(
                    language.code, article.slug, total, **counts, flagged=flagged, glossary=glossary
                )
            )
    return rows
