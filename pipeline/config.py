"""Project settings, read from ``[tool.pipeline]`` in pyproject.toml."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from babel import Locale, UnknownLocaleError

from .articles import TRANSLATABLE_FIELDS
from .errors import PipelineError

DEFAULT_MIN_COVERAGE = 0.8
# Every key a table may hold: a misspelt one ("output-dir") is an error, not ignored.
PIPELINE_KEYS = frozenset(
    {
        "site_name",
        "base_url",
        "source_language",
        "source_locale",
        "source_dir",
        "translations_dir",
        "output_dir",
        "glossary",
        "min_coverage",
        "languages",
        "engines",
        "qa",
        "contact",
        "front_matter",
    }
)
LANGUAGE_KEYS = frozenset({"locale", "engines", "min_coverage"})
# [tool.pipeline.contact]: the footer of every page (each line shown when set).
CONTACT_KEYS = frozenset({"phone", "phone_note", "email"})


@dataclass(frozen=True)
class Language:
    code: str  # the site's language code, used in paths and hreflang ("es", "zh")
    locale: Locale  # the Babel locale for plural forms, names and formatting
    engines: tuple[str, ...]  # engine names in order of preference
    # Below this share of translated units an article's page in this language is
    # not advertised (no hreflang, not in the sitemap, noindex) and says so.
    min_coverage: float = DEFAULT_MIN_COVERAGE

    # Cached: every page's switcher asks for every language's (Babel looks them up).
    @cached_property
    def native_name(self) -> str:
        """The language's own name, without territory: "Español", "中文 (简体)"."""
        bare = Locale(self.locale.language, script=self.locale.script)
        name = bare.get_display_name(bare) or self.code
        return name[:1].upper() + name[1:]

    @cached_property
    def bcp47(self) -> str:
        """The tag for lang and hreflang attributes: language and script ("zh-Hans")."""
        return "-".join(p for p in (self.locale.language, self.locale.script) if p)

    @property
    def direction(self) -> str:
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"


@dataclass(frozen=True)
class Config:
    root: Path
    site_name: str
    source_language: Language
    languages: tuple[Language, ...]
    source_dir: Path
    translations_dir: Path
    output_dir: Path
    glossary: Path
    pyproject: Path = field(compare=False)
    engine_options: dict[str, dict] = field(default_factory=dict)  # [tool.pipeline.engines.X]
    base_url: str = ""  # the site's public address, for canonical links and the sitemap
    # Checks an approved translation must pass for `pipeline qa` to succeed.
    qa_blocking: frozenset[str] = frozenset({"markup", "numbers", "glossary"})
    contact: dict[str, str] = field(default_factory=dict)  # [tool.pipeline.contact]
    front_matter: tuple[str, ...] = TRANSLATABLE_FIELDS  # the front-matter fields translated

    @property
    def cache_dir(self) -> Path:
        """What saves time and may be deleted: the publish cache, compiled dictionaries."""
        return self.root / ".pipeline-cache"

    def language(self, code: str) -> Language:
        for lang in self.languages:
            if lang.code == code:
                return lang
        known = ", ".join(lang.code for lang in self.languages)
        raise PipelineError(
            f"language '{code}' is not configured (configured: {known})",
            path=self.pyproject,
            fix=f"add [tool.pipeline.languages.{code}] with a locale and engines",
        )


def _locale(value: object, where: str, pyproject: Path) -> Locale:
    try:
        return Locale.parse(str(value))
    except (ValueError, UnknownLocaleError) as exc:
        raise PipelineError(
            f"{where}: unknown locale {value!r}",
            path=pyproject,
            fix="use a CLDR locale identifier such as es_ES or zh_Hans_CN",
        ) from exc


