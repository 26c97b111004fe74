"""Argos Translate models through a pool of LibreTranslate servers (PyPI
``libretranslate``, official container images ``libretranslate/libretranslate``).

Units go as lists, ``batch_units`` per request, to ``POST /translate`` as plain
text: the placeholders travel as they do to the local argos engine (the model
keeps ``<g1>``...``</g1>`` around their words), and the output guard checks
them as it checks every engine's. The API key, when the servers want one, is
read from the environment variable named by ``api_key_env`` (by default
``LIBRETRANSLATE_API_KEY``) and never written anywhere: failures are reported
by endpoint and status only.
"""

from __future__ import annotations

import os

import requests

from ..errors import PipelineError
from .base import Engine, EngineUnavailable, Translation
from .pool import Endpoint, EndpointFailed, Pool, PoolSettings


class LibreTranslateEngine(Engine):
    name = "libretranslate"

    def __init__(
        self,
        urls: list[str] | tuple[str, ...] = (),
        in_flight: int = 4,
        timeout: float = 300.0,
        retries: int = 3,
        backoff: float = 0.5,
        break_after: int = 3,
        break_seconds: float = 30.0,
        batch_units: int = 32,
        api_key_env: str = "LIBRETRANSLATE_API_KEY",
    ) -> None:
        settings = PoolSettings(
            urls, in_flight, timeout, retries, backoff, break_after, break_seconds
        )
        self.pool = Pool(self.name, settings)
        if not isinstance(batch_units, int) or batch_units < 1:
            raise PipelineError(
                f"[tool.pipeline.engines.libretranslate] batch_units = {batch_units!r} is not "
                "a positive whole number",
                fix="give the units per request, e.g. batch_units = 32",
            )
        self.batch_units = batch_units
        self.api_key = os.environ.get(api_key_env, "")
        self.codes: dict[str, str] = {}  # our language code -> the servers' ("zh-Hans")

    def check(self, source: str, target: str) -> None:
        def serves(endpoint: Endpoint) -> None:
            pairs = self._pairs(endpoint)
            if (source, target) not in pairs:
                raise EndpointFailed(f"has no model for {source}->{target}")
            self.codes.update(pairs[(source, target)])

        try:
            self.pool.check(serves, f"translate {source}->{target}")
        except PipelineError as exc:
            raise EngineUnavailable(exc.message, exc.fix or "", fatal=True) from exc

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
        size = self.batch_units
        chunks = [texts[k : k + size] for k in range(0, len(texts), size)]

        def send(endpoint: Endpoint, chunk: list[str]) -> list[str]:
            body = {
                "q": chunk,
                "source": self.codes.get(source, source),
                "target": self.codes.get(target, target),
                "format": "text",
            }
            if self.api_key:
                body["api_key"] = self.api_key
            answer = endpoint.session.post(
                f"{endpoint.url}/translate", json=body, timeout=self.pool.settings.timeout
            )
            if answer.status_code != 200:
                raise EndpointFailed(f"HTTP {answer.status_code}")
            try:
                out = answer.json()["translatedText"]
            except (ValueError, KeyError, TypeError):
                raise EndpointFailed("an answer that is not LibreTranslate's") from None
            if not isinstance(out, list) or len(out) != len(chunk):
                raise EndpointFailed("an answer without one translation per text")
            return [str(text) for text in out]

        results = [text for chunk in self.pool.map(send, chunks) for text in chunk]
        return [
            Translation(text.strip()) if text.strip() else Translation("", ("engine-error",))
            for text in results
        ]

    def serving(self) -> list[tuple[str, list[str]]]:
        """Each endpoint and the pairs its models serve (``pipeline models list``)."""
        found = []
        for endpoint in self.pool.endpoints:
            try:
                pairs = sorted(f"{s}-{t}" for s, t in self._pairs(endpoint))
            except (EndpointFailed, requests.RequestException) as exc:
                pairs = [f"(unreachable: {type(exc).__name__})"]
            found.append((endpoint.url, pairs))
        return found

    def _pairs(self, endpoint: Endpoint) -> dict[tuple[str, str], dict[str, str]]:
        """(source, target) in the site's codes -> those codes as the server writes them."""
        answer = endpoint.session.get(
            f"{endpoint.url}/languages", timeout=self.pool.settings.timeout
        )
        answer.raise_for_status()
        try:
            return {
                (_ours(language["code"]), _ours(target)): {
                    _ours(language["code"]): language["code"],
                    _ours(target): target,
                }
                for language in answer.json()
                for target in language.get("targets", [])
                if target != language["code"]
            }
        except (ValueError, KeyError, TypeError, AttributeError):
            raise EndpointFailed(
                "/languages answered something that is not LibreTranslate's"
            ) from None


def _ours(code: str) -> str:
    """A LibreTranslate language code as the site writes it: "zh-Hans" is zh
    (Simplified, as the site's zh_Hans_CN), "zh-Hant" is Argos's zt."""
    return {"zh-hans": "zh", "zh-hant": "zt"}.get(code.lower(), code.lower())
