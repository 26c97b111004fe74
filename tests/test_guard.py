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


def test_the_loop_prefilter_never_hides_a_loop() -> None:
    """guard._may_loop skips the loop search where it cannot match; on texts built to
    be near misses (chunks of 1-17 characters, with and without spaces, repeated
    2-5 times among random words) the answer is the full search's."""
    import random

    from pipeline.guard import REPEAT_RE, SYMBOL_RUN_RE, _loops

    def full_search(text: str) -> bool:
        text = SYMBOL_RUN_RE.sub(r"\1", text)
        return any(any(c.isalnum() for c in m.group(1)) for m in REPEAT_RE.finditer(text))

    rng = random.Random(7)
    alphabet = "ab cd. 掌声()é1 "
    found = 0
    for _ in range(4000):
        chunk = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 17)))
        noise = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(2)]
        text = noise[0] + chunk * rng.randint(2, 5) + noise[1]
        assert _loops(text) == full_search(text), repr(text)
        found += full_search(text)
    assert found > 500  # the texts do loop, often
