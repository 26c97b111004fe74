"""Security and no lost work: each attack or slip found by an attacker's and a careless
translator's review, reproduced, and what the pipeline does about it now.

Numbered as in the review: 1 script through the page chrome, 2 XLIFF ids that leave
their language, 3 an orphan worker holding the lock, 4 translators' work lost,
5 crashes on a translator's slip, 6 resource exhaustion, 7 clear errors.
"""

from __future__ import annotations

import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from babel import Locale
from conftest import (
    ROOT,
    SHARED,
    SLUG,
    cli,
    fails_cleanly,
    outputs,
    requires_browser,
    snapshot,
    source,
)
from htmlshape import live_markup

from pipeline.catalog import read_catalog, state_of, write_catalog
from pipeline.engines import ENGINES
from pipeline.engines.pseudo import PseudoEngine

ES_CHROME = Path("translations") / "es" / "_site.po"


def set_chrome(project: Path, strings: dict[str, str]) -> None:
    """A translator's approved strings in the Spanish page chrome."""
    path = project / ES_CHROME
    catalog = read_catalog(path, Locale.parse("es"))
    for msgid, msgstr in strings.items():
        catalog[msgid].string = msgstr
        catalog[msgid].flags = set()
    write_catalog(path, catalog)


def es_pages(project: Path) -> list[Path]:
    return sorted((project / "site" / "es").rglob("index.html"))


# --- 1. script through the page chrome ------------------------------------------------------

CHROME_ATTACKS = {
    "Skip to content": "Ir <img src=x onerror=\"window.__pwned='img'\">",
    "Language": 'Idioma" onmouseover="window.__pwned=\'attribute\'" x="',
    "Translate": "<script>window.__pwned='script'</script>Traducir",
    "Questions?": "Idioma\" autofocus onfocus=\"window.__pwned='focus'",
    "E-mail": '"><svg onload="window.__pwned=\'svg\'">',
}


def test_chrome_strings_are_text_in_every_context(published: Path) -> None:
    set_chrome(published, CHROME_ATTACKS)
    assert cli(published, "publish", "--quiet").exit_code == 0
    pages = es_pages(published)
    assert len(pages) == 6  # five articles and the index
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert live_markup(html) == [], path
        # The translator's text is shown as text, escaped, in elements and attributes.
        assert "Ir &lt;img src=x onerror=&#34;window.__pwned=&#39;img&#39;&#34;&gt;" in html
        assert 'aria-label="Idioma&#34; onmouseover=' in html


@requires_browser
def test_no_chrome_script_runs_in_chromium(published: Path, page) -> None:
    set_chrome(published, CHROME_ATTACKS)
    assert cli(published, "publish", "--quiet").exit_code == 0
    for path in es_pages(published):
        page.goto(path.as_uri())
        page.hover("nav.translate-widget")
        page.keyboard.press("Tab")
        page.click("summary")
        assert page.evaluate("window.__pwned") is None, path
        assert "Ir <img src=x" in page.inner_text("a.skip")  # shown as the translator wrote it


