"""The apy engine against real APy servers on loopback (the Debian package, with the
eng-spa and eng-cat pairs), and its pool's behaviour when endpoints fail.

Faults are made by a proxy in front of a real server (``endpoint_proxy.Proxy``):
it forwards requests, and from a chosen request on answers 500, answers garbage
or never answers. The endpoints it stands for are fakes; what they forward to
is APy.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import ROOT, cli, outputs, requires_apertium, succeeds
from endpoint_proxy import Proxy

from pipeline.catalog import entries, read_catalog, state_of

requires_apy = pytest.mark.skipif(
    shutil.which("apertium-apy") is None, reason="apertium-apy (Debian package) is not installed"
)
pytestmark = [requires_apertium, requires_apy]

ENGINE_LINES = {
    "es": 'engines = ["argos", "apertium"]',
    "ca": 'engines = ["argos", "apertium"]',
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ApyServer:
    """apertium-apy on a free loopback port, serving the modes under ``folder``."""

    def __init__(self, folder: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            ["apertium-apy", "-p", str(self.port), str(folder)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/listPairs", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"apertium-apy did not start: {log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


def use_apy(project: Path, urls: list[str], **options: object) -> None:
    """Spanish and Catalan through the apy engine at ``urls``."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8").split("\n[tool.pipeline.engines.apy]")[0]
    for line in ENGINE_LINES.values():
        text = text.replace(line, 'engines = ["argos", "apy"]')
    quoted = ", ".join(f'"{url}"' for url in urls)
    settings = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in options.items())
    text += f"\n[tool.pipeline.engines.apy]\nurls = [{quoted}]\n{settings}"
    pyproject.write_text(text, encoding="utf-8")


