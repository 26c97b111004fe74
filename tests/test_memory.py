"""The translation memory's decisions, directly: no files, no publish (memory.py is pure).

Which translation a unit starts from when its catalog is merged, what a catalog
teaches, and when articles waiting for translations are merged again. A memory
here is two plain functions over a list, as the manifest's SQLite store gives them.
"""

from __future__ import annotations

from babel import Locale
from babel.messages.catalog import Catalog, Message

from pipeline.catalog import APPROVED, MACHINE, STALE, UNTRANSLATED, state_of
from pipeline.manifest import ArticleRecord, memory_key
from pipeline.memory import Memory, contribution, merge, reopened
from pipeline.segment import Unit

SOURCE = "source/a.md"


def memory(known: list[tuple[str, str, list[str]]]) -> Memory:
    """A language's memory holding ``known`` (msgid, msgstr, flags)."""

    def lookup(ids: list[str]) -> dict[str, list[tuple[str, list[str]]]]:
        found: dict[str, list[tuple[str, list[str]]]] = {}
        for msgid, msgstr, flags in known:
            if msgid in ids:
                found.setdefault(msgid, []).append((msgstr, flags))
        return found

    return Memory(lookup, lambda: [k for k in known if "fuzzy" not in k[2]])


def catalog(*messages: Message) -> Catalog:
    result = Catalog(locale=Locale.parse("es_ES"))
    for message in messages:
        result[message.id] = message
    return result


def merged(units: list[str], old: Catalog | None, known=(), refresh=False):
    fresh = Catalog(locale=Locale.parse("es_ES"))
    lines = [Unit(text, line) for line, text in enumerate(units, 1)]
    return merge(old, lines, SOURCE, memory(list(known)), fresh, refresh=refresh)


def test_the_catalogs_own_entry_wins_over_the_memory() -> None:
    old = catalog(Message("Stem cells.", "Células madre (revisado).", flags=set()))
    result, pending = merged(["Stem cells."], old, [("Stem cells.", "Otra.", [])])
    assert result["Stem cells."].string == "Células madre (revisado)."
    assert pending == []


def test_an_identical_approved_sentence_elsewhere_is_reused_as_approved() -> None:
    known = [("Stem cells.", "Células madre.", [])]
    result, pending = merged(["Stem cells."], None, known)
    assert state_of(result["Stem cells."]) == APPROVED and pending == []
    assert result["Stem cells."].locations == [(SOURCE, 1)]


def test_a_lost_human_translation_becomes_the_changed_sentences_stale_suggestion() -> None:
    old = catalog(Message("Stem cells repair tissue.", "Las células madre reparan tejido."))
    result, pending = merged(["Stem cells repair damaged tissue."], old)
    entry = result["Stem cells repair damaged tissue."]
    assert entry.string == "Las células madre reparan tejido." and state_of(entry) == STALE
    assert entry.previous_id == ["Stem cells repair tissue."]
    assert pending == []  # a human's text is kept, never sent to an engine
    assert "Stem cells repair tissue." in result.obsolete  # nothing translated is thrown away


def test_machine_output_in_the_memory_is_reused_but_redone_with_refresh() -> None:
    known = [("Pain.", "Dolor.", ["fuzzy", "mt-apertium"])]
    result, _ = merged(["Pain."], None, known)
    assert state_of(result["Pain."]) == MACHINE and result["Pain."].string == "Dolor."
    result, pending = merged(["Pain."], None, known, refresh=True)
    assert state_of(result["Pain."]) == UNTRANSLATED and pending == ["Pain."]


def test_a_similar_approved_sentence_elsewhere_is_a_fuzzy_suggestion_without_engine_flag() -> None:
    known = [("Stem cells reduce joint pain.", "Las células madre reducen el dolor.", [])]
    result, _ = merged(["Stem cells reduce knee pain."], None, known)
    entry = result["Stem cells reduce knee pain."]
    assert entry.string == "Las células madre reducen el dolor."
    assert "fuzzy" in entry.flags and not any(f.startswith("mt-") for f in entry.flags)
    assert entry.previous_id == ["Stem cells reduce joint pain."]


def test_a_catalog_teaches_what_is_translated_and_not_stale() -> None:
    taught = contribution(
        catalog(
            Message("A.", "Una.", flags=set()),
            Message("B.", "Be.", flags={"fuzzy", "mt-apertium"}),
            Message("C.", "Ce.", flags={"fuzzy"}, previous_id=["Old C."]),
            Message("D.", ""),
        )
    )
    assert taught == {"A.": ["Una.", []], "B.": ["Be.", ["fuzzy", "mt-apertium"]]}


def record(memory_sha: str, untranslated: int) -> ArticleRecord:
    return ArticleRecord("sha", "machine", {}, {}, untranslated, memory_sha)


def test_articles_waiting_for_translations_reopen_only_when_the_memory_changed() -> None:
    records = {"a": record("m-a", 0), "b": record("m-b", 3), "c": record("m-c", 1)}
    key = memory_key({"a": "m-a", "b": "m-b", "c": "m-c"})
    # "a" merged again (its English changed), its catalog as the pipeline wrote it.
    assert reopened(records, {"a"}, {"a"}, {}, key) == set()
    # Someone translated more in "a"'s catalog: "b" and "c" may find those sentences now.
    assert reopened(records, {"a"}, {"a"}, {"a": "m-a2"}, key) == {"b", "c"}
    assert reopened(records, {"a"}, {"a"}, {"a": "m-a2"}, None) == set()  # a first publish
