"""A client's share of a pool of translation servers (Apertium APy, LibreTranslate).

The servers are deployed and scaled by their operators, behind a load balancer or
not; the pipeline is a good client of them: several requests in flight on every
endpoint, each request on the endpoint with the fewest in flight, and for a
failure (no connection, a timeout, an HTTP error, an answer that is not a
translation) a retry on another endpoint after a pause that doubles each time.
An endpoint that fails ``break_after`` times in a row is left alone for
``break_seconds`` (a circuit breaker), then given one request to prove itself.
Before a run every endpoint is asked whether it can serve the pair; one that
cannot is left out, and when none can the run stops before anything is sent.

A request that fails everywhere ends the run with one error naming each
endpoint's last failure: nothing has been written then (engines run before a
publish writes anything), so catalogs stay as they were.
"""

from __future__ import annotations

import threading
import time
import types
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from ..errors import PipelineError
from .base import EngineUnavailable

if TYPE_CHECKING:
    import requests

T = TypeVar("T")
R = TypeVar("R")


def _requests() -> types.ModuleType:
    """requests, imported when a server engine is used (50 ms on every command else)."""
    import requests

    return requests


def _session() -> requests.Session:
    return _requests().Session()


class EndpointFailed(Exception):
    """One request to one endpoint failed in a way another endpoint may not."""


@dataclass
class Endpoint:
    url: str
    busy: int = 0  # requests in flight
    failures: int = 0  # in a row
    open_until: float = 0.0  # the breaker is open (no requests) until then
    last_error: str = ""
    session: requests.Session = field(default_factory=_session, repr=False)


@dataclass
class PoolSettings:
    """[tool.pipeline.engines.<name>]: how hard to use the endpoints, and when to give up."""

    urls: Sequence[str]
    in_flight: int = 4  # requests at once per endpoint
    timeout: float = 300.0  # seconds for one request
    retries: int = 3  # further tries of a request after its first failure
    backoff: float = 0.5  # seconds before the first retry; doubled for each further one
    break_after: int = 3  # failures in a row that open an endpoint's breaker
    break_seconds: float = 30.0
    batch_units: int = 32  # units per request (each engine has its own default)


# Each number setting: whole or not, and its least value.
LIMITS = {
    "in_flight": (int, 1),
    "batch_units": (int, 1),
    "retries": (int, 0),
    "break_after": (int, 1),
    "timeout": (float, 0.001),
    "backoff": (float, 0.0),
    "break_seconds": (float, 0.0),
}


def _check_settings(settings: PoolSettings, engine: str) -> list[str]:
    """The endpoints' URLs, once each; PipelineError for anything that is not a setting."""
    table = f"[tool.pipeline.engines.{engine}]"
    for name, (kind, least) in LIMITS.items():
        value = getattr(settings, name)
        kinds = (int,) if kind is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or value < least:
            whole = "a whole number" if kind is int else "a number"
            raise PipelineError(
                f"{table} {name} = {value!r} is not {whole} of at least {least}",
                fix=f"give {name} as {whole} of at least {least}",
            )
    urls = settings.urls if isinstance(settings.urls, (list, tuple)) else None
    cleaned = [str(url).rstrip("/") for url in urls or []]
    if not cleaned or not all(url.startswith(("http://", "https://")) for url in cleaned):
        raise PipelineError(
            f"engine '{engine}' has no endpoints" if not cleaned else f"{table} urls = {urls!r}",
            fix=f'list the servers: {table} urls = ["http://host:port", ...]',
        )
    if len(set(cleaned)) != len(cleaned):
        raise PipelineError(f"{table} lists a url twice", fix="list each server once")
    return cleaned


