"""Text that must reach the page exactly as written: URLs, e-mail addresses, phone numbers."""

from __future__ import annotations

import re

# Order matters: a URL may contain digits that look like a phone number.
PROTECTED_RE = re.compile(
    r"""
      (?:https?|ftp)://[^\s<>"']+[^\s<>"'.,;:!?)\]]      # URL with scheme
    | www\.[^\s<>"']+[^\s<>"'.,;:!?)\]]                  # bare www. URL
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                       # e-mail address
    | (?<![\w+])\+?\d[\d\s().-]{6,}\d(?!\w)              # phone number (7+ digits)
    """,
    re.VERBOSE,
)
# Every match needs one of these, or 7 digits: most texts have none and skip the
# expression above (its e-mail branch rescans each word from every letter).
_DIGIT_RE = re.compile(r"\d")


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every protected run in ``text``; phone matches need 7+ digits."""
    if not ("@" in text or "://" in text or "www." in text or len(_DIGIT_RE.findall(text)) >= 7):
        return []
    spans = []
    for match in PROTECTED_RE.finditer(text):
        value = match.group()
        if value[0] in "+0123456789(" and sum(c.isdigit() for c in value) < 7:
            continue
        spans.append(match.span())
    return spans
