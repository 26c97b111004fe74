"""`pipeline glossary check`: the glossary is valid and every catalog follows it."""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import APPROVED, files_in, read_catalog, state_of
from .config import Config
from .fsutil import shown
from .glossary import Glossary, load_glossary


@dataclass
class Violation:
    where: str  # "translations/es/slug.po:123"
    state: str
    msgid: str
    problems: list[str]


def check_catalogs(config: Config) -> tuple[Glossary, list[Violation]]:
    """Load the glossary (errors stop here) and verify every translated entry."""
    glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})
    violations = []
    for language in config.languages:
        for path in files_in(config.translations_dir / language.code, ".po").values():
            catalog = read_catalog(path, language.locale)
            where = shown(path, config.root)
            for message in catalog or []:
                if not isinstance(message.id, str) or not message.string:
                    continue  # plural entries are site chrome, not article text
                problems = glossary.violations(message.id, message.string, language.code)
                if problems:
                    location = f"{where}:{message.lineno}"
                    violations.append(Violation(location, state_of(message), message.id, problems))
    return glossary, violations


def blocking(violations: list[Violation]) -> list[Violation]:
    """Violations in approved entries: a human signed off on a wrong term."""
    return [v for v in violations if v.state == APPROVED]