def _check_keys(table: dict, known: frozenset[str], where: str, pyproject: Path) -> None:
    for key in table:
        if key in known:
            continue
        close = difflib.get_close_matches(key.replace("-", "_"), sorted(known), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise PipelineError(
            f"{where} has an unknown setting '{key}'",
            path=pyproject,
            line=_line_of(pyproject, key),
            fix=f"{hint}settings here: {', '.join(sorted(known))}",
        )


def _line_of(pyproject: Path, key: str) -> int | None:
    """The line where ``key = ...`` is written (the first, if several tables have it)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    lines = pyproject.read_text(encoding="utf-8").splitlines()
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), None)


def _coverage(value: object, where: str, pyproject: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise PipelineError(
            f"{where}: min_coverage = {value!r} is not a share between 0 and 1",
            path=pyproject,
            fix="write min_coverage = 0.8 (80% of an article's units translated)",
        )
    return float(value)


def _folder(value: object, key: str, root: Path, pyproject: Path) -> Path:
    """A folder setting: a path inside the project, other than the project itself."""
    folder = (root / str(value)).resolve()
    if not folder.is_relative_to(root) or folder == root:
        raise PipelineError(
            f"{key} = {str(value)!r} is not a folder inside the project",
            path=pyproject,
            fix=f"give {key} a folder inside the project, such as the default",
        )
    return folder


def check_output_dir(
    output: Path, source_dir: Path, translations_dir: Path, setting: Path | None = None
) -> None:
    """The pages' folder may not hold, or lie inside, the sources or the catalogs.

    A publish writes pages there and removes pages of articles that left source/.
    """
    output = output.resolve()
    for name, folder in (("source", source_dir), ("translations", translations_dir)):
        if output.is_relative_to(folder) or folder.is_relative_to(output):
            raise PipelineError(
                f"the output folder {output} overlaps the {name} folder {folder}",
                path=setting,
                fix="write the pages to a folder of their own (the default is site/)",
            )


def load_config(root: Path) -> Config:
    """Read the project's settings; ``root`` is the folder holding pyproject.toml."""
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PipelineError(
            "no pyproject.toml here",
            path=root,
            fix="run the command from the project folder or pass --project",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"invalid TOML ({exc})", path=pyproject) from exc

    settings = data.get("tool", {}).get("pipeline")
    if not isinstance(settings, dict):
        raise PipelineError(
            "no [tool.pipeline] section",
            path=pyproject,
            fix="add [tool.pipeline] with languages (see README)",
        )
    _check_keys(settings, PIPELINE_KEYS, "[tool.pipeline]", pyproject)
    for code, spec in settings.get("languages", {}).items():
        if isinstance(spec, dict):
            _check_keys(spec, LANGUAGE_KEYS, f"[tool.pipeline.languages.{code}]", pyproject)
    default_coverage = _coverage(
        settings.get("min_coverage", DEFAULT_MIN_COVERAGE), "[tool.pipeline]", pyproject
    )
    languages = []
    for code, spec in sorted(settings.get("languages", {}).items()):
        if not isinstance(spec, dict) or "locale" not in spec:
            raise PipelineError(
                f"[tool.pipeline.languages.{code}] has no locale",
                path=pyproject,
                fix=f'add locale = "..." under [tool.pipeline.languages.{code}]',
            )
        engines = spec.get("engines", [])
        if not isinstance(engines, list) or not all(isinstance(e, str) for e in engines):
            raise PipelineError(
                f"[tool.pipeline.languages.{code}].engines must be a list of engine names",
                path=pyproject,
            )
        where = f"[tool.pipeline.languages.{code}]"
        coverage = _coverage(spec.get("min_coverage", default_coverage), where, pyproject)
        locale = _locale(spec["locale"], where, pyproject)
        languages.append(Language(code, locale, tuple(engines), coverage))
    if not languages:
        raise PipelineError(
            "no target languages configured",
            path=pyproject,
            fix="add at least one [tool.pipeline.languages.<code>] table",
        )
    folders = {
        key: _folder(settings.get(key, default), key, root, pyproject)
        for key, default in (
            ("source_dir", "source"),
            ("translations_dir", "translations"),
            ("output_dir", "site"),
        )
    }
    check_output_dir(
        folders["output_dir"], folders["source_dir"], folders["translations_dir"], pyproject
    )
    source_code = settings.get("source_language", "en")
    source_locale = _locale(settings.get("source_locale", source_code), "source_locale", pyproject)
    return Config(
        root=root,
        site_name=settings.get("site_name", "Site"),
        source_language=Language(source_code, source_locale, ()),
        languages=tuple(languages),
        source_dir=folders["source_dir"],
        translations_dir=folders["translations_dir"],
        output_dir=folders["output_dir"],
        glossary=root / settings.get("glossary", "glossary.yaml"),
        pyproject=pyproject,
        engine_options={k: dict(v) for k, v in settings.get("engines", {}).items()},
        base_url=str(settings.get("base_url", "")).rstrip("/"),
        qa_blocking=_qa_blocking(settings.get("qa", {}), pyproject),
        contact=_contact(settings.get("contact", {}), pyproject),
        front_matter=_front_matter(settings.get("front_matter", TRANSLATABLE_FIELDS), pyproject),
    )


def _front_matter(value: object, pyproject: Path) -> tuple[str, ...]:
    names = value if isinstance(value, (list, tuple)) else None
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise PipelineError(
            f"[tool.pipeline] front_matter = {value!r} is not a list of field names",
            path=pyproject,
            line=_line_of(pyproject, "front_matter"),
            fix='write e.g. front_matter = ["title", "summary", "category"]',
        )
    if "slug" in names:
        raise PipelineError(
            "[tool.pipeline] front_matter names 'slug', which is an address, not text",
            path=pyproject,
            line=_line_of(pyproject, "front_matter"),
            fix="remove 'slug' from front_matter",
        )
    return tuple(dict.fromkeys(names))


def _contact(table: object, pyproject: Path) -> dict[str, str]:
    where = "[tool.pipeline.contact]"
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise PipelineError(
            f"{where} must be a table of text values",
            path=pyproject,
            line=_line_of(pyproject, "contact"),
            fix='write e.g. email = "office@example.org" under [tool.pipeline.contact]',
        )
    _check_keys(table, CONTACT_KEYS, where, pyproject)
    return dict(table)


def _qa_blocking(qa: object, pyproject: Path) -> frozenset[str]:
    from .quality import KNOWN

    blocking = qa.get("blocking", ["markup", "numbers", "glossary"]) if isinstance(qa, dict) else qa
    if not isinstance(blocking, list) or not set(map(str, blocking)) <= KNOWN:
        raise PipelineError(
            f"[tool.pipeline.qa] blocking = {blocking!r} is not a list of check names",
            path=pyproject,
            fix=f"use names among: {', '.join(sorted(KNOWN))}",
        )
    return frozenset(map(str, blocking))