def test_translate_html_is_sanitised_as_pages_are(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.md"
    hostile.write_text(
        'Hello <img src=x onerror="alert(1)"> and <script>alert(2)</script>.\n\n'
        '<div onmouseover="alert(3)">Text</div>\n\n[link](javascript:alert(4))\n',
        encoding="utf-8",
    )
    result = cli(tmp_path, "translate", str(hostile), "--to", "es", "--engine", "pseudo")
    assert result.exit_code == 0, result.output
    assert live_markup(result.output) == []
    assert '<img src="x">' in result.output  # harmless markup stays


# --- 5. a translator's slip in a chrome string (no crash, English shown, flagged) ----------


def test_a_percent_or_a_renamed_placeholder_is_reported_not_a_crash(published: Path) -> None:
    set_chrome(
        published,
        {"Skip to content": "Ir al 100% contenido", "Published %(date)s": "Publicado el %(fecha)s"},
    )
    (published / "source" / f"{SLUG}.md").write_text(
        source(published).read_text().replace("slug:", "date: 2026-11-02\nslug:", 1)
    )
    result = cli(published, "publish", "--quiet")
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, result.output
    text = (published / ES_CHROME).read_text(encoding="utf-8").splitlines()
    for msgid in ("Published %(date)s", "Skip to content"):
        error = next(e for e in errors if f"'{msgid}'" in e)
        line = int(re.search(r"_site\.po:(\d+):", error).group(1))
        assert text[line - 1] == f'msgid "{msgid}"', error  # the line is the entry's msgid
        assert "Fix:" in error
    page = (published / "site" / "es" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "Skip to content" in page and "Published" in page  # the English, not a crash
    assert "100% contenido" not in page and "fecha" not in page
    catalog = read_catalog(published / ES_CHROME, Locale.parse("es"))
    assert "format" in catalog["Skip to content"].flags
    assert catalog["Skip to content"].string == "Ir al 100% contenido"  # kept for the translator
    assert "format" not in catalog["Questions?"].flags


# --- 2. XLIFF ids that leave their language or the project ----------------------------------


def exported(project: Path) -> str:
    out = project / "es.xlf"
    assert cli(project, "xliff", "export", "--lang", "es", "-o", str(out)).exit_code == 0
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "forged",
    ["../ca/{slug}", "../../../victim/victim", "_site", "no-such-article", "{slug}/../{slug}"],
)
def test_xliff_unit_ids_resolve_only_to_the_files_own_language(
    published: Path, forged: str
) -> None:
    victim = published.parent / "victim" / "victim.po"
    victim.parent.mkdir(exist_ok=True)
    shutil.copy(published / "translations" / "zh" / f"{SLUG}.po", victim)
    xlf = exported(published)
    first = re.search(r'<unit id="([^".]+)\.([0-9a-f]{12})"', xlf)
    forged_id = forged.format(slug=first.group(1)) + "." + first.group(2)
    xlf = xlf.replace(first.group(0), f'<unit id="{forged_id}"', 1)
    xlf = xlf.replace('state="translated"', 'state="final"')
    (published / "edited.xlf").write_text(xlf, encoding="utf-8")
    before = outputs(published) | {"victim": victim.read_bytes()}
    result = cli(published, "xliff", "import", str(published / "edited.xlf"))
    assert result.exit_code == 1, result.output
    line = xlf[: xlf.index(f'<unit id="{forged_id}"')].count("\n") + 1
    assert f"edited.xlf:{line}: unit id '{forged_id}'" in result.output
    assert "nothing was imported" in result.output and "Traceback" not in result.output
    assert outputs(published) | {"victim": victim.read_bytes()} == before


# --- 3. a killed publish never keeps the lock -------------------------------------------------

ORPHAN = """
import sys, time
from pathlib import Path
from pipeline.lock import project_lock
from pipeline.parallel import fork_map

def work(n):
    time.sleep(0.3)
    return "x" * 200_000  # more than a pipe holds: a worker blocks writing it

with project_lock(Path(sys.argv[1])):
    print("held", flush=True)
    fork_map(work, list(range(64)), min_share=16, jobs=2)
"""


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


def test_workers_die_with_their_parent_and_never_hold_the_lock(tmp_path: Path) -> None:
    from pipeline.lock import project_lock

    script = tmp_path / "orphan_maker.py"
    script.write_text(ORPHAN)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout.readline().strip() == "held"
    time.sleep(0.8)  # the workers are running, or blocked sending their results
    proc.send_signal(signal.SIGKILL)  # the parent alone, as a CI timeout or the OOM killer
    proc.wait()
    with project_lock(tmp_path):  # at once: no orphan keeps it
        pass
    deadline = time.monotonic() + 5
    while processes_mentioning(str(script)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_mentioning(str(script)) == []


def test_a_publish_killed_alone_leaves_no_lock_behind(project: Path) -> None:
    """64 articles: enough for publish to fork workers; the main process is killed alone."""
    (project / "glossary.yaml").unlink()
    (project / "pyproject.toml").write_text(
        '[tool.pipeline]\nsite_name = "T"\n[tool.pipeline.languages.es]\n'
        'locale = "es_ES"\nengines = ["pseudo"]\n'
    )
    text = source(project).read_text(encoding="utf-8")
    for n in range(64):
        (project / "source" / f"copy-{n}.md").write_text(
            text.replace(f"slug: {SLUG}", f"slug: copy-{n}") + f"\nArticle {n}.\n"
        )
    command = [sys.executable, "-m", "pipeline", "publish", "-q", "-j", "2"]
    command += ["--project", str(project)]
    killed = 0
    for attempt in range(5):
        for path in sorted((project / "source").glob("copy-*.md")):  # work for every worker
            path.write_text(path.read_text() + f"Edit {attempt}.\n")
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while proc.poll() is None and not children_of(proc.pid):
            time.sleep(0.005)
        if proc.poll() is None:  # killed while its workers run
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        run = subprocess.run(command, capture_output=True, text=True)  # at once
        assert run.returncode == 0, run.stderr
    assert killed >= 3
    assert processes_mentioning(str(project)) == []


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


# --- 4. translators' work never lost -------------------------------------------------------


def test_a_duplicate_msgid_is_an_error_and_both_translations_survive(published: Path) -> None:
    po = published / "translations" / "es" / f"{SLUG}.po"
    text = po.read_text(encoding="utf-8")
    entry = re.search(r'\n\n(#[^\n]*\n)*msgid "[^"]+"\nmsgstr (?:"[^\n]*"\n)+', text).group()
    human = re.sub(r'msgstr (?:"[^\n]*"\n)+', 'msgstr "Traducción humana."\n', entry)
    human = re.sub(r"#, fuzzy\n|# pipeline-flags: .*\n", "", human)
    po.write_text(text + human.rstrip("\n") + "\n", encoding="utf-8")
    msgid = re.search(r'msgid "[^"]+"', entry).group()
    lines = po.read_text(encoding="utf-8").splitlines()
    first, duplicate = [n for n, line in enumerate(lines, start=1) if line == msgid]
    before = outputs(published)
    message = fails_cleanly(published, before, "PO syntax error", "duplicate")
    assert f"{SLUG}.po:{duplicate}:" in message and f"entry on line {first}" in message
    assert "Traducción humana." in po.read_text(encoding="utf-8")


PO_HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
)
MALFORMED = {
    "duplicate": 'msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n',
    "obsolete duplicate": '#~ msgid "a"\n#~ msgstr "b"\n\nmsgid "a"\nmsgstr "c"\n',
    "second msgstr": 'msgid "a"\nmsgstr "b"\nmsgstr "c"\n',
    "msgstr without msgid": 'msgstr "b"\n',
    "msgid without msgstr": 'msgid "a"\n',
    "unknown escape": 'msgid "a"\nmsgstr "b\\q"\n',
    "unclosed string": 'msgid "a"\nmsgstr "b\n',
    "plural without msgstr[N]": 'msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n',
    "msgstr[N] without plural": 'msgid "a"\nmsgstr[0] "b"\n',
    "comment inside an entry": 'msgid "a"\n#, fuzzy\nmsgstr "b"\n',
    "stray word": 'msgid "a"\nmsgstr "b" x\n',
}
WELL_FORMED = {
    "continuations": 'msgid "a"\n"x"\nmsgstr "b"\n"y"\n',
    "contexts": 'msgctxt "c"\nmsgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "b"\n',
    "escapes": 'msgid "a\\n"\nmsgstr "tab\\there \\"q\\" \\\\ end\\n"\n',
    "plural": 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "bs"\n',
    "obsolete with previous": '#~| msgid "old"\n#~ msgid "a"\n#~ msgstr "b"\n',
}


@pytest.mark.parametrize("case", sorted(MALFORMED.items()), ids=lambda c: c[0])
def test_catalogs_are_read_as_strictly_as_msgfmt(tmp_path: Path, case) -> None:
    from pipeline.catalog import parse_catalog
    from pipeline.errors import PipelineError

    path = tmp_path / "bad.po"
    path.write_text(PO_HEADER + case[1], encoding="utf-8")
    with pytest.raises(PipelineError, match=r"PO syntax error") as error:
        parse_catalog(path.read_bytes(), path, Locale.parse("es"))
    assert error.value.line and error.value.line >= 5
    if shutil.which("msgfmt"):  # GNU gettext agrees that the file is broken
        run = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True)
        assert run.returncode != 0


