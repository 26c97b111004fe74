"""How a language is written, for the rules that depend on it (one list each)."""

from __future__ import annotations

# Ideographic scripts: no word boundaries to match terms on, and far fewer
# characters than the English for the same sentence.
CJK = frozenset({"zh", "ja", "ko"})
# Written without spaces between words (so sentences are joined without one).
NO_SPACES = frozenset({"zh", "ja", "th", "lo", "km", "my"})


def _base(language: str) -> str:
    """ "zh" for "zh", "zh_Hans_CN" or "zh-Hans"."""
    return language.replace("-", "_").split("_")[0]


def is_cjk(language: str) -> bool:
    return _base(language) in CJK


def without_spaces(language: str) -> bool:
    return _base(language) in NO_SPACES
