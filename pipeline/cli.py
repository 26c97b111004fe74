"""The `pipeline` command. Each command is a thin wrapper around an importable function."""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from . import COLLECTOR_THRESHOLDS
from .config import load_config
from .engines import ENGINES
from .errors import PipelineError
from .fsutil import shown

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder holding pyproject.toml.",
)


class EngineName(click.ParamType):
    """An engine's name, checked when the command line is read: a typo is a usage
    error (exit 2) even when there is nothing to translate."""

    name = "engine"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(sorted(ENGINES)) + "]"

    def convert(self, value, param, ctx) -> str:
        if value not in ENGINES:
            self.fail(
                f"unknown engine {value!r} (engines: {', '.join(sorted(ENGINES))})", param, ctx
            )
        return value


class PipelineGroup(click.Group):
    """Turns PipelineError into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PipelineError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


def builder_options(command: Callable) -> Callable:
    """``--<name> DIR`` for each registered output builder (see pipeline.outputs)."""
    from .outputs import BUILDERS

    for name, builder in reversed(BUILDERS.items()):
        folder = click.Path(file_okay=False, path_type=Path)
        option = click.option(f"--{name}", name.replace("-", "_"), type=folder, help=builder.help)
        command = option(command)
    return command


@contextmanager
def terminal_progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar (count, ETA) on an interactive terminal; nothing in CI or when piped."""
    if not total or not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda _: None
        return
    with click.progressbar(
        length=total, label=label, file=sys.stderr, show_pos=True, show_eta=True
    ) as bar:
        yield bar.update


@click.group(cls=PipelineGroup)
@click.version_option(package_name="nbscience-pipeline")
def main() -> None:
    """Translate the site's Markdown articles and publish the localized site."""
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


