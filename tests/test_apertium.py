"""The Apertium engine, through the real apertium binary."""

from __future__ import annotations

import subprocess

import pytest
from conftest import requires_apertium

from pipeline.engines import EngineUnavailable, get_engine
from pipeline.engines.apertium import from_wire, installed_modes, to_wire

pytestmark = requires_apertium


def test_translates_a_batch_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real_run = subprocess.run

    def counting_run(*args, **kwargs):
        calls.append(args[0])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    texts = [f"The patient number {n} has chronic pain." for n in range(40)]
    texts += [f"The <g1>patient</g1> number {n} rests." for n in range(20)]
    results = get_engine("apertium").translate_batch(texts, "en", "es")
    # One process for the units without codes (plain text), one for those with (HTML).
    assert sorted(call[3] for call in calls) == ["html", "txt"]
    assert [r.text for r in results][:2] == [
        "El número paciente 0 tiene dolor crónico.",
        "El número paciente 1 tiene dolor crónico.",
    ]
    assert results[40].text.startswith("El número <g1>paciente</g1> 0")


def test_keeps_placeholders_and_escapes_text() -> None:
    (result,) = get_engine("apertium").translate_batch(
        ["Read <g1>the big guide</g1> at <x2/> when pain < 5 and call <x3/> today."], "en", "ca"
    )
    assert "<g1>" in result.text and "</g1>" in result.text
    assert "<x2/>" in result.text and "<x3/>" in result.text
    assert "< 5" in result.text and "&lt;" not in result.text


def test_unknown_words_are_flagged_and_unmarked() -> None:
    from pipeline.glossary import Glossary
    from pipeline.translate import run_engine

    texts = ["The xyzzyq reduces pain.", "It offers long-lasting relief."]
    engine = get_engine("apertium")
    unknown, glued = run_engine(engine, texts, "en", "es", Glossary([]), edit=False)
    assert unknown.flags == ("unknown-words",)  # the English word went through
    assert "xyzzyq" in unknown.text and "*" not in unknown.text
    assert "run-together" in glued.flags, glued.text  # words Apertium ran together
    # post-edited, the glued words are parted where the analyser knows both halves
    _, parted = run_engine(engine, texts, "en", "es", Glossary([]))
    assert "run-together" not in parted.flags, parted.text


def test_catalan_pair_is_used() -> None:
    (result,) = get_engine("apertium").translate_batch(["Stem cells reduce pain."], "en", "ca")
    assert "dolor" in result.text and "redueixen" in result.text


def test_wire_format_round_trip_and_split_span_repair() -> None:
    text = "A <g1>b <g2>c</g2></g1> <x3/> d < e"
    assert from_wire(to_wire(text)) == text
    assert from_wire('<span id="g1">Regeneración</span> de <span id="g1">cartílago</span>') == (
        "<g1>Regeneración de cartílago</g1>"
    )
    split = '<span id="g1">Reducción de</span> <br id="x2"><span id="g1">:</span> Crónico'
    assert from_wire(split) == "<g1>Reducción de <x2/>:</g1> Crónico"


def test_pair_without_apertium_support_is_skipped_not_fatal() -> None:
    with pytest.raises(EngineUnavailable) as info:
        get_engine("apertium").check("en", "zh")
    assert not info.value.fatal


def test_missing_binary_is_fatal_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    installed_modes.cache_clear()
    with pytest.raises(EngineUnavailable) as info:
        get_engine("apertium").check("en", "es")
    installed_modes.cache_clear()
    assert info.value.fatal
    assert "apt-get install apertium apertium-eng-spa" in info.value.fix
