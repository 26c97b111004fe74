"""Text inside raw HTML: HTML blocks' text and tags' title and alt as units, the
markup around them kept as written."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from conftest import requires_apertium, succeeds

from pipeline.articles import Article
from pipeline.catalog import entries, read_catalog
from pipeline.marks import translate_document
from pipeline.render import render_body
from pipeline.segment import segment


def _doc(body: str):
    article = Article(Path("a.md"), "a", {"title": "A"}, body, 5, {}, "sha", ("title",))
    return segment(article)


def _units(body: str) -> list[tuple[str, str]]:
    return [(u.text, u.note) for u in _doc(body).units()][1:]  # the title left out


def test_an_html_blocks_text_is_units_with_inline_tags_as_codes() -> None:
    body = (
        '<div class="note">\nStem cells <em>repair</em> damaged tissue. They reduce\n'
        "pain &amp; swelling.<br>\n</div>\n"
    )
    assert _units(body) == [
        ("Stem cells <g1>repair</g1> damaged tissue.", ""),
        ("They reduce pain <x1/> swelling.", ""),
    ]


def test_code_scripts_styles_and_comments_never_reach_the_translator() -> None:
    body = (
        "<div>\nRun <code>pip install x</code> first.\n<!-- an editor's note -->\n"
        "<script>alert('no')</script>\n<style>p { color: red }</style>\n</div>\n\n"
        "<pre>\nnot translated\n</pre>\n"
    )
    assert _units(body) == [("Run <x1/> first.", "")]


def test_title_and_alt_of_raw_tags_are_units_other_attributes_are_not() -> None:
    body = (
        '<figure title="Cells in culture">\n<img src="cells.png" alt="A stem cell" '
        'class="wide">\n</figure>\n\nAn <abbr title="mesenchymal stem cell">MSC</abbr> '
        "divides.\n"
    )
    assert _units(body) == [
        ("Cells in culture", "title attribute"),
        ("A stem cell", "alt attribute"),
        ("An <x1/>MSC<x2/> divides.", ""),
        ("mesenchymal stem cell", "title attribute"),
    ]


def _translated(body: str, translate) -> str:
    doc = _doc(body)
    catalog = Catalog(locale="es")  # approved translations
    for unit in doc.units():
        catalog.add(unit.text, translate(unit.text))
    translate_document(doc, "es", catalog, marks=False)
    return "".join(t.content for t in doc.tokens if t.type == "html_block")


def test_translations_go_back_with_the_markup_as_written() -> None:
    body = (
        '<div class="note" title="A note">\n  Stem cells <em>repair</em> tissue.\n'
        '<img src="a.png" alt="A cell">\n</div>\n'
    )
    spanish = {
        "A note": "Una nota",
        "Stem cells <g1>repair</g1> tissue.": "Las células madre <g1>reparan</g1> tejido.",
        "A cell": "Una célula",
    }
    html = _translated(body, lambda text: spanish.get(text, text))
    assert html == (
        '<div class="note" title="Una nota">\n  Las células madre <em>reparan</em> tejido.\n'
        '<img src="a.png" alt="Una célula">\n</div>\n'
    )


def test_translated_text_cannot_become_markup_or_end_the_block() -> None:
    """A translation that writes "<b>" shows it; a blank line in one would end the
    HTML block in Markdown; a quote cannot leave an attribute."""
    body = '<div title="Tip">\nUse bold text.\n</div>\n'
    translations = {"Use bold text.": "Usa <b>\n\nnegrita</b> &amp;.", "Tip": 'Un "consejo"'}
    html = _translated(body, lambda text: translations.get(text, text))
    assert html == (
        '<div title="Un &quot;consejo&quot;">\nUsa &lt;b>\nnegrita&lt;/b> &amp;amp;.\n</div>\n'
    )


def test_a_line_that_makes_the_html_block_is_kept_as_written() -> None:
    """CommonMark reads "<a href>" alone on a line as an HTML block: it stays first."""
    body = '<a href="foo">\n*bar*\n</a>\n'
    assert _units(body) == [("*bar*", "")]
    assert _translated(body, str.upper) == '<a href="foo">\n*BAR*\n</a>\n'


def test_the_english_page_is_the_source_byte_for_byte() -> None:
    body = '<div class="note">\nStem cells <em>help</em>.\n</div>\n'
    doc = _doc(body)
    translate_document(doc, "en", None, marks=False)
    assert str(render_body(doc)) == '<div class="note">\nStem cells <em>help</em>.\n</div>\n'


@requires_apertium
def test_a_callout_is_translated_by_apertium_on_the_spanish_page(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pipeline]\nsite_name = "T"\n\n[tool.pipeline.languages.es]\n'
        'locale = "es_ES"\nengines = ["apertium"]\n',
        encoding="utf-8",
    )
    (tmp_path / "source" / "note.md").write_text(
        "---\ntitle: Note\nslug: note\n---\n\n"
        '<div class="note" title="Important">\nThe treatment takes one day.\n</div>\n',
        encoding="utf-8",
    )
    succeeds(tmp_path, "publish", "--quiet")
    catalog = read_catalog(tmp_path / "translations" / "es" / "note.po", "es")
    strings = {m.id: m.string for m in entries(catalog)}
    assert strings["The treatment takes one day."] == "El tratamiento toma un día."
    page = (tmp_path / "site" / "es" / "note" / "index.html").read_text(encoding="utf-8")
    assert 'class="note"' in page and f'title="{strings["Important"]}"' in page
    assert "El tratamiento toma un día." in page
