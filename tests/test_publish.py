"""`pipeline publish` end to end: real files, the real Apertium binary, the real CLI."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import ClassVar

import pytest
from babel import Locale
from babel.messages.pofile import write_po
from conftest import cli, fails_cleanly, outputs, requires_apertium, snapshot, succeeds

from pipeline.catalog import read_catalog, state_of
from pipeline.engines.apertium import ApertiumEngine, installed_modes
from pipeline.literals import PROTECTED_RE
from pipeline.placeholders import PLACEHOLDER_RE

pytestmark = requires_apertium
SLUG = "stem-cell-therapy-for-joint-pain"


def publish(project: Path, *args: str):
    return succeeds(project, "publish", *args)


def catalog(project: Path, lang: str, slug: str = SLUG):
    return read_catalog(project / "translations" / lang / f"{slug}.po", Locale.parse(lang))


def save(project: Path, lang: str, cat, slug: str = SLUG) -> None:
    with (project / "translations" / lang / f"{slug}.po").open("wb") as fh:
        write_po(fh, cat, width=76, include_previous=True)


def page(project: Path, lang: str, slug: str = SLUG) -> str:
    return (project / "site" / lang / slug / "index.html").read_text(encoding="utf-8")


def edit_source(project: Path, old: str, new: str, slug: str = SLUG) -> None:
    path = project / "source" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class CountingApertium(ApertiumEngine):
    """The real engine, recording what each batch asked for."""

    batches: ClassVar[list[tuple[str, list[str]]]] = []

    def translate_batch(self, texts, source, target):
        CountingApertium.batches.append((target, list(texts)))
        return super().translate_batch(texts, source, target)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> type[CountingApertium]:
    CountingApertium.batches = []
    monkeypatch.setitem(
        __import__("pipeline.engines", fromlist=["ENGINES"]).ENGINES, "apertium", CountingApertium
    )
    return CountingApertium


def test_spanish_and_catalan_from_apertium_chinese_flagged_fallback(project: Path) -> None:
    result = publish(project)
    for lang in ("es", "ca"):
        for path in (project / "translations" / lang).glob("*.po"):
            cat = read_catalog(path, Locale.parse(lang))
            states = Counter(state_of(m) for m in cat if m.id)
            assert set(states) == {"machine"}, (path, states)
            assert all("mt-apertium" in m.flags for m in cat if m.id)
    assert "Dolor articular, especialmente debido a" in page(project, "es")
    assert "Dolor articular, especialment a causa de condicions com artrosi" in page(project, "ca")
    zh = page(project, "zh")
    assert '<html lang="zh-Hans" dir="ltr">' in zh
    assert 'data-l10n-banner="not-translated"' in zh  # no engine: not advertised in Chinese
    assert zh.count('data-l10n-state="untranslated" lang="en"') > 20
    assert "zh: 333 units shown in English" in result.output
    assert "argos" in result.output.lower()


def test_every_run_says_which_languages_stay_in_english(project: Path) -> None:
    """No Chinese engine here: the first run, a no-op run and their --json all say so."""
    import json

    publish(project)
    again = publish(project, "--json")
    assert "zh: 333 units shown in English" in again.stderr
    assert "`pipeline models install en zh`" in again.stderr
    assert "argospm" not in again.stderr
    assert "zh: 5 of 5 articles are less than 80% translated" in again.stderr
    report = json.loads(again.stdout)
    assert report["units_sent"] == {}  # nothing to do, and still it reports
    assert report["units_in_english"] == {"ca": 0, "es": 0, "zh": 333}
    assert set(report["missing_engines"]) == {"zh"}
    assert "no Argos Translate model for en->zh" in report["missing_engines"]["zh"]
    assert len(report["not_advertised"]["zh"]) == 5
    assert any("zh: 333 units shown in English" in w for w in report["warnings"])


def test_coverage_threshold_is_configurable(project: Path) -> None:
    """Every Chinese unit but the title translated by hand: advertised at 0.8, not at 1."""
    publish(project, "--lang", "zh")
    cat = catalog(project, "zh")
    title = next(m for m in cat if m.id and m.id.startswith("Stem Cell Therapy for Joint Pain:"))
    for message in cat:
        if message.id and message is not title:
            codes = "".join(m.group() for m in PLACEHOLDER_RE.finditer(message.id))
            message.string, message.flags = codes + "中文译文。", set()
    save(project, "zh", cat)
    publish(project, "--lang", "zh")
    assert '<link rel="alternate" hreflang="zh-Hans"' in page(project, "en")
    assert 'name="robots"' not in page(project, "zh")
    # The English title shown among Chinese sentences is marked on the <h1>.
    assert '<h1><span data-l10n-unit="untranslated" lang="en">' in page(project, "zh")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text().replace(
        'engines = ["argos"]', 'engines = ["argos"]\nmin_coverage = 1.0'
    )
    pyproject.write_text(text)
    publish(project, "--lang", "zh")
    assert '<link rel="alternate" hreflang="zh-Hans"' not in page(project, "en")
    assert '<meta name="robots" content="noindex">' in page(project, "zh")
    pyproject.write_text(text.replace("min_coverage = 1.0", "min_coverage = 2"))
    bad = cli(project, "publish", "--lang", "zh")
    assert bad.exit_code == 1 and "min_coverage = 2 is not a share between 0 and 1" in bad.output


def test_unknown_engine_is_a_usage_error_even_with_nothing_to_do(project: Path) -> None:
    publish(project, "--lang", "es")
    result = cli(project, "publish", "--lang", "es", "--engine", "nope")
    assert result.exit_code == 2
    assert (
        "unknown engine 'nope' (engines: apertium, apy, argos, libretranslate, pseudo)"
        in result.output
    )


def _protected(html: str) -> Counter:
    body = html.split("<article>", 1)[1].split("</article>", 1)[0]
    found = Counter(re.findall(r'(?:href|src)="([^"]*)"', body))
    found.update(f"code:{c}" for c in re.findall(r"<code[^>]*>(.*?)</code>", body, re.DOTALL))
    text = re.sub(r"<[^>]+>", " ", body)
    found.update(f"text:{m.group()}" for m in PROTECTED_RE.finditer(text))
    return found


def test_urls_emails_phones_and_code_identical_on_every_page(project: Path) -> None:
    edit_source(
        project,
        "## Conclusion",
        "Run `pipeline --help` or see https://example.org/x.\n\n## Conclusion",
    )
    publish(project)
    checked = 0
    for english in (project / "site" / "en").glob("*/index.html"):
        expected = _protected(english.read_text(encoding="utf-8"))
        for lang in ("es", "ca", "zh"):
            translated = project / "site" / lang / english.parent.name / "index.html"
            assert _protected(translated.read_text(encoding="utf-8")) == expected, translated
            checked += 1
    assert checked == 15
    joint = _protected(page(project, "es"))
    assert joint["tel:+447778936902"] == 1 and joint["mailto:head_office@nbscience.com"] == 1
    assert joint["code:pipeline --help"] == 1 and joint["text:https://example.org/x"] == 1


def test_publishing_again_changes_no_file(project: Path) -> None:
    publish(project)
    before = outputs(project)
    result = publish(project)
    after = outputs(project)
    assert after == before
    assert "0 files written" in result.output


def test_one_language_published_again_renders_no_page(project: Path, monkeypatch) -> None:
    """Catalan and Chinese were never published: what their switcher entries showed is
    remembered, so publishing Spanish again renders no page and parses no article's
    catalog in them, until a translator's Catalan catalog changes what one shows."""
    import pipeline.publish as publishing

    publish(project, "--lang", "es")
    assert 'hreflang="ca" lang="ca">Català</a> <span class="l10n-state" data-state="not-' in (
        page(project, "es")
    )
    built, parsed = [], []
    build, read = publishing._Finish.build, publishing.read_catalog

    def counted_build(self, item, writer) -> None:
        built.append((item.language, item.doc.article.slug))
        build(self, item, writer)

    def counted_read(path: Path, locale):
        parsed.append(path)
        return read(path, locale)

    monkeypatch.setattr(publishing._Finish, "build", counted_build)
    monkeypatch.setattr(publishing, "read_catalog", counted_read)
    assert "0 files written" in publish(project, "--lang", "es").output
    assert built == []
    assert [p.name for p in parsed if p.parent.name in ("ca", "zh")] == ["_site.po"] * 2

    (project / "translations" / "ca").mkdir()
    spanish = project / "translations" / "es" / f"{SLUG}.po"
    (project / "translations" / "ca" / f"{SLUG}.po").write_bytes(spanish.read_bytes())
    publish(project, "--lang", "es")
    assert sorted(built) == [("en", SLUG), ("es", SLUG)]
    assert 'hreflang="ca" lang="ca">Català</a> <span class="l10n-state" data-state="machine"' in (
        page(project, "es")
    )