@pytest.mark.parametrize("case", sorted(WELL_FORMED.items()), ids=lambda c: c[0])
def test_what_msgfmt_accepts_is_read(tmp_path: Path, case) -> None:
    from pipeline.catalog import parse_catalog

    path = tmp_path / "good.po"
    path.write_text(PO_HEADER + case[1], encoding="utf-8")
    assert parse_catalog(path.read_bytes(), path, Locale.parse("es")) is not None
    if shutil.which("msgfmt"):
        run = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True)
        assert run.returncode == 0, run.stderr


def test_a_catalog_still_as_the_pipeline_wrote_it_skips_only_the_syntax_check(
    published: Path,
) -> None:
    """``ours`` (the sha of what the last publish wrote) spares the strict check, not
    the reading: the catalog read is the same, header fields included; other bytes
    are checked as strictly as ever."""
    from pipeline.catalog import entries, load_catalog
    from pipeline.errors import PipelineError

    path = published / "translations" / "es" / f"{SLUG}.po"
    es = Locale.parse("es")
    strict, digest = load_catalog(path, es)
    trusted, _ = load_catalog(path, es, ours=digest)

    def seen(catalog):
        return [(m.id, m.string, sorted(m.flags), m.user_comments) for m in entries(catalog)]

    assert seen(trusted) == seen(strict) and len(seen(strict)) > 20
    assert trusted.header_fields == strict.header_fields
    assert dict(strict.header_fields)["Language"] == "es_ES"
    path.write_bytes(path.read_bytes() + b'\nmsgid "late"\nmsgstr "x" y\n')
    with pytest.raises(PipelineError, match="PO syntax error"):
        load_catalog(path, es, ours=digest)