class Pool:
    """Endpoints and the rules for sharing requests among them."""

    def __init__(self, name: str, settings: PoolSettings) -> None:
        self.name = name
        self.settings = settings
        self.endpoints = [Endpoint(url) for url in _check_settings(settings, name)]
        self._lock = threading.Condition()

    def batches(self, items: Sequence[T]) -> list[list[T]]:
        """``items`` in runs of ``batch_units``, in order: one request each."""
        size = self.settings.batch_units
        return [list(items[k : k + size]) for k in range(0, len(items), size)]

    def require(self, probe: Callable[[Endpoint], None], what: str) -> None:
        """``check`` before a run: no endpoint able to is a broken installation of a
        wanted engine (EngineUnavailable, fatal), not a reason to try the next one."""
        try:
            self.check(probe, what)
        except PipelineError as exc:
            raise EngineUnavailable(exc.message, exc.fix or "", fatal=True) from exc

    def survey(self, ask: Callable[[Endpoint], list[str]]) -> list[tuple[str, list[str]]]:
        """Each endpoint's answer to ``ask`` (what it serves), or why it gave none."""
        found = []
        for endpoint in self.endpoints:
            try:
                answer = sorted(ask(endpoint))
            except (EndpointFailed, _requests().RequestException) as exc:
                answer = [f"(unreachable: {type(exc).__name__})"]
            found.append((endpoint.url, answer))
        return found

    def check(self, probe: Callable[[Endpoint], None], what: str) -> None:
        """Ask every endpoint (``probe`` raises EndpointFailed if it cannot serve);
        those that fail are left out of this run. Raises PipelineError if none can."""
        healthy = []
        for endpoint in self.endpoints:
            try:
                probe(endpoint)
                healthy.append(endpoint)
            except EndpointFailed as exc:
                endpoint.last_error = str(exc)
            except _requests().RequestException as exc:
                endpoint.last_error = _describe(exc)
        if not healthy:
            raise PipelineError(
                f"no {self.name} endpoint can {what}: {self._failures(self.endpoints)}",
                fix=f"start the servers, or correct [tool.pipeline.engines.{self.name}] urls",
            )
        self.endpoints = healthy

    def map(self, send: Callable[[Endpoint, T], R], jobs: Sequence[T]) -> list[R]:
        """``[send(endpoint, job) for job in jobs]``, spread over the endpoints; ``send``
        raises EndpointFailed (or a requests error) for a failure worth a retry."""
        if not jobs:
            return []
        workers = min(len(jobs), self.settings.in_flight * len(self.endpoints))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=self.name) as pool:
            futures = [pool.submit(self._one, send, job) for job in jobs]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in done if f.exception() is not None]
            if failed:
                for future in futures:
                    future.cancel()
                raise failed[0].exception()  # type: ignore[misc]
        return [future.result() for future in futures]

    def _one(self, send: Callable[[Endpoint, T], R], job: T) -> R:
        tries = self.settings.retries + 1
        tried: set[str] = set()
        for attempt in range(tries):
            endpoint = self._acquire(tried)
            tried.add(endpoint.url)
            try:
                result = send(endpoint, job)
            except (EndpointFailed, _requests().RequestException) as exc:
                self._release(endpoint, exc)
                if attempt + 1 < tries:
                    time.sleep(self.settings.backoff * 2**attempt)
                continue
            self._release(endpoint, None)
            return result
        raise PipelineError(
            f"{self.name}: a request failed {tries} times: {self._failures(self.endpoints)}",
            fix="check the servers' logs; the catalogs were not changed, run the command again",
        )

    def _acquire(self, tried: set[str]) -> Endpoint:
        """The endpoint with the fewest requests in flight among those whose breaker is
        closed (or due for its trial), waiting for a free slot; one this request has
        not failed on yet while there is such an endpoint (failover)."""
        with self._lock:
            while True:
                now = time.monotonic()
                closed = [e for e in self.endpoints if e.open_until <= now]
                fresh = [e for e in closed if e.url not in tried] or closed
                ready = [e for e in fresh if e.busy < self.settings.in_flight]
                if ready:
                    endpoint = min(ready, key=lambda e: e.busy)
                    endpoint.busy += 1
                    return endpoint
                if not closed:
                    raise PipelineError(
                        f"every {self.name} endpoint keeps failing: "
                        + self._failures(self.endpoints),
                        fix="check the servers' logs; the catalogs were not changed, run the "
                        "command again",
                    )
                self._lock.wait()

    def _release(self, endpoint: Endpoint, error: BaseException | None) -> None:
        with self._lock:
            endpoint.busy -= 1
            if error is None:
                endpoint.failures = 0
            else:
                endpoint.failures += 1
                endpoint.last_error = _describe(error)
                if endpoint.failures >= self.settings.break_after:
                    endpoint.open_until = time.monotonic() + self.settings.break_seconds
            self._lock.notify_all()

    @staticmethod
    def _failures(endpoints: list[Endpoint]) -> str:
        return "; ".join(f"{e.url}: {e.last_error or 'no answer'}" for e in endpoints)


def _describe(error: BaseException) -> str:
    """A failure in a few words (no request bodies, no API keys: URLs are the endpoints')."""
    if isinstance(error, _requests().Timeout):
        return "no answer in time"
    if isinstance(error, _requests().ConnectionError):
        return "connection refused or lost"
    if isinstance(error, _requests().HTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code}"
    return str(error)[:200] or type(error).__name__
