"""Catalogs and XLIFF through translators' own tools: GNU gettext, translate-toolkit, CAT tools.

Everything here runs the real tools (msgcat, msgmerge, msgattrib, pot2po, pomerge,
xmllint) on real catalogs: the project's articles, translated by the real Apertium
(the catalogs are made fresh, so a change to the engine or glossary shows here).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel import Locale
from conftest import ROOT, SHARED, cli, requires_apertium
from lxml import etree
from translate.storage.xliff2 import Xliff2File

from pipeline.catalog import read_catalog, state_of, unit_id, write_catalog
from pipeline.config import load_config

pytestmark = requires_apertium
LOCALES = {"es": Locale.parse("es_ES"), "ca": Locale.parse("ca_ES")}
TOOLS = ("msgcat", "msgmerge", "msgattrib", "xmllint")
needs_tools = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS), reason="gettext or xmllint is not installed"
)
SCHEMA = SHARED / "schemas" / "xliff_core_2.0.xsd"
TT = Path(shutil.which("pot2po") or ROOT / ".venv" / "bin" / "pot2po").parent

# A unit of each kind, in the first article: approved, a human draft, stale.
SLUG = "stem-cell-therapy-for-joint-pain"
APPROVE = "Introduction"
DRAFT = "What Causes Joint Pain?"
CHANGED_OLD = "Traditional treatments"


def states(project: Path) -> dict[tuple[str, str, str], tuple]:
    """(language, file, msgid) -> (state, flags, msgstr, previous msgid) of every entry."""
    found = {}
    for lang, locale in LOCALES.items():
        for path in sorted((project / "translations" / lang).glob("*.po")):
            catalog = read_catalog(path, locale)
            for m in [*catalog, *catalog.obsolete.values()]:
                if m.id:
                    key = (lang, path.name, str(m.id))
                    found[key] = (state_of(m), sorted(m.flags), m.string, m.previous_id)
    return found


def files(project: Path) -> dict[str, bytes]:
    folder = project / "translations"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.po*"))}


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The articles in Spanish and Catalan by Apertium, with approved, draft and stale units."""
    project = tmp_path_factory.mktemp("tools")
    shutil.copytree(ROOT / "source", project / "source")
    shutil.copy(ROOT / "glossary.yaml", project / "glossary.yaml")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")  # zh: no engine here
    assert cli(project, "publish", "--quiet").exit_code == 0
    approve = unit_id(SLUG, APPROVE)
    assert cli(project, "approve", "--lang", "es", "--unit", approve).exit_code == 0
    # A human draft (what an XLIFF import of a translated, not final, segment makes).
    po = project / "translations" / "es" / f"{SLUG}.po"
    catalog = read_catalog(po, LOCALES["es"])
    catalog[DRAFT].string, catalog[DRAFT].flags = "¿Qué causa el dolor articular?", {"fuzzy"}
    write_catalog(po, catalog)
    # A stale unit: an approved sentence whose English then changes.
    catalog = read_catalog(po, LOCALES["es"])
    sentence = next(m for m in catalog if m.id and str(m.id).startswith(CHANGED_OLD))
    assert cli(project, "approve", "--lang", "es", "--unit", unit_id(SLUG, sentence.id))
    md = project / "source" / f"{SLUG}.md"
    md.write_text(
        md.read_text(encoding="utf-8").replace(CHANGED_OLD, "Conventional therapies"),
        encoding="utf-8",
    )
    assert cli(project, "publish", "--quiet").exit_code == 0
    kinds = {s[0] for k, s in states(project).items() if k[0] == "es"}
    assert {"approved", "draft", "stale", "machine"} <= kinds, kinds
    assert cli(project, "publish", "--check").exit_code == 0
    return project


def clean_after(project: Path, before: dict, pages_change: bool = False) -> None:
    """A publish rewrites no catalog (and, unless a state changed, finds nothing to do);
    the states are as they were."""
    if not pages_change:
        check = cli(project, "publish", "--check")
        assert check.exit_code == 0 and "up to date" in check.output, check.output
    saved = files(project)
    assert cli(project, "publish", "--quiet").exit_code == 0
    assert files(project) == saved  # nothing rewritten
    assert states(project) == before
    assert "up to date" in cli(project, "publish", "--check").output


def each_catalog(project: Path):
    for lang in LOCALES:
        for po in sorted((project / "translations" / lang).glob("*.po")):
            yield po, project / "translations" / "templates" / f"{po.stem}.pot"


def run(*command: str | Path) -> None:
    subprocess.run([str(c) for c in command], check=True, capture_output=True)