def test_one_edited_sentence_sends_one_unit_per_language(project: Path, counting) -> None:
    publish(project)
    counting.batches.clear()
    edit_source(project, "Stem cell therapy can be expensive", "Stem cell therapy is expensive")
    publish(project)
    assert sorted((lang, len(texts)) for lang, texts in counting.batches) == [("ca", 1), ("es", 1)]
    assert counting.batches[0][1] == [
        # What the engine sees: the term as words (the glossary is in Apertium's dictionaries).
        "<g1>Cost:</g1> Stem cell therapy is expensive, and insurance coverage for "
        "regenerative treatments may be limited."
    ]


def test_hand_approved_translation_survives_every_publish(project: Path) -> None:
    publish(project)
    cat = catalog(project, "es")
    msgid = (
        "Stem cell therapy offers several advantages over traditional treatments for joint pain:"
    )
    cat[
        msgid
    ].string = "La terapia con células madre ofrece varias ventajas frente al dolor articular:"
    cat[msgid].flags.discard("fuzzy")  # what Poedit does when a translator approves
    save(project, "es", cat)
    publish(project)
    publish(project, "--engine", "pseudo")  # even an engine told to run cannot replace it
    message = catalog(project, "es")[msgid]
    assert message.string.startswith("La terapia con células madre ofrece varias ventajas")
    assert state_of(message) == "approved"
    html = page(project, "es")
    assert '<p data-l10n-state="approved">La terapia con células madre ofrece varias' in html


