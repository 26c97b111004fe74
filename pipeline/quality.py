"""`pipeline qa`: every quality check on every translation in the catalogs.

The checks of guard.py and qa.py, the glossary, and where Apertium ships an
analyser for the language, the target-language checks (unknown-words,
run-together, agreement) run on each translated entry, machine or human. A
failure in an approved entry of a check listed in ``[tool.pipeline.qa] blocking``
makes the command exit 1 (a CI gate); the others are reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .catalog import APPROVED, read_catalog, state_of
from .chrome import PYFORMAT_RE
from .config import Config
from .fsutil import shown
from .glossary import load_glossary
from .guard import CHECKS
from .target_checks import analyser_for, check

ANALYSER_CHECKS = ("unknown-words", "run-together", "agreement")
KNOWN = frozenset({*CHECKS, *ANALYSER_CHECKS, "glossary"})


@dataclass
class Finding:
    where: str  # "translations/es/slug.po:123"
    language: str
    state: str
    msgid: str
    msgstr: str
    checks: list[str]


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    units: Counter = field(default_factory=Counter)  # language -> entries checked

    def counts(self) -> dict[str, Counter]:
        """Per language, entries failing each check."""
        table: dict[str, Counter] = {}
        for finding in self.findings:
            table.setdefault(finding.language, Counter()).update(finding.checks)
        return table

    def blocking(self, checks: frozenset[str]) -> list[Finding]:
        return [f for f in self.findings if f.state == APPROVED and set(f.checks) & checks]


def run_qa(config: Config, languages: tuple[str, ...] = (), article: str | None = None) -> Report:
    glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})
    targets = [config.language(code) for code in languages] or list(config.languages)
    source = config.source_language.code
    report = Report()
    for language in targets:
        code = language.code
        folder = config.translations_dir / code
        paths = sorted(folder.glob(f"{article or '*'}.po")) if folder.is_dir() else []
        entries = []
        for path in paths:
            for message in read_catalog(path, language.locale) or []:
                if "mt-pseudo" in message.flags:
                    continue  # pseudo-localization tests the layout; it is not a translation
                if isinstance(message.id, str) and message.id and message.string:
                    entries.append((f"{shown(path, config.root)}:{message.lineno}", message))
        report.units[code] += len(entries)
        analyser = analyser_for(source, code, glossary, config.cache_dir)
        found_by_analyser: list[set[str]] = [set() for _ in entries]
        if analyser is not None and entries:
            # A page-chrome string's variables ("%(date)s") are words of neither language.
            english = [PYFORMAT_RE.sub("", m.id) for _, m in entries]
            translated = [PYFORMAT_RE.sub("", m.string) for _, m in entries]
            found_by_analyser = check(analyser, glossary, code, english, translated)
        for (where, message), extra in zip(entries, found_by_analyser, strict=True):
            failed = [n for n, test in CHECKS.items() if test(message.id, message.string, code)]
            if glossary.violations(message.id, message.string, code):
                failed.append("glossary")
            failed += sorted(extra)
            if failed:
                report.findings.append(
                    Finding(where, code, state_of(message), message.id, message.string, failed)
                )
    return report
