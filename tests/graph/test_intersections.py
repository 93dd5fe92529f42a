"""The intersection network on the sample corpus: edges with evidence, filters,
focus, shortest paths, communities and caps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyoxigraph import NamedNode

from rightsgraph.graph.index import StoreIndex
from rightsgraph.graph.intersections import NODE_KINDS, Edge, Filters, Intersections, Network, Node, View
from rightsgraph.graph.rendering import vis_data
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.ontology.terms import PREFIXES, RG

T, G = PREFIXES["theme"], PREFIXES["group"]
DETENTION = {G + "people-deprived-of-liberty", G + "incarcerated-women",
             G + "people-in-immigration-detention", G + "women-in-immigration-detention"}
#: The intersections the issue names, as (theme, any of these groups).
ACCEPTANCE = [
    ("maternal-mortality", {G + "black-women"}),
    ("maternal-mortality", {G + "indigenous-women"}),
    ("forced-sterilisation", DETENTION),
    ("menstrual-health", DETENTION),
    ("gender-based-violence", {G + "sex-workers"}),
    ("gender-based-violence", {G + "trans-women"}),
    ("covid-19", {G + "caregivers"}),
]


@pytest.fixture(scope="module")
def store() -> Iterator[GraphStore]:
    graph_store = GraphStore.memory()
    store_loaded(graph_store, parse_paths([sample_corpus_path()], LoadContext()))
    yield graph_store


@pytest.fixture(scope="module")
def network(store: GraphStore) -> Intersections:
    return Intersections.build(store)


def _edge(net: Network, a: str, b: str) -> tuple[int, tuple[str, ...]] | None:
    first, second = sorted((a, b))
    for edge in net.edges:
        if (edge.a, edge.b) == (first, second):
            return edge.weight, edge.evidence
    return None


@pytest.mark.parametrize(("theme", "groups"), ACCEPTANCE, ids=[a for a, _ in ACCEPTANCE])
def test_the_corpus_shows_the_named_intersections_with_evidence(
    store: GraphStore, network: Intersections, theme: str, groups: set[str]
) -> None:
    net = network.network(Filters(), View(max_nodes=500, max_edges=5000))
    found = {g: _edge(net, T + theme, g) for g in groups}
    joined = {g: e for g, e in found.items() if e is not None}
    assert joined, f"no edge between {theme} and any of {sorted(groups)}"
    for group, (weight, evidence) in joined.items():
        assert weight >= 1 and evidence
        for unit in evidence:  # every evidence unit carries both tags
            tags = {q.object.value for q in store.raw.quads_for_pattern(NamedNode(unit), None, None)
                    if q.predicate in (RG.theme, RG.group)}
            assert {T + theme, group} <= tags
        full = network.evidence(*sorted((T + theme, group)), Filters())
        assert len(full) == weight and set(evidence) <= set(full)


def test_group_group_edges_are_intersecting_identities(network: Intersections) -> None:
    net = network.network(Filters(), View(max_nodes=500, max_edges=5000))
    kinds = {n.iri: n.kind for n in net.nodes}
    pairs = {(e.a, e.b) for e in net.edges if kinds[e.a] == kinds[e.b] == "group"}
    assert (G + "sex-workers", G + "trans-women") in pairs


def test_weights_sizes_and_kinds(network: Intersections) -> None:
    net = network.network(Filters(), View())
    assert net.units > 50
    assert {n.kind for n in net.nodes} == {"theme", "group"}
    weights = [e.weight for e in net.edges]
    assert weights == sorted(weights, reverse=True)
    women = next(n for n in net.nodes if n.iri == G + "women")
    assert women.frequency == max(n.frequency for n in net.nodes)


def test_minimum_weight_drops_weak_edges(network: Intersections) -> None:
    everything = network.network(Filters(), View(max_edges=5000))
    strong = network.network(Filters(min_weight=3), View(max_edges=5000))
    assert 0 < len(strong.edges) < len(everything.edges)
    assert min(e.weight for e in strong.edges) >= 3


def test_filters_by_document_date_family_and_organisation(network: Intersections) -> None:
    everything = network.network(Filters(), View())
    document = network.units[0].document
    assert network.network(Filters(document=document), View()).units == everything.units
    assert network.network(Filters(document="https://example.org/none"), View()).nodes == []
    recent = network.network(Filters(date_from="2021-01-01"), View())
    assert 0 < recent.units < everything.units
    early = network.network(Filters(date_to="2020-12"), View())
    assert early.units + recent.units <= everything.units
    health = network.network(Filters(family=T + "health"), View())
    themes = {n.iri for n in health.nodes if n.kind == "theme"}
    assert T + "maternal-mortality" in themes and T + "gender-based-violence" not in themes
    biden = network.network(
        Filters(organisation="https://w3id.org/rightsgraph/organisation/biden-administration"), View())
    assert 0 < biden.units < everything.units


def test_bad_filters_are_refused() -> None:
    with pytest.raises(ValueError):
        Filters(date_from="yesterday")
    with pytest.raises(ValueError):
        Filters(kinds=frozenset({"theme", "people"}))


def test_organisations_and_sources_join_when_asked(network: Intersections) -> None:
    net = network.network(Filters(kinds=frozenset(NODE_KINDS)), View(max_nodes=500, max_edges=5000))
    kinds = {n.kind for n in net.nodes}
    assert {"organisation", "source"} <= kinds
    wln = "https://w3id.org/rightsgraph/organisation/biden-administration"
    assert any(wln in (e.a, e.b) for e in net.edges)


def test_focus_and_depth(network: Intersections) -> None:
    one = network.network(Filters(), View(focus=G + "sex-workers", depth=1))
    two = network.network(Filters(), View(focus=G + "sex-workers", depth=2, max_nodes=500))
    assert G + "sex-workers" in {n.iri for n in one.nodes}
    assert T + "gender-based-violence" in {n.iri for n in one.nodes}
    assert len(one.nodes) < len(two.nodes)
    missing = network.network(Filters(), View(focus=G + "no-such-group"))
    assert missing.nodes == [] and missing.notice


def test_shortest_path(network: Intersections) -> None:
    net = network.network(Filters(), View(path=(G + "sex-workers", T + "maternal-mortality")))
    assert net.path[0] == G + "sex-workers" and net.path[-1] == T + "maternal-mortality"
    assert len(net.edges) == len(net.path) - 1
    nowhere = network.network(Filters(), View(path=(G + "sex-workers", G + "nobody")))
    assert nowhere.path == [] and nowhere.notice


def test_communities_are_stable(network: Intersections) -> None:
    first = network.network(Filters(), View(communities=True))
    second = network.network(Filters(), View(communities=True))
    assert first.communities >= 2
    assert [n.community for n in first.nodes] == [n.community for n in second.nodes]


def test_caps_keep_the_strongest(network: Intersections) -> None:
    net = network.network(Filters(), View(max_nodes=10, max_edges=12))
    assert net.capped and len(net.nodes) <= 10 and len(net.edges) <= 12
    assert net.total_nodes > 10
    assert G + "women" in {n.iri for n in net.nodes}


def test_the_index_gives_the_same_units_as_the_store(store: GraphStore,
                                                     network: Intersections) -> None:
    index = StoreIndex.memory()
    index.refresh(store)
    from_index = Intersections.build(store, index)
    assert [(u.iri, u.concepts, u.document, u.date) for u in from_index.units] == \
        [(u.iri, u.concepts, u.document, u.date) for u in network.units]
    assert from_index.network(Filters(kinds=frozenset(NODE_KINDS)), View()).edges == \
        network.network(Filters(kinds=frozenset(NODE_KINDS)), View()).edges


def test_vis_data_is_built_with_pyvis_and_carries_evidence(network: Intersections) -> None:
    net = network.network(Filters(), View(communities=True))
    data = vis_data(net, lambda iri: "/resource?iri=" + iri, by_community=True)
    assert len(data["nodes"]) == len(net.nodes) and len(data["edges"]) == len(net.edges)
    node = data["nodes"][0]
    assert {"id", "label", "color", "value", "kind", "url", "frequency"} <= set(node)
    edge = data["edges"][0]
    assert "arrows" not in edge and edge["evidence"] and edge["value"] == edge["weight"]
    assert data["options"]["physics"]["stabilization"]["enabled"] is True
    assert any(entry["kind"] == "community" for entry in data["legend"])


def test_vis_data_carries_labels_as_data_never_as_html() -> None:
    # pyvis's template would make every tooltip HTML once a title holds "href":
    # our records carry no title and no heading; graph.js builds text tooltips.
    hostile = '<a href="javascript:alert(1)">href</a>'
    net = Network([Node("urn:a", hostile, "source", 2), Node("urn:b", "<script>x</script>", "group", 1)],
                  [Edge("urn:a", "urn:b", 1, ("urn:u",))])
    data = vis_data(net, lambda iri: "/resource?iri=" + iri)
    assert [n["label"] for n in data["nodes"]] == [hostile, "<script>x</script>"]
    for record in [*data["nodes"], *data["edges"]]:
        assert "title" not in record and "heading" not in record
    assert "heading" not in data and set(data) == {"nodes", "edges", "options", "legend"}
