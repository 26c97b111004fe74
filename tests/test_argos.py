"""The Argos engine through a real (tiny, self-built) Argos Translate package."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel import Locale
from click.testing import CliRunner
from conftest import ROOT
from htmlshape import first_difference

from pipeline.catalog import read_catalog, state_of
from pipeline.cli import main
from pipeline.engines import EngineUnavailable, get_engine
from pipeline.guard import BLOCKING

SLUG = "stem-cell-therapy-for-joint-pain"
# Review marks: block attributes and the spans around units.
REVIEW_ATTRIBUTES = frozenset({"data-l10n-state", "data-l10n-flags", "lang", "data-l10n-unit"})


def test_builder_runs_on_its_own(tmp_path: Path) -> None:
    out = tmp_path / "model.argosmodel"
    subprocess.run(
        [sys.executable, str(ROOT / "tests" / "build_argos_model.py"), str(out)], check=True
    )
    names = zipfile.ZipFile(out).namelist()
    folder = "translate-en_zh-0_1/"
    for part in ("metadata.json", "sentencepiece.model", "model/model.bin"):
        assert folder + part in names


def test_no_model_is_skipped_with_an_install_hint() -> None:
    with pytest.raises(EngineUnavailable) as info:
        get_engine("argos").check("en", "zh")
    assert not info.value.fatal
    assert "`pipeline models install en zh`" in info.value.fix
    assert "`pipeline models install FILE.argosmodel`" in info.value.fix


def test_batch_through_the_real_model(argos_installed: Path) -> None:
    engine = get_engine("argos")
    engine.check("en", "zh")
    texts = ["Stem cell therapy offers hope.", "Bone marrow is a source.", "Call us."]
    results = engine.translate_batch(texts, "en", "zh")
    assert len(results) == 3
    assert all(r.text and r.text != t for r, t in zip(results, texts, strict=True))
    assert results == engine.translate_batch(texts, "en", "zh")  # deterministic


def test_publish_chinese_through_argos_and_the_guard(project: Path, argos_installed: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--lang", "zh", "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "zh: translating" in result.output and "with argos" in result.output
    catalog = read_catalog(project / "translations" / "zh" / f"{SLUG}.po", Locale.parse("zh"))
    entries = [m for m in catalog if m.id]
    assert all(state_of(m) == "machine" and "mt-argos" in m.flags for m in entries)
    guarded = [m for m in entries if BLOCKING & m.flags]
    assert len(guarded) > len(entries) / 2  # a random model's output is mostly caught

    page = (project / "site" / "zh" / SLUG / "index.html").read_text(encoding="utf-8")
    english = (project / "site" / "en" / SLUG / "index.html").read_text(encoding="utf-8")
    body = page.split("<article>")[1].split("</article>")[0]
    english_body = english.split("<article>")[1].split("</article>")[0]
    assert first_difference(english_body, body, REVIEW_ATTRIBUTES) is None  # no broken markup
    # Guarded units show the English, marked as such, with the guard's findings.
    assert re.search(
        r'<span data-l10n-unit="untranslated" data-l10n-flags="[^"]*repetition[^"]*" lang="en">',
        body,
    )


def test_translate_command_with_argos(argos_installed: Path) -> None:
    path = ROOT / "source" / f"{SLUG}.md"
    result = CliRunner().invoke(main, ["translate", str(path), "--to", "zh", "--engine", "argos"])
    assert result.exit_code == 0, result.output
    assert "tel:+447778936902" in result.output


# --- pipeline models -------------------------------------------------------------------


def test_models_install_from_file_and_list(
    argos_model: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argostranslate.settings

    folder = tmp_path / "packages"
    monkeypatch.setattr(argostranslate.settings, "package_data_dir", folder)
    monkeypatch.setattr(argostranslate.settings, "package_dirs", [folder])
    runner = CliRunner()
    listed = runner.invoke(main, ["models", "list", "--project", str(project)])
    assert "no Argos Translate models installed" in listed.output
    result = runner.invoke(main, ["models", "install", str(argos_model)])
    assert result.exit_code == 0, result.output
    assert "installed en->zh" in result.output
    listed = runner.invoke(main, ["models", "list", "--project", str(project)])
    assert re.search(r"en->zh  v0\.1 +0\.\d MB  serves: zh", listed.output), listed.output
    get_engine("argos").check("en", "zh")  # the engine finds it


@pytest.mark.parametrize(
    "damage",
    ["truncated", "not a zip", "no model", "escaping path", "bad metadata"],
)
def test_corrupt_model_is_refused_and_nothing_changes(
    argos_installed: Path, argos_model: Path, tmp_path: Path, damage: str
) -> None:
    before = sorted(str(p.relative_to(argos_installed)) for p in argos_installed.rglob("*"))
    bad = tmp_path / "bad.argosmodel"
    data = argos_model.read_bytes()
    if damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "not a zip":
        bad.write_text("<html>404 Not Found</html>")
    else:
        with zipfile.ZipFile(argos_model) as src, zipfile.ZipFile(bad, "w") as out:
            for item in src.infolist():
                if damage == "no model" and item.filename.endswith("model/model.bin"):
                    continue
                content = src.read(item)
                if damage == "bad metadata" and item.filename.endswith("metadata.json"):
                    content = b"{not json"
                out.writestr(item, content)
            if damage == "escaping path":
                out.writestr("translate-en_zh-0_1/../../evil.txt", b"x")
    result = CliRunner().invoke(main, ["models", "install", str(bad)])
    assert result.exit_code == 1
    assert "not a valid Argos model" in result.output and "bad.argosmodel" in result.output
    after = sorted(str(p.relative_to(argos_installed)) for p in argos_installed.rglob("*"))
    assert after == before
    assert not (tmp_path / "evil.txt").exists()
    get_engine("argos").check("en", "zh")  # the installed model still works


def test_install_from_index_offline_says_how_to_use_a_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import argostranslate.settings

    # A closed local port: refused at once, whatever network the machine has.
    monkeypatch.setattr(argostranslate.settings, "remote_package_index", "http://127.0.0.1:9/")
    result = CliRunner().invoke(main, ["models", "install", "en", "zh"])
    assert result.exit_code == 1
    assert "cannot reach the Argos Translate package index" in result.output
    assert "pipeline models install FILE.argosmodel" in result.output
