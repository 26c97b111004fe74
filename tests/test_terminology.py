"""The glossary inside Apertium's dictionaries: the sentence around a term agrees with it.

Everything here runs the real Debian Apertium pairs and lttoolbox compilers.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, cli, requires_apertium

from pipeline.agreement import analyse, problems
from pipeline.engines.apertium_dictionary import TOOLS, build_overlay
from pipeline.glossary import load_glossary

pytestmark = [
    requires_apertium,
    pytest.mark.skipif(
        any(shutil.which(tool) is None for tool in TOOLS),
        reason="lttoolbox-dev is not installed",
    ),
]

# Sentences written for this test, in which a glossary term decides the grammar around
# it, and what must come out: subject-verb number, determiners, participles and
# adjectives agreeing with the term's gender and number.
AGREEMENT = [
    ("Stem cells can repair damaged tissue.",
     "Las células madre pueden", "Les cèl·lules mare poden"),
    ("Growth factors were found in the plasma.",
     "Los factores de crecimiento estuvieron encontrados",
     "Els factors de creixement van ser trobats"),
    ("The stem cell was injected.",
     "La célula madre estuvo inyectada", "La cèl·lula mare va ser injectada"),
    ("Bone marrow is rich in stem cells.",
     "La médula ósea es rica", "La medul·la òssia és rica"),
    ("These stem cells are autologous.",
     "Estas células madre son autólogas", "Aquestes cèl·lules mare són autòlogues"),
    ("Mesenchymal stem cells have regenerative properties.",
     "Las células madre mesenquimales tienen propiedades regenerativas",
     "Les cèl·lules mare mesenquimals tenen propietats regeneratives"),
    ("The umbilical cord was cut.",
     "El cordón umbilical estuvo cortado", "El cordó umbilical va ser tallat"),
    ("Osteoarthritis is painful.", "La artrosis es dolorosa", "L'artrosi és dolorosa"),
    ("Chronic pain is common.", "El dolor crónico es común", "El dolor crònic és comú"),
    ("This stem cell therapy is new.",
     "Esta terapia con células madre es nueva", "Aquesta teràpia amb cèl·lules mare és nova"),
    ("Stem cell therapies are expensive.",
     "Las terapias con células madre son caras", "Les teràpies amb cèl·lules mare són cares"),
    ("The intervertebral discs were damaged.",
     "Los discos intervertebrales", "Els discs intervertebrals van ser danyats"),
    ("Each clinical trial was approved.",
     "Cada ensayo clínico estuvo aprobado", "Cada assaig clínic va ser aprovat"),
    ("Many growth factors are released.",
     "Muchos factores de crecimiento están liberados", "Molts factors de creixement són soltats"),
    ("Inflammation is reduced.", "La inflamación está reducida", "La inflamació és reduïda"),
    ("MSCs are multipotent.", "Las MSC son multipotentes", "Les MSC són multipotents"),
    ("Allogeneic stem cells come from a donor.",
     "Las células madre alogénicas provienen", "Les cèl·lules mare al·logèniques provenen"),
    ("The extracellular matrix was analysed.",
     "La matriz extracelular estuvo analizada", "La matriu extracel·lular va ser analitzada"),
    ("Opioids are addictive.", "Los opioides son", "Els opioides són addictius"),
    ("A new growth factor was discovered.",
     "Un factor de crecimiento nuevo estuvo descubierto",
     "Un factor de creixement nou va ser descobert"),
    ("Tendons and ligaments were repaired.",
     "Los tendones y los ligamentos estuvieron reparados",
     "Els tendons i els lligaments van ser reparats"),
    ("The adipose tissue is harvested.", "El tejido adiposo está", "El teixit adipós és"),
    ("Induced pluripotent stem cells were created.",
     "Las células madre pluripotentes inducidas estuvieron creadas",
     "Les cèl·lules mare pluripotents induïdes van ser creades"),
    ("NBScience offers a service.", "NBScience ofrece un servicio", "NBScience ofereix un servei"),
]  # fmt: skip


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project whose overlays are built once for the module."""
    root = tmp_path_factory.mktemp("terminology")
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(ROOT / "glossary.yaml", root / "glossary.yaml")
    return root


