"""The list pages served from the index answer exactly what the SPARQL reference answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rightsgraph.graph.catalogue import LISTS, ListPage, ListQuery, list_page
from rightsgraph.graph.index import StoreIndex
from rightsgraph.graph.listing import indexed_page
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.ontology.terms import PREFIXES

TABLE = Path(__file__).parents[1] / "data" / "tables" / "upr-usa-2020.csv"
T, G = PREFIXES["theme"], PREFIXES["group"]
NOWHERE = "https://w3id.org/rightsgraph/state/NOWHERE"


@pytest.fixture(scope="module")
def loaded() -> Iterator[tuple[GraphStore, StoreIndex]]:
    graph_store = GraphStore.memory()
    index = StoreIndex.memory()
    context = LoadContext(skip_invalid=True)
    store_loaded(graph_store, parse_paths([sample_corpus_path()], context))
    index.refresh(graph_store)
    # A second load reindexes what it changed: the answers must still agree.
    store_loaded(graph_store, parse_paths([TABLE], context))
    assert any(g.endswith("upr-usa-2020-csv") for g in index.refresh(graph_store))
    yield graph_store, index


def _seen(page: ListPage) -> tuple[object, ...]:
    return (page.total, [(i.iri, i.label, i.text, i.date) for i in page.items],
            [(f.name, f.label, [(v.value, v.label, v.count, v.chosen) for v in f.values])
             for f in page.facets])


def _same(store: GraphStore, index: StoreIndex, query: ListQuery) -> ListPage:
    expected = list_page(store, query)
    found = indexed_page(index, query)
    assert _seen(found) == _seen(expected), query
    return found


def _queries(store: GraphStore, index: StoreIndex, name: str) -> list[ListQuery]:
    """The bare list, both orders, a later page, and each facet's first values, one and two."""
    first = indexed_page(index, ListQuery(name))
    asked = [ListQuery(name, order="date"), ListQuery(name, page=2, size=7),
             ListQuery(name, page=3, size=5, order="date")]
    picks = [(f.name, v.value) for f in first.facets if f.name != "year" for v in f.values[:2]]
    asked += [ListQuery(name, (pick,)) for pick in picks]
    asked += [ListQuery(name, (a, b)) for a, b in zip(picks, picks[2:], strict=False)]
    years = [v.value for f in first.facets if f.name == "year" for v in f.values]
    for year in years[:2]:
        asked.append(ListQuery(name, date_from=year, date_to=year))
        asked.append(ListQuery(name, picks[:1], date_from=year, order="date"))
        asked.append(ListQuery(name, date_to=f"{year}-06"))
    return asked


@pytest.mark.parametrize("name", list(LISTS))
def test_every_list_answers_as_the_sparql_does(loaded: tuple[GraphStore, StoreIndex],
                                               name: str) -> None:
    store, index = loaded
    bare = _same(store, index, ListQuery(name))
    assert bare.total > 0 or name == "instruments", name
    for query in _queries(store, index, name):
        _same(store, index, query)


def test_facet_combinations_of_recommendations(loaded: tuple[GraphStore, StoreIndex]) -> None:
    store, index = loaded
    mm, black = ("theme", T + "maternal-mortality"), ("group", G + "black-women")
    usa = ("addressee", "https://w3id.org/rightsgraph/state/USA")
    for choices, date_from, date_to in (
            ((mm,), None, None), ((mm, black), None, None), ((("response", "noted"),), None, None),
            ((("response", "supported"), usa), "2020", None), ((mm,), None, "2021"),
            ((), "2020-11", "2021-03-17"), ((usa,), "2020", "2020")):
        page = _same(store, index, ListQuery("recommendations", choices, date_from, date_to))
        assert page.total > 0, choices


def test_a_chosen_value_is_shown_even_when_it_matches_nothing(
        loaded: tuple[GraphStore, StoreIndex]) -> None:
    store, index = loaded
    for query in (ListQuery("recommendations", (("addressee", NOWHERE),)),
                  ListQuery("recommendations", (("theme", T + "maternal-mortality"),
                                                ("response", "never given"))),
                  ListQuery("recommendations", date_from="1901", date_to="1901")):
        page = _same(store, index, query)
        assert page.total == 0 and not page.items
        chosen = [(f.name, v.value, v.count) for f in page.facets for v in f.values if v.chosen]
        assert chosen, query
        assert all(n == 0 for _f, _v, n in chosen)
    page = indexed_page(index, ListQuery("recommendations", (("addressee", NOWHERE),)))
    addressee = next(f for f in page.facets if f.name == "addressee")
    assert [(v.value, v.label, v.chosen) for v in addressee.values] == [(NOWHERE, "NOWHERE", True)]


def test_the_index_follows_a_removed_graph() -> None:
    graph_store = GraphStore.memory()
    index = StoreIndex.memory()
    store_loaded(graph_store, parse_paths([TABLE], LoadContext(skip_invalid=True)))
    index.refresh(graph_store)
    before = indexed_page(index, ListQuery("recommendations"))
    assert before.total > 0
    for graph in graph_store.named_graphs():
        if graph.value.endswith("upr-usa-2020-csv"):
            graph_store.raw.remove_graph(graph)
    index.refresh(graph_store)
    after = _same(graph_store, index, ListQuery("recommendations"))
    assert after.total == 0 and all(not f.values for f in after.facets)
