"""The engine pool's rules, with fake endpoints (a ``send`` function standing for the
server): spreading, retries elsewhere, backoff, the circuit breaker, the health
check. The same pool against real servers: test_apy.py, test_libretranslate.py."""

from __future__ import annotations

import threading
import time

import pytest

from pipeline.engines import pool as pool_module
from pipeline.engines.pool import Endpoint, EndpointFailed, Pool, PoolSettings
from pipeline.errors import PipelineError

URLS = ["http://a", "http://b"]


def make(**options: object) -> Pool:
    return Pool("test", PoolSettings(URLS, **options))  # type: ignore[arg-type]


def test_requests_are_spread_and_never_exceed_in_flight() -> None:
    pool = make(in_flight=3)
    busy: dict[str, int] = {url: 0 for url in URLS}
    most: dict[str, int] = {url: 0 for url in URLS}
    lock = threading.Lock()

    def send(endpoint: Endpoint, job: int) -> int:
        with lock:
            busy[endpoint.url] += 1
            most[endpoint.url] = max(most[endpoint.url], busy[endpoint.url])
        time.sleep(0.02)
        with lock:
            busy[endpoint.url] -= 1
        return job * 2

    assert pool.map(send, list(range(40))) == [n * 2 for n in range(40)]  # in order
    assert most == {"http://a": 3, "http://b": 3}


def test_a_failing_endpoint_is_retried_elsewhere_then_left_alone(monkeypatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(pool_module.time, "sleep", pauses.append)
    pool = make(in_flight=1, retries=3, backoff=0.5, break_after=2, break_seconds=60)
    calls = {url: 0 for url in URLS}

    def send(endpoint: Endpoint, job: int) -> int:
        calls[endpoint.url] += 1
        if endpoint.url == "http://a":
            raise EndpointFailed("HTTP 500")
        return job

    assert pool.map(send, list(range(10))) == list(range(10))
    assert calls["http://a"] == 2  # then its breaker is open: every job goes to b
    assert calls["http://b"] == 10
    assert pauses and set(pauses) == {0.5}  # a first retry's pause each time


def test_the_pause_doubles_and_every_endpoint_failing_is_one_error(monkeypatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(pool_module.time, "sleep", pauses.append)
    pool = make(in_flight=1, retries=3, backoff=0.25, break_after=100)

    def send(endpoint: Endpoint, job: str) -> str:
        raise EndpointFailed("an answer without the document's units")

    with pytest.raises(PipelineError) as caught:
        pool.map(send, ["secret text of a unit"])
    assert pauses == [0.25, 0.5, 1.0]  # four tries
    message = str(caught.value)
    assert "failed 4 times" in message and "http://a: an answer without" in message
    assert "secret text" not in message and "catalogs were not changed" in message


def test_when_every_breaker_is_open_the_run_stops_at_once(monkeypatch) -> None:
    monkeypatch.setattr(pool_module.time, "sleep", lambda _: None)
    pool = make(in_flight=1, retries=10, break_after=1, break_seconds=600)

    def send(endpoint: Endpoint, job: int) -> int:
        raise EndpointFailed("HTTP 503")

    started = time.monotonic()
    with pytest.raises(PipelineError, match="every test endpoint keeps failing"):
        pool.map(send, [1, 2, 3])
    assert time.monotonic() - started < 5  # not 600 s waiting for a breaker


def test_the_health_check_leaves_out_who_cannot_serve() -> None:
    pool = make()

    def probe(endpoint: Endpoint) -> None:
        if endpoint.url == "http://a":
            raise EndpointFailed("does not serve eng-spa")

    pool.check(probe, "translate eng-spa")
    assert [e.url for e in pool.endpoints] == ["http://b"]
    with pytest.raises(PipelineError, match="no test endpoint can translate eng-spa: http://b"):
        pool.check(lambda e: (_ for _ in ()).throw(EndpointFailed("down")), "translate eng-spa")


@pytest.mark.parametrize(
    "options",
    [
        {"urls": []},
        {"urls": "http://a"},
        {"urls": ["localhost:2737"]},
        {"urls": ["http://a", "http://a/"]},
        {"in_flight": 0},
        {"in_flight": 1.5},
        {"retries": -1},
        {"timeout": "fast"},
        {"break_after": True},
        {"batch_units": 0},
    ],
)
def test_bad_settings_are_errors_naming_the_table(options: dict) -> None:
    settings = {"urls": URLS, **options}
    with pytest.raises(PipelineError, match=r"engine 'test'|tool\.pipeline\.engines\.test"):
        Pool("test", PoolSettings(**settings))
