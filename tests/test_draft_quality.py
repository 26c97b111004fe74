"""Draft quality: preparation before the engine (preedit), rules after it (postedit),
the quality checks (qa) with a sentence that triggers each and one that must not,
and the same through the real Apertium binary and the `pipeline qa` command."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel import Locale
from conftest import cli, requires_apertium

from pipeline import postedit, qa
from pipeline.catalog import read_catalog, write_catalog
from pipeline.engines import get_engine
from pipeline.glossary import Glossary
from pipeline.guard import BLOCKING, inspect
from pipeline.preedit import candidates, is_title_case, sentence_case
from pipeline.translate import run_engine

# --- preparation -------------------------------------------------------------------------


def test_title_case_headings_and_labels_in_sentence_case() -> None:
    assert is_title_case("Conditions That May Benefit From Stem Cell Therapy")
    assert is_title_case("4. Long-Lasting Results")
    assert not is_title_case("Stem cells can repair damaged tissue.")
    assert not is_title_case("Barcelona Clinic. It opened today.")
    heading = "Conditions That May Benefit From Stem Cell Therapy in Barcelona"
    assert sentence_case(heading, {"Barcelona"}) == (
        "Conditions that may benefit from stem cell therapy in Barcelona"
    )
    assert sentence_case("4. Long-Lasting Results", set()) == "4. Long-lasting results"
    label = "<g1>Rheumatoid Arthritis (RA):</g1> RA is an autoimmune disease."
    assert sentence_case(label, set()) == (
        "<g1>Rheumatoid arthritis (RA):</g1> RA is an autoimmune disease."
    )
    sentence = "Stem cells from Barcelona help."
    assert sentence_case(sentence, set()) == sentence  # not a heading: untouched
    assert candidates([heading]) >= {"May", "Benefit", "Barcelona"}


# --- post-editing rules: one sentence that triggers each, one that must not --------------

RULE_CASES = [
    ("spacing", "Pain  relief .", "El alivio  del dolor .", "es", "El alivio del dolor."),
    ("spacing", "Pain relief.", "El alivio del dolor.", "es", "El alivio del dolor."),
    ("opening_marks", "What is it?", "Qué es?", "es", "¿Qué es?"),
    ("opening_marks", "What is it?", "Què és?", "ca", "Què és?"),
    ("opening_marks", "Really! Yes.", "¡De verdad! Sí.", "es", "¡De verdad! Sí."),
    ("capitals", "1. Osteoarthritis", "1. artrosis", "es", "1. Artrosis"),
    ("capitals", "e-mail: <x1/>", "Email: <x1/>", "es", "email: <x1/>"),
    ("capitals", "<g1>Nerve repair:</g1> For you", "<g1>reparació:</g1> per a tu", "ca",
     "<g1>Reparació:</g1> per a tu"),
    ("capitals", "iPSC therapy", "Terapia iPSC", "es", "terapia iPSC"),
    ("inner_capitals", "<g1>Reduction:</g1> Chronic inflammation hurts.",
     "<g1>Reducción:</g1> la inflamación Crónica duele.", "es",
     "<g1>Reducción:</g1> la inflamación crónica duele."),
    ("inner_capitals", "We are in Barcelona, Spain.", "Estamos en Barcelona, España.", "es",
     "Estamos en Barcelona, España."),
    ("repeated_words", "It is due to pain.", "Es debido a a dolor.", "es", "Es debido a dolor."),
    ("repeated_words", "It is very, very good.", "Es muy muy bueno.", "es", "Es muy muy bueno."),
    ("stray_stops", "The cells.", "Las células..", "es", "Las células."),
    ("stray_stops", "Wait...", "Espera...", "es", "Espera..."),
    ("contractions", "From the bone.", "De el hueso a el músculo.", "es", "Del hueso al músculo."),
    ("contractions", "From him.", "De él.", "es", "De él."),
    ("contractions", "For the joints.", "Per els teixits de els ossos.", "ca",
     "Pels teixits dels ossos."),
    ("elision", "Of inflammation.", "De inflamació i de la articulació.", "ca",
     "D'inflamació i de l'articulació."),
    ("elision", "The inflammation.", "La inflamació de la universitat.", "ca",
     "La inflamació de la universitat."),
    ("elision", "Bone marrow and the use.", "Medul·la òssia i el ús.", "ca",
     "Medul·la òssia i l'ús."),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "source", "target", "language", "expected"), RULE_CASES)
def test_post_editing_rule(rule: str, source: str, target: str, language: str, expected: str):
    assert getattr(postedit, rule)(source, target, language) == expected


def test_every_rule_is_tested() -> None:
    tested = {case[0].replace("_", "-") for case in RULE_CASES}
    assert set(postedit.RULES) == tested


# --- quality checks: one sentence that triggers each, one that must not ------------------

CHECK_CASES = [
    ("double-space", "Pain relief.", "Alivio  del dolor.", "es", True),
    ("double-space", "Pain relief.", "Alivio del dolor.", "es", False),
    ("repeated-word", "Due to pain.", "Debido a a dolor.", "es", True),
    ("repeated-word", "Very, very good.", "Muy muy bueno.", "es", False),
    ("punctuation", "It works.", "Funciona", "es", True),
    ("punctuation", "Used.", "Utilitzat.. cèl·lules mare", "ca", True),
    ("punctuation", "It works.", "Funciona.", "es", False),
    ("opening-marks", "What is it?", "Qué es?", "es", True),
    ("opening-marks", "What is it?", "¿Qué es?", "es", False),
    ("capitalisation", "1. Osteoarthritis", "1. artrosis", "es", True),
    ("capitalisation", "Conditions That May Benefit", "Afecciones Que Beneficio de mayo", "es",
     True),
    ("capitalisation", "Chronic inflammation hurts.", "la inflamación Crónica duele.", "es", True),
    ("capitalisation", "We are in Barcelona, Spain.", "Estamos en Barcelona, España.", "es",
     False),
    ("capitalisation", "Thank you.", "谢谢。", "zh", False),
    ("markup-moved", "<g1>Neuropathic Pain:</g1> It", "Dolor neuropático<g1>:</g1> Es", "es",
     True),
    ("markup-moved", "<g1>Neuropathic Pain:</g1> It", "<g1>Dolor neuropático:</g1> Es", "es",
     False),
    ("numbers", "In the 15th century.", "En el siglo XV.", "es", False),
    ("numbers", "It runs at 2.4 GHz.", "Funciona a 2,4 GHz.", "es", False),
    ("numbers", "It runs at 2.4 GHz.", "Funciona a 2.4 GHz.", "es", False),
    ("numbers", "1,000 patients", "1.000 pacients", "ca", False),
    ("numbers", "Vitamin C, 5 mg.", "Vitamina C, 5 mg.", "es", False),
    ("numbers", "5 mg a day.", "50 mg al día.", "es", True),
    ("numbers", "In the 15th century.", "En el siglo XIV.", "es", True),
    ("numbers", "Take 5, then 10.", "Tome 10 después de 5.", "es", False),  # order is free
    ("numbers", "Case 5 of 5.", "Caso 5 de 50.", "es", True),
    ("numbers", "In case 12, it works.", "En el caso 12, funciona.", "es", False),
    ("numbers", "In case 12, it works.", "En el caso 12, 7 funciona.", "es", True),
]  # fmt: skip


@pytest.mark.parametrize(("check", "source", "target", "language", "fails"), CHECK_CASES)
def test_quality_check(check: str, source: str, target: str, language: str, fails: bool):
    test = {**qa.CHECKS, "numbers": qa.numbers}[check]
    assert test(source, target, language) is fails


def test_every_check_is_tested() -> None:
    tested = {case[0] for case in CHECK_CASES}
    assert {*qa.CHECKS, "numbers"} == tested


def test_no_quality_check_hides_a_translation_from_the_page() -> None:
    assert not set(qa.CHECKS) & BLOCKING
    _, problems = inspect("In the 15th century.", "En el siglo XV.", "es")
    assert not set(problems) & BLOCKING


# --- through the real Apertium binary ----------------------------------------------------


@requires_apertium
def test_headings_labels_and_questions_through_apertium(tmp_path: Path) -> None:
    engine = get_engine("apertium")
    texts = [
        "Conditions That May Benefit From Stem Cell Therapy",
        "4. Long-Lasting Results",
        "What is stem cell therapy?",
        "<g1>Nerve Repair:</g1> Damage to nerves hurts.",
    ]
    before = run_engine(engine, texts, "en", "es", Glossary([]), edit=False)
    after = run_engine(engine, texts, "en", "es", Glossary([]))
    assert "mayo" in before[0].text.lower()  # "May" read as the month
    assert qa.capitalisation(texts[0], before[0].text, "es")
    assert "mayo" not in after[0].text.lower() and "Que" not in after[0].text
    assert not qa.capitalisation(texts[0], after[0].text, "es")
    assert after[2].text.startswith("¿")
    assert after[3].text.startswith("<g1>") and "</g1>" in after[3].text
    assert not any(qa.double_space(t, a.text, "es") for t, a in zip(texts, after, strict=True))


# --- `pipeline qa` -----------------------------------------------------------------------


def test_qa_command_counts_and_gates_approved_units(published: Path) -> None:
    result = cli(published, "qa", "--lang", "es")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("es: ")
    po = next((published / "translations" / "es").glob("stem-cell-therapy-for-j*.po"))
    catalog = read_catalog(po, Locale.parse("es"))
    message = next(
        m for m in catalog if m.id and "<" not in m.id and any(c.isdigit() for c in m.id)
    )
    message.string = "Un número cambiado: 999."
    message.flags = set()  # approved by a translator
    write_catalog(po, catalog)
    result = cli(published, "qa", "--lang", "es")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "[approved]" in line)
    assert f"{po.name}:" in line and "numbers" in line and "999" in line
    # a check the project does not block on is reported, not failed
    pyproject = published / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.pipeline.qa]\nblocking = ["markup"]\n', encoding="utf-8"
    )
    assert cli(published, "qa", "--lang", "es").exit_code == 0
    pyproject.write_text(pyproject.read_text().replace('["markup"]', '["nonsense"]'))
    result = cli(published, "qa")
    assert result.exit_code == 1 and "pyproject.toml" in result.output


@requires_apertium
def test_words_the_engine_ran_together_are_parted(tmp_path: Path) -> None:
    engine = get_engine("apertium")
    texts = ["Their regenerative properties make them a valuable tool.", "Ask Dr. Smithson."]
    before = run_engine(engine, texts, "en", "es", Glossary([]), tmp_path, edit=False)
    after = run_engine(engine, texts, "en", "es", Glossary([]), tmp_path)
    assert "leshacen" in before[0].text and "run-together" in before[0].flags
    assert "les hacen" in after[0].text and "run-together" not in after[0].flags
    assert "Smithson" in after[1].text  # a name of the English is never parted
