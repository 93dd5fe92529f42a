"""What the browse pages read from the store: lists with facets, concept trees,
counts, entity descriptions with evidence in context, and mention spans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from rightsgraph.graph.catalogue import LISTS, ListQuery, concept_tree, list_page, summary
from rightsgraph.graph.entities import describe, mark, safe_url, triples
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.evidence import explain
from rightsgraph.graph.holdings import holdings
from rightsgraph.graph.index import StoreIndex
from rightsgraph.graph.mentions import pieces, spans
from rightsgraph.graph.schemes import load_schemes
from rightsgraph.graph.stats import statistics
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.ontology.terms import PREFIXES

TABLE = Path(__file__).parents[1] / "data" / "tables" / "upr-usa-2020.csv"
T, G = PREFIXES["theme"], PREFIXES["group"]
ID = "https://w3id.org/rightsgraph/id/"
CONCERN = ID + "concern/womenlead-upr-2020-2021-txt/3"


@pytest.fixture(scope="module")
def store() -> Iterator[GraphStore]:
    graph_store = GraphStore.memory()
    context = LoadContext(skip_invalid=True)
    store_loaded(graph_store, parse_paths([sample_corpus_path(), TABLE], context))
    yield graph_store


def test_every_list_answers(store: GraphStore) -> None:
    for name in LISTS:
        page = list_page(store, ListQuery(name, size=5))
        assert len(page.items) <= 5 and page.total >= len(page.items)
        assert all(item.label for item in page.items), name


def test_recommendations_have_every_facet_the_issue_names(store: GraphStore) -> None:
    page = list_page(store, ListQuery("recommendations"))
    names = [f.name for f in page.facets]
    assert names == ["theme", "group", "addressee", "maker", "response", "recommending", "document",
                     "year"]
    counts = {f.name: {v.label: v.count for v in f.values} for f in page.facets}
    assert counts["response"]["supported"] >= 1 and counts["response"]["noted"] >= 1
    assert counts["addressee"]["United States of America"] >= 1
    assert sum(counts["document"].values()) == page.total


def test_choices_narrow_the_list_and_combine(store: GraphStore) -> None:
    everything = list_page(store, ListQuery("recommendations")).total
    theme = list_page(store, ListQuery("recommendations", (("theme", T + "maternal-mortality"),)))
    assert 0 < theme.total < everything
    both = list_page(store, ListQuery("recommendations", (("theme", T + "maternal-mortality"),
                                                          ("group", G + "black-women"))))
    assert 0 < both.total <= theme.total
    chosen = next(f for f in theme.facets if f.name == "theme")
    assert any(v.chosen and v.value == T + "maternal-mortality" for v in chosen.values)
    noted = list_page(store, ListQuery("recommendations", (("response", "noted"),)))
    assert 0 < noted.total < everything
    dated = list_page(store, ListQuery("recommendations", date_from="2021", date_to="2021"))
    assert 0 < dated.total < everything and all(i.date.startswith("2021") for i in dated.items)


def test_bad_choices_are_refused(store: GraphStore) -> None:
    for query in (ListQuery("nothing"), ListQuery("recommendations", (("colour", "x"),)),
                  ListQuery("recommendations", date_from="last week"),
                  ListQuery("recommendations", (("theme", "not an iri"),))):
        with pytest.raises(RightsgraphError):
            list_page(store, query)


def test_a_hostile_value_is_only_ever_a_value(store: GraphStore) -> None:
    # A facet value is bound with substitutions: quotes and braces are just characters.
    page = list_page(store, ListQuery("recommendations", (("response", '" } ; DROP ALL ; #'),)))
    assert page.total == 0


def test_paging_and_order(store: GraphStore) -> None:
    first = list_page(store, ListQuery("passages", page=1, size=10))
    second = list_page(store, ListQuery("passages", page=2, size=10))
    assert not {i.iri for i in first.items} & {i.iri for i in second.items}
    newest = list_page(store, ListQuery("statements", order="date"))
    dates = [i.date for i in newest.items if i.date]
    assert dates == sorted(dates, reverse=True)


def test_concept_trees_follow_skos_broader(store: GraphStore) -> None:
    schemes = load_schemes(store)
    themes = concept_tree(schemes, "theme")
    health = next(node for node in themes if node.iri == T + "health")
    assert T + "maternal-mortality" in {c.iri for c in health.children}
    assert health.total >= health.uses
    groups = concept_tree(schemes, "group")
    women = next(node for node in groups if node.iri == G + "women")
    assert G + "black-women" in {c.iri for c in women.children}


def test_summary_counts_documents_and_kinds(store: GraphStore) -> None:
    held = summary(store)
    assert held.kinds["Passage"] > 50 and held.kinds["Recommendation"] > 10
    assert {label for _iri, label, _date, _n in held.documents} >= {"womenlead-upr-2020-2021.txt"}


def test_an_entity_has_properties_incoming_links_evidence_and_sources(store: GraphStore) -> None:
    entity = describe(store, NamedNode(CONCERN))
    assert entity is not None and entity.kind == "Concern"
    labels = {p.label for p in entity.properties}
    assert {"theme", "affected group", "made by"} <= labels
    themes = next(p for p in entity.properties if p.label == "theme")
    assert "Forced sterilisation" in {v.text for v in themes.values}
    assert any(on and "sterilized without consent" in text for text, on in entity.context)
    assert entity.context_of is not None and "/passage/" in (entity.context_of.iri or "")
    passage = describe(store, NamedNode(ID + "passage/womenlead-upr-2020-2021-txt/48"))
    assert passage is not None and len(passage.notes) == 2
    assert all(n.url and n.url.startswith("https://") for n in passage.notes)
    assert sum(1 for _t, on in passage.context if on) == 1 and len(passage.context) > 1
    usa = describe(store, NamedNode("https://w3id.org/rightsgraph/state/USA"))
    assert usa is not None and usa.incoming_total > 10
    assert "addressed to" in {p.label for p in usa.incoming}
    assert describe(store, NamedNode(ID + "nothing/here")) is None


def test_the_twin_triples_are_about_the_entity(store: GraphStore) -> None:
    found = triples(store, NamedNode(CONCERN))
    assert found and all(CONCERN in (t.subject.value, getattr(t.object, "value", "")) for t in found)


def test_only_web_urls_become_links() -> None:
    assert safe_url("https://example.org") == "https://example.org"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", " https://x.org", "data:text/html,x",
                "vbscript:x", "//example.org"):
        assert safe_url(bad) is None


def test_marking_a_unit_in_its_paragraph() -> None:
    assert mark("a b c", "b", 2) == [("a ", False), ("b", True), (" c", False)]
    assert mark("a b c", "b", 0) == [("a ", False), ("b", True), (" c", False)]  # wrong offset
    assert mark("a b c", "z", 0) == [("a b c", False)]


def test_mentions_fold_spelling_hyphens_and_plurals() -> None:
    text = "Forced sterilizations of incarcerated women; gender based violence"
    found = [text[a:b] for a, b in spans(text, ["forced sterilisation", "gender-based violence",
                                                "incarcerated woman"])]
    assert found == ["Forced sterilizations", "incarcerated women", "gender based violence"]
    assert pieces("ab", {"a": [(0, 1)], "b": [(0, 2)]}) == [("a", "ab"), ("b", "b")]


def test_evidence_marks_both_concepts(store: GraphStore) -> None:
    units = [ID + "passage/womenlead-upr-2020-2021-txt/19"]
    (found,) = explain(store, units, T + "gender-based-violence", G + "sex-workers")
    marks = {mark: text for text, mark in found.pieces if mark}
    assert marks["a"].lower() == "gender-based violence" and marks["b"].lower() == "sex workers"
    assert found.document_label == "womenlead-upr-2020-2021.txt"


def test_the_home_counts_from_the_index_match_the_store(store: GraphStore) -> None:
    index = StoreIndex.memory()
    index.refresh(store)
    held = holdings(store, index)
    assert held.kinds == {kind: statistics(store).kinds[kind] for kind in held.kinds}
    assert held.kinds["Recommendation"] > 10
    assert [label for _iri, label, _date, _n in held.documents] == \
        [label for _iri, label, _date, _n in summary(store).documents]