def copy_project(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(ROOT / "source", root / "source")
    for name in ("pyproject.toml", "glossary.yaml"):
        shutil.copy(ROOT / name, root / name)
    return root


@pytest.fixture(scope="module", autouse=True)
def fixed_dates() -> Iterator[None]:
    """Catalog dates from SOURCE_DATE_EPOCH, not the clock: runs a minute apart compare."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        yield


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five articles published with the local apertium engine (the reference)."""
    project = copy_project(tmp_path_factory.mktemp("local") / "p")
    succeeds(project, "publish", "--quiet")
    return project


@pytest.fixture(scope="module")
def modes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder APy servers are started on (written before any server runs)."""
    project = copy_project(tmp_path_factory.mktemp("modes") / "p")
    use_apy(project, ["http://127.0.0.1:9"])
    succeeds(project, "apy-modes")
    return project / ".pipeline-cache" / "apy"


@pytest.fixture(scope="module")
def servers(modes: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ApyServer]]:
    logs = tmp_path_factory.mktemp("logs")
    started = [ApyServer(modes, logs / f"apy{n}.log") for n in range(2)]
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def pool_project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "pool")


@pytest.fixture(scope="module")
def reference(servers: list[ApyServer], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five articles through one healthy server, in documents of 40 units."""
    project = copy_project(tmp_path_factory.mktemp("reference") / "p")
    use_apy(project, [servers[0].url], batch_units=40)
    succeeds(project, "publish", "--quiet")
    return project


def same_files(a: Path, b: Path) -> list[str]:
    """Files that differ between two projects' catalogs and site (the names)."""
    differ = []
    for folder in ("translations", "site"):
        names = {p.relative_to(a) for p in (a / folder).rglob("*") if p.is_file()}
        names |= {p.relative_to(b) for p in (b / folder).rglob("*") if p.is_file()}
        for name in sorted(names):
            missing = not (a / name).exists() or not (b / name).exists()
            if missing or (a / name).read_bytes() != (b / name).read_bytes():
                differ.append(str(name))
    return differ


def test_two_apy_servers_give_the_local_engines_catalogs_and_pages(
    local: Path, pool_project: Path, servers: list[ApyServer]
) -> None:
    use_apy(pool_project, [s.url for s in servers])
    succeeds(pool_project, "publish", "--quiet")
    assert same_files(local, pool_project) == []
    logs = [Path(s.log.name).read_text() for s in servers]
    assert all("POST /translateDoc" in log for log in logs)  # both servers translated
    listed = succeeds(pool_project, "models", "list").output
    assert f"apy {servers[0].url}  serves: eng-cat, eng-spa" in listed


def test_an_endpoint_without_the_glossarys_dictionaries_is_refused(
    local: Path, pool_project: Path, servers: list[ApyServer], tmp_path: Path
) -> None:
    """APy on the installed pairs translates "stem cells" its own way: never used."""
    plain = ApyServer(Path("/usr/share/apertium"), tmp_path / "plain.log")
    try:
        use_apy(pool_project, [plain.url])
        result = cli(pool_project, "publish", "--quiet")
        assert result.exit_code == 1
        assert "no apy endpoint can translate eng-" in result.output
        assert "with the glossary's dictionaries" in result.output
        assert f"apertium-apy {pool_project / '.pipeline-cache' / 'apy'}" in result.output
        assert not (pool_project / "translations").exists()
        # Beside a server that has them: that one does all the work.
        use_apy(pool_project, [plain.url, servers[0].url])
        seen = len(Path(plain.log.name).read_text())
        succeeds(pool_project, "publish", "--quiet")
        assert same_files(local, pool_project) == []
        later = Path(plain.log.name).read_text()[seen:]
        assert later.count("POST /translateDoc") == 2  # the probes, one per pair
    finally:
        plain.stop()


@pytest.mark.parametrize("how", ["500", "garbage", "hang", "killed"])
def test_an_endpoint_failing_midway_loses_nothing(
    how: str,
    reference: Path,
    pool_project: Path,
    modes: Path,
    servers: list[ApyServer],
    tmp_path: Path,
) -> None:
    """Small documents, so that many requests are made; one endpoint goes bad after
    the health checks (two probes per language pass): it answers 500, garbage or
    nothing, or its server is killed while a document is in flight. The run ends
    complete and the same as a run on a healthy pool, cut the same way."""
    doomed = ApyServer(modes, tmp_path / "doomed.log") if how == "killed" else None
    proxy = Proxy((doomed or servers[1]).url, how=how, fail_from=4)
    if doomed is not None:
        proxy.kill = doomed.stop
    try:
        use_apy(
            pool_project,
            [servers[0].url, proxy.url],
            batch_units=40,
            timeout=3.0,
            backoff=0.1,
            in_flight=2,
        )
        succeeds(pool_project, "publish", "--quiet")
    finally:
        proxy.stop()
        if doomed is not None:
            doomed.stop()
    assert same_files(reference, pool_project) == []
    assert proxy.documents > 4 and proxy.failed >= 1


def test_all_endpoints_failing_is_one_error_and_nothing_written(
    local: Path, pool_project: Path, servers: list[ApyServer], tmp_path: Path
) -> None:
    """Down before the run: refused at once. Failing during it: one error, and the
    catalogs as they were (an edited article's units were being translated)."""
    shutil.copytree(local / "translations", pool_project / "translations")
    shutil.copytree(local / "site", pool_project / "site")
    use_apy(pool_project, ["http://127.0.0.1:9", "http://127.0.0.1:10"])
    article = next((pool_project / "source").glob("*.md"))
    article.write_text(article.read_text() + "\nA new sentence about recovery.\n")
    before = outputs(pool_project)
    result = cli(pool_project, "publish", "--quiet")
    assert result.exit_code == 1, result.output
    assert "no apy endpoint can translate" in result.output
    assert "http://127.0.0.1:9: connection refused or lost" in result.output
    assert outputs(pool_project) == before

    proxies = [Proxy(s.url, how="500", fail_from=2) for s in servers]
    try:
        use_apy(pool_project, [p.url for p in proxies], backoff=0.05, break_seconds=60.0)
        result = cli(pool_project, "publish", "--quiet")
    finally:
        for proxy in proxies:
            proxy.stop()
    assert result.exit_code == 1, result.output
    message = result.output.strip()
    assert len(message.splitlines()) == 1 and "HTTP 500" in message, message
    assert "the catalogs were not changed" in message
    assert outputs(pool_project) == before


def test_a_publish_killed_during_a_pool_run_keeps_every_approval(
    local: Path, pool_project: Path, servers: list[ApyServer]
) -> None:
    """SIGKILL while documents are in flight (slow endpoints): every catalog still
    parses, and every approved translation is there."""
    shutil.copytree(local / "translations", pool_project / "translations")
    shutil.copytree(local / "site", pool_project / "site")
    catalogs = sorted((pool_project / "translations" / "es").glob("*.po"))
    for po in catalogs:  # a translator approved everything in Spanish
        text = po.read_text(encoding="utf-8")
        po.write_text(text.replace("#, fuzzy\n", "").replace(", fuzzy", ""), encoding="utf-8")
    approved = {
        po.name: {m.id: m.string for m in entries(read_catalog(po, "es")) if m.string}
        for po in catalogs
    }
    proxies = [Proxy(s.url, delay=1.0) for s in servers]
    try:
        use_apy(pool_project, [p.url for p in proxies], batch_units=10)
        for article in (pool_project / "source").glob("*.md"):  # every unit to translate again
            article.write_text(article.read_text().replace("stem cell", "stem-cell"))
        command = [sys.executable, "-m", "pipeline", "publish", "--quiet"]
        process = subprocess.Popen(
            [*command, "--project", str(pool_project)], stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while sum(p.documents for p in proxies) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)  # past the probes: documents of the run are in flight
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        for proxy in proxies:
            proxy.stop()
    for po in catalogs:
        catalog = read_catalog(po, "es")  # parses (as strictly as msgfmt)
        strings = {m.id: (m.string, state_of(m)) for m in entries(catalog)}
        for msgid, string in approved[po.name].items():
            assert strings[msgid] == (string, "approved")
