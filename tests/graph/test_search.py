"""Full-text search: stemming, the British/American fold, SKOS expansion, the
query syntax, hostile input, and an index that keeps in step with the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Triple

from rightsgraph.graph.index import INDEX_FILE, StoreIndex
from rightsgraph.graph.search import expression_of, search
from rightsgraph.graph.spelling import fold
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.ontology.terms import RDF, RDFS, RG, SKOS

DATA = Path(__file__).parents[1] / "data"
CONCERN = "https://w3id.org/rightsgraph/id/concern/womenlead-upr-2020-2021-txt/3"


@pytest.fixture(scope="module")
def store() -> Iterator[GraphStore]:
    graph_store = GraphStore.memory()
    store_loaded(graph_store, parse_paths([sample_corpus_path()], LoadContext()))
    yield graph_store


@pytest.fixture(scope="module")
def index(store: GraphStore) -> StoreIndex:
    built = StoreIndex.memory()
    built.refresh(store)
    return built


def _iris(index: StoreIndex, query: str, **options: object) -> list[str]:
    return [hit.iri for hit in search(index, query, limit=100, **options).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ["sterilisation", "sterilized", "sterilization", "Sterilised",
                                   "STERILIZATIONS"])
def test_every_spelling_finds_the_sterilization_passage(index: StoreIndex, query: str) -> None:
    results = search(index, query, limit=100)
    assert CONCERN in [h.iri for h in results.hits]
    hit = next(h for h in results.hits if h.iri == CONCERN)
    marked = [text for text, on in hit.segments if on]
    assert marked and all("steril" in m.lower() for m in marked)


def test_a_theme_alt_label_finds_what_is_tagged_with_the_theme(index: StoreIndex) -> None:
    # No text of the corpus says "GBV"; the theme gender-based violence has it as altLabel.
    results = search(index, "GBV", limit=100)
    kinds = {h.kind for h in results.hits}
    assert {"Theme", "Passage"} <= kinds
    assert "gender based violence" in results.expression.lower()
    assert any("GBV" not in "".join(t for t, _ in h.segments) for h in results.hits if h.kind == "Passage")


def test_phrases_and_operators(index: StoreIndex) -> None:
    both = set(_iris(index, "maternal AND mortality"))
    either = set(_iris(index, "maternal OR sterilization"))
    phrase = set(_iris(index, '"maternal mortality"'))
    assert phrase and phrase <= either
    assert both <= either
    without = set(_iris(index, "maternal NOT mortality"))
    assert without.isdisjoint(set(_iris(index, '"maternal mortality"', kinds=("Passage",))) - without)
    grouped = set(_iris(index, "(caregivers OR sterilization) AND women"))
    assert grouped and grouped <= set(_iris(index, "caregivers")) | set(_iris(index, "sterilization"))
    assert CONCERN in grouped


def test_kinds_narrow_the_results(index: StoreIndex) -> None:
    results = search(index, "women", kinds=("Recommendation",), limit=100)
    assert results.hits and {h.kind for h in results.hits} == {"Recommendation"}
    assert results.total == results.kinds["Recommendation"]


@pytest.mark.parametrize("query", ['"', "*", "AND", "a AND", "NOT a", "((", ")(", "NEAR(a b)",
                                   "text:violence", "^violence", "-violence", "'", "\x00",
                                   '"gender" OR', "a OR OR b", "🙂", "", "   "])
def test_awkward_queries_never_break_the_parser(index: StoreIndex, query: str) -> None:
    results = search(index, query)
    assert results.total >= 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_query(text: str) -> None:
    index = _SMALL_INDEX
    assert search(index, text).total >= 0


@given(st.text(max_size=60))
def test_the_fold_keeps_every_position(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_query_translation_quotes_every_word(index: StoreIndex) -> None:
    expression, _ = expression_of(index, 'colour "gender-based" OR x* NOT y')
    assert expression == '"color" AND "gender based" OR "x"* NOT "y"'


def test_the_index_is_a_file_in_the_store_and_survives_a_restart(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with GraphStore.open(location) as graph_store:
        store_loaded(graph_store, parse_paths([sample_corpus_path()], LoadContext()))
        index = StoreIndex.for_store(graph_store)
        assert len(index.refresh(graph_store)) > 5
        index.close()
    assert (location / INDEX_FILE).is_file()
    with GraphStore.open(location) as graph_store:
        index = StoreIndex.for_store(graph_store)
        assert index.refresh(graph_store) == []  # nothing changed: nothing reindexed
        assert CONCERN in _iris(index, "sterilisation")
        index.close()


def test_refresh_reindexes_only_what_changed(tmp_path: Path) -> None:
    graph_store = GraphStore.memory()
    index = StoreIndex.memory()
    index.refresh(graph_store)
    hostile = DATA / "browse" / "hostile.md"
    loads = parse_paths([sample_corpus_path(), hostile], LoadContext())
    store_loaded(graph_store, loads)
    told: list[tuple[int, int, str]] = []
    changed = index.refresh(graph_store, lambda *step: told.append(step))
    assert changed == sorted(load.graph.value for load in loads)
    assert sorted(graph for _done, _total, graph in told) == changed
    assert [(done, total) for done, total, _graph in told] == [(0, 2), (1, 2)]
    assert _iris(index, "onmouseover")
    graph_store.drop_graph(loads[1].graph)
    assert index.refresh(graph_store) == [loads[1].graph.value]
    assert _iris(index, "onmouseover") == []
    assert CONCERN in _iris(index, "sterilized")


def test_a_new_concept_label_rebuilds_everything(index: StoreIndex) -> None:
    graph_store = GraphStore.memory()
    fresh = StoreIndex.memory()
    fresh.refresh(graph_store)
    concept = NamedNode("https://example.org/theme/widget")
    graph_store.replace_graph(NamedNode("https://example.org/g"), [
        Triple(concept, RDF.type, RG.Theme), Triple(concept, SKOS.prefLabel, Literal("Widgetry")),
        Triple(concept, SKOS.altLabel, Literal("gizmo")), Triple(concept, RDFS.label, Literal("Widgetry")),
    ])
    changed = fresh.refresh(graph_store)
    assert "https://w3id.org/rightsgraph/themes" in changed  # all of them: a scheme changed
    assert [h.label for h in search(fresh, "gizmo").hits] == ["Widgetry"]
    assert "widgetry" in search(fresh, "gizmo").expression.lower()


_SMALL_INDEX = StoreIndex.memory()
_SMALL_INDEX.refresh(GraphStore.memory())


def test_replacing_a_source_replaces_what_the_index_holds(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Field note\n\nQuokka sanctuaries need colour maps.\n", encoding="utf-8")
    graph_store = GraphStore.memory()
    index = StoreIndex.memory()
    store_loaded(graph_store, parse_paths([note], LoadContext()))
    index.refresh(graph_store)
    assert _iris(index, "quokka") and _iris(index, "color maps")
    note.write_text("# Field note\n\nWombat burrows need colour maps.\n", encoding="utf-8")
    (loaded,) = parse_paths([note], LoadContext())
    store_loaded(graph_store, [loaded])  # the same graph, replaced
    assert index.refresh(graph_store) == [loaded.graph.value]
    assert _iris(index, "quokka") == [] and _iris(index, "wombats")
