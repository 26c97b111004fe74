"""Hostile and broken input: clear errors, nothing lost, nothing injected.

Each bad-input row: a one-line error naming the file (and line) and the fix,
exit status 1, and the catalogs and pages already written left as they were.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from babel import Locale
from click.testing import CliRunner
from conftest import PSEUDO_CONFIG, SLUG, cli, fails_cleanly, outputs, requires_browser, source
from htmlshape import live_markup

from pipeline.catalog import read_catalog, state_of, write_catalog
from pipeline.cli import main
from pipeline.engines import ENGINES, Translation
from pipeline.engines.base import Engine
from pipeline.lock import project_lock

# --- the bad-input matrix ------------------------------------------------------------------


def test_malformed_front_matter(published: Path) -> None:
    before = outputs(published)
    source(published).write_text("---\ntitle: [broken\nslug: x\n---\n\nText.\n")
    fails_cleanly(published, before, f"source/{SLUG}.md:2:", "invalid YAML")


def test_missing_title(published: Path) -> None:
    before = outputs(published)
    text = source(published).read_text()
    source(published).write_text(text.replace('title: "', 'heading: "', 1))
    fails_cleanly(published, before, f"source/{SLUG}.md:2:", "no 'title'", "add 'title: ...'")


def test_duplicate_slugs(published: Path) -> None:
    before = outputs(published)
    (published / "source" / "copy.md").write_text(source(published).read_text())
    fails_cleanly(published, before, "is already used by source/copy.md", "its own slug")


@pytest.mark.parametrize("slug", ["../../etc/evil", "../site/x", "a/b", "/abs", "UPPER"])
def test_slug_that_escapes_the_output_folder(published: Path, slug: str) -> None:
    before = outputs(published)
    text = source(published).read_text().replace(f"slug: {SLUG}", f"slug: {slug}", 1)
    source(published).write_text(text)
    fails_cleanly(published, before, "is not a plain lowercase name", "lowercase letters")
    assert not (published.parent / "etc").exists()


def test_non_utf8_file(published: Path) -> None:
    before = outputs(published)
    source(published).write_bytes(source(published).read_bytes() + "\nCafé\n".encode("latin-1"))
    fails_cleanly(published, before, f"source/{SLUG}.md:", "is not UTF-8", "save the file as UTF-8")


def test_invalid_glossary(published: Path) -> None:
    before = outputs(published)
    (published / "glossary.yaml").write_text("terms:\n  - en: x\n    translations: {es: [y\n")
    fails_cleanly(published, before, "glossary.yaml:3:", "invalid YAML")


def test_po_file_with_a_syntax_error(published: Path) -> None:
    po = published / "translations" / "es" / f"{SLUG}.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "', 'msgstr "unterminated\n', 1))
    before = outputs(published)
    fails_cleanly(
        published, before, f"translations/es/{SLUG}.po:", "PO syntax error", "restore it from git"
    )


def test_po_entry_whose_placeholders_do_not_match(published: Path) -> None:
    po = published / "translations" / "es" / f"{SLUG}.po"
    # Give a sentence inline markup, so its unit has a code to get wrong.
    text = source(published).read_text()
    text = text.replace("Stem cell therapy involves", "**Stem cell therapy** involves", 1)
    source(published).write_text(text)
    assert cli(published, "publish", "--quiet").exit_code == 0
    catalog = read_catalog(po, Locale.parse("es"))
    message = next(m for m in catalog if m.id and "<g1>" in m.id)
    message.string = "La <x9/> terapia sin marcas <script>alert(1)</script>."
    message.flags = set()  # a translator approved it
    write_catalog(po, catalog)
    result = cli(published, "publish", "--quiet")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if line.startswith("error:"))
    assert (
        f"translations/es/{SLUG}.po:" in line
        and "Fix: use exactly the English's codes <g1>" in line
    )
    page = (published / "site" / "es" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "terapia sin marcas" not in page
    assert 'data-l10n-flags="markup"' in page  # the English is shown, marked
    assert read_catalog(po, Locale.parse("es"))[message.id].string == message.string  # kept


def test_missing_engine_binary(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.engines.apertium import installed_modes

    (project / "glossary.yaml").unlink()
    (project / "pyproject.toml").write_text(
        PSEUDO_CONFIG.replace('engines = ["pseudo"]', 'engines = ["apertium"]', 1)
    )
    monkeypatch.setenv("PATH", "/nonexistent")
    installed_modes.cache_clear()
    try:
        fails_cleanly(project, {}, "'apertium' program is not installed", "apt-get install")
    finally:
        installed_modes.cache_clear()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("[tool.pipeline]\n", '[tool.pipeline]\noutput-dir = "public"\n'),
            (
                "pyproject.toml:2: [tool.pipeline] has an unknown setting 'output-dir'",
                "output_dir?",
            ),
        ),
        (
            ('engines = ["pseudo"]', 'engines = ["pseudo"]\nlocal = "es_ES"'),
            ("unknown setting 'local'", "did you mean locale?"),
        ),
        (
            (
                "[tool.pipeline.languages.es]",
                '[tool.pipeline.contact]\nmail = "a@b.org"\n\n[tool.pipeline.languages.es]',
            ),
            ("[tool.pipeline.contact] has an unknown setting 'mail'", "did you mean email?"),
        ),
        (
            ("[tool.pipeline]\n", '[tool.pipeline]\nfront_matter = "title"\n'),
            ("pyproject.toml:2: [tool.pipeline] front_matter = 'title'", "front_matter = ["),
        ),
        (
            ("[tool.pipeline]\n", '[tool.pipeline]\nfront_matter = ["title", "slug"]\n'),
            ("front_matter names 'slug'", "remove 'slug'"),
        ),
    ],
)
def test_unknown_setting_names_its_line_and_the_closest_key(
    project: Path, edit: tuple[str, str], expected: tuple[str, ...]
) -> None:
    """A misspelt key is not silently ignored (output-dir would still write to site/)."""
    (project / "pyproject.toml").write_text(PSEUDO_CONFIG.replace(*edit, 1))
    fails_cleanly(project, outputs(project), *expected)


def test_corrupt_model(project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.argosmodel"
    bad.write_bytes(b"PK\x03\x04 truncated")
    result = CliRunner().invoke(main, ["models", "install", str(bad)])
    assert result.exit_code == 1
    assert "not a valid Argos model" in result.output and "Fix:" in result.output


def test_unwritable_output_folder(published: Path) -> None:
    before = outputs(published)
    blocked = published / "blocked"
    blocked.write_text("a file where the output folder should be")
    message = fails_cleanly(
        published,
        before,
        "cannot write",
        "Fix:",
        command=("publish", "--output", str(blocked / "site")),
    )
    assert "blocked" in message


def test_missing_source_folder(published: Path) -> None:
    import shutil

    before = outputs(published)
    shutil.rmtree(published / "source")
    fails_cleanly(published, before, "source folder not found")


# --- two publishes at once -------------------------------------------------------------------


def test_a_second_writer_is_refused_with_a_clear_message(published: Path) -> None:
    before = outputs(published)
    with project_lock(published):
        fails_cleanly(
            published,
            before,
            "another pipeline command is writing this project",
            "wait for it to finish",
        )
        result = cli(published, "approve", "--lang", "es", "--article", SLUG)
        assert result.exit_code == 1 and "another pipeline command" in result.output
    assert cli(published, "publish", "--quiet").exit_code == 0  # released


def test_two_processes_are_serialised(published: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from pipeline.lock import project_lock\n"
            "with project_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(3)",
            str(published),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    run = subprocess.run(
        [sys.executable, "-m", "pipeline", "publish", "--project", str(published)],
        capture_output=True,
        text=True,
    )
    holder.wait()
    assert run.returncode == 1
    assert f"another pipeline command is writing this project (pid {holder.pid})" in run.stderr


def test_the_installed_command_exits_with_its_status_its_output_and_exit_handlers(
    published: Path, tmp_path: Path
) -> None:
    """cli.run ends the process without the interpreter's teardown: what it printed
    must still arrive through a pipe, exit handlers must run, statuses must hold."""

    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as users run it

    def pipeline(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pipeline", *args]
        return subprocess.run(command, capture_output=True, text=True, env=buffered)

    done = pipeline("publish", "--json", "--quiet", "--project", str(published))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout[done.stdout.index("{") :])  # all of it, or this fails
    assert summary["errors"] == []
    (empty := tmp_path / "empty").mkdir()
    done = pipeline("publish", "--project", str(empty))  # no pyproject.toml there
    assert done.returncode == 1 and done.stderr.startswith("error: ")
    assert pipeline("publish", "--no-such-option").returncode == 2
    handler = (
        "import atexit, sys\n"
        "atexit.register(print, 'exit handler ran')\n"
        "sys.argv = ['pipeline', '--version']\n"
        "from pipeline.cli import run\n"
        "run()"
    )
    done = subprocess.run(
        [sys.executable, "-c", handler], capture_output=True, text=True, env=buffered
    )
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["pipeline, version 0.1.0", "exit handler ran"]


# --- killed at a random moment -----------------------------------------------------------------


def test_publish_killed_at_random_moments_loses_nothing(published: Path) -> None:
    es = published / "translations" / "es" / f"{SLUG}.po"
    catalog = read_catalog(es, Locale.parse("es"))
    human = {}
    for message in list(catalog)[1:6]:
        message.string = f"Traducción humana de «{message.id[:20]}»."
        message.flags = set()
        human[message.id] = message.string
    write_catalog(es, catalog)
    rng = random.Random(7)
    env = {**os.environ, "CI": "true"}
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "publish",
        "--quiet",
        "--project",
        str(published),
    ]

    def edit(attempt: int) -> None:
        """Something to do each time: a changed sentence in every article."""
        for path in sorted((published / "source").glob("*.md")):
            text = path.read_text(encoding="utf-8")
            path.write_text(
                text.replace("pain", "pain" if attempt % 2 else "pain"[:4]) + f"\nEdit {attempt}.\n"
            )

    # Kills land within a whole publish's time on this machine (a fixed window would
    # let a faster pipeline or machine finish most runs before their kill).
    edit(-1)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    whole = time.perf_counter() - started
    kills = 0
    for attempt in range(20):
        edit(attempt)
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.05, whole))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 10  # most runs really were killed part-way
    final = subprocess.run(command, env=env, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    for path in sorted((published / "translations").rglob("*.po")):
        assert read_catalog(path, Locale.parse(path.parent.name)) is not None  # every one parses
    catalog = read_catalog(es, Locale.parse("es"))
    kept = {m.string for m in [*catalog, *catalog.obsolete.values()] if m.id}
    assert set(human.values()) <= kept
    for msgid, text in human.items():
        if msgid in catalog:
            assert catalog[msgid].string == text and state_of(catalog[msgid]) == "approved"
    assert not list(published.rglob("*.tmp"))


def test_a_killed_commands_temporary_files_are_removed_by_the_next_publish(
    published: Path,
) -> None:
    """The lock file keeps a holder's pid until it finishes: found by the next
    publish, it means a kill, and the temporary files it may have left go."""
    page = published / "site" / "es" / SLUG / ".index.html.4000000.tmp"
    catalog = published / "translations" / "es" / f".{SLUG}.po.4000000.tmp"
    for leftover in (page, catalog):
        leftover.write_text("half a file")
    lock = published / ".pipeline-cache" / "lock"
    assert lock.read_text() == ""  # the fixture's publish finished: nothing pending
    assert cli(published, "publish", "--quiet").exit_code == 0
    assert page.exists() and catalog.exists()  # not after a clean run: not ours to judge
    lock.write_text("4000000")  # as a SIGKILLed publish leaves it
    assert cli(published, "publish", "--quiet").exit_code == 0
    assert not page.exists() and not catalog.exists()
    assert lock.read_text() == ""


# --- injection ---------------------------------------------------------------------------------

HOSTILE = """---
title: "Safe <script>window.__pwned = 'title'</script>"
slug: hostile
summary: "<img src=x onerror=\\"window.__pwned='summary'\\">"
---

