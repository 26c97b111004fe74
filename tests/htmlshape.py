"""HTML structure for comparisons (elements, attributes and code, not prose), and
markup that could run script."""

from __future__ import annotations

from html.parser import HTMLParser

# Attributes whose text is translated; their values may differ.
TRANSLATED_ATTRIBUTES = {"alt", "title"}


class _Shape(HTMLParser):
    def __init__(self, ignored: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self.code_depth = 0
        self.ignored = TRANSLATED_ATTRIBUTES | ignored
        self.spans: list[bool] = []  # for each open span: is it a review mark to skip?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span":  # review marks wrap units in spans: not part of the structure
            marks = any(k == "data-l10n-unit" for k, _ in attrs)
            self.spans.append(marks and "data-l10n-unit" in self.ignored)
            if self.spans[-1]:
                return
        kept = tuple(sorted((k, v) for k, v in attrs if k not in self.ignored))
        self.events.append(("<", tag, kept))
        if tag in ("code", "pre"):
            self.code_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.spans and self.spans.pop():
            return
        self.events.append((">", tag))
        if tag in ("code", "pre"):
            self.code_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.code_depth:
            if self.events and self.events[-1][0] == "code":
                self.events[-1] = ("code", self.events[-1][1] + data)
            else:
                self.events.append(("code", data))

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment", data))


def shape(html: str, ignored: frozenset[str] = frozenset()) -> list[tuple]:
    """Structure events; attributes named in ``ignored`` are left out too."""
    parser = _Shape(set(ignored))
    parser.feed(html)
    parser.close()
    return parser.events


def first_difference(
    expected: str, actual: str, ignored: frozenset[str] = frozenset()
) -> str | None:
    """None when both have the same shape, else a short reason."""
    a, b = shape(expected, ignored), shape(actual, ignored)
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"event {index}: expected {x!r}, got {y!r}"
    if len(a) != len(b):
        return f"expected {len(a)} events, got {len(b)}"
    return None


class _Live(HTMLParser):
    """Collects markup that could run script: script elements, on* handlers, js: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def live_markup(html: str) -> list[str]:
    parser = _Live()
    parser.feed(html)
    return parser.found