@main.command()
@project_option
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
@click.option(
    "--engine",
    type=EngineName(),
    help="Use this engine instead of the configured order.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option(
    "--review-marks",
    is_flag=True,
    help="Highlight every unit that is not approved (a build for translators).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the pages here instead of the configured output folder.",
)
@builder_options
@click.option("--check", is_flag=True, help="Change nothing; exit 1 listing what would change.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Processes for the per-article work (default: one per core).",
)
@click.option(
    "--refresh-drafts",
    "refresh",
    is_flag=True,
    help="Translate machine drafts again (after an engine or glossary change); "
    "approved and stale entries are kept.",
)
def publish(
    project: Path,
    languages: tuple[str, ...],
    engine: str | None,
    quiet: bool,
    review_marks: bool,
    output: Path | None,
    check: bool,
    as_json: bool,
    jobs: int | None,
    refresh: bool,
    **folders: Path | None,
) -> None:
    """Update catalogs from source/, translate what is missing, write site/."""
    import json

    from .outputs import BUILDERS
    from .publish import Outputs, no_progress
    from .publish import publish as run

    config = load_config(project)
    say = (lambda _: None) if quiet else (lambda msg: click.echo(msg, err=True))
    bar = no_progress if quiet else terminal_progress
    chosen = {name: folders[name.replace("-", "_")] for name in BUILDERS}
    builders = tuple(BUILDERS[name](folder) for name, folder in chosen.items() if folder)
    outputs = Outputs(output, review_marks, builders)
    keep = _LEFT_TO_EXIT if _EXITING else None
    result = run(
        config,
        languages,
        engine,
        say,
        bar,
        outputs,
        check=check,
        jobs=jobs,
        refresh=refresh,
        keep=keep,
    )
    for hint in result.hints:
        click.echo(f"warning: {hint}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if as_json:
        click.echo(json.dumps(result.summary(config.root), indent=2, sort_keys=True))
    if check:
        changed = [*result.written, *result.removed]
        for path in changed:
            click.echo(f"out of date: {shown(path, config.root)}", err=True)
        if changed:
            click.echo(f"{len(changed)} files are out of date: run `pipeline publish`", err=True)
            sys.exit(1)
        click.echo("catalogs and pages are up to date", err=True)
    elif not quiet:
        click.echo(f"{len(result.written)} files written", err=True)
    if result.errors:
        sys.exit(1)


@main.command()
@project_option
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
def status(project: Path, languages: tuple[str, ...]) -> None:
    """Table of units per language and article by review state."""
    from .status import status as run

    rows = run(load_config(project), languages)
    headers = (
        "lang",
        "article",
        "total",
        "approved",
        "machine",
        "draft",
        "stale",
        "untransl.",
        "flagged",
        "glossary",
    )
    table = [
        (
            r.language,
            r.slug,
            r.total,
            r.approved,
            r.machine,
            r.draft,
            r.stale,
            r.untranslated,
            r.flagged,
            r.glossary,
        )
        for r in rows
    ]
    widths = [max(len(str(v)) for v in col) for col in zip(headers, *table, strict=False)]
    for line in [headers, *table]:
        cells = [
            str(v).ljust(w) if i < 2 else str(v).rjust(w)
            for i, (v, w) in enumerate(zip(line, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to", "target", required=True, help="Target language code, e.g. es.")
@click.option("--from", "source", default="en", show_default=True, help="Source language code.")
@click.option(
    "--engine",
    type=EngineName(),
    help="Engine name; default: the language's configured order.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["html", "markdown"]), default="html", show_default=True
)
@project_option
def translate(
    file: Path, target: str, source: str, engine: str | None, fmt: str, project: Path
) -> None:
    """Translate one Markdown file to stdout (catalogs are not touched)."""
    from .glossary import Glossary, load_glossary
    from .translate import choose_engine
    from .translate_file import read_any, translate_markdown

    try:
        config = load_config(project)
    except PipelineError:
        if engine is None or (project / "pyproject.toml").exists():
            raise
        config = None  # an explicit engine needs no project
    if config is not None:
        language = config.language(target)
        options = config.engine_options
        glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})
        cache = config.cache_dir
    else:
        language, glossary, options, cache = None, Glossary([]), {}, None
    choice = choose_engine(source, language or target, engine, options)
    if choice.engine is None:
        raise PipelineError(f"no engine can translate {choice.hint(source, target)}")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PipelineError("is not UTF-8 text", path=file, fix="save it as UTF-8") from exc
    article = read_any(file, text)
    if config is not None:  # the site's choice of translated front matter
        article = replace(article, fields=config.front_matter)
    warn = lambda message: click.echo(f"warning: {message}", err=True)  # noqa: E731
    output = translate_markdown(article, choice.engine, source, target, fmt, glossary, cache, warn)
    click.echo(output, nl=False)


@main.command()
@project_option
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
@click.option("--article", help="Only this article (its slug).")
@click.option("--all", "list_all", is_flag=True, help="List machine and stale units too.")
def qa(project: Path, languages: tuple[str, ...], article: str | None, list_all: bool) -> None:
    """Run every quality check on the catalogs: counts per check, then the units.

    Exits 1 when an approved unit fails a check listed in [tool.pipeline.qa] blocking.
    """
    from .catalog import APPROVED
    from .quality import run_qa

    config = load_config(project)
    report = run_qa(config, languages, article)
    counts = report.counts()
    for code, checked in sorted(report.units.items()):
        failing: Counter = counts.get(code, Counter())
        summary = ", ".join(f"{name} {n}" for name, n in sorted(failing.items())) or "none"
        click.echo(f"{code}: {checked} units checked; failing: {summary}")
    for finding in report.findings:
        if list_all or finding.state == APPROVED:
            click.echo(
                f"{finding.where}: [{finding.state}] {', '.join(finding.checks)}: "
                f"{finding.msgstr[:80]}"
            )
    bad = report.blocking(config.qa_blocking)
    if bad:
        click.echo(
            f"{len(bad)} approved units fail a blocking check "
            f"({', '.join(sorted(config.qa_blocking))})",
            err=True,
        )
        sys.exit(1)


@main.group()
def glossary() -> None:
    """The client's terminology (glossary.yaml)."""


@glossary.command("check")
@project_option
def glossary_check(project: Path) -> None:
    """Validate glossary.yaml and report violations in every catalog.

    Exits 1 when an approved entry violates the glossary (a CI gate); machine
    and stale entries are reported as warnings.
    """
    from .glossary_check import blocking, check_catalogs

    config = load_config(project)
    terms, violations = check_catalogs(config)
    shown = config.glossary.relative_to(config.root)
    click.echo(f"{shown}: {len(terms)} entries, valid")
    for v in violations:
        click.echo(f"{v.where}: [{v.state}] {'; '.join(v.problems)}: {v.msgid[:70]}")
    bad = blocking(violations)
    click.echo(f"{len(violations)} entries violate the glossary, {len(bad)} of them approved")
    if bad:
        sys.exit(1)


@main.group()
def models() -> None:
    """Argos Translate models (the engine for pairs Apertium lacks, such as en->zh)."""


@models.command("list")
@project_option
def models_list(project: Path) -> None:
    """Installed models: pair, version, size, and the site languages they serve."""
    from .argos_models import list_models

    config = load_config(project)
    found = list_models(config)
    if not found:
        click.echo("no Argos Translate models installed (see: pipeline models install --help)")
    for m in found:
        covers = ", ".join(m.covers) or "no site language"
        size = f"{m.size / 1e6:.1f} MB"
        click.echo(f"{m.source}->{m.target}  v{m.version}  {size:>9}  serves: {covers}  {m.path}")
    from .engines import get_engine

    for name in ("apy", "libretranslate"):  # the pools of servers configured
        options = config.engine_options.get(name, {})
        if options.get("urls"):
            for url, served in get_engine(name, options).serving():  # type: ignore[attr-defined]
                click.echo(f"{name} {url}  serves: {', '.join(served) or 'nothing'}")


@main.command("apy-modes")
@project_option
def apy_modes(project: Path) -> None:
    """Write the modes APy servers load (the glossary's dictionaries inside), for each
    language translated with the apy engine; start APy on the folder it names."""
    from .engines.apy import SERVE_FOLDER, ApyEngine
    from .glossary import load_glossary

    config = load_config(project)
    glossary = load_glossary(config.glossary, {lang.code for lang in config.languages})
    options = config.engine_options.get("apy", {})
    source = config.source_language.code
    languages = [lang for lang in config.languages if "apy" in lang.engines]
    if not languages:
        raise click.UsageError("no language lists the apy engine in pyproject.toml")
    for language in languages:  # writing modes asks no server: any url will do
        engine = ApyEngine(**{**options, "urls": options.get("urls") or ["http://unused"]})
        written = engine.write_mode(glossary, source, language.code, config.cache_dir)
        click.echo(f"{language.code}: {written}")
    click.echo(f"start each server with: apertium-apy {config.cache_dir / SERVE_FOLDER}")


@models.command("install")
@click.argument("what", nargs=-1, required=True)
def models_install(what: tuple[str, ...]) -> None:
    """Install a model from a file (PATH.argosmodel) or from the index (FROM TO).

    \b
    pipeline models install translate-en_zh-1_9.argosmodel
    pipeline models install en zh        (needs internet access)
    """
    from .argos_models import install_file, install_from_index

    if len(what) == 1:
        source, target = install_file(Path(what[0]))
        click.echo(f"installed {source}->{target} from {what[0]}")
    elif len(what) == 2:
        version = install_from_index(*what)
        click.echo(f"installed {what[0]}->{what[1]} v{version} from the Argos index")
    else:
        raise click.UsageError("give one .argosmodel file, or two language codes")


@main.command()
@project_option
@click.option("--lang", "language", required=True, help="Language to review.")
@click.option("--article", help="Only this article (slug).")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["machine", "draft", "stale", "approved"]),
    help="Only units in this state (repeatable).",
)
@click.option("--flag", "flags", multiple=True, help="Only units with this flag (repeatable).")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report here.",
)
def review(
    project: Path,
    language: str,
    article: str | None,
    states: tuple[str, ...],
    flags: tuple[str, ...],
    html_path: Path | None,
) -> None:
    """Units that need a human, most visible first: titles and headings, flagged units,
    stale and draft translations, machine output."""
    from .fsutil import write_if_changed
    from .review import format_terminal, render_report, review_items

    config = load_config(project)
    items = review_items(config, language, article, states, flags)
    click.echo(format_terminal(items), nl=False)
    click.echo(f"{len(items)} units to review")
    if html_path is not None:
        html = render_report(config, language, items, html_path)
        write_if_changed(html_path, html.encode("utf-8"))
        click.echo(f"report: {html_path}")