Raw HTML: <script>window.__pwned = 'inline'</script> and <img src="x" onerror="__pwned='img'">.

<div onmouseover="window.__pwned='div'"><script>window.__pwned = 'block'</script></div>

A [link](javascript:window.__pwned='link') and <a href="javascript:window.__pwned='a'">raw</a>.

Bone marrow is used. Stem cells are used.
"""


class HostileEngine(Engine):
    """A fake engine (for this test only) whose output tries to inject script."""

    name = "hostile"

    def check(self, source: str, target: str) -> None:
        return None

    def translate_batch(self, texts, source, target):
        return [
            Translation(
                f"{t} <script>window.__pwned='engine'</script>"
                f"<img src=x onerror=\"window.__pwned='engine-img'\">"
            )
            for t in texts
        ]


@requires_browser
def test_no_injected_script_runs(published: Path, page, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ENGINES, "hostile", HostileEngine)
    (published / "source" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    (published / "glossary.yaml").write_text(
        "terms:\n  - en: bone marrow\n    translations:\n"
        '      es: "<img src=x onerror=\\"window.__pwned=\'glossary\'\\">médula"\n'
        "      zh: 骨髓\n"
    )
    assert (
        cli(published, "publish", "--quiet", "--lang", "es", "--engine", "hostile").exit_code == 0
    )
    po = published / "translations" / "zh" / "hostile.po"
    assert cli(published, "publish", "--quiet", "--lang", "zh").exit_code == 0
    catalog = read_catalog(po, Locale.parse("zh"))
    for message in catalog:
        if message.id:
            message.string = f"<script>window.__pwned='translator'</script>{message.id}"
            message.flags = set()
    write_catalog(po, catalog)
    assert cli(published, "publish", "--quiet", "--lang", "zh").exit_code == 0

    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for lang in ("en", "es", "zh"):
        path = published / "site" / lang / "hostile" / "index.html"
        assert live_markup(path.read_text(encoding="utf-8")) == [], lang
        page.goto(path.as_uri())
        page.mouse.move(10, 300)
        assert page.evaluate("window.__pwned") is None, lang
    assert dialogs == []
    # The hostile <img src="x"> stays (without its handler) and fails to load: no script.
    assert all("Failed to load resource" in e for e in page.console_errors)


def test_missing_model_when_argos_is_asked_for(published: Path) -> None:
    before = outputs(published)
    text = source(published).read_text()
    source(published).write_text(text + "\nA sentence that needs a translation.\n")
    fails_cleanly(
        published,
        before,
        "engine 'argos' cannot translate en->zh",
        "no Argos Translate model",
        "pipeline models install en zh",
        command=("publish", "--lang", "zh", "--engine", "argos"),
    )
