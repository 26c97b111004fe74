"""The output guard's checks. The engine outputs here are hand-written fakes of
known failure modes; test_argos.py runs the same guard on a real model's output."""

from __future__ import annotations

import pytest

from pipeline.guard import BLOCKING, inspect, repair_codes


@pytest.mark.parametrize(
    ("source", "target", "language", "expected"),
    [
        ("Thank you all.", "谢谢大家。(掌声) (掌声) (掌声) (掌声) (掌声)", "zh", ["repetition"]),
        ("Call us on 3 days of 24 hours.", "Llámenos 3 días de 12 horas.", "es", ["numbers"]),
        ("Stem cell therapy reduces chronic pain.", "Sí.", "es", ["length"]),
        (
            "Stem cell therapy reduces chronic pain.",
            "Stem cell therapy reduces chronic pain.",
            "es",
            ["untranslated"],
        ),
        ("Read <g1>the guide</g1> now.", "Lee la guía ahora.", "es", ["markup"]),
        ("Stem cell therapy reduces chronic pain.", "干细胞疗法减轻慢性疼痛。", "zh", []),
        (
            "Stem cells reduce pain in 80% of 1,200 patients.",
            "Las células madre reducen el dolor en el 80% de 1.200 pacientes.",
            "es",
            [],
        ),
    ],
)
def test_checks(source: str, target: str, language: str, expected: list[str]) -> None:
    assert inspect(source, target, language)[1] == expected


def test_codes_at_the_edges_are_put_back() -> None:
    assert repair_codes("<x1/> Call us today.", "Llámenos hoy.") == "<x1/>Llámenos hoy."
    assert repair_codes("<g1>Cost:</g1>", "Coste:") == "<g1>Coste:</g1>"
    assert repair_codes("<g1>Cost:</g1> It is high.", "Coste: es alto.") == "<g1>Coste: es alto."
    text, problems = inspect("<g1>Whole sentence here.</g1>", "Frase entera aquí.", "es")
    assert text == "<g1>Frase entera aquí.</g1>" and problems == []


def test_unknown_and_repeated_codes_are_dropped_before_checking() -> None:
    text, problems = inspect("See <x1/> for more.", "Ver <x1/> <x1/> <x7/> para más.", "es")
    assert text.count("<x1/>") == 1 and "<x7/>" not in text
    assert "markup" not in problems


def test_blocking_set() -> None:
    assert {"markup", "repetition", "length", "numbers"} == BLOCKING
