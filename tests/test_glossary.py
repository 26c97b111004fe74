"""The glossary: loading and its errors, protection, verification, enforcement end to end."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest
from babel import Locale
from click.testing import CliRunner
from conftest import ROOT, requires_apertium

from pipeline.catalog import read_catalog, state_of
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.glossary import load_glossary
from pipeline.term_index import TermIndex

LANGS = {"es", "ca", "zh"}
SLUG = "stem-cell-therapy-for-joint-pain"


def glossary_from(tmp_path: Path, text: str):
    path = tmp_path / "glossary.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_glossary(path, LANGS)


@pytest.fixture(scope="module")
def client():
    return load_glossary(ROOT / "glossary.yaml", LANGS)


# --- the client's glossary -------------------------------------------------------------


def test_client_glossary_has_the_required_entries(client) -> None:
    names = {form for entry in client.entries for form in entry.english.values()}
    required = {
        "stem cell",
        "stem cells",
        "mesenchymal stem cells",
        "MSCs",
        "osteoarthritis",
        "rheumatoid arthritis",
        "cartilage",
        "chondrocytes",
        "platelet-rich plasma",
        "PRP",
        "degenerative disc disease",
        "tendonitis",
        "neuropathic pain",
        "inflammation",
        "regenerative medicine",
        "bone marrow",
        "adipose tissue",
        "umbilical cord",
        "autologous",
        "allogeneic",
        "induced pluripotent stem cells",
        "joint pain",
        "NBScience",
        "WhatsApp",
        "FDA",
    }
    assert required <= names
    assert len(client) >= 40
    for entry in client.entries:
        if not entry.keep:
            assert {"es", "ca", "zh"} <= set(entry.targets), entry.name


# --- errors name the line ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("terms:\n  - en: stem cell\n    translations: {es: [unclosed\n", 3, "invalid YAML"),
        (
            "terms:\n  - en: cartilage\n    translations: {es: cartílago}\n"
            "  - en: Cartilage\n    translations: {es: cartílago}\n",
            4,
            "duplicate term",
        ),
        (
            "terms:\n  - en: cartilage\n    translations:\n      fr: cartilage\n",
            4,
            "unknown language 'fr'",
        ),
        ("terms:\n  - translations: {es: cartílago}\n", 2, "terms.0.en: Field required"),
        (
            "terms:\n  - en: {singular: tendon, plural: tendons}\n"
            "    translations:\n      es: {singular: tendón}\n",
            4,
            "has no form 'plural'",
        ),
        (
            "terms:\n  - en: cartilage\n    translations: {es: cartílago}\n"
            "    translations: {ca: cartílag}\n",
            4,
            "given twice",
        ),
    ],
)
def test_bad_glossary_names_file_and_line(tmp_path: Path, text: str, line: int, message: str):
    with pytest.raises(PipelineError) as info:
        glossary_from(tmp_path, text)
    assert info.value.line == line
    assert message in str(info.value)
    assert str(info.value).startswith(f"{tmp_path / 'glossary.yaml'}:{line}: ")


def test_bad_glossary_stops_publish_before_writing(project: Path) -> None:
    (project / "glossary.yaml").write_text("terms:\n  - en: x\n    translations: {xx: y}\n")
    result = CliRunner().invoke(main, ["publish", "--project", str(project)])
    assert result.exit_code == 1
    assert "glossary.yaml:3: unknown language 'xx'" in result.output
    assert not (project / "translations").exists() and not (project / "site").exists()


# --- protection and restoration (no engine: the "engine output" is written by hand) ----


def test_protect_longest_first_and_restore_forms(client) -> None:
    text = "Mesenchymal stem cells and a stem cell help <g1>joint pain</g1>."
    protected, table = client.protect(text, "es")
    assert protected == "<x2/> and a <x3/> help <g1><x4/></g1>."
    # What an engine might return: codes moved, first one at the start.
    restored = client.restore("<x2/> y una <x3/> ayudan <g1><x4/></g1>.", table, "es")
    assert (
        restored
        == "Células madre mesenquimales y una célula madre ayudan <g1>dolor articular</g1>."
    )
    # The first word is capitalised even inside markup; a term after a word is not.
    restored = client.restore("<g1><x4/></g1> con <x2/>.", table, "es")
    assert restored == "<g1>Dolor articular</g1> con células madre mesenquimales."


def test_do_not_translate_and_abbreviations_keep_their_case(client) -> None:
    protected, table = client.protect("FDA approves MSCs via WhatsApp.", "es")
    restored = client.restore(protected.replace("approves", "aprueba"), table, "es")
    assert restored == "FDA aprueba MSC via WhatsApp."


def test_chinese_gets_no_spaces_around_terms(client) -> None:
    _, table = client.protect("Stem cells reduce inflammation.", "zh")
    assert client.restore("<x1/> 减轻 <x2/>。", table, "zh") == "干细胞减轻炎症。"


def test_terms_inside_codes_are_left_alone(client) -> None:
    protected, _ = client.protect("See <x1/> about cartilage.", "es")
    assert protected == "See <x1/> about <x2/>."


# --- verification ----------------------------------------------------------------------


def test_violations_missing_and_forbidden(client) -> None:
    source = "Stem cells regenerate cartilage."
    assert client.violations(source, "Las células madre regeneran el cartílago.", "es") == []
    problems = client.violations(source, "Celdas de raíz regeneran cartílago.", "es")
    assert "'stem cell' needs 'célula madre'" in problems
    assert any("'celdas de raíz' is forbidden" in p for p in problems)
    # two occurrences need two renderings
    twice = "Stem cells and more stem cells."
    assert client.violations(twice, "Células madre y más células.", "es")


def test_only_a_units_own_terms_count(client) -> None:
    """ "inyecciones de células madre" renders another term: where the English has only
    "stem cells", it still holds their rendering."""
    source = "Stem cells are injected."
    assert client.violations(source, "Se hacen inyecciones de células madre.", "es") == []
    both = "Stem cell injections use stem cells."
    target = "Las inyecciones de células madre usan células madre."
    assert client.violations(both, target, "es") == []
    assert client.violations(both, "Las inyecciones de células madre las usan.", "es") == [
        "'stem cell' needs 'célula madre'"
    ]


@pytest.mark.parametrize("language", ["es", "ca", "zh"])
def test_coverage_is_what_one_pattern_per_set_of_terms_finds(tmp_path: Path, language) -> None:
    """Renderings are searched in one index per language (limited to a unit's terms);
    the pattern per set of terms it replaces, still used for Chinese and for renderings
    that start with punctuation, finds the same on the project's own catalogs."""
    from babel.messages.pofile import read_po

    from pipeline.placeholders import PLACEHOLDER_RE

    quoted = glossary_from(
        tmp_path,
        """
        terms:
          - en: {one: stem cell, other: stem cells}
            translations:
              es: {one: "«célula madre»", other: células madre}
              ca: {one: "«cèl·lula mare»", other: cèl·lules mare}
              zh: 干细胞
          - en: cartilage
            translations: {es: cartílago, ca: cartílag, zh: 软骨}
        """,
    )
    client = load_glossary(ROOT / "glossary.yaml", LANGS)
    pairs = []
    for path in sorted((ROOT / "translations" / "es").glob("*.po")):
        with path.open("rb") as fh:
            pairs += [(m.id, m.string) for m in read_po(fh) if m.id and isinstance(m.id, str)]
    if language != "es":  # the English with the terms put in (Chinese has no catalogs here)
        pairs = [(s, client.restore(*client.protect(s, language), language)) for s, _ in pairs]
    assert len(pairs) > 100
    for glossary in (client, quoted):
        by_index = glossary._rendering_index(language) is not None
        assert by_index == (language != "zh" and glossary is not quoted)
        counted = 0
        for source, target in pairs + [(s, t.upper()) for s, t in pairs]:
            needed, present = glossary.coverage(source, target, language)
            entries = tuple(needed)
            expected = type(present)()
            if pattern := glossary._target_re(entries, language):
                key = (tuple(id(e) for e in entries), language)
                for match in pattern.finditer(PLACEHOLDER_RE.sub(" ", target)):
                    expected[glossary._target_index[(key, match.lastgroup)]] += 1
            assert present == expected, (source, target)
            counted += sum(present.values())
        assert counted > 20


def test_violations_asked_again_are_the_same_and_not_shared(client) -> None:
    source, target = "Stem cells regenerate cartilage.", "Celdas de raíz regeneran cartílago."
    first = client.violations(source, target, "es")
    first.append("changed by a caller")
    assert client.violations(source, target, "es") == first[:-1]
    assert client.violations(source, target, "ca") != first[:-1]  # per language


def test_occurrences_sent_from_another_process_are_the_ones_found_here(client, monkeypatch) -> None:
    """What a prefetch worker finds (found_in, pickled as the pipe carries it) and the
    parent adopts: the same terms, forms and offsets, with the parent's own entries."""
    texts = [
        "Mesenchymal stem cells and a stem cell help <g1>joint pain</g1>.",
        "Nothing to see here.",
        "FDA approves MSCs via WhatsApp.",
    ]
    sent = pickle.loads(pickle.dumps(client.found_in(texts)))
    assert set(sent) == {texts[0], texts[2]}  # texts without terms travel as nothing
    parent = load_glossary(ROOT / "glossary.yaml", LANGS)
    expected = {text: client.occurrences(text) for text in texts}
    parent.adopt(texts, sent)

    def search_again(*args):
        raise AssertionError("adopted texts are not searched again")

    monkeypatch.setattr(TermIndex, "finditer", search_again)
    for text in texts:
        adopted = parent.occurrences(text)
        assert all(any(o.entry is e for e in parent.entries) for o in adopted)
        assert [(o.start, o.end, o.entry.name, o.form) for o in adopted] == [
            (o.start, o.end, o.entry.name, o.form) for o in expected[text]
        ]
    assert parent.protect(texts[0], "es")[0] == "<x2/> and a <x3/> help <g1><x4/></g1>."


def test_translator_help_comment(client) -> None:
    comment = client.comment("Autologous stem cells from bone marrow.", "ca")
    assert comment.startswith("glossary: ")
    assert "bone marrow = medul·la òssia" in comment
    assert "autologous = autòleg / autòloga / autòlegs / autòlogues" in comment
    # the glossary's note for translators travels with the term
    assert "autòlogues (The patient's own cells." in comment


# --- through the real pipeline and Apertium --------------------------------------------


@requires_apertium
def test_every_term_enforced_and_human_violations_reported(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["publish", "--lang", "es", "--lang", "ca", "--project", str(project)]
    )
    assert result.exit_code == 0, result.output
    check = runner.invoke(main, ["glossary", "check", "--project", str(project)])
    assert check.exit_code == 0, check.output
    assert "0 entries violate the glossary" in check.output

    path = project / "translations" / "es" / f"{SLUG}.po"
    catalog = read_catalog(path, Locale.parse("es"))
    msgid = next(
        m.id for m in catalog if m.id and m.id.startswith("Bone marrow-derived stem cells are")
    )
    assert any(
        c.startswith("glossary: ") and "médula ósea" in c for c in catalog[msgid].auto_comments
    )
    human = "Las celdas de raíz de la médula se usan también."
    catalog[msgid].string = human
    catalog[msgid].flags = set()  # approved by a human, with a glossary mistake
    from pipeline.catalog import write_catalog

    write_catalog(path, catalog)
    result = runner.invoke(main, ["publish", "--lang", "es", "--project", str(project)])
    assert result.exit_code == 0, result.output
    message = read_catalog(path, Locale.parse("es"))[msgid]
    assert message.string == human and state_of(message) == "approved"  # never rewritten
    assert "glossary" in message.flags  # but flagged
    page = (project / "site" / "es" / SLUG / "index.html").read_text(encoding="utf-8")
    # The unit itself is marked: approved, but flagged for the glossary.
    assert '<span data-l10n-unit="approved" data-l10n-flags="glossary">Las celdas' in page
    status = runner.invoke(main, ["status", "--lang", "es", "--project", str(project)])
    row = next(line.split() for line in status.output.splitlines() if SLUG in line)
    assert row[-1] == "1"  # the glossary column
    check = runner.invoke(main, ["glossary", "check", "--project", str(project)])
    assert check.exit_code == 1
    assert "[approved]" in check.output and "'stem cell' needs 'célula madre'" in check.output
