"""Segmentation: what becomes a unit, and what never reaches an engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.articles import parse_article
from pipeline.literals import protected_spans
from pipeline.placeholders import PlaceholderMismatch
from pipeline.reassemble import reassemble
from pipeline.render import render_body
from pipeline.segment import segment

DOC = """---
title: A title
slug: sample
summary: First sentence. Second sentence.
---

# Heading *one*

Read the [guide](https://example.org/guide "Guide title") today. Call +34 600 123 456
or write to info@example.org. See https://example.org/a?b=1 for more.

- Item with `code()` inside.
- Item two.

> Quoted **wisdom** here.

| Name | Value |
|------|-------|
| cell | *two* |

![Alt *text*](img.png "Img title")

```python
print("never translated")
```

<div>Raw HTML <em>block</em>. <!-- an editor's comment --></div>
"""


def units(text: str = DOC) -> list[str]:
    return [u.text for u in segment(parse_article(Path("s.md"), text)).units()]


def test_every_translatable_piece_becomes_units() -> None:
    assert units() == [
        "A title",
        "First sentence.",
        "Second sentence.",
        "Heading <g1>one</g1>",
        "Read the <g1>guide</g1> today.",
        "Call <x1/> or write to <x2/>.",
        "See <x1/> for more.",
        "Guide title",
        "Item with <x1/> inside.",
        "Item two.",
        "Quoted <g1>wisdom</g1> here.",
        "Name",
        "Value",
        "cell",
        "<g1>two</g1>",
        "Alt <g1>text</g1>",
        "Img title",
        "Raw HTML <g1>block</g1>.",
    ]


def test_protected_text_never_in_a_unit() -> None:
    joined = "\n".join(units())
    for secret in ("example.org", "600 123", "info@", "code()", "never translated", "comment"):
        assert secret not in joined


@pytest.mark.parametrize(
    ("text", "protected"),
    [
        ("Write to a.b+c@clinic.example.org today.", ["a.b+c@clinic.example.org"]),
        ("See ftp://files.example.org/a for it.", ["ftp://files.example.org/a"]),
        ("See www.example.org.", ["www.example.org"]),
        ("Call +34 600 000 000 or 93-123-45-67.", ["+34 600 000 000", "93-123-45-67"]),
        ("Digits 1 2 3 4 5 6 7 apart.", ["1 2 3 4 5 6 7"]),
        ("Six digits 600 000 are no phone; 12 of 34 is no phone.", []),
        ("Stem cells regenerate cartilage in 2024 and 2025.", []),
    ],
)
def test_protected_runs_are_found_and_plain_text_has_none(text: str, protected: list) -> None:
    assert [text[start:end] for start, end in protected_spans(text)] == protected


def test_units_point_at_source_lines() -> None:
    doc = segment(parse_article(Path("s.md"), DOC))
    lines = {u.text: u.line for u in doc.units()}
    assert lines["A title"] == 2
    assert lines["Heading <g1>one</g1>"] == 7
    assert lines["Read the <g1>guide</g1> today."] == 9
    assert lines["See <x1/> for more."] == 10  # second line of the paragraph
    assert lines["cell"] == 19


def test_sentence_split_never_breaks_paired_markup() -> None:
    text = "---\ntitle: t\nslug: s\n---\n\n**Bold one. Bold two.** After.\n"
    assert units(text)[1:] == ["<g1>Bold one. Bold two.</g1>", "After."]


def test_a_footnote_mark_stays_with_the_sentence_it_ends() -> None:
    body = "Cells help.[^1] More text. See <br> this.\n\n[^1]: A study.\n"
    text = f"---\ntitle: t\nslug: s\n---\n\n{body}"
    assert units(text)[1:] == ["Cells help.<x1/>", "More text.", "See <x1/> this.", "A study."]


def test_abbreviations_do_not_split_sentences() -> None:
    text = "---\ntitle: t\nslug: s\n---\n\nUse imaging (e.g., ultrasound) to guide it. Done.\n"
    assert units(text)[1:] == ["Use imaging (e.g., ultrasound) to guide it.", "Done."]


def test_link_on_a_phone_number_is_one_atomic_code() -> None:
    text = "---\ntitle: t\nslug: s\n---\n\nCall [+447778936902](tel:+447778936902) (WhatsApp)\n"
    assert units(text)[1:] == ["Call <x1/> (WhatsApp)"]


def test_reassembly_with_reordered_codes_and_refusal_of_broken_ones() -> None:
    doc = segment(parse_article(Path("s.md"), DOC))
    answers = {
        "Read the <g1>guide</g1> today.": "Hoy lee la <g1>guía</g1>.",
        "Call <x1/> or write to <x2/>.": "Escribe a <x2/> o llama al <x1/>.",
        "See <x1/> for more.": "Mira más.",  # lost its URL: must be refused
    }
    meta, placed = reassemble(doc, "es", lambda piece: answers.get(piece.text))
    refused = [p.piece.text for p in placed if p.mismatch]
    assert refused == ["See <x1/> for more."]
    html = render_body(doc)
    assert 'Hoy lee la <a href="https://example.org/guide" title="Guide title">guía</a>.' in html
    assert "Escribe a info@example.org o llama al +34 600 123 456." in html
    assert "See https://example.org/a?b=1 for more." in html  # English kept, URL intact
    assert meta == {"title": "A title", "summary": "First sentence. Second sentence."}


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("<g1>a</g1> <g1>b</g1>", "twice"),
        ("<g1>a", "never closed"),
        ("a</g1>", "closes nothing"),
        ("<g1>a</g1> <x9/>", "not a code"),
        ("plain", "missing"),
    ],
)
def test_placeholder_mismatches_are_named(target: str, problem: str) -> None:
    doc = segment(parse_article(Path("s.md"), DOC))
    piece = next(p for s in doc.slots for p in s.pieces if p.text.startswith("Heading"))
    with pytest.raises(PlaceholderMismatch, match=problem):
        piece.codes.decode(target)


def test_chinese_joins_sentences_without_spaces_but_english_fallbacks_with_one() -> None:
    text = "---\ntitle: t\nslug: s\n---\n\nFirst one. Second one. Third one.\n"
    doc = segment(parse_article(Path("s.md"), text))
    answers = {"First one.": "第一句。", "Second one.": "第二句。"}
    reassemble(doc, "zh", lambda piece: answers.get(piece.text))
    html = render_body(doc)
    assert "<p>第一句。第二句。Third one.</p>" in html  # CJK then Latin: no space needed
    doc = segment(parse_article(Path("s.md"), text))
    reassemble(doc, "zh", lambda piece: {"Third one.": "第三句。"}.get(piece.text))
    html = render_body(doc)
    assert "<p>First one. Second one.第三句。</p>" in html
