"""The client's five articles are in source/ with every sentence as they wrote it."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, SHARED

from pipeline.articles import load_articles
from pipeline.markdown import markdown

SEEDS = SHARED / "seeds"
SLUGS = {
    "000_a2ca42d552d218eb.txt": "role-of-stem-cells-in-treating-chronic-pain",
    "001_cfe00f8a1fdd0cab.txt": "stem-cell-therapy-for-pain-and-recovery",
    "002_4133fb8fe2adcbbb.txt": "how-stem-cells-relieve-chronic-pain",
    "003_f6f56927568aeb8d.txt": "stem-cell-therapy-chronic-pain-new-hope",
    "004_4b40ee8ef0d8f57e.txt": "stem-cell-therapy-for-joint-pain",
}
WIDGET = "翻译/Translate >>"


def _words(text: str) -> str:
    return " ".join(text.split())


def _page_text(slug: str) -> str:
    article = next(a for a in load_articles(ROOT / "source", ROOT) if a.slug == slug)
    html = markdown().render(article.body)
    text = re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&")
    return _words(f"{article.title} {text}")


@pytest.mark.skipif(not SEEDS.exists(), reason="shared seeds not present")
@pytest.mark.parametrize(("seed", "slug"), sorted(SLUGS.items()))
def test_every_line_of_the_client_text_is_kept(seed: str, slug: str) -> None:
    page = _page_text(slug)
    text = (SEEDS / seed).read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == WIDGET:
            continue
        # List markers and the run-together heading of 001 are structure, not words.
        line = re.sub(r"^(?:[•-]\s*)", "", line)
        if raw[:1].isspace():  # an indented "1. ..." is a list item, not a heading
            line = re.sub(r"^\d+\.\s+", "", line)
        for part in line.split("Types of stem cells for medical treatment "):
            assert _words(part) in page, (seed, part)
    assert WIDGET not in page


def test_articles_have_front_matter_and_contact_links() -> None:
    articles = {a.slug: a for a in load_articles(ROOT / "source", ROOT)}
    assert set(articles) == set(SLUGS.values())
    for article in articles.values():
        assert {"title", "slug", "summary", "category"} <= set(article.meta)
    for slug in ("role-of-stem-cells-in-treating-chronic-pain", "stem-cell-therapy-for-joint-pain"):
        body = articles[slug].body
        assert "(tel:+447778936902)" in body and "(mailto:head_office@nbscience.com)" in body


def test_structure_was_recovered() -> None:
    articles = {a.slug: a for a in load_articles(ROOT / "source", ROOT)}
    html = markdown().render(articles["role-of-stem-cells-in-treating-chronic-pain"].body)
    assert html.count("<h2>") == 8 and html.count("<h3>") == 7  # 7 numbered + "Questions?"
    assert html.count("<ol>") == 2 and "<strong>Nociceptive Pain:</strong>" in html