def test_refresh_drafts_replaces_only_untouched_machine_output(project: Path) -> None:
    publish(project, "--lang", "es")
    cat = catalog(project, "es")
    machine = [m for m in cat if m.id and state_of(m) == "machine"]
    approved, stale = machine[0], machine[1]
    approved.string = "Aprobado por una traductora."
    approved.flags.discard("fuzzy")
    stale.string, stale.flags = "Borrador de una traductora.", {"fuzzy"}  # no mt- flag
    save(project, "es", cat)
    # Not refreshed, a draft from another engine stays; refreshed, it is replaced.
    publish(project, "--lang", "es", "--engine", "pseudo")
    assert catalog(project, "es")[machine[2].id].string == machine[2].string
    publish(project, "--lang", "es", "--engine", "pseudo", "--refresh-drafts")
    after = catalog(project, "es")
    assert after[approved.id].string == "Aprobado por una traductora."
    assert after[stale.id].string == "Borrador de una traductora."
    redone = after[machine[2].id]
    assert redone.string.startswith("⟦") and "mt-pseudo" in redone.flags
    assert state_of(redone) == "machine"


def test_changed_english_keeps_the_human_text_as_stale_suggestion(project: Path, counting) -> None:
    publish(project)
    cat = catalog(project, "ca")
    old = "Stem cell therapy offers several advantages over traditional treatments for joint pain:"
    gone = "This can help patients avoid the potential side effects of long-term medication use."
    for msgid, text in ((old, "La teràpia ofereix diversos avantatges:"), (gone, "Això ajuda.")):
        cat[msgid].string = text
        cat[msgid].flags.discard("fuzzy")
    save(project, "ca", cat)
    new = old.replace("several advantages", "many advantages")
    edit_source(project, old, new)
    edit_source(project, " " + gone, "")
    counting.batches.clear()
    publish(project, "--lang", "ca")
    cat = catalog(project, "ca")
    assert state_of(cat[new]) == "stale"
    assert cat[new].string == "La teràpia ofereix diversos avantatges:"
    assert cat[new].previous_id == [old]
    assert cat.obsolete[gone].string == "Això ajuda."
    assert counting.batches == []  # nothing needed the engine
    po_text = (project / "translations" / "ca" / f"{SLUG}.po").read_text(encoding="utf-8")
    assert "#| msgid" in po_text and "#~ msgid" in po_text


