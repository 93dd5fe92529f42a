"""Query results in every output format."""

from __future__ import annotations

import json

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.results import serialize
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import RDFS, RG

G = NamedNode("https://example.org/g")
NASTY = 'quote " backslash \\ newline \n <tag> & café'


@pytest.fixture
def filled() -> GraphStore:
    store = GraphStore.memory(with_ontology=False)
    store.replace_graph(G, [
        Triple(NamedNode("https://example.org/p1"), RDFS.label, Literal(NASTY)),
        Triple(NamedNode("https://example.org/p1"), RG.text, Literal("plain")),
    ])
    return store


SELECT = "SELECT ?s ?l WHERE { ?s rdfs:label ?l }"
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }"


def test_json(filled: GraphStore) -> None:
    data = json.loads(serialize(filled.query(SELECT), "json"))
    assert data["results"]["bindings"][0]["l"]["value"] == NASTY


def test_xml_csv_tsv(filled: GraphStore) -> None:
    assert b"<sparql" in serialize(filled.query(SELECT), "xml")
    csv = serialize(filled.query(SELECT), "csv").decode()
    assert csv.splitlines()[0] == "s,l"
    tsv = serialize(filled.query(SELECT), "tsv").decode()
    assert tsv.splitlines()[0] == "?s\t?l"


def test_table_escapes_control_characters(filled: GraphStore) -> None:
    table = serialize(filled.query(SELECT), "table").decode()
    assert "newline \\n <tag>" in table
    assert "(1 row)" in table


def test_ask(filled: GraphStore) -> None:
    assert serialize(filled.query("ASK { ?s ?p ?o }"), "table") == b"true\n"
    assert json.loads(serialize(filled.query("ASK { ?s ?p ?o }"), "json"))["boolean"] is True


@pytest.mark.parametrize("fmt,rdf", [("turtle", RdfFormat.TURTLE), ("ntriples", RdfFormat.N_TRIPLES),
                                     ("rdfxml", RdfFormat.RDF_XML), ("jsonld", RdfFormat.JSON_LD)])
def test_construct_round_trips_in_every_graph_format(filled: GraphStore, fmt: str,
                                                     rdf: RdfFormat) -> None:
    data = serialize(filled.query(CONSTRUCT), fmt)
    parsed = list(parse(data, format=rdf))
    assert [q.object.value for q in parsed] == [NASTY]


def test_turtle_uses_the_project_prefixes(filled: GraphStore) -> None:
    data = serialize(filled.query(CONSTRUCT), "turtle").decode()
    assert "@prefix rdfs:" in data and "rdfs:label" in data
    assert len(rdflib.Graph().parse(data=data, format="turtle")) == 1


def test_wrong_format_for_the_result_kind_is_explained(filled: GraphStore) -> None:
    with pytest.raises(QueryError, match="cannot be written as ntriples"):
        serialize(filled.query(SELECT), "ntriples")
    with pytest.raises(QueryError, match="cannot be written as csv"):
        serialize(filled.query(CONSTRUCT), "csv")


RS = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")


def test_select_and_ask_as_turtle_use_the_result_set_vocabulary(filled: GraphStore) -> None:
    ordered = "SELECT ?n ?l WHERE { VALUES ?n { 3 1 2 } OPTIONAL { ?s rdfs:label ?l } } ORDER BY ?n"
    data = serialize(filled.query(ordered), "turtle").decode()
    assert "@prefix rs: <http://www.w3.org/2001/sw/DataAccess/tests/result-set#> ." in data
    graph = rdflib.Graph().parse(data=data, format="turtle")
    result_set = graph.value(predicate=rdflib.RDF.type, object=RS.ResultSet)
    assert {str(v) for v in graph.objects(result_set, RS.resultVariable)} == {"n", "l"}
    rows = {}
    for solution in graph.objects(result_set, RS.solution):
        values = {str(graph.value(b, RS.variable)): graph.value(b, RS.value)
                  for b in graph.objects(solution, RS.binding)}
        rows[int(graph.value(solution, RS["index"]))] = values
    assert [int(rows[i]["n"]) for i in (1, 2, 3)] == [1, 2, 3]
    assert all(str(r["l"]) == NASTY for r in rows.values())
    ask = rdflib.Graph().parse(data=serialize(filled.query("ASK { ?s ?p ?o }"), "turtle"),
                               format="turtle")
    assert [o.toPython() for o in ask.objects(None, RS.boolean)] == [True]
