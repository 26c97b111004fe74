"""Shared fixtures: a throwaway copy of the project, and the real Apertium."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

# Argos reads its packages folder when first imported: point it at an empty
# folder so models installed on this machine never leak into the tests.
os.environ["ARGOS_PACKAGES_DIR"] = tempfile.mkdtemp(prefix="argos-empty-")

from pipeline.config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def _has_apertium_pairs() -> bool:
    from pipeline.engines.apertium import installed_modes

    return shutil.which("apertium") is not None and {"eng-spa", "eng-cat"} <= installed_modes()


requires_apertium = pytest.mark.skipif(
    not _has_apertium_pairs(), reason="apertium with eng-spa and eng-cat is not installed"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's sources and settings, with no catalogs or site yet."""
    shutil.copytree(ROOT / "source", tmp_path / "source")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copy(ROOT / "glossary.yaml", tmp_path / "glossary.yaml")
    return tmp_path


@pytest.fixture
def config(project: Path) -> Config:
    return load_config(project)


# --- a published project, and running the command on it ------------------------------

SLUG = "stem-cell-therapy-chronic-pain-new-hope"
PSEUDO_CONFIG = """[tool.pipeline]
site_name = "Test"

[tool.pipeline.languages.es]
locale = "es_ES"
engines = ["pseudo"]

[tool.pipeline.languages.zh]
locale = "zh_Hans_CN"
engines = ["pseudo"]
"""


@pytest.fixture
def published(project: Path) -> Path:
    """The bundled articles published with the pseudo engine (fast, deterministic)."""
    (project / "pyproject.toml").write_text(PSEUDO_CONFIG, encoding="utf-8")
    (project / "glossary.yaml").unlink()
    result = cli(project, "publish", "--quiet")
    assert result.exit_code == 0, result.output
    return project


def cli(project: Path, *args: str):
    from pipeline.cli import main

    return CliRunner().invoke(main, [*args, "--project", str(project)])


def succeeds(project: Path, *args: str):
    """Run a command in ``project``; it must exit 0 (its output shown if not)."""
    result = cli(project, *args)
    assert result.exit_code == 0, result.output
    return result


def outputs(project: Path) -> dict:
    """Bytes and mtimes of every catalog and page."""
    return snapshot(project / "translations") | snapshot(project / "site")


def fails_cleanly(project: Path, before: dict, *expected: str, command=("publish",)) -> str:
    """The command exits 1 with one line naming the problem and the fix, changing nothing."""
    result = cli(project, *command)
    assert result.exit_code == 1, result.output
    message = result.output.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("error: ") and "Fix:" in message, message
    for part in expected:
        assert part in message, message
    assert outputs(project) == before
    return message


def source(project: Path, slug: str = SLUG) -> Path:
    return project / "source" / f"{slug}.md"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtime (ns) of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def argos_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny genuine en->zh Argos package, built once per test session."""
    from build_argos_model import build_package

    return build_package(tmp_path_factory.mktemp("argos") / "translate-en_zh.argosmodel")


@pytest.fixture
def argos_installed(argos_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Install the test package into a fresh packages folder for one test."""
    import argostranslate.package
    import argostranslate.settings

    folder = tmp_path / "argos-packages"
    folder.mkdir()
    monkeypatch.setattr(argostranslate.settings, "package_data_dir", folder)
    monkeypatch.setattr(argostranslate.settings, "package_dirs", [folder])
    argostranslate.package.install_from_path(argos_model)
    return folder


# --- a real browser: Debian's Chromium driven by Playwright ------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"
requires_browser = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
# Without these, Chromium tries to reach Google's services, which a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors in ``page.console_errors``."""
    context = browser.new_context()
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    yield tab
    context.close()


def screenshot(tab, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path