@needs_tools
@pytest.mark.parametrize("tool", ["msgcat", "msgmerge", "msgattrib", "pot2po", "pomerge"])
def test_a_save_by_a_translators_tool_keeps_every_state(
    translated: Path, tmp_path: Path, tool: str
) -> None:
    project = tmp_path / "p"
    shutil.copytree(translated, project)
    before = states(project)
    for po, pot in each_catalog(project):
        out = tmp_path / "out.po"
        if tool == "msgcat":
            run("msgcat", po, "-o", out)
        elif tool == "msgmerge":
            run("msgmerge", "--quiet", "--previous", po, pot, "-o", out)
        elif tool == "msgattrib":
            run("msgattrib", po, "-o", out)
        elif tool == "pot2po":
            run(TT / "pot2po", "--progress=none", "-t", po, pot, out)
        else:
            run(TT / "pomerge", "--progress=none", "-t", po, "-i", po, "-o", out)
        shutil.copy(out, po)
    clean_after(project, before)


@needs_tools
def test_msgattrib_clear_fuzzy_on_selected_entries_approves_only_those(
    translated: Path, tmp_path: Path
) -> None:
    project = tmp_path / "p"
    shutil.copytree(translated, project)
    before = states(project)
    po = project / "translations" / "ca" / f"{SLUG}.po"
    selected = tmp_path / "selected.po"
    selected.write_text('msgid "Introduction"\nmsgstr ""\n', encoding="utf-8")
    run("msgattrib", "--clear-fuzzy", f"--only-file={selected}", po, "-o", po)
    key = ("ca", po.name, "Introduction")
    assert before[key][0] == "machine"
    before[key] = ("approved", ["mt-apertium"], *before[key][2:])
    clean_after(project, before, pages_change=True)


def test_catalogs_are_written_as_msgcat_writes_them(translated: Path) -> None:
    """A fresh catalog is already in gettext's form, up to translate-toolkit's line
    breaking (which differs from gettext's in a few strings: counted, not hidden)."""
    differing, total = 0, 0
    for po, pot in each_catalog(translated):
        for path in (po, pot):
            data = path.read_bytes()
            canonical = subprocess.run(["msgcat", path], capture_output=True, check=True).stdout
            ours, theirs = data.decode().splitlines(), canonical.decode().splitlines()
            total += len(ours)
            differing += len(set(ours) - set(theirs))
    assert differing <= total // 100, (differing, total)


def test_custom_header_fields_are_kept_and_language_is_gettexts(translated: Path) -> None:
    po = translated / "translations" / "es" / f"{SLUG}.po"
    text = po.read_text(encoding="utf-8")
    assert '"Language: es_ES\\n"' in text and "Generated-By: Babel" not in text
    text = text.replace('"Plural-Forms:', '"X-Generator: Poedit 3.4\\n"\n"Plural-Forms:', 1)
    po.write_text(text, encoding="utf-8")
    try:
        assert cli(translated, "publish", "--quiet").exit_code == 0
        assert "X-Generator: Poedit 3.4" in po.read_text(encoding="utf-8")
        zh = load_config(ROOT).language("zh")
        from pipeline.catalog import gettext_language

        assert gettext_language(zh.locale) == "zh_CN"
    finally:
        po.write_text(text.replace('"X-Generator: Poedit 3.4\\n"\n', ""), encoding="utf-8")
        cli(translated, "publish", "--quiet")


def test_a_template_per_article_that_msgmerge_accepts(translated: Path) -> None:
    templates = translated / "translations" / "templates"
    slugs = {p.stem for p in (translated / "source").glob("*.md")}
    assert {p.stem for p in templates.glob("*.pot")} == slugs | {"_site"}
    pot = (templates / f"{SLUG}.pot").read_text(encoding="utf-8")
    assert "#. heading" in pot and "pipeline-flags" not in pot and "glossary:" not in pot
    assert 'msgstr ""\n\n' in pot and re.search(r'^msgstr "[^"]', pot, re.MULTILINE) is None


def test_no_glossary_hint_is_cut(translated: Path) -> None:
    config = load_config(translated)
    from pipeline.glossary import load_glossary
    from pipeline.review import review_items

    glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})
    items = review_items(config, "es")
    hinted = [i for i in items if glossary.comment(i.english, "es")]
    assert len(hinted) > 50
    assert all(i.glossary == glossary.comment(i.english, "es") for i in hinted)


# --- review and approve ------------------------------------------------------------------


def test_review_orders_by_priority_and_filters(translated: Path) -> None:
    result = cli(translated, "review", "--lang", "ca", "--article", SLUG)
    blocks = result.output.split("\n\n")
    kinds = []
    for block in blocks:
        if block.startswith("["):
            heading = "note: heading" in block or "note: front matter: title" in block
            kinds.append(0 if heading else 1 if "flags:" in block else 4)
    assert kinds == sorted(kinds) and kinds[0] == 0 and 1 in kinds and 4 in kinds
    flagged = cli(translated, "review", "--lang", "ca", "--flag", "unknown-words")
    assert flagged.output.count("[machine]") >= 1
    assert all("unknown-words" in b for b in flagged.output.split("\n\n") if b.startswith("["))
    drafts = cli(translated, "review", "--lang", "es", "--state", "draft")
    assert (
        "1 units to review" in drafts.output and "¿Qué causa el dolor articular?" in drafts.output
    )