def test_status_table_counts_states(project: Path) -> None:
    publish(project)
    result = cli(project, "status")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "lang",
        "article",
        "total",
        "approved",
        "machine",
        "draft",
        "stale",
        "untransl.",
        "flagged",
        "glossary",
    ]
    es_joint = next(line.split() for line in lines if line.startswith("es") and SLUG in line)
    zh_joint = next(line.split() for line in lines if line.startswith("zh") and SLUG in line)
    total = int(es_joint[2])
    assert es_joint[3:8] == ["0", str(total), "0", "0", "0"]
    assert zh_joint[3:8] == ["0", "0", "0", "0", str(total)]


# --- bad input: one line naming the file or the fix, exit 1, nothing damaged -------


def test_broken_front_matter(project: Path) -> None:
    publish(project)
    before = outputs(project)
    path = project / "source" / f"{SLUG}.md"
    path.write_text(path.read_text().replace("slug: ", "slug: [unclosed ", 1))
    fails_cleanly(project, before, f"source/{SLUG}.md:3:", "invalid YAML")


def test_missing_source_folder(project: Path) -> None:
    import shutil

    shutil.rmtree(project / "source")
    fails_cleanly(project, outputs(project), "source", "source folder not found")


def test_missing_apertium_binary(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(project)
    before = outputs(project)
    edit_source(project, "## Conclusion", "A brand new sentence.\n\n## Conclusion")
    monkeypatch.setenv("PATH", "/nonexistent")
    installed_modes.cache_clear()
    try:
        fails_cleanly(project, before, "'apertium' program is not installed", "apt-get install")
    finally:
        installed_modes.cache_clear()


# --- incremental work, --check and --json --------------------------------------------------


def test_check_reports_out_of_date_files_and_changes_nothing(project: Path) -> None:
    publish(project)
    assert cli(project, "publish", "--check").exit_code == 0
    edit_source(project, "Stem cell therapy can be expensive", "Stem cell therapy is expensive")
    before = outputs(project)
    result = cli(project, "publish", "--check")
    assert result.exit_code == 1
    assert f"out of date: translations/es/{SLUG}.po" in result.output
    assert f"out of date: site/ca/{SLUG}/index.html" in result.output
    assert outputs(project) == before
    publish(project)
    assert cli(project, "publish", "--check").exit_code == 0


def test_only_the_changed_article_is_redone(project: Path) -> None:
    import json

    publish(project)
    other = project / "site" / "es" / "stem-cell-therapy-chronic-pain-new-hope" / "index.html"
    other_mtime = other.stat().st_mtime_ns
    edit_source(project, "Stem cell therapy can be expensive", "Stem cell therapy is expensive")
    result = cli(project, "publish", "--quiet", "--json")
    summary = json.loads(result.output[result.output.index("{") :])
    assert summary["articles_redone"] == {"ca": 1, "es": 1, "zh": 1}
    assert summary["units_sent"] == {"ca": 1, "es": 1}
    assert summary["units_by_state"]["zh"]["untranslated"] > 300
    assert other.stat().st_mtime_ns == other_mtime


def test_an_article_that_leaves_takes_its_pages_but_not_its_translations(project: Path) -> None:
    publish(project)
    (project / "source" / f"{SLUG}.md").unlink()
    publish(project)
    assert not (project / "site" / "es" / SLUG / "index.html").exists()
    assert (project / "translations" / "es" / f"{SLUG}.po").exists()  # kept as memory
    assert SLUG not in (project / "site" / "es" / "index.html").read_text(encoding="utf-8")


def test_an_article_that_leaves_as_the_glossary_changes_takes_its_pages(project: Path) -> None:
    # A changed glossary makes the publish forget what it knew: not which articles it had.
    publish(project)
    (project / "source" / f"{SLUG}.md").unlink()
    with (project / "glossary.yaml").open("a", encoding="utf-8") as glossary:
        glossary.write("\n# reviewed\n")
    publish(project)
    for code in ("en", "es", "ca", "zh"):
        assert not (project / "site" / code / SLUG / "index.html").exists(), code
    assert not (project / "translations" / "templates" / f"{SLUG}.pot").exists()
    assert (project / "translations" / "es" / f"{SLUG}.po").exists()  # kept as memory


def test_deleting_the_site_rebuilds_it(project: Path) -> None:
    import shutil

    publish(project)
    shutil.rmtree(project / "site")
    publish(project)
    assert (project / "site" / "ca" / SLUG / "index.html").exists()


def test_every_output_is_a_builder_called_per_article_and_once_at_the_end(
    published: Path,
) -> None:
    """The outputs layer's contract, through a real publish: a builder is given each
    article it writes in each target language (the source language only where
    ``source_too``), the translated front matter, and the whole site at the end;
    the site's own files come from builders too (a deleted page is written again)."""
    from pipeline.config import load_config
    from pipeline.outputs import SITE, Builder, Site, Translated
    from pipeline.publish import Outputs, publish

    class Recorder(Builder):
        name, help, suffix = "recorder", "", ".txt"
        calls: ClassVar[list] = []

        def write(self, item: Translated, emit) -> None:
            meta, _, _ = item.translate()
            self.calls.append((item.language, item.doc.article.slug, meta.get("title")))
            emit(self.path(item.language, item.doc.article.slug), meta.get("title", ""))

        def finish(self, site: Site, emit, remove) -> None:
            self.calls.append(("finish", sorted(site.listings), len(site.slugs)))

    assert [b.name for b in SITE] == ["pages", "indexes", "sitemap", "assets"]
    page = published / "site" / "es" / SLUG / "index.html"
    before = page.read_bytes()
    page.unlink()
    folder = published / "recorded"
    publish(load_config(published), outputs=Outputs(builders=(Recorder(folder),)), jobs=1)
    written = [c for c in Recorder.calls if c[0] != "finish"]
    assert sorted({(lang, slug) for lang, slug, _ in written}) == sorted(
        (lang, p.stem) for lang in ("es", "zh") for p in (published / "source").glob("*.md")
    )  # a new folder: every article, in every target language and never in English
    assert all(title and title.startswith("⟦") for _, _, title in written)
    assert Recorder.calls[-1] == ("finish", ["en", "es", "zh"], 5)
    assert page.read_bytes() == before  # the pages builder knew its page was missing
    assert (folder / "zh" / f"{SLUG}.txt").read_text(encoding="utf-8").startswith("⟦")


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_output_failing_midway_leaves_every_output_as_it_was(published: Path, jobs: int) -> None:
    """Pages and extra outputs land together or not at all: a builder that fails on
    the third article (a fake, standing for a crash such as an unknown token) leaves
    the pages and Markdown of the articles before it unwritten, the catalogs as they
    were, and no temporary file behind."""
    from pipeline.config import load_config
    from pipeline.errors import PipelineError
    from pipeline.outputs import BUILDERS, Translated
    from pipeline.publish import Outputs, publish

    content = published / "content"
    markdown = BUILDERS["markdown"](content)
    publish(load_config(published), outputs=Outputs(builders=(markdown,)), jobs=jobs)
    for path in sorted((published / "source").glob("*.md")):  # every article changes
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n")
    before = {name: snapshot(published / name) for name in ("site", "content", "translations")}

    class FailsOnTheThird(type(markdown)):  # type: ignore[misc]
        def write(self, item: Translated, emit) -> None:
            super().write(item, emit)
            if item.doc.article.slug == sorted(p.stem for p in content.glob("es/*.md"))[2]:
                raise PipelineError("this output cannot be written", fix="none: a test")

    failing = Outputs(builders=(FailsOnTheThird(content),))
    with pytest.raises(PipelineError, match="cannot be written"):
        publish(load_config(published), outputs=failing, jobs=jobs)
    after = {name: snapshot(published / name) for name in ("site", "content", "translations")}
    assert after == before
    assert not [p for p in published.rglob("*.tmp")]
    # The next publish, with nothing failing, writes everything.
    publish(load_config(published), outputs=Outputs(builders=(markdown,)), jobs=jobs)
    assert "⟦" in (content / "es" / f"{SLUG}.md").read_text(encoding="utf-8").split("---")[-1]
    assert snapshot(published / "site") != before["site"]


def test_publish_writes_markdown_for_tables_and_strikethrough(published: Path) -> None:
    """The crash this fixed: `publish --markdown` on an article with a GFM table."""
    torture = Path(__file__).parent / "data" / "torture.md"
    (published / "source" / "torture.md").write_text(torture.read_text(encoding="utf-8"))
    succeeds(published, "publish", "--quiet", "--markdown", str(published / "content"))
    text = (published / "content" / "es" / "torture.md").read_text(encoding="utf-8")
    assert "| :--- | ---: | :---: |" in text and "~~ñéṽéŕ~~" in text and "\n10. ⟦" in text


def test_chosen_front_matter_fields_are_translated_lists_included(published: Path) -> None:
    """[tool.pipeline] front_matter: category and a list of tags become units (one per
    tag), come back translated in Markdown and JSON front matter, and the page shows
    the category in its language (marked English where it is not translated)."""
    config = published / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            'site_name = "Test"', 'site_name = "Test"\nfront_matter = ["title", "category", "tags"]'
        )
    )
    article = published / "source" / f"{SLUG}.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace(
            "\n---\n", "\ntags: [knee pain, cartilage]\n---\n", 1
        )
    )
    succeeds(published, "publish", "--quiet", "--markdown", str(published / "content"))
    catalog = read_catalog(published / "translations" / "es" / f"{SLUG}.po", Locale.parse("es"))
    notes = {m.id: m.auto_comments for m in catalog if m.id}
    assert notes["Stem Cells therapy"] == ["front matter: category"]
    assert notes["knee pain"] == notes["cartilage"] == ["front matter: tags"]
    front = (published / "content" / "es" / f"{SLUG}.md").read_text(encoding="utf-8")
    assert re.search(r"\ntags:\n- ⟦ķñéé þåîñ ·+⟧\n- ⟦çåŕţîļåĝé ·+⟧\n", front)
    assert re.search(r"\ncategory: ⟦Šţéɱ Çéļļš ţĥéŕåþý ·+⟧\n", front)
    assert "summary: " in front and "⟦" not in front.split("summary: ")[1].split("\n")[0]
    page = (published / "site" / "es" / SLUG / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="category">⟦Šţéɱ Çéļļš ţĥéŕåþý ·+⟧</p>', page)
    english = (published / "site" / "en" / SLUG / "index.html").read_text(encoding="utf-8")
    assert '<p class="category">Stem Cells therapy</p>' in english
    # A field holding a mapping cannot be translated: a clear error, nothing written.
    article.write_text(
        article.read_text(encoding="utf-8")
        .replace("tags: [", "tags: {a: [", 1)
        .replace("cartilage]", "cartilage]}", 1)
    )
    fails_cleanly(published, outputs(published), "front matter 'tags' is translated", "Fix:")