@pytest.fixture(scope="module")
def translated(workspace: Path) -> dict[str, list[str]]:
    text = workspace / "agreement.md"
    text.write_text("\n\n".join(s for s, _, _ in AGREEMENT) + "\n", encoding="utf-8")
    out = {}
    for lang in ("es", "ca"):
        result = cli(workspace, "translate", str(text), "--to", lang, "--engine", "apertium",
                     "--format", "markdown")  # fmt: skip
        assert result.exit_code == 0, result.output
        out[lang] = [line for line in result.output.splitlines() if line.strip()]
    return out


@pytest.mark.parametrize("index", range(len(AGREEMENT)), ids=lambda i: AGREEMENT[i][0][:40])
def test_the_term_decides_the_grammar_around_it(translated, index: int) -> None:
    english, spanish, catalan = AGREEMENT[index]
    assert spanish in translated["es"][index], (english, translated["es"][index])
    assert catalan in translated["ca"][index], (english, translated["ca"][index])


def test_placeholders_broke_that_grammar(workspace: Path) -> None:
    """The same sentences with terms hidden behind codes (the way before, and the way for
    engines without dictionaries): the agreement this module checks was not there."""
    from pipeline.engines import get_engine
    from pipeline.translate import run_engine

    glossary = load_glossary(workspace / "glossary.yaml", {"es", "ca", "zh"})
    sentences = [s for s, _, _ in AGREEMENT]
    protected = run_engine(get_engine("apertium"), sentences, "en", "es", glossary)
    kept = sum(
        spanish in out.text for (_, spanish, _), out in zip(AGREEMENT, protected, strict=True)
    )
    assert kept <= len(AGREEMENT) // 2, kept


def test_the_overlay_is_built_once_and_again_when_the_glossary_changes(workspace: Path) -> None:
    glossary = load_glossary(workspace / "glossary.yaml", {"es", "ca", "zh"})
    cache = workspace / ".pipeline-cache"
    first = build_overlay("eng-spa", "es", glossary, cache)
    stamp = (first.folder / "built.json").stat().st_mtime_ns
    again = build_overlay("eng-spa", "es", glossary, cache)
    assert again.folder == first.folder
    assert (again.folder / "built.json").stat().st_mtime_ns == stamp  # not rebuilt
    assert first.added["analyser"] > 50 and first.added["generator"] > 100
    edited = workspace / "edited.yaml"
    edited.write_text(
        (workspace / "glossary.yaml").read_text(encoding="utf-8")
        + "  - en: shoulder\n    translations: {es: hombro, ca: espatlla}\n",
        encoding="utf-8",
    )
    changed = build_overlay("eng-spa", "es", load_glossary(edited, {"es", "ca", "zh"}), cache)
    assert changed.folder != first.folder and not first.folder.exists()  # replaced, not kept