@main.command()
@project_option
@click.option("--lang", "language", required=True, help="Language to approve.")
@click.option("--article", help="Article (slug) whose listed units to approve.")
@click.option(
    "--unit", "units", multiple=True, help="A unit id as `pipeline review` shows it (repeatable)."
)
@click.option(
    "--include-flagged", is_flag=True, help="Approve flagged units too (after reading them)."
)
@click.option("--dry-run", is_flag=True, help="Show what would be approved; change nothing.")
def approve(
    project: Path,
    language: str,
    article: str | None,
    units: tuple[str, ...],
    include_flagged: bool,
    dry_run: bool,
) -> None:
    """Approve the units `pipeline review` lists for an article, or the units named.

    Flagged units are left for a reader unless --include-flagged is given."""
    from .review import approve as run

    result = run(load_config(project), language, article, units, include_flagged, dry_run)
    for reason in result.skipped:
        click.echo(f"not approved: {reason}", err=True)
    if dry_run:
        for uid in result.approved:
            click.echo(f"would approve {uid}")
        click.echo(f"{len(result.approved)} units would be approved (dry run: nothing written)")
    else:
        click.echo(
            f"{len(result.approved)} units approved; run `pipeline publish` to update the pages"
        )


@main.group()
def xliff() -> None:
    """Exchange translations with CAT tools as XLIFF 2.0."""


