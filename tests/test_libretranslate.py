"""The libretranslate engine against a real LibreTranslate server on loopback, in its
own environment (.venv/libretranslate, made by scripts/setup.sh --test), serving
the tiny genuine Argos packages tests/build_argos_model.py builds (no download).
Its translations are nonsense: what is checked is the client, the pool and the
output guard, not the model."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import ROOT, cli, outputs, succeeds
from endpoint_proxy import Proxy

from pipeline.catalog import entries, read_catalog

SERVER = ROOT / ".venv" / "libretranslate" / "bin" / "libretranslate"
pytestmark = pytest.mark.skipif(
    not SERVER.exists(), reason="LibreTranslate's environment: run scripts/setup.sh --test"
)
CONFIG = """[tool.pipeline]
site_name = "Test"

[tool.pipeline.languages.zh]
locale = "zh_Hans_CN"
engines = ["libretranslate"]

[tool.pipeline.engines.libretranslate]
urls = [{urls}]
backoff = 0.05
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """LibreTranslate with en->zh and zh->en (with fewer than two models installed it
    would fetch the model index at start)."""
    from build_argos_model import build_package

    root = tmp_path_factory.mktemp("libretranslate")
    packages = root / "packages"
    python = SERVER.parent / "python"
    for source, target in (("en", "zh"), ("zh", "en")):
        model = build_package(root / f"{source}_{target}.argosmodel", source, target)
        install = f"import argostranslate.package as p; p.install_from_path({str(model)!r})"
        subprocess.run(
            [str(python), "-c", install],
            check=True,
            env={**os.environ, "ARGOS_PACKAGES_DIR": str(packages)},
            capture_output=True,
        )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "ARGOS_PACKAGES_DIR": str(packages),
        "ARGOS_CHUNK_TYPE": "SPACY",  # the package's own splitter: no model download
    }
    log = (root / "server.log").open("w")
    process = subprocess.Popen(
        [str(SERVER), "--host", "127.0.0.1", "--port", str(port), "--load-only", "en,zh"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/languages", timeout=1).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError((root / "server.log").read_text())
    yield url
    process.kill()
    process.wait()
    log.close()


def project(root: Path, urls: list[str]) -> Path:
    (root / "source").mkdir(parents=True)
    quoted = ", ".join(f'"{url}"' for url in urls)
    (root / "pyproject.toml").write_text(CONFIG.format(urls=quoted), encoding="utf-8")
    (root / "source" / "a.md").write_text(
        "---\ntitle: Stem cells\nslug: a\n---\n\n"
        "Stem cell therapy offers hope. Read **the guide** now.\n\n"
        "- Mesenchymal stem cells reduce inflammation.\n- Contact us.\n",
        encoding="utf-8",
    )
    return root


def test_units_are_translated_through_the_pool_with_a_failing_endpoint(
    server: str, tmp_path: Path
) -> None:
    """Two endpoints, one answering 500 after the health check: every unit is
    translated by the other, placeholders checked by the output guard."""
    failing = Proxy(server, how="500", fail_from=0)
    try:
        folder = project(tmp_path / "p", [failing.url, server])
        succeeds(folder, "publish", "--quiet")
    finally:
        failing.stop()
    catalog = read_catalog(folder / "translations" / "zh" / "a.po", "zh_Hans_CN")
    found = entries(catalog)
    assert len(found) == 5 and all(m.string for m in found)
    assert all("mt-libretranslate" in m.flags for m in found)
    # The model is nonsense: the guard says so, and no page shows it as a translation.
    assert any({"length", "repetition", "markup"} & set(m.flags) for m in found)
    assert failing.failed >= 1
    listed = succeeds(folder, "models", "list").output
    assert f"libretranslate {server}  serves: en-zh, zh-en" in listed


def test_the_api_key_is_sent_and_never_shown(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "s3cret-key-123"
    monkeypatch.setenv("LIBRETRANSLATE_API_KEY", secret)
    seen: list[bytes] = []
    spy = Proxy(server, how="500", fail_from=0)
    spy.record = seen.append
    try:
        folder = project(tmp_path / "p", [spy.url])
        result = cli(folder, "publish", "--quiet")
    finally:
        spy.stop()
    assert result.exit_code == 1
    assert "HTTP 500" in result.output and secret not in result.output
    assert seen and all(secret.encode() in body for body in seen)


def test_all_endpoints_down_is_one_error_and_nothing_written(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", ["http://127.0.0.1:9"])
    before = outputs(folder)
    result = cli(folder, "publish", "--quiet")
    assert result.exit_code == 1
    message = result.output.strip()
    assert len(message.splitlines()) == 1, message
    assert "no libretranslate endpoint can translate en->zh" in message
    assert "connection refused" in message
    assert outputs(folder) == before
