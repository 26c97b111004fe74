"""The review workflow: change handling, review, approval, diffs, XLIFF exchange.

Most tests use the pseudo engine (deterministic, fast) on a small project; the
catalogs, the CLI and the files are the real ones.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from babel import Locale
from click.testing import CliRunner
from conftest import requires_browser, screenshot, succeeds
from lxml import etree

from pipeline.catalog import read_catalog, state_of, write_catalog
from pipeline.cli import main
from pipeline.xliff import inline_text

ARTICLE_A = """---
title: Joint care
slug: joint-care
summary: About joints.
---

Stem cells can repair damaged cartilage. Patients often report less pain after treatment.

## Risks

Every treatment has risks. Ask your doctor about them before you decide.
"""

ARTICLE_B = """---
title: Back care
slug: back-care
summary: About backs.
---

Good posture protects the spine. Regular exercise keeps the back strong.
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A two-article project translated into Spanish by the pseudo engine."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "joint-care.md").write_text(ARTICLE_A, encoding="utf-8")
    (tmp_path / "source" / "back-care.md").write_text(ARTICLE_B, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pipeline]\nsite_name = "Test"\n\n'
        '[tool.pipeline.languages.es]\nlocale = "es_ES"\nengines = ["pseudo"]\n',
        encoding="utf-8",
    )
    publish(tmp_path)
    return tmp_path


def publish(project: Path):
    return succeeds(project, "publish", "--quiet")


def po(project: Path, slug: str = "joint-care") -> Path:
    return project / "translations" / "es" / f"{slug}.po"


def approve_by_hand(project: Path, msgid: str, text: str, slug: str = "joint-care") -> None:
    """What a translator does in Poedit: write the translation, clear 'fuzzy'."""
    catalog = read_catalog(po(project, slug), Locale.parse("es"))
    catalog[msgid].string = text
    catalog[msgid].flags.discard("fuzzy")
    write_catalog(po(project, slug), catalog)


def edit(project: Path, old: str, new: str, slug: str = "joint-care") -> None:
    path = project / "source" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def entry(project: Path, msgid: str, slug: str = "joint-care"):
    return read_catalog(po(project, slug), Locale.parse("es")).get(msgid)


REPAIR = "Stem cells can repair damaged cartilage."
HUMAN = "Las células madre pueden reparar el cartílago dañado."


def test_small_edit_keeps_the_human_text_as_a_stale_suggestion(small: Path) -> None:
    approve_by_hand(small, REPAIR, HUMAN)
    edit(small, "can repair damaged", "can repair the damaged")
    publish(small)
    new = entry(small, "Stem cells can repair the damaged cartilage.")
    assert state_of(new) == "stale" and new.string == HUMAN
    assert new.previous_id == [REPAIR]

    review = succeeds(small, "review", "--lang", "es", "--article", "joint-care").output
    assert "[stale] joint-care." in review and "  source/joint-care.md:7" in review
    assert "can repair {+the+} damaged" in review or "repair {+the +}damaged" in review
    assert f"tr: {HUMAN}" in review


def test_identical_sentence_elsewhere_reuses_the_approved_translation(small: Path) -> None:
    approve_by_hand(small, REPAIR, HUMAN)
    edit(
        small,
        "Good posture protects the spine.",
        f"Good posture protects the spine. {REPAIR}",
        slug="back-care",
    )
    publish(small)
    reused = entry(small, REPAIR, slug="back-care")
    assert state_of(reused) == "approved" and reused.string == HUMAN


def test_close_sentence_elsewhere_is_offered_as_fuzzy_suggestion(small: Path) -> None:
    approve_by_hand(small, REPAIR, HUMAN)
    close = "Stem cells can repair damaged knee cartilage."
    edit(
        small,
        "Good posture protects the spine.",
        f"Good posture protects the spine. {close}",
        slug="back-care",
    )
    publish(small)
    offered = entry(small, close, slug="back-care")
    assert state_of(offered) == "stale" and offered.string == HUMAN
    assert offered.previous_id == [REPAIR]


def test_removed_sentence_stays_as_obsolete_memory(small: Path) -> None:
    approve_by_hand(small, REPAIR, HUMAN)
    edit(small, REPAIR + " ", "")
    publish(small)
    catalog = read_catalog(po(small), Locale.parse("es"))
    assert REPAIR not in catalog and catalog.obsolete[REPAIR].string == HUMAN
    assert "#~ msgid" in po(small).read_text(encoding="utf-8")
    edit(small, "Patients often", f"{REPAIR} Patients often")  # it comes back
    publish(small)
    assert state_of(entry(small, REPAIR)) == "approved"


def test_approve_command_and_status_and_page(small: Path) -> None:
    review = succeeds(small, "review", "--lang", "es", "--article", "joint-care").output
    listed = review.count("[machine]")
    assert listed >= 6
    result = succeeds(small, "approve", "--lang", "es", "--article", "joint-care")
    assert f"{listed} units approved" in result.output
    publish(small)
    status = succeeds(small, "status", "--lang", "es").output
    row = next(line.split() for line in status.splitlines() if "joint-care" in line)
    assert row[2] == row[3]  # total == approved
    page = (small / "site" / "es" / "joint-care" / "index.html").read_text(encoding="utf-8")
    assert "data-l10n-banner" not in page and 'data-l10n-state="machine"' not in page


