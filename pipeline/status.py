"""`pipeline status`: how far each article's translation can be trusted."""

from __future__ import annotations

from dataclasses import dataclass

from .articles import load_articles
from .catalog import STATES, UNTRANSLATED, catalog_path, quality_flags, read_catalog, state_of
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
            counts = dict.fromkeys(STATES, 0)
            flagged = glossary = 0
            for msgid in units[article.slug]:
                message = catalog.get(msgid) if catalog else None
                counts[state_of(message) if message else UNTRANSLATED] += 1
                flagged += bool(message and quality_flags(message))
                glossary += bool(message and "glossary" in message.flags)
            total = len(units[article.slug])
            rows.append(
                Row(
                    language.code, article.slug, total, **counts, flagged=flagged, glossary=glossary
                )
            )
    return rows
