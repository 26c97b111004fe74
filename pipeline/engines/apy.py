"""Apertium through a pool of APy servers (Apertium's own HTTP server, Debian package
``apertium-apy``, the server behind apertium.org).

Every document goes to APy's ``/translateDoc``, which runs the same
``apertium -u -f <format> -d <folder> <mode>`` command as the local engine: the
translations are the local engine's, byte for byte, for the same documents.
(``/translate`` runs the pair's programs without Apertium's word-bound-blank
handling and cuts long texts into pieces: other translations.) A batch is cut
into documents of at most ``batch_units`` units, contiguous; Apertium carries a
little context from one sentence to the next, so a different cut can change
a rare word (one unit of the five articles' 333 at 20-unit documents): the
default keeps a site's usual batch whole.

The glossary's dictionary overlay (apertium_dictionary.py) is built here as
for the local engine and served by APy too: its mode is written as
``<cache>/apy/modes/<pair>.mode`` (pairs without glossary terms get the
installed pair's mode), and APy started on ``<cache>/apy`` loads it; the paths
inside name the overlay where the servers see it (``overlay_path``, for a
volume mounted elsewhere). Before a run each endpoint is asked for the
pipeline it runs for the pair: one that runs it without the overlay is
refused, never used with the client's terms silently dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PipelineError
from .apertium import ISO3, UNIT_RE, ApertiumEngine, document
from .apertium_dictionary import DATADIR
from .pool import Endpoint, EndpointFailed, Pool, PoolSettings

if TYPE_CHECKING:
    from ..glossary import Glossary

SERVE_FOLDER = "apy"  # under the cache: what `apertium-apy <folder>` is started on
PROBE_TERMS = 200  # glossary terms in the probe that proves an endpoint runs the overlay


class ApyEngine(ApertiumEngine):
    name = "apy"
    translator = "apertium"  # type: ignore[assignment]  # the same translations

    def __init__(
        self,
        urls: list[str] | tuple[str, ...] = (),
        batch_units: int = 2000,
        overlay_path: str = "",
        **pool: Any,  # checked by the pool
    ) -> None:
        """``pool``: the pool's settings (in_flight, timeout, retries...: PoolSettings)."""
        super().__init__()
        self.pool = Pool(self.name, PoolSettings(urls, batch_units=batch_units, **pool))
        self.overlay_path = overlay_path

    def check(self, source: str, target: str) -> None:
        mode = self.mode(source, target)
        wanted = (ISO3[source], ISO3[target])

        def serves(endpoint: Endpoint) -> None:
            answer = self._get(endpoint, "/listPairs", {})
            pairs = {(p["sourceLanguage"], p["targetLanguage"]) for p in answer["responseData"]}
            if wanted not in pairs:
                raise EndpointFailed(f"does not serve {mode}")

        self.pool.require(serves, f"translate {mode}")

    def write_mode(self, glossary: Glossary, source: str, target: str, cache: Path) -> Path:
        """Build the pair's overlay and write its mode where APy reads modes (the
        pair as installed when the glossary has nothing for it); returns the file."""
        super().adopt_glossary(glossary, source, target, cache)
        mode = self.mode(source, target)
        overlay = self._overlays.get(target)
        served = cache / SERVE_FOLDER / "modes" / f"{mode}.mode"
        served.parent.mkdir(parents=True, exist_ok=True)
        if overlay is None:
            text = (DATADIR / "modes" / f"{mode}.mode").read_text(encoding="utf-8")
        else:
            text = (overlay.folder / "modes" / f"{overlay.mode}.mode").read_text(encoding="utf-8")
            if self.overlay_path:
                text = text.replace(f"'{cache}/", f"'{self.overlay_path.rstrip('/')}/")
        if not served.exists() or served.read_text(encoding="utf-8") != text:
            served.write_text(text, encoding="utf-8")
        return served

    def adopt_glossary(self, glossary: Glossary, source: str, target: str, cache: Path) -> bool:
        """The overlay, built here and written where APy reads modes; the endpoints that
        do not run it for the pair are left out (an error if none does)."""
        served = self.write_mode(glossary, source, target, cache)
        mode = self.mode(source, target)
        overlay = self._overlays.get(target)
        if overlay is None:
            return True

        # The glossary's terms, translated here with the overlay and by each endpoint:
        # the same text, or the endpoint runs other dictionaries (none of ours, an
        # older glossary, another version of the pair).
        entries = [*glossary.entries, *glossary.vocabulary]
        terms = [e.name for e in entries if e.keep or target in e.targets][:PROBE_TERMS]
        probe = ("txt", document("txt", list(range(len(terms))), terms))
        expected = ApertiumEngine._run(self, [probe], source, target)[0]
        langpair = f"{ISO3[source]}|{ISO3[target]}"

        def runs_overlay(endpoint: Endpoint) -> None:
            if self._send(endpoint, probe, langpair).split() != expected.split():
                raise EndpointFailed(
                    f"translates the glossary's terms otherwise: it runs {mode} without "
                    f"its dictionaries as built here ({overlay.folder.name})"
                )

        try:
            self.pool.check(runs_overlay, f"translate {mode} with the glossary's dictionaries")
        except PipelineError as exc:
            raise PipelineError(
                exc.message,
                fix=f"start each APy server on the folder {served.parent.parent} "
                f"(apertium-apy {served.parent.parent}), or mount it and set "
                "overlay_path to where the servers see the project's .pipeline-cache",
            ) from exc
        return True

    def _groups(self, indices: list[int], texts: list[str]) -> list[list[int]]:
        return self.pool.batches(indices)

    def _run(self, documents: list[tuple[str, str]], source: str, target: str) -> list[str]:
        langpair = f"{ISO3[source]}|{ISO3[target]}"
        return self.pool.map(lambda e, document: self._send(e, document, langpair), documents)

    def _send(self, endpoint: Endpoint, document: tuple[str, str], langpair: str) -> str:
        """One document through one endpoint's /translateDoc: the translation, or
        EndpointFailed for an answer that is not one."""
        fmt, text = document
        # APy picks the format from the file's type, as `file` tells it: a doctype makes
        # it HTML, and a first empty line plain text ("Article 1" at the very start
        # reads as a news message, "From ..." as mail: refused).
        data = ("<!DOCTYPE html>\n" if fmt == "html" else "\n") + text
        answer = endpoint.session.post(
            f"{endpoint.url}/translateDoc",
            params={"langpair": langpair, "markUnknown": "no"},
            files={"file": (f"units.{fmt}", data.encode("utf-8"))},
            timeout=self.pool.settings.timeout,
        )
        if answer.status_code != 200:
            raise EndpointFailed(f"HTTP {answer.status_code}")
        try:
            out = answer.content.decode("utf-8")
        except UnicodeDecodeError:
            raise EndpointFailed("an answer that is not UTF-8 text") from None
        # A proxy's error page is not a translation; a unit Apertium lost here and there
        # is (it stays untranslated, flagged, as with the local engine).
        if fmt == "html" and not UNIT_RE.search(out):
            raise EndpointFailed("an answer without the document's units")
        if fmt == "txt" and not out.strip():
            raise EndpointFailed("an empty answer")
        return out

    def serving(self) -> list[tuple[str, list[str]]]:
        """Each endpoint and the pairs it serves (``pipeline models list``)."""

        def pairs(endpoint: Endpoint) -> list[str]:
            answer = self._get(endpoint, "/listPairs", {})
            return [f"{p['sourceLanguage']}-{p['targetLanguage']}" for p in answer["responseData"]]

        return self.pool.survey(pairs)

    def _get(self, endpoint: Endpoint, path: str, params: dict) -> dict:
        answer = endpoint.session.get(
            endpoint.url + path, params=params, timeout=self.pool.settings.timeout
        )
        answer.raise_for_status()
        try:
            data = answer.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or "responseData" not in data:  # not APy's answer
            raise EndpointFailed(f"{path} answered something that is not APy's")
        return data