class TranslatorSavesMidRun(PseudoEngine):
    """A fake engine (this test only): while it "translates", a translator saves the catalog."""

    name = "saver"
    catalog: Path

    def translate_batch(self, texts, source, target):
        catalog = read_catalog(self.catalog, Locale.parse("es"))
        message = next(m for m in catalog if m.id and "Stem cell therapy involves" in m.id)
        message.string, message.flags = "Guardado por la traductora.", set()
        write_catalog(self.catalog, catalog)
        return super().translate_batch(texts, source, target)


def test_a_catalog_saved_during_a_publish_is_never_overwritten(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = published / "translations" / "es" / f"{SLUG}.po"
    monkeypatch.setattr(TranslatorSavesMidRun, "catalog", po, raising=False)
    monkeypatch.setitem(ENGINES, "saver", TranslatorSavesMidRun)
    source(published).write_text(source(published).read_text() + "\nA new sentence.\n")
    result = cli(published, "publish", "--quiet", "--lang", "es", "--engine", "saver")
    assert result.exit_code == 1
    assert f"{SLUG}.po: was changed by someone else" in result.output
    assert "Guardado por la traductora." in po.read_text(encoding="utf-8")  # their save won
    assert "A new sentence." not in po.read_text(encoding="utf-8")
    assert cli(published, "publish", "--quiet").exit_code == 0  # the rerun merges both
    catalog = read_catalog(po, Locale.parse("es"))
    saved = next(m for m in catalog if m.id and "Stem cell therapy involves" in m.id)
    assert saved.string == "Guardado por la traductora." and state_of(saved) == "approved"
    assert "A new sentence." in catalog


def memory_of(project: Path, slug: str) -> list[tuple[str, str, str]]:
    """What the article's Spanish catalog taught the translation memory (the cache)."""
    db = sqlite3.connect(project / ".pipeline-cache" / "state.sqlite")
    try:
        query = "SELECT msgid, msgstr, flags FROM memory WHERE lang = 'es' AND slug = ?"
        return sorted(db.execute(query, (slug,)))
    finally:
        db.close()


def test_a_catalog_saved_while_the_pages_are_written_is_never_overwritten(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers stage the catalogs beside the pages; the publish renames them in last,
    each only if nobody saved it since it was merged. Here the translator saves just
    as the pages land, after the new catalog was staged."""
    import pipeline.publish

    po = published / "translations" / "es" / f"{SLUG}.po"
    pages_landing = pipeline.publish.commit

    def translator_saves_then_pages_land(staged) -> None:
        if staged and "Guardado" not in po.read_text(encoding="utf-8"):
            catalog = read_catalog(po, Locale.parse("es"))
            message = next(m for m in catalog if m.id and "Stem cell therapy involves" in m.id)
            message.string, message.flags = "Guardado por la traductora.", set()
            write_catalog(po, catalog)
        pages_landing(staged)

    monkeypatch.setattr(pipeline.publish, "commit", translator_saves_then_pages_land)
    source(published).write_text(source(published).read_text() + "\nA new sentence.\n")
    learnt = memory_of(published, SLUG)
    result = cli(published, "publish", "--quiet", "--lang", "es")
    assert result.exit_code == 1
    assert f"{SLUG}.po: was changed by someone else" in result.output
    assert "Guardado por la traductora." in po.read_text(encoding="utf-8")  # their save won
    assert "A new sentence." not in po.read_text(encoding="utf-8")
    assert not list(po.parent.glob(".*.tmp"))  # the staged catalog was dropped
    # The dropped catalog teaches the translation memory nothing: its rows are as before.
    assert memory_of(published, SLUG) == learnt
    monkeypatch.undo()
    assert cli(published, "publish", "--quiet").exit_code == 0  # the rerun merges both
    catalog = read_catalog(po, Locale.parse("es"))
    assert "A new sentence." in catalog
    saved = next(m for m in catalog if m.id and "Stem cell therapy involves" in m.id)
    assert saved.string == "Guardado por la traductora." and state_of(saved) == "approved"


# --- 6. resource exhaustion -----------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def publish_in_subprocess(project: Path, timeout: int = 60) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipeline", "publish", "-q", "--project", str(project)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def test_yaml_alias_bomb_in_the_glossary(published: Path) -> None:
    (published / "glossary.yaml").write_text(billion_laughs() + "terms: []\n")
    before = outputs(published)
    run = publish_in_subprocess(published)  # a hang would time out
    assert run.returncode == 1 and "glossary.yaml:1: YAML anchors and aliases" in run.stderr
    assert outputs(published) == before


def test_yaml_alias_bomb_in_front_matter(published: Path) -> None:
    text = source(published).read_text()
    source(published).write_text(text.replace("---\n", "---\n" + billion_laughs(), 1))
    before = outputs(published)
    run = publish_in_subprocess(published)
    assert run.returncode == 1 and f"{SLUG}.md:2: YAML anchors and aliases" in run.stderr
    assert outputs(published) == before


def test_an_article_over_the_size_limit_is_refused_before_parsing(published: Path) -> None:
    rows = "\n".join(f"| cell {i} | value {i} |" for i in range(100_000))
    source(published).write_text(source(published).read_text() + "\n| a | b |\n| - | - |\n" + rows)
    fails_cleanly(published, outputs(published), "MiB; an article may be at most 2 MiB", "split")


def test_an_article_over_the_unit_limit_is_refused(published: Path) -> None:
    rows = "\n".join(f"| c{i} | v{i} |" for i in range(11_000))
    source(published).write_text(source(published).read_text() + "\n| a | b |\n| - | - |\n" + rows)
    fails_cleanly(published, outputs(published), "translation units; an article may have 20,000")


def test_nesting_past_the_parsers_limit_is_an_error_not_lost_text(published: Path) -> None:
    text = source(published).read_text()
    line = len(text.splitlines()) + 2
    source(published).write_text(text + "\n" + "> " * 25 + "Deep text.\n")
    fails_cleanly(published, outputs(published), f"{SLUG}.md:{line}:", "nested more than 19")


def test_many_terms_are_found_exactly_as_one_alternation_finds_them() -> None:
    """The term index against the regular expression it replaces, on real text."""
    from pipeline.term_index import Term, TermIndex, alternation

    rng = random.Random(5)
    texts = (SHARED / "eval" / "tico19-test" / "eng-spa.eng").read_text().splitlines()[:500]
    texts += (SHARED / "eval" / "flores200-devtest" / "eng_Latn.txt").read_text().splitlines()[:300]
    words = sorted({w for t in texts[:400] for w in re.findall(r"\w+", t)})
    # (the alternation is the slow side: a thousand terms on 800 sentences keeps this short)
    phrases = {" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(1000)}
    phrases |= {"stem cell", "stem cells", "Stem", "COVID-19", "e.g", "MSC", "MSCs"}
    terms = [Term(p, p, case_sensitive=rng.random() < 0.2) for p in phrases]
    terms.sort(key=lambda t: -len(t.text))
    index, regex = TermIndex(terms), alternation(terms)
    found = 0
    for text in texts:
        expected = [(m.start(), m.end(), terms[int(m.lastgroup[1:])]) for m in regex.finditer(text)]
        assert list(index.finditer(text)) == expected, text
        found += len(expected)
    assert found > 300
    # Searched for some of its terms, the index finds what their own alternation finds.
    for size in (1, 30, 300):
        some = set(rng.sample(sorted(phrases), size)) | {"stem cell"}
        own = [t for t in terms if t.value in some]
        regex = alternation(own)
        for text in texts[:200]:
            matches = regex.finditer(text)
            expected = [(m.start(), m.end(), own[int(m.lastgroup[1:])]) for m in matches]
            assert list(index.finditer(text, only=some)) == expected, text
    with pytest.raises(ValueError):  # an index of terms starting with punctuation
        list(TermIndex([Term("(c)", 1)]).finditer("a (c) b", only={1}))


def test_a_few_terms_are_found_exactly_as_one_alternation_finds_them() -> None:
    """An index of few first words searches the lower-cased text for each (term_index's
    FEW_KEYS); what it finds is still what the alternation finds, at the edges too."""
    from pipeline.term_index import FEW_KEYS, Term, TermIndex, alternation, term_pattern

    texts = (SHARED / "eval" / "tico19-test" / "eng-spa.spa").read_text().splitlines()[:400]
    texts += [
        "Células madre: células_madre, 3células madre, CÉLULAS MADRE.",
        "İstanbul células madre, İİ células madre",
        "célulasΣ madre and ΣΑΣ células madre",
        "ΟΔΟΣ'Α ΟΔΟΣ οδος: a capital sigma lower-cased in its sentence is not final",  # noqa: RUF001 (Greek)
        "células madre",  # the whole text
        "las células\tmadre y las células\n madre; célulasmadre",
    ]
    phrases = ["células madre", "célula madre", "terapia", "de la", "el virus", "los casos"]
    phrases += ["Salud", "COVID-19", "madre", "la enfermedad", "que", "una vacuna", "οδος"]
    terms = [Term(p, p, case_sensitive=p == "Salud") for p in phrases]
    terms.sort(key=lambda t: -len(t.text))
    index, regex = TermIndex(terms), alternation(terms)
    assert len({t.text.split()[0].lower() for t in terms}) <= FEW_KEYS
    flags = {t.text: 0 if t.case_sensitive else re.IGNORECASE for t in terms}
    found = 0
    for text in texts:
        expected = [(m.start(), m.end(), terms[int(m.lastgroup[1:])]) for m in regex.finditer(text)]
        assert list(index.finditer(text)) == expected, text
        anywhere = [
            t
            for t in terms
            if re.search(rf"(?<!\w){term_pattern(t.text)}(?!\w)", text, flags[t.text])
        ]
        assert index.present(text) == anywhere, text
        found += len(expected)
    assert found > 300
    own = [t for t in terms if t.value in {"células madre", "madre"}]
    regex = alternation(own)
    for text in texts:
        expected = [(m.start(), m.end(), own[int(m.lastgroup[1:])]) for m in regex.finditer(text)]
        assert list(index.finditer(text, only={"células madre", "madre"})) == expected, text


def full_scan(text: str, candidates: list):
    """The similarity search as it was: every candidate, the latest best wins."""
    import difflib

    from pipeline.memory import SIMILARITY

    best, best_ratio = None, SIMILARITY
    for message in candidates:
        matcher = difflib.SequenceMatcher(None, message.id, text, autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        if (ratio := matcher.ratio()) >= best_ratio:
            best, best_ratio = message, ratio
    return best, best_ratio


def edited(line: str, rng: random.Random) -> str:
    words = line.split()
    for _ in range(rng.randint(0, 5)):
        words[rng.randrange(len(words))] = rng.choice(["cell", "pain", "a", "the", "virus"])
    return " ".join(words)


def test_similar_sentences_in_a_small_set_are_found_as_a_full_scan_finds_them() -> None:
    from babel.messages.catalog import Message

    from pipeline.memory import Similar

    rng = random.Random(11)
    lines = (SHARED / "eval" / "flores200-devtest" / "eng_Latn.txt").read_text().splitlines()
    for start in range(0, 600, 60):  # sets as small as an article's lost sentences
        candidates = [Message(line, "x") for line in lines[start : start + 40]]
        candidates += [Message(m.id[: rng.randint(5, len(m.id))], "y") for m in candidates[:20]]
        index = Similar(candidates)
        for line in lines[start : start + 30] + lines[900:910]:
            text = edited(line, rng)
            assert index.closest(text) is full_scan(text, candidates)[0], text


def test_similar_sentences_in_a_large_memory_are_found_by_the_word_index() -> None:
    """Against 1,000 real sentences the index compares 16, not all: it agrees with the
    full scan, and never misses a near-duplicate."""
    import difflib

    from babel.messages.catalog import Message

    from pipeline.memory import Similar

    rng = random.Random(12)
    lines = (SHARED / "eval" / "tico19-test" / "eng-spa.eng").read_text().splitlines()
    lines += (SHARED / "eval" / "flores200-devtest" / "eng_Latn.txt").read_text().splitlines()
    candidates = [Message(line, "x") for line in lines[:1000]]
    index = Similar(candidates)
    texts = [edited(line, rng) for line in rng.sample(lines[:1000], 40)]
    texts += rng.sample(lines[1000:], 10)  # most have no similar sentence at all
    agree = 0
    for text in texts:
        expected, ratio = full_scan(text, candidates)
        found = index.closest(text)
        agree += found is expected
        if ratio >= 0.8:
            assert found is not None, text
            found_ratio = difflib.SequenceMatcher(None, found.id, text, autojunk=False).ratio()
            assert found_ratio >= ratio - 0.02, text
    assert agree >= 0.95 * len(texts)


def test_sanitising_long_latin1_runs_gives_nh3s_own_output() -> None:
    import json

    import nh3

    from pipeline.markdown import markdown
    from pipeline.render import _clean, sanitize

    examples = json.loads((SHARED / "eval" / "commonmark" / "spec-examples.json").read_text())
    samples = [markdown().render(e["markdown"]) for e in examples]
    samples += [
        "<p>cèl·lules · ¿Qué? «sí» 1ª\u00a0nbsp " * 50 + "</p>",
        '<a title="a·b¿" href="https://x/·">·</a><img alt="«»" src="·">',
    ]
    for html in samples:
        assert str(sanitize(html)) == _clean(html), html
    assert isinstance(nh3.clean("<p>·</p>"), str)


# --- 7. clear errors instead of tracebacks and silent loss ----------------------------------


def test_a_folder_named_like_an_article(published: Path) -> None:
    (published / "source" / "notes.md").mkdir()
    fails_cleanly(published, outputs(published), "source/notes.md: is not a file", "rename")


def test_a_dangling_link_in_source(published: Path) -> None:
    (published / "source" / "gone.md").symlink_to(published / "nowhere.md")
    fails_cleanly(published, outputs(published), "source/gone.md: is a link to", "does not exist")


def test_a_link_to_a_file_outside_the_project(published: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text(source(published).read_text().replace(SLUG, "secret"))
    (published / "source" / "secret.md").symlink_to(outside)
    fails_cleanly(published, outputs(published), "outside the project", "copy the article")
    assert not (published / "site" / "en" / "secret").exists()


def test_a_link_inside_the_project_is_followed(published: Path) -> None:
    drafts = published / "drafts"
    drafts.mkdir()
    (drafts / "linked.md").write_text(source(published).read_text().replace(SLUG, "linked"))
    (published / "source" / "linked.md").symlink_to(drafts / "linked.md")
    assert cli(published, "publish", "--quiet").exit_code == 0
    assert (published / "site" / "es" / "linked" / "index.html").exists()


def test_a_byte_order_mark_is_not_part_of_the_article(published: Path) -> None:
    source(published).write_bytes(b"\xef\xbb\xbf" + source(published).read_bytes())
    assert cli(published, "publish", "--quiet").exit_code == 0


@pytest.mark.parametrize("rendering", ["[]", '""', '" "', '[célula, ""]'])
def test_an_empty_glossary_rendering(published: Path, rendering: str) -> None:
    (published / "glossary.yaml").write_text(
        f"terms:\n  - en: stem cell\n    translations:\n      es: {rendering}\n"
    )
    before = outputs(published)
    fails_cleanly(published, before, "glossary.yaml:4: terms.0.translations.es")
    fails_cleanly(published, before, "glossary.yaml:4:", command=("glossary", "check"))


def test_a_full_disk_while_the_cache_is_saved(published: Path) -> None:
    """Writes past RLIMIT_FSIZE fail as on a full disk: catalogs and pages fit, the cache not."""
    source(published).write_text(source(published).read_text() + "\nOne more sentence.\n")
    shutil.rmtree(published / ".pipeline-cache")

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (120_000, 120_000))

    command = [sys.executable, "-m", "pipeline", "publish", "-q", "--project", str(published)]
    run = subprocess.run(command, capture_output=True, text=True, preexec_fn=small_disk)
    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith("error: .pipeline-cache/state.sqlite: cannot save the publish")
    assert "Traceback" not in run.stderr and "free some disk space" in run.stderr
    assert cli(published, "publish", "--quiet").exit_code == 0


@pytest.mark.parametrize("folder", ["/", "../elsewhere", ".", "source", "translations", "source/x"])
def test_an_output_folder_that_is_not_its_own(published: Path, folder: str) -> None:
    pyproject = published / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace("[tool.pipeline]\n", f'[tool.pipeline]\noutput_dir = "{folder}"\n')
    )
    fails_cleanly(published, outputs(published), "pyproject.toml", "output")


@pytest.mark.parametrize("folder", ["/", "..", ".", "source", "translations/es"])
def test_an_output_option_that_is_not_its_own(published: Path, folder: str) -> None:
    before = outputs(published)
    target = str(published / folder) if folder != "/" else folder
    fails_cleanly(published, before, "overlaps", command=("publish", "--output", target))


def immutable(folder: Path) -> bool:
    """Make ``folder`` unwritable even for root (chattr +i); False where that is not possible."""
    if shutil.which("chattr") is None:
        return False
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        return False
    try:
        (folder / "probe").touch()
    except OSError:
        return True
    (folder / "probe").unlink()
    subprocess.run(["chattr", "-i", str(folder)], check=True)
    return False


@pytest.mark.parametrize("where", ["site", "site/es", f"site/es/{SLUG}"])
def test_an_unwritable_site_folder_leaves_every_catalog_as_it_was(
    published: Path, where: str
) -> None:
    folder = published / where
    source(published).write_text(source(published).read_text() + "\nOne more sentence.\n")
    before = snapshot(published / "translations")
    if not immutable(folder):
        pytest.skip("cannot make a folder unwritable here (chattr +i)")
    try:
        result = cli(published, "publish", "--quiet", "-j", "1")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert result.exit_code == 1 and "cannot write" in result.output, result.output
    assert snapshot(published / "translations") == before


def test_markup_errors_name_the_line(published: Path) -> None:
    po = published / "translations" / "es" / f"{SLUG}.po"
    text = source(published).read_text()
    source(published).write_text(text.replace("Stem cell therapy involves", "**Stem** cell", 1))
    assert cli(published, "publish", "--quiet").exit_code == 0
    catalog = read_catalog(po, Locale.parse("es"))
    message = next(m for m in catalog if m.id and "<g1>" in m.id)
    message.string, message.flags = "Sin marcas.", set()
    write_catalog(po, catalog)
    result = cli(published, "publish", "--quiet")
    line = int(re.search(rf"{SLUG}\.po:(\d+): the translation's markup", result.output).group(1))
    lines = po.read_text(encoding="utf-8").splitlines()
    assert lines[line - 1].startswith("msgid ")  # the entry's msgid (wrapped: msgid "")
    assert " ".join(lines[line - 1 : line + 1]).replace('" "', "").count('"<g1>Stem') == 1


def test_yaml_errors_name_the_file_and_line_in_both_files(published: Path) -> None:
    text = source(published).read_text()
    source(published).write_text(text.replace("slug:", "bad: [unclosed\nslug:", 1))
    fails_cleanly(published, outputs(published), f"{SLUG}.md:", "invalid YAML in front matter")
    source(published).write_text(text)
    (published / "glossary.yaml").write_text(textwrap.dedent("terms:\n  - en: [x\n"))
    fails_cleanly(published, outputs(published), "glossary.yaml:2:", "invalid YAML")