def test_approve_dry_run_units_and_flagged(translated: Path, tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(translated, project)
    before = files(project)
    dry = cli(project, "approve", "--lang", "ca", "--article", SLUG, "--dry-run")
    assert "would be approved (dry run" in dry.output and files(project) == before
    flagged = [
        i for i in _items(project, "ca") if i.flags and i.slug == SLUG and i.state == "machine"
    ]
    assert flagged and all(f"not approved: {i.unit}" in dry.output for i in flagged)
    one = flagged[0].unit
    single = cli(project, "approve", "--lang", "ca", "--unit", one)
    assert "0 units approved" in single.output and "--include-flagged" in single.output
    single = cli(project, "approve", "--lang", "ca", "--unit", one, "--include-flagged")
    assert "1 units approved" in single.output
    after = {i.unit: i for i in _items(project, "ca")}
    assert one not in after and len(after) == len(_items(translated, "ca")) - 1


def _items(project: Path, language: str):
    from pipeline.review import review_items

    return review_items(load_config(project), language)


def test_status_lists_the_page_chrome(translated: Path) -> None:
    result = cli(translated, "status")
    rows = [line.split() for line in result.output.splitlines()[1:]]
    assert {r[0] for r in rows if r[1] == "_site"} == {"es", "ca", "zh"}
    header = result.output.splitlines()[0].split()
    assert header[3:8] == ["approved", "machine", "draft", "stale", "untransl."]


# --- XLIFF 2.0 -------------------------------------------------------------------------


def export(project: Path, out: Path, language: str = "es") -> Path:
    assert cli(project, "xliff", "export", "--lang", language, "-o", str(out)).exit_code == 0
    return out


@needs_tools
@pytest.mark.parametrize("language", ["es", "ca"])
def test_xliff_export_validates_against_the_oasis_schema(
    translated: Path, tmp_path: Path, language: str
) -> None:
    xlf = export(translated, tmp_path / "out.xlf", language)
    result = subprocess.run(
        ["xmllint", "--noout", "--schema", SCHEMA, xlf], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    text = xlf.read_text(encoding="utf-8")
    assert '<pc id="g1" dataRefStart="g1s" dataRefEnd="g1e">' in text
    assert re.search(r'<ph id="x\d+" dataRef="x\d+"/>', text)
    assert "&lt;g1&gt;" not in text.replace('<data id="g1s">&lt;g1&gt;</data>', "")
    assert '<note category="glossary">glossary: ' in text


def _codes(text: str) -> list[str]:
    return re.findall(r"<(?:pc|ph) id=\"[gx]\d+\"", text)


@needs_tools
def test_xliff_through_translate_toolkit_keeps_every_inline_code(
    translated: Path, tmp_path: Path
) -> None:
    xlf = export(translated, tmp_path / "out.xlf")
    store = Xliff2File.parsefile(str(xlf))
    again = tmp_path / "tt.xlf"
    again.write_bytes(bytes(store))
    assert _codes(again.read_text(encoding="utf-8")) == _codes(xlf.read_text(encoding="utf-8"))
    project = tmp_path / "p"
    shutil.copytree(translated, project)
    before = states(project)
    result = cli(project, "xliff", "import", str(again))
    assert result.exit_code == 0, result.output
    assert "0 approved, 0 suggestions, 0 refused" in result.output
    assert states(project) == before


@needs_tools
def test_xliff_targets_written_with_pc_and_ph_import(translated: Path, tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(translated, project)
    xlf = export(project, tmp_path / "out.xlf")
    tree = etree.parse(str(xlf))
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    units = tree.findall(".//x:unit", ns)
    with_pc = next(u for u in units if u.find(".//x:target/x:pc", ns) is not None)
    with_ph = next(u for u in units if u.find(".//x:target/x:ph", ns) is not None)
    # A translator's edit in a CAT tool: new words, codes kept as elements.
    target = with_pc.find(".//x:target", ns)
    pc = target.find("x:pc", ns)
    pc.text = "Dolor nociceptivo:"
    pc.tail = " este dolor nace del daño en los tejidos."
    target.text = ""
    with_pc.find(".//x:segment", ns).set("state", "final")
    # A broken one: the code dropped.
    broken = with_ph.find(".//x:target", ns)
    for child in list(broken):
        broken.remove(child)
    broken.text = "sin el código"
    with_ph.find(".//x:segment", ns).set("state", "final")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    result = cli(project, "xliff", "import", str(xlf))
    assert result.exit_code == 1
    assert "1 approved, 0 suggestions, 1 refused" in result.output
    line = with_ph.sourceline
    assert f"{xlf}:{line}: {with_ph.get('id')}: " in result.output and "missing <x" in result.output
    slug, _ = with_pc.get("id").split(".")
    catalog = read_catalog(project / "translations" / "es" / f"{slug}.po", LOCALES["es"])
    message = next(m for m in catalog if m.id and unit_id(slug, m.id) == with_pc.get("id"))
    assert message.string == "<g1>Dolor nociceptivo:</g1> este dolor nace del daño en los tejidos."
    assert state_of(message) == "approved"
