"""Property: no approved human translation is ever lost.

Random sequences of English edits, sentence moves, deletions and additions,
hand approvals and publishes (pseudo engine, real catalogs). After every
publish each approved text is still in the catalog: as the current
translation, as a stale entry's suggestion, or as an obsolete entry. And a
unit whose English did not change keeps its approved translation unchanged.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from babel import Locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalog import APPROVED, read_catalog, state_of, write_catalog
from pipeline.config import load_config
from pipeline.publish import publish

WORDS = ["cartilage", "tendons", "patients", "doctors", "clinics", "joints", "bones", "nerves"]
ES = Locale.parse("es")

operation = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 30), st.sampled_from(["very", "often", "now"])),
    st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 30)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("add"), st.integers(0, 500)),
    st.tuples(st.just("approve"), st.integers(0, 30)),
    st.just(("publish",)),
)


def write_article(root: Path, sentences: list[str]) -> None:
    body = "\n\n".join(sentences) + "\n" if sentences else "\n"
    front = "---\ntitle: Care\nslug: care\n---\n\n"
    (root / "source" / "care.md").write_text(front + body, encoding="utf-8")


def all_translations(catalog) -> set[str]:
    return {m.string for m in [*catalog, *catalog.obsolete.values()] if m.id and m.string}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=14))
def test_approved_translations_are_never_lost(operations) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "source").mkdir()
        (root / "pyproject.toml").write_text(
            '[tool.pipeline]\n[tool.pipeline.languages.es]\nlocale = "es_ES"\n'
            'engines = ["pseudo"]\n',
            encoding="utf-8",
        )
        config = load_config(root)
        sentences = [f"The {w} need care number {i}." for i, w in enumerate(WORDS[:4])]
        write_article(root, sentences)
        publish(config)
        po = root / "translations" / "es" / "care.po"
        approved: dict[str, str] = {}  # English -> the human text approved for it
        counter = 0

        def check() -> None:
            catalog = read_catalog(po, ES)
            kept = all_translations(catalog)
            for english, human in approved.items():
                assert human in kept, (english, human)
                message = catalog.get(english)
                if english in sentences and message is not None:
                    assert state_of(message) == APPROVED and message.string == human

        for op in [*operations, ("publish",)]:
            kind = op[0]
            if kind == "edit" and sentences:
                i = op[1] % len(sentences)
                sentences[i] = sentences[i].replace(" need ", f" {op[2]} need ", 1)
            elif kind == "move" and sentences:
                sentences.insert(op[2] % len(sentences), sentences.pop(op[1] % len(sentences)))
            elif kind == "delete" and sentences:
                sentences.pop(op[1] % len(sentences))
            elif kind == "add":
                sentences.append(f"New {WORDS[op[1] % len(WORDS)]} sentence {op[1]}.")
            elif kind == "approve":
                catalog = read_catalog(po, ES)
                live = [m for m in catalog if m.id and m.string and m.id in sentences]
                if live:
                    message = live[op[1] % len(live)]
                    counter += 1
                    message.string = f"Texto humano {counter}."
                    message.flags.discard("fuzzy")
                    message.previous_id = []
                    write_catalog(po, catalog)
                    approved[message.id] = message.string
                continue
            if kind == "publish":
                write_article(root, sentences)
                publish(config)
                check()
            else:
                write_article(root, sentences)
