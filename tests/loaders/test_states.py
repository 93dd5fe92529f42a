"""States: ontology/states.ttl and the name matcher of loaders/states.py."""

from __future__ import annotations

from typing import Any

import pytest
from pyoxigraph import NamedNode, QuerySolution, QuerySolutions

from rightsgraph import ontology
from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.validation import validate
from rightsgraph.loaders.states import STATE_BASE, StateIndex, name_keys


def solutions(store: GraphStore, sparql: str, **options: Any) -> list[QuerySolution]:
    """The solutions of a SELECT query, as a list."""
    result = store.query(sparql, **options)
    assert isinstance(result, QuerySolutions)
    return list(result)


@pytest.fixture(scope="module")
def states() -> StateIndex:
    return StateIndex.from_ontology()


def state(code: str) -> NamedNode:
    return NamedNode(STATE_BASE + code)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("United States of America", "USA"),
        ("United States", "USA"),
        ("USA", "USA"),
        ("US", "USA"),
        ("U.S.", "USA"),
        ("the United States", "USA"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Plurinational State of Bolivia", "BOL"),
        ("Bolivia, Plurinational State of", "BOL"),
        ("Bolivia", "BOL"),
        ("Côte d'Ivoire", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("COTE D'IVOIRE", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Russian Federation", "RUS"),
        ("Russia", "RUS"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Islamic Republic of Iran", "IRN"),
        ("Iran", "IRN"),
        ("Venezuela (Bolivarian Republic of)", "VEN"),
        ("Venezuela", "VEN"),
        ("Republic of Korea", "KOR"),
        ("Korea, Republic of", "KOR"),
        ("South Korea", "KOR"),
        ("Democratic People's Republic of Korea", "PRK"),
        ("North Korea", "PRK"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("United Kingdom", "GBR"),
        ("UK", "GBR"),
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("State of Palestine", "PSE"),
        ("Palestine", "PSE"),
        ("Holy See", "VAT"),
        ("Congo", "COG"),
        ("Democratic Republic of the Congo", "COD"),
        ("St. Kitts and Nevis", "KNA"),
        ("Micronesia (Federated States of)", "FSM"),
        ("Guinea-Bissau", "GNB"),
        ("  the Gambia ", "GMB"),
        ("DE", "DEU"),
        ("NLD", "NLD"),
    ],
)
def test_lookup_finds_state(states: StateIndex, name: str, code: str) -> None:
    assert states.lookup(name) == state(code)


@pytest.mark.parametrize("name", ["Atlantis", "", "Korea", "de", "Republic", "the"])
def test_lookup_refuses_unknown_or_ambiguous_names(states: StateIndex, name: str) -> None:
    assert states.lookup(name) is None


def test_no_name_is_shared_by_two_states(states: StateIndex) -> None:
    assert states.ambiguous == {}


def test_un_labels_as_in_upr_documents(states: StateIndex) -> None:
    assert states.label(state("USA")) == "United States of America"
    assert states.label(state("BOL")) == "Bolivia (Plurinational State of)"
    assert states.label(state("CIV")) == "Côte d'Ivoire"
    assert states.label(state("TUR")) == "Türkiye"
    assert states.label(state("GBR")) == "United Kingdom of Great Britain and Northern Ireland"


def test_name_keys_put_inverted_names_in_order() -> None:
    assert name_keys("Korea, Democratic People's Republic of")[-1] == (
        "democratic people s republic of korea"
    )
    assert name_keys("The Netherlands") == ["netherlands"]


def test_every_un_member_and_observer_is_a_state() -> None:
    store = GraphStore.memory()
    rows = solutions(
        store, """SELECT ?status (COUNT(?s) AS ?n) WHERE {
             GRAPH <https://w3id.org/rightsgraph/states> {
               ?s a rg:State ; rg:isoCode ?code ; rdfs:label ?label ; dcterms:description ?status
             }
           } GROUP BY ?status"""
    )
    counts = {row["status"].value: int(row["n"].value) for row in rows}
    assert counts["Member State of the United Nations"] == 193
    assert counts["Non-member observer State of the United Nations"] == 2
    assert sum(counts.values()) == 249


def test_state_iris_are_named_by_alpha3_code() -> None:
    store = GraphStore.memory()
    rows = solutions(store, "SELECT ?s ?code WHERE { ?s a rg:State ; rg:isoCode ?code }")
    assert len(rows) == 249
    for row in rows:
        assert row["s"].value == STATE_BASE + row["code"].value


def test_states_file_is_an_ontology_with_a_version() -> None:
    text = ontology.read_bytes("states.ttl").decode()
    assert "<https://w3id.org/rightsgraph/states> a owl:Ontology" in text
    assert 'owl:versionInfo "0.1.0"' in text


def test_states_conform_to_the_shapes() -> None:
    store = GraphStore.memory()
    graph = NamedNode(ontology.ONTOLOGY_GRAPHS["states.ttl"])
    assert validate(store, [graph]) == []
