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
from typing import Any

from .base import Engine, Translation
from .pool import Endpoint, EndpointFailed, Pool, PoolSettings


class LibreTranslateEngine(Engine):
    name = "libretranslate"

    def __init__(
        self,
        urls: list[str] | tuple[str, ...] = (),
        batch_units: int = 32,
        api_key_env: str = "LIBRETRANSLATE_API_KEY",
        **pool: Any,  # checked by the pool
    ) -> None:
        """``pool``: the pool's settings (in_flight, timeout, retries...: PoolSettings)."""
        self.pool = Pool(self.name, PoolSettings(urls, batch_units=batch_units, **pool))
        self.api_key = os.environ.get(api_key_env, "")
        self.codes: dict[str, str] = {}  # our language code -> the servers' ("zh-Hans")

    def check(self, source: str, target: str) -> None:
        def serves(endpoint: Endpoint) -> None:
            pairs = self._pairs(endpoint)
            if (source, target) not in pairs:
                raise EndpointFailed(f"has no model for {source}->{target}")
            self.codes.update(pairs[(source, target)])

        self.pool.require(serves, f"translate {source}->{target}")

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
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

        chunks = self.pool.map(send, self.pool.batches(texts))
        return [Translation.of(text) for chunk in chunks for text in chunk]

    def serving(self) -> list[tuple[str, list[str]]]:
        """Each endpoint and the pairs its models serve (``pipeline models list``)."""
        return self.pool.survey(lambda endpoint: [f"{s}-{t}" for s, t in self._pairs(endpoint)])

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