def test_one_edited_sentence_changes_only_its_entries_in_git(small: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=small, check=True, capture_output=True, text=True
        ).stdout

    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "add", "-A")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "first")
    edit(small, "Every treatment has risks.", "Every treatment carries risks.")
    publish(small)
    assert git("status", "--porcelain", "translations").split() == [
        "M",
        "translations/es/joint-care.po",
        "M",
        "translations/templates/joint-care.pot",
    ]
    diff = git("diff", "-U0", "translations")
    changed = [
        line[1:]
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed
    old, new = "Every treatment has risks.", "Every treatment carries risks."
    # Every changed line is part of the old or the new sentence's entry.
    for line in changed:
        assert not line or old in line or new in line or line.startswith(("#", "msgstr")), line
    assert sum(old in line for line in changed) >= 1 and sum(new in line for line in changed) >= 1
    assert len(changed) <= 14  # the catalog's entry (and obsolete entry), the template's


def test_review_html_report_is_written(small: Path) -> None:
    approve_by_hand(small, REPAIR, HUMAN)
    edit(small, "can repair damaged", "can repair the damaged")
    publish(small)
    out = small / "reports" / "es.html"
    succeeds(small, "review", "--lang", "es", "--html", str(out))
    html = out.read_text(encoding="utf-8")
    assert "<ins>the </ins>" in html or "<ins>the</ins>" in html
    assert 'href="../site/es/joint-care/index.html"' in html


# --- XLIFF 2.0 ----------------------------------------------------------------------------


NS = {"x": "urn:oasis:names:tc:xliff:document:2.0"}


def xliff_units(path: Path) -> tuple[etree._ElementTree, dict[str, etree._Element]]:
    """The exported file and its units by English (inline codes as placeholders)."""
    tree = etree.parse(str(path))
    units = {inline_text(u.find(".//x:source", NS)): u for u in tree.findall(".//x:unit", NS)}
    return tree, units


def set_target(unit: etree._Element, text: str, state: str) -> None:
    """What a CAT tool does with a plain-text target."""
    target = unit.find(".//x:target", NS)
    for child in list(target):
        target.remove(child)
    target.text = text
    unit.find(".//x:segment", NS).set("state", state)


def test_xliff_export_and_import(small: Path, tmp_path: Path) -> None:
    approve_by_hand(small, REPAIR, HUMAN)
    out = tmp_path / "es.xlf"
    succeeds(small, "xliff", "export", "--lang", "es", "-o", str(out))
    tree, units = xliff_units(out)
    assert tree.getroot().get("trgLang") == "es"
    segment = units[REPAIR].find(".//x:segment", NS)
    assert segment.get("state") == "final"
    risks = "Every treatment has risks."
    assert units[risks].find(".//x:segment", NS).get("state") == "translated"
    notes = [n.text for n in units[risks].findall(".//x:note", NS)]
    assert "machine translation (pseudo), not reviewed" in notes

    # What an agency sends back:
    set_target(units[risks], "Todo tratamiento tiene riesgos.", "final")
    set_target(units[REPAIR], "Otra cosa sin revisar.", "translated")  # must not replace it
    bold = next(u for s, u in units.items() if s.startswith("Ask your doctor"))
    bold_english = next(s for s, u in units.items() if u is bold)
    set_target(bold, "Pregunte a su médico.", "translated")
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")

    result = CliRunner().invoke(main, ["xliff", "import", str(out), "--project", str(small)])
    assert result.exit_code == 1  # one refused
    assert "1 approved, 1 suggestions, 1 refused" in result.output
    assert state_of(entry(small, risks)) == "approved"
    assert entry(small, REPAIR).string == HUMAN
    assert state_of(entry(small, bold_english)) == "draft"


def test_xliff_import_refuses_broken_placeholders(small: Path, tmp_path: Path) -> None:
    edit(small, "Every treatment has risks.", "Every treatment has **serious** risks.")
    publish(small)
    out = tmp_path / "es.xlf"
    succeeds(small, "xliff", "export", "--lang", "es", "-o", str(out))
    tree, units = xliff_units(out)
    unit = next(u for s, u in units.items() if "<g1>serious</g1>" in s)
    set_target(unit, "Todo tratamiento tiene riesgos graves.", "final")  # lost <g1>
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    result = CliRunner().invoke(main, ["xliff", "import", str(out), "--project", str(small)])
    assert result.exit_code == 1
    assert "missing <g1>" in result.output and "1 refused" in result.output
    assert f"{out}:{unit.sourceline}: {unit.get('id')}: " in result.output


@requires_browser
def test_review_report_in_a_real_browser(small: Path, page) -> None:
    approve_by_hand(small, REPAIR, HUMAN)
    edit(small, "can repair damaged", "can repair the damaged")
    publish(small)
    out = small / "reports" / "es.html"
    succeeds(small, "review", "--lang", "es", "--html", str(out))
    page.goto(out.as_uri())
    stale = page.locator('tr.unit[data-state="stale"]')
    assert stale.count() == 1
    inserted = stale.locator(".diff ins")
    assert inserted.first.inner_text().strip() == "the"
    assert (
        inserted.first.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(204, 255, 216)"
    )
    assert stale.locator("td.tr").inner_text().startswith(HUMAN)
    assert page.locator('tr.unit[data-state="machine"]').count() >= 5
    link = stale.locator("a").first.get_attribute("href")
    assert (out.parent / link).resolve() == (small / "site" / "es" / "joint-care" / "index.html")
    assert page.console_errors == []
    screenshot(page, "review-report-es")