@xliff.command("export")
@project_option
@click.option("--lang", "language", required=True)
@click.option("--article", help="Only this article (slug).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def xliff_export(project: Path, language: str, article: str | None, output: Path) -> None:
    """Write the language's units (with states and notes) to an XLIFF 2.0 file."""
    from .fsutil import write_if_changed
    from .xliff import export_xliff

    write_if_changed(output, export_xliff(load_config(project), language, article))
    click.echo(f"wrote {output}")


@xliff.command("import")
@project_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def xliff_import(project: Path, file: Path) -> None:
    """Bring translations back from an XLIFF 2.0 file (approved units are kept).

    Units that cannot be taken (codes that differ from the English, English that
    changed since the export) are listed with their line; the exit status is then 1,
    after the others are imported."""
    from .xliff import import_xliff

    report = import_xliff(load_config(project), file)
    for reason in report.refused:
        click.echo(f"refused: {reason}", err=True)
    click.echo(
        f"{report.approved} approved, {report.suggested} suggestions, {len(report.refused)} refused"
    )
    if report.refused:
        raise SystemExit(1)


# What commands built, left for the exit to drop at once (set by ``run``, which
# ends the process: a command called in-process, as tests do, keeps nothing).
_EXITING = False
_LEFT_TO_EXIT: list[object] = []


def run() -> None:
    """The ``pipeline`` command as installed (and ``python -m pipeline``): ``main``, then
    an exit that skips freeing every object one by one. That teardown took 0.12 s after
    a 1,000-article publish, on one core, after the work was done (mypy exits the same
    way). Exit handlers still run; output is flushed first."""
    global _EXITING
    _EXITING = True
    try:
        main()
    except SystemExit as exc:
        status = exc.code
    else:
        status = 0
    if status is not None and not isinstance(status, int):
        raise SystemExit(status)  # a message for Python to print
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # read by `head`, say: what it did not read is lost anyway
        pass
    os._exit(status or 0)
