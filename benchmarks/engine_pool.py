"""Engines as servers: a cold publish through local Apertium, one APy server and two,
and the client's throughput against a simulated pool of N endpoints (a benchmark,
not a test).

    .venv/bin/python benchmarks/engine_pool.py [--articles 1000] [--latency 0.25]

Part 1 builds publish_speed.py's corpus (Spanish and Catalan through Apertium,
Chinese through the pseudo engine) and times one cold ``pipeline publish`` per
setup, in a fresh process on a fresh copy: the local ``apertium`` engine, then
the ``apy`` engine with one and with two ``apertium-apy`` servers on this
machine (they share its cores with the publish: a pool pays off on other
machines). Units per second count the Spanish and Catalan units sent.

Part 2 measures the client alone: N simulated endpoints (in another process)
each answer a document after a fixed latency, echoing it, with four requests
in flight per endpoint. With the client keeping every endpoint busy the
throughput is N times one endpoint's; the target is within 10% of that up to
N = 16.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SIMULATED = textwrap.dedent(
    """
    import http.server, sys, threading, time
    latency = float(sys.argv[1])

    class Echo(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # the answer in one write (headers apart: a 40 ms delayed ACK)
        def log_message(self, *args):
            pass
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            start = body.index(b"\\r\\n\\r\\n") + 4  # the one file of the multipart body
            end = body.rindex(b"\\r\\n--")
            time.sleep(latency)
            data = body[start:end]
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    ports = []
    for _ in range(int(sys.argv[2])):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
        server.daemon_threads = True
        ports.append(server.server_address[1])
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(" ".join(map(str, ports)), flush=True)
    sys.stdin.read()
    """
)


def cold_publish(project: Path) -> float:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pipeline", "publish", "-q", "--project", str(project)],
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise SystemExit(f"publish failed: {run.stderr.strip()}")
    return time.perf_counter() - started


def use_apy(project: Path, urls: list[str]) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8").replace(
        'engines = ["apertium"]', 'engines = ["apy"]'
    )
    quoted = ", ".join(f'"{url}"' for url in urls)
    pyproject.write_text(text + f"\n[tool.pipeline.engines.apy]\nurls = [{quoted}]\n")


def part_one(root: Path, articles: int) -> None:
    import publish_speed

    corpus = root / "corpus"
    publish_speed.build_corpus(corpus, articles)
    units = 2 * articles * 14  # es and ca: 12 sentences, a title and a summary each
    # The glossary's dictionaries are built once (as a site's cache keeps them) and
    # copied into each project: the publishes time translation, not that build.
    modes = root / "modes"
    shutil.copytree(corpus, modes)
    use_apy(modes, ["http://127.0.0.1:9"])
    subprocess.run(
        [sys.executable, "-m", "pipeline", "apy-modes", "--project", str(modes)],
        check=True,
        capture_output=True,
    )
    built = modes / ".pipeline-cache" / "apertium"

    def project(name: str) -> Path:
        folder = root / name
        shutil.copytree(corpus, folder)
        shutil.copytree(built, folder / ".pipeline-cache" / "apertium")
        return folder

    local = project("local")
    seconds = cold_publish(local)
    print(f"{articles} articles, es+ca through Apertium, zh pseudo; cold publish:")
    print(f"  local apertium subprocess: {seconds:7.1f} s  {units / seconds:7.0f} units/s")
    servers = []
    try:
        for count in (1, 2):
            while len(servers) < count:
                port = 2800 + len(servers)
                servers.append(
                    subprocess.Popen(
                        ["apertium-apy", "-p", str(port), str(modes / ".pipeline-cache" / "apy")],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            time.sleep(2)  # APy loads its modes
            pool = project(f"apy{count}")
            use_apy(pool, [f"http://127.0.0.1:{2800 + n}" for n in range(count)])
            seconds = cold_publish(pool)
            label = f"apy, {count} server{'s' if count > 1 else ''} here:"
            same = all(
                po.read_bytes() == (pool / po.relative_to(local)).read_bytes()
                for po in (local / "translations").rglob("*.po")
            )
            print(
                f"  {label:27} {seconds:7.1f} s  {units / seconds:7.0f} units/s"
                f"  (catalogs {'the same as' if same else 'NOT the same as'} local)"
            )
    finally:
        for server in servers:
            server.kill()


def part_two(latency: float, counts: list[int], documents_per_slot: int) -> None:
    from pipeline.engines.apy import ApyEngine

    print(f"\nsimulated endpoints, {latency * 1000:.0f} ms per request, 4 in flight each:")
    single = None
    for count in counts:
        server = subprocess.Popen(
            [sys.executable, "-c", SIMULATED, str(latency), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            ports = server.stdout.readline().split()
            urls = [f"http://127.0.0.1:{port}" for port in ports]
            engine = ApyEngine(urls, in_flight=4, batch_units=10)
            documents = documents_per_slot * 4 * count
            texts = [f"Sentence number {n} of the benchmark." for n in range(documents * 10)]
            started = time.perf_counter()
            out = engine.translate_batch(texts, "en", "es")
            seconds = time.perf_counter() - started
            assert [t.text for t in out] == texts  # every document came back, in order
        finally:
            server.kill()
        rate = documents / seconds
        single = single or rate
        ideal = single * count
        verdict = "ok" if rate >= 0.9 * ideal else "UNDER 90%"
        bound = 4 * count / latency  # every slot always busy, no client time at all
        print(
            f"  N = {count:2}: {rate:7.1f} requests/s  ({rate / ideal:6.1%} of N x one endpoint;"
            f" {rate / bound:6.1%} of {bound:.0f}, the latency's bound)  [{verdict}]"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.25, help="seconds per request")
    parser.add_argument("--skip-publish", action="store_true", help="part 2 only")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="engine-pool-"))
    try:
        if not args.skip_publish:
            part_one(root, args.articles)
        part_two(args.latency, [1, 2, 4, 8, 16], documents_per_slot=16)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