def test_a_missing_toolchain_falls_back_to_placeholders_and_says_so(
    workspace: Path, tmp_path: Path
) -> None:
    """A PATH with every program of this machine but the dictionary compilers."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in (Path("/usr/local/bin"), Path("/usr/bin"), Path("/bin")):
        for program in folder.iterdir() if folder.is_dir() else []:
            link = bin_dir / program.name
            if program.name not in ("lt-comp", "lt-append") and not link.exists():
                link.symlink_to(program)
    project = tmp_path / "project"
    shutil.copytree(workspace, project, ignore=shutil.ignore_patterns(".pipeline-cache"))
    text = project / "one.md"
    text.write_text("Stem cells can repair damaged tissue.\n", encoding="utf-8")
    command = [sys.executable, "-m", "pipeline", "translate", str(text), "--to", "es",
               "--engine", "apertium", "--project", str(project)]  # fmt: skip
    run = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "PATH": str(bin_dir)}
    )
    assert run.returncode == 0, run.stderr
    assert "glossary terms protected with placeholders" in run.stderr
    assert "apt-get install lttoolbox-dev" in run.stderr
    # The term still carries the required rendering, and the grammar is the placeholders'.
    assert "Células madre puede" in run.stdout


def test_a_gender_the_analyser_cannot_tell_is_asked_for_with_the_line(workspace: Path) -> None:
    glossary = workspace / "gender.yaml"
    glossary.write_text("terms:\n  - en: frobnitz\n    translations: {es: frobnitzo}\n")
    entries = load_glossary(glossary, {"es", "ca", "zh"})
    from pipeline.errors import PipelineError

    with pytest.raises(PipelineError) as error:
        build_overlay("eng-spa", "es", entries, workspace / ".gender-cache")
    assert error.value.line == 2 and "gender: {es: f}" in str(error.value)


def test_vocabulary_is_preferred_but_not_enforced(workspace: Path) -> None:
    glossary = load_glossary(workspace / "glossary.yaml", {"es", "ca", "zh"})
    joint = next(e for e in glossary.vocabulary if e.name == "joint")
    assert not joint.enforced and joint not in glossary.entries
    # A translator's "junta" is not a glossary violation: vocabulary is only a preference.
    assert glossary.violations("The joint hurts.", "La junta duele.", "es") == []
    text = workspace / "joint.md"
    text.write_text("The cell is in the joint. Joints hurt after an injury.\n")
    result = cli(workspace, "translate", str(text), "--to", "es", "--engine", "apertium")
    assert "La célula es en la articulación" in result.output
    assert "lesión" in result.output


def test_catalan_elision_is_kept_as_apertium_keeps_it(workspace: Path) -> None:
    sentence = "The startup uses the interface of the application."
    text = workspace / "elision.md"
    text.write_text(sentence + "\n")
    result = cli(workspace, "translate", str(text), "--to", "ca", "--engine", "apertium")
    raw = subprocess.run(["apertium", "-u", "eng-cat"], input=sentence, capture_output=True,
                         text=True).stdout.strip()  # fmt: skip
    assert "l'startup" in raw.lower()
    assert raw in result.output


def test_no_unknown_word_mark_survives(workspace: Path) -> None:
    text = workspace / "marks.md"
    text.write_text("The router runs at 2.4Ghz with a zorblax module.\n")
    for lang in ("es", "ca"):
        result = cli(workspace, "translate", str(text), "--to", lang, "--engine", "apertium")
        assert "2.4ghz" in result.output.lower() and "zorblax" in result.output
        assert not re.search(r"[*#@]\w", result.output), result.output


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Estos células madre vienen.", "determiner"),
        ("Las células madre autólogo vienen.", "adjective"),
        ("Células madre puede reparar tejido.", "verb"),
        ("La sangre de cordón umbilical sangre es rica.", "order"),
    ],
)
def test_the_agreement_check_finds_each_kind(workspace: Path, text: str, kind: str) -> None:
    glossary = load_glossary(workspace / "glossary.yaml", {"es", "ca", "zh"})
    overlay = build_overlay("eng-spa", "es", glossary, workspace / ".pipeline-cache")
    (tokens,) = analyse(overlay.target_analyser, [text])
    assert kind in {k for k, _ in problems(tokens, set(overlay.terms))}


def test_the_agreement_check_passes_what_agrees(workspace: Path, translated) -> None:
    glossary = load_glossary(workspace / "glossary.yaml", {"es", "ca", "zh"})
    for lang, pair in (("es", "eng-spa"), ("ca", "eng-cat")):
        overlay = build_overlay(pair, lang, glossary, workspace / ".pipeline-cache")
        for tokens in analyse(overlay.target_analyser, translated[lang]):
            assert problems(tokens, set(overlay.terms)) == [], tokens


def test_terms_keep_the_glossary_case(workspace: Path) -> None:
    text = workspace / "case.md"
    text.write_text("iPSCs have properties. MSCs are cells.\n")
    for lang in ("es", "ca"):
        result = cli(workspace, "translate", str(text), "--to", lang, "--engine", "apertium")
        assert "iPSC" in result.output and "MSC" in result.output, result.output
        assert "ipsc" not in result.output and "msc " not in result.output
