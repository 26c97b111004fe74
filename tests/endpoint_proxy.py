"""A fake endpoint for the engine pools' fault tests: a proxy in front of a real
translation server (APy, LibreTranslate) that forwards requests, and from a
chosen request on answers 500, answers garbage, never answers, or has the server
behind it killed while a request is in it."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable

import requests


class Proxy:
    """A fake endpoint in front of a real one: forwards, and from request number
    ``fail_from`` of /translateDoc on fails as ``how`` says ("500", "garbage", "hang")."""

    def __init__(self, target: str, how: str = "", fail_from: int = 0, delay: float = 0.0):
        self.target, self.how, self.fail_from, self.delay = target, how, fail_from, delay
        self.documents = 0
        self.failed = 0
        self.kill = lambda: None  # "killed": stops the server behind
        self.record: Callable[[bytes], None] = lambda body: None  # each POST body seen
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                answer = requests.get(proxy.target + self.path, timeout=60)
                self._send(answer.status_code, answer.content)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                proxy.record(body)
                proxy.documents += 1
                if proxy.how and proxy.documents > proxy.fail_from:
                    proxy.failed += 1
                    if proxy.how == "killed":  # the server dies with this document in it
                        threading.Timer(0.1, proxy.kill).start()
                        return self._forward(body)
                    if proxy.how == "500":
                        return self._send(500, b"internal error")
                    if proxy.how == "garbage":
                        return self._send(200, b"<html><body>Bad gateway</body></html>")
                    time.sleep(3600)  # "hang": never answers
                time.sleep(proxy.delay)
                self._forward(body)

            def _forward(self, body: bytes) -> None:
                try:
                    answer = requests.post(
                        proxy.target + self.path,
                        data=body,
                        headers={"Content-Type": self.headers["Content-Type"]},
                        timeout=60,
                    )
                except requests.RequestException:  # as a load balancer would say it
                    return self._send(502, b"bad gateway")
                self._send(answer.status_code, answer.content)

            def _send(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
