"""`pipeline models`: the Argos Translate models installed here, and installing more.

A package file is checked completely (a zip archive, one package folder, a
readable metadata.json naming the pair, a CTranslate2 model, a tokenizer, no
path leaving the folder, no corrupt member) before anything is written; it is
then unpacked next to the packages folder and moved into place in one rename,
so a bad file changes nothing that is installed.
"""

from __future__ import annotations

import json
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import Config
from .engines.argos import package_api
from .engines.base import EngineUnavailable
from .errors import PipelineError

INDEX_HINT = (
    "download the .argosmodel file on a machine with internet access (the Argos "
    "Translate package index lists them) and run: pipeline models install FILE.argosmodel"
)


@dataclass(frozen=True)
class Model:
    source: str
    target: str
    version: str
    size: int  # bytes on disk
    path: Path
    covers: tuple[str, ...]  # site languages this model can translate into


def _argos():
    try:
        package = package_api()
    except EngineUnavailable as exc:  # here a command's error, not a reason to try another
        raise PipelineError(str(exc), fix=exc.fix) from exc
    import argostranslate.settings as settings

    return package, settings


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def list_models(config: Config) -> list[Model]:
    package, settings = _argos()
    source = config.source_language.code
    folders = [Path(d) for d in settings.package_dirs if Path(d).is_dir()]
    models = []
    for pkg in package.get_installed_packages(folders):
        covers = tuple(
            lang.code
            for lang in config.languages
            if pkg.from_code == source and pkg.to_code == lang.code
        )
        models.append(
            Model(
                pkg.from_code,
                pkg.to_code,
                str(pkg.package_version),
                _size(pkg.package_path),
                pkg.package_path,
                covers,
            )
        )
    return sorted(models, key=lambda m: (m.source, m.target, m.version))


def _check_archive(path: Path) -> tuple[str, dict]:
    """The package folder name and metadata of a valid .argosmodel, else PipelineError."""

    def bad(why: str) -> PipelineError:
        return PipelineError(
            f"not a valid Argos model: {why}",
            path=path,
            fix="download the file again (it may be truncated) or use another .argosmodel",
        )

    if not zipfile.is_zipfile(path):
        raise bad("not a zip archive")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            broken = archive.testzip()
            if broken is not None:
                raise bad(f"corrupt member {broken}")
            tops = {PurePosixPath(n).parts[0] for n in names if n.strip("/")}
            if len(tops) != 1:
                raise bad("expected one package folder at the top")
            top = tops.pop()
            for name in names:
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts:
                    raise bad(f"unsafe path {name!r}")
            required = [f"{top}/metadata.json", f"{top}/model/model.bin"]
            for name in required:
                if name not in names:
                    raise bad(f"{name} is missing")
            if not {f"{top}/sentencepiece.model", f"{top}/bpe.model"} & set(names):
                raise bad("no tokenizer (sentencepiece.model or bpe.model)")
            try:
                metadata = json.loads(archive.read(f"{top}/metadata.json"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise bad(f"metadata.json is not JSON ({exc})") from exc
    except zipfile.BadZipFile as exc:
        raise bad(str(exc)) from exc
    if not isinstance(metadata, dict) or not {"from_code", "to_code"} <= set(metadata):
        raise bad("metadata.json does not name from_code and to_code")
    return top, metadata


def install_file(path: Path) -> tuple[str, str]:
    """Install a .argosmodel file; returns its (source, target) pair."""
    _, settings = _argos()
    if not path.is_file():
        raise PipelineError("no such file", path=path, fix="give the path of a .argosmodel file")
    top, metadata = _check_archive(path)
    packages: Path = Path(settings.package_data_dir)
    packages.mkdir(parents=True, exist_ok=True)
    # Unpacked beside (not inside) the packages folder: argostranslate would take a
    # half-unpacked folder in there for a broken package.
    with tempfile.TemporaryDirectory(dir=packages.parent, prefix=".argos-installing-") as tmp:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(tmp)
        target = packages / top
        if target.exists():  # replacing an older copy: swap, then remove the old one
            old = Path(tmp) / ".previous"
            target.rename(old)
        (Path(tmp) / top).rename(target)
    _refresh_argos_caches()
    return str(metadata["from_code"]), str(metadata["to_code"])


def _fetch_index(url: str, timeout: float = 10) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except (OSError, ValueError) as exc:
        raise PipelineError(
            f"cannot reach the Argos Translate package index ({exc})", fix=INDEX_HINT
        ) from exc


def install_from_index(source: str, target: str) -> str:
    """Download and install the pair from the Argos package index (needs internet)."""
    package, settings = _argos()
    # Fetched here with a timeout: argostranslate's own update retries without end
    # when offline.
    Path(settings.local_package_index).write_bytes(_fetch_index(settings.remote_package_index))
    try:
        available = package.get_available_packages()
    except (OSError, ValueError) as exc:
        raise PipelineError(f"unreadable Argos package index ({exc})", fix=INDEX_HINT) from exc
    matches = [p for p in available if p.from_code == source and p.to_code == target]
    if not matches:
        raise PipelineError(f"the Argos index has no {source}->{target} model", fix=INDEX_HINT)
    best = max(matches, key=lambda p: str(p.package_version))
    downloaded = Path(best.download())
    install_file(downloaded)
    return str(best.package_version)


def _refresh_argos_caches() -> None:
    from argostranslate.translate import get_installed_languages

    get_installed_languages.cache_clear()
