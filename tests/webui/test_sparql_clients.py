"""Real SPARQL clients against a real server: SPARQLWrapper, rdflib's
SPARQLStore and curl get correct results in every format the endpoint
offers, and the protocol's dataset, negotiation, service description and
CORS behave as documented.

The store holds two sources, each in its own named graph (``rightsgraph
load``), besides the vocabulary graphs: one recommendation in each.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV as SW_CSV
from SPARQLWrapper import JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

Fetch = Callable[..., Any]  # the `http` fixture of conftest.py

# rdflib's own JSON-LD parser (used by SPARQLWrapper and SPARQLStore too) builds a
# ConjunctiveGraph, which rdflib 7 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

EX = Namespace("https://example.org/")
RG = "https://w3id.org/rightsgraph/ontology#"
SOURCE = "https://w3id.org/rightsgraph/id/source/"
ALPHA, BETA = SOURCE + "alpha-ttl", SOURCE + "beta-ttl"
SRX = "{http://www.w3.org/2005/sparql-results#}"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TOKEN = "client-tests-token"
ORIGIN = "https://partner.example"

TEXT_1 = 'Ensure access to "maternal" health care, in every région — now.'
TEXT_2 = "End the immigration detention of children."
ALPHA_TTL = f"""@prefix rg: <{RG}> .
<https://example.org/rec1> a rg:Recommendation ; rg:text {json.dumps(TEXT_1)} ;
    rg:theme <https://w3id.org/rightsgraph/theme/maternal-mortality> .
"""
BETA_TTL = f"""@prefix rg: <{RG}> .
<https://example.org/rec2> a rg:Recommendation ; rg:text {json.dumps(TEXT_2)} .
"""

SELECT = "SELECT ?r ?text WHERE { ?r a rg:Recommendation ; rg:text ?text } ORDER BY ?r"
ROWS = [(str(EX.rec1), TEXT_1), (str(EX.rec2), TEXT_2)]
ASK_TRUE = "ASK { <https://example.org/rec1> rg:theme theme:maternal-mortality }"
ASK_FALSE = "ASK { <https://example.org/rec2> rg:theme theme:maternal-mortality }"
CONSTRUCT = "CONSTRUCT { ?r ?p ?o } WHERE { ?r a rg:Recommendation ; ?p ?o }"
DESCRIBE = "DESCRIBE <https://example.org/rec1>"
GRAPH_QUERIES = {"construct": CONSTRUCT, "describe": DESCRIBE}

SOLUTION_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")
MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
         "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
         "ntriples": "application/n-triples", "jsonld": "application/ld+json",
         "rdfxml": "application/rdf+xml"}
RDFLIB_SYNTAX = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
PREFIX_LINES = ("@prefix rg: <https://w3id.org/rightsgraph/ontology#> .",
                "@prefix theme: <https://w3id.org/rightsgraph/theme/> .",
                "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .")


def expected_graph(kind: str) -> Graph:
    graph = Graph().parse(data=ALPHA_TTL, format="turtle")
    if kind == "construct":
        graph.parse(data=BETA_TTL, format="turtle")
    return graph


@pytest.fixture(scope="module")
def server(live_server: Callable[..., str], tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("client-data")
    (folder / "alpha.ttl").write_text(ALPHA_TTL, encoding="utf-8")
    (folder / "beta.ttl").write_text(BETA_TTL, encoding="utf-8")
    return live_server(data=[folder / "alpha.ttl", folder / "beta.ttl"], UPDATE_TOKEN=TOKEN,
                       CORS_ORIGIN=ORIGIN)


# ---------------------------------------------------------------- reading results


def rows_from_table(text: str, separator: str) -> list[tuple[str, str]]:
    """Rows of a CSV (plain values) or TSV (RDF terms) result."""
    if separator == ",":
        table = list(csv.reader(io.StringIO(text, newline="")))
        assert table[0] == ["r", "text"]
        return [(r, t) for r, t in table[1:]]
    result = Result.parse(io.BytesIO(text.encode("utf-8")), format="tsv")
    assert [str(v) for v in result.vars or []] == ["r", "text"]
    return [(str(r), str(t)) for r, t in result]  # type: ignore[misc]


def boolean_from_table(text: str, separator: str) -> bool:
    """An ASK answer in CSV/TSV: a one-column table ``_askResult``."""
    header, value = text.splitlines()
    assert header == ("_askResult" if separator == "," else "?_askResult")
    assert value in ("true", "false")
    return value == "true"


def rows_from_json(document: dict[str, Any]) -> list[tuple[str, str]]:
    assert document["head"]["vars"] == ["r", "text"]
    return [(b["r"]["value"], b["text"]["value"]) for b in document["results"]["bindings"]]


def rows_from_xml(root: ET.Element) -> list[tuple[str, str]]:
    rows = []
    for result in root.iter(f"{SRX}result"):
        values = {b.get("name"): "".join(b.itertext()).strip() for b in result.iter(f"{SRX}binding")}
        rows.append((values["r"], values["text"]))
    return rows


def read_solutions(fmt: str, body: bytes) -> list[tuple[str, str]]:
    if fmt == "json":
        return rows_from_json(json.loads(body))
    if fmt == "xml":
        return rows_from_xml(ET.fromstring(body))
    return rows_from_table(body.decode("utf-8"), "," if fmt == "csv" else "\t")


def read_boolean(fmt: str, body: bytes) -> bool:
    if fmt == "json":
        return bool(json.loads(body)["boolean"])
    if fmt == "xml":
        element = ET.fromstring(body).find(f"{SRX}boolean")
        assert element is not None
        return element.text == "true"
    return boolean_from_table(body.decode("utf-8"), "," if fmt == "csv" else "\t")


def check_graph(fmt: str, body: bytes, kind: str) -> None:
    if fmt == "turtle":
        text = body.decode("utf-8")
        for line in PREFIX_LINES:
            assert line in text.splitlines()
        assert "rg:Recommendation" in text and "theme:maternal-mortality" in text
    graph = Graph().parse(data=body, format=RDFLIB_SYNTAX[fmt])
    assert isomorphic(graph, expected_graph(kind))


# ---------------------------------------------------------------- curl


def curl(url: str, *args: str) -> tuple[int, str, bytes]:
    """Run curl; return the status, the media type and the body."""
    command = [shutil.which("curl") or "curl", "-sS", "-o", "-", "-w", "\n%{http_code} %{content_type}",
               *args, url]
    output = subprocess.run(command, capture_output=True, check=True, timeout=30).stdout
    body, _, trailer = output.rpartition(b"\n")
    status, _, content_type = trailer.decode().partition(" ")
    return int(status), content_type.split(";")[0].strip(), body


CURL_WAYS = {  # how curl sends a query: GET, POST form, POST direct
    "get": lambda q: ["-G", "--data-urlencode", f"query={q}"],
    "form": lambda q: ["--data-urlencode", f"query={q}"],
    "direct": lambda q: ["-H", "Content-Type: application/sparql-query", "--data-binary", q],
}


@pytest.mark.parametrize("way", CURL_WAYS)
@pytest.mark.parametrize("fmt", SOLUTION_FORMATS)
def test_curl_select_and_ask(server: str, fmt: str, way: str) -> None:
    accept = ["-H", f"Accept: {MEDIA[fmt]}"]
    status, media, body = curl(server + "/sparql", *accept, *CURL_WAYS[way](SELECT))
    assert (status, media) == (200, MEDIA[fmt])
    assert read_solutions(fmt, body) == ROWS
    for query, answer in ((ASK_TRUE, True), (ASK_FALSE, False)):
        status, media, body = curl(server + "/sparql", *accept, *CURL_WAYS[way](query))
        assert (status, media) == (200, MEDIA[fmt])
        assert read_boolean(fmt, body) is answer


@pytest.mark.parametrize("kind", GRAPH_QUERIES)
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_curl_construct_and_describe(server: str, fmt: str, kind: str) -> None:
    for way in CURL_WAYS.values():
        status, media, body = curl(server + "/sparql", "-H", f"Accept: {MEDIA[fmt]}",
                                   *way(GRAPH_QUERIES[kind]))
        assert (status, media) == (200, MEDIA[fmt])
        check_graph(fmt, body, kind)


def test_curl_without_accept_gets_json_and_turtle(server: str) -> None:
    status, media, body = curl(server + "/sparql", *CURL_WAYS["get"](SELECT))  # Accept: */*
    assert (status, media) == (200, MEDIA["json"]) and read_solutions("json", body) == ROWS
    status, media, body = curl(server + "/sparql", *CURL_WAYS["form"](CONSTRUCT))
    assert (status, media) == (200, MEDIA["turtle"])
    check_graph("turtle", body, "construct")


@pytest.mark.parametrize("fmt", SOLUTION_FORMATS + GRAPH_FORMATS)
def test_format_parameter_overrides_accept(server: str, fmt: str) -> None:
    query = SELECT if fmt in SOLUTION_FORMATS else CONSTRUCT
    accept = "text/turtle" if fmt in SOLUTION_FORMATS else "application/sparql-results+json"
    for way in ("get", "form"):
        status, media, body = curl(server + "/sparql", "-H", f"Accept: {MEDIA['json']}, {accept}",
                                   "--data-urlencode", f"format={fmt}", *CURL_WAYS[way](query))
        assert (status, media) == (200, MEDIA[fmt])
        if fmt in SOLUTION_FORMATS:
            assert read_solutions(fmt, body) == ROWS
        else:
            check_graph(fmt, body, "construct")
    # direct POST: the format goes in the query string
    status, media, _body = curl(f"{server}/sparql?format={fmt}", "-H", f"Accept: {accept}",
                                *CURL_WAYS["direct"](query))
    assert (status, media) == (200, MEDIA[fmt])


def test_a_browser_gets_the_workbench(server: str, http: Fetch) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    for path in ("/sparql", "/sparql?" + urlencode({"query": SELECT})):
        reply = http("GET", server + path, headers=browser)
        assert (reply.status, reply.media_type) == (200, "text/html")
        assert '<textarea id="query"' in reply.text
    # the same URL with format= is data, for the workbench's download links
    reply = http("GET", server + "/sparql?" + urlencode({"query": SELECT, "format": "csv"}),
                 headers=browser)
    assert reply.media_type == "text/csv" and read_solutions("csv", reply.body) == ROWS


# ---------------------------------------------------------------- SPARQLWrapper


def wrapper(server: str, fmt: str, query: str, method: str) -> Any:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(query)
    client.setReturnFormat({"json": JSON, "xml": XML, "csv": SW_CSV, "tsv": TSV}[fmt])
    if method != "GET":
        client.setMethod(POST)
        if method == "POSTDIRECTLY":
            client.setRequestMethod(POSTDIRECTLY)
    return client.query().convert()


def wrapper_rows(fmt: str, converted: Any) -> list[tuple[str, str]]:
    if fmt == "json":
        return rows_from_json(converted)
    if fmt == "xml":  # a DOM document
        return rows_from_xml(ET.fromstring(converted.toxml()))
    return read_solutions(fmt, converted)


def wrapper_boolean(fmt: str, converted: Any) -> bool:
    if fmt == "json":
        return bool(converted["boolean"])
    if fmt == "xml":
        return read_boolean("xml", converted.toxml().encode("utf-8"))
    return read_boolean(fmt, converted)


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
@pytest.mark.parametrize("fmt", SOLUTION_FORMATS)
def test_sparqlwrapper_select_and_ask(server: str, fmt: str, method: str) -> None:
    assert wrapper_rows(fmt, wrapper(server, fmt, SELECT, method)) == ROWS
    assert wrapper_boolean(fmt, wrapper(server, fmt, ASK_TRUE, method)) is True
    assert wrapper_boolean(fmt, wrapper(server, fmt, ASK_FALSE, method)) is False


def wrapper_graph(server: str, fmt: str, query: str, method: str) -> Graph:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(query)
    if method != "GET":
        client.setMethod(POST)
    if fmt == "ntriples":  # SPARQLWrapper names no N-Triples: ask for it with format=
        client.setReturnFormat(N3)
        client.setOnlyConneg(True)
        client.addParameter("format", "ntriples")
    else:
        client.setReturnFormat({"turtle": TURTLE, "jsonld": JSONLD, "rdfxml": RDFXML}[fmt])
    converted = client.query().convert()
    if isinstance(converted, Graph):  # RDF/XML and JSON-LD come back parsed
        return converted
    assert isinstance(converted, bytes)
    if fmt == "turtle":
        assert PREFIX_LINES[0] in converted.decode("utf-8")
    return Graph().parse(data=converted, format=RDFLIB_SYNTAX[fmt])


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("kind", GRAPH_QUERIES)
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_sparqlwrapper_construct_and_describe(server: str, fmt: str, kind: str, method: str) -> None:
    graph = wrapper_graph(server, fmt, GRAPH_QUERIES[kind], method)
    assert isomorphic(graph, expected_graph(kind))


def test_sparqlwrapper_dataset_parameters(server: str) -> None:
    def recommendations(default: list[str], named: list[str], query: str) -> set[str]:
        client = SPARQLWrapper(server + "/sparql")
        for graph in default:
            client.addDefaultGraph(graph)
        for graph in named:
            client.addNamedGraph(graph)
        client.setQuery(query)
        client.setReturnFormat(JSON)
        bindings = client.query().convert()["results"]["bindings"]
        return {b["r"]["value"].rsplit("/", 1)[1] for b in bindings}

    default = "SELECT ?r WHERE { ?r a rg:Recommendation }"
    named = "SELECT ?r WHERE { GRAPH ?g { ?r a rg:Recommendation } }"
    assert recommendations([ALPHA], [], default) == {"rec1"}
    assert recommendations([ALPHA, BETA], [], default) == {"rec1", "rec2"}
    assert recommendations([], [BETA], named) == {"rec2"}


# ---------------------------------------------------------------- rdflib SPARQLStore


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("fmt", SOLUTION_FORMATS)
def test_rdflib_sparqlstore_select_and_ask(server: str, fmt: str, method: str) -> None:
    store = SPARQLStore(server + "/sparql", returnFormat=fmt, method=method)
    assert [(str(r), str(t)) for r, t in store.query(SELECT)] == ROWS  # type: ignore[misc]
    for query, answer in ((ASK_TRUE, True), (ASK_FALSE, False)):
        result = store.query(query)
        if fmt in ("json", "xml"):
            assert result.type == "ASK" and result.askAnswer is answer
        else:  # CSV and TSV read the answer as a one-column table
            assert [str(row[0]) for row in result] == [str(answer).lower()]  # type: ignore[index]


@pytest.mark.parametrize("kind", GRAPH_QUERIES)
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_rdflib_sparqlstore_construct_and_describe(server: str, fmt: str, kind: str) -> None:
    store = SPARQLStore(server + "/sparql", returnFormat=RDFLIB_SYNTAX[fmt], method="POST_FORM")
    assert MEDIA[fmt] in store.response_mime_types()
    result = store.query(GRAPH_QUERIES[kind])
    assert result.graph is not None and isomorphic(result.graph, expected_graph(kind))


def test_rdflib_sparqlstore_graphs(server: str) -> None:
    store = SPARQLStore(server + "/sparql", returnFormat="json")
    alpha = Graph(store, identifier=URIRef(ALPHA))  # queried with default-graph-uri
    assert set(alpha.subjects(predicate=URIRef(RG + "text"))) == {EX.rec1}
    assert alpha.value(EX.rec1, URIRef(RG + "text")) == Literal(TEXT_1)
    union = Graph(store)  # no default-graph-uri: the union of all graphs
    assert set(union.subjects(predicate=URIRef(RG + "text"))) == {EX.rec1, EX.rec2}
    assert (URIRef(ALPHA), EX.rec1) in set(store.query(
        "SELECT ?g ?r WHERE { GRAPH ?g { ?r a rg:Recommendation } }"))  # type: ignore[arg-type]


# ---------------------------------------------------------------- the dataset


def dataset_answer(http: Fetch, server: str, query: str, **params: list[str]) -> set[str]:
    """The recommendations a query finds (``?r``, or ``?g:?r``), by POST direct."""
    query_string = urlencode([(k.replace("_", "-"), v) for k, vs in params.items() for v in vs])
    reply = http("POST", f"{server}/sparql?{query_string}", body=query,
                 headers={"Content-Type": "application/sparql-query", "Accept": MEDIA["json"]})
    assert reply.status == 200, reply.text
    found = set()
    for binding in reply.json()["results"]["bindings"]:
        name = binding["r"]["value"].rsplit("/", 1)[1]
        if "g" in binding:
            name = binding["g"]["value"].rsplit("/", 1)[1] + ":" + name
        found.add(name)
    return found


DATASET_CASES = [
    # the default graph is the union of all graphs, and every named graph is there
    ("SELECT ?r WHERE { ?r a rg:Recommendation }", {}, {"rec1", "rec2"}),
    ("SELECT ?g ?r WHERE { GRAPH ?g { ?r a rg:Recommendation } }", {},
     {"alpha-ttl:rec1", "beta-ttl:rec2"}),
    # the union joins across graphs: the theme's label lives in the themes graph
    ("SELECT ?r WHERE { ?r rg:theme/skos:prefLabel ?label }", {}, {"rec1"}),
    # FROM and FROM NAMED are honoured
    (f"SELECT ?r FROM <{ALPHA}> WHERE {{ ?r a rg:Recommendation }}", {}, {"rec1"}),
    (f"SELECT ?r FROM <{ALPHA}> FROM <{BETA}> WHERE {{ ?r a rg:Recommendation }}", {},
     {"rec1", "rec2"}),
    (f"SELECT ?r FROM <{ALPHA}> WHERE {{ ?r rg:theme/skos:prefLabel ?label }}", {}, set()),
    (f"SELECT ?g ?r FROM NAMED <{BETA}> WHERE {{ GRAPH ?g {{ ?r a rg:Recommendation }} }}", {},
     {"beta-ttl:rec2"}),
    (f"SELECT ?r FROM NAMED <{BETA}> WHERE {{ ?r a rg:Recommendation }}", {}, set()),
    (f"SELECT ?g ?r FROM <{ALPHA}> WHERE {{ GRAPH ?g {{ ?r a rg:Recommendation }} }}", {}, set()),
    # GRAPH with a constant
    (f"SELECT ?r WHERE {{ GRAPH <{BETA}> {{ ?r a rg:Recommendation }} }}", {}, {"rec2"}),
    # default-graph-uri and named-graph-uri
    ("SELECT ?r WHERE { ?r a rg:Recommendation }", {"default_graph_uri": [BETA]}, {"rec2"}),
    ("SELECT ?r WHERE { ?r a rg:Recommendation }", {"default_graph_uri": [ALPHA, BETA]},
     {"rec1", "rec2"}),
    ("SELECT ?g ?r WHERE { GRAPH ?g { ?r a rg:Recommendation } }", {"named_graph_uri": [ALPHA]},
     {"alpha-ttl:rec1"}),
    # ... and they replace the query's own FROM / FROM NAMED; a part they leave
    # out is the service's default (the union, every named graph)
    (f"SELECT ?r FROM <{ALPHA}> WHERE {{ ?r a rg:Recommendation }}",
     {"default_graph_uri": [BETA]}, {"rec2"}),
    (f"SELECT ?g ?r FROM NAMED <{ALPHA}> WHERE {{ GRAPH ?g {{ ?r a rg:Recommendation }} }}",
     {"named_graph_uri": [BETA]}, {"beta-ttl:rec2"}),
    (f"SELECT ?r FROM <{ALPHA}> WHERE {{ ?r a rg:Recommendation }}",
     {"named_graph_uri": [BETA]}, {"rec1", "rec2"}),
    (f"SELECT ?g ?r FROM NAMED <{ALPHA}> WHERE {{ GRAPH ?g {{ ?r a rg:Recommendation }} }}",
     {"default_graph_uri": [BETA]}, {"alpha-ttl:rec1", "beta-ttl:rec2"}),
]


@pytest.mark.parametrize(("query", "params", "expected"), DATASET_CASES)
def test_dataset_semantics(http: Fetch, server: str, query: str, params: dict[str, list[str]],
                           expected: set[str]) -> None:
    assert dataset_answer(http, server, query, **params) == expected


def test_dataset_parameters_by_get_and_form(server: str) -> None:
    query = "SELECT ?r WHERE { ?r a rg:Recommendation }"
    _status, _media, body = curl(server + "/sparql", *CURL_WAYS["get"](query),
                                 "--data-urlencode", f"default-graph-uri={ALPHA}")
    assert [b["r"]["value"] for b in json.loads(body)["results"]["bindings"]] == [str(EX.rec1)]
    _status, _media, body = curl(server + "/sparql", *CURL_WAYS["form"](query),
                                 "--data-urlencode", f"default-graph-uri={BETA}")
    assert [b["r"]["value"] for b in json.loads(body)["results"]["bindings"]] == [str(EX.rec2)]


def test_graph_iris_must_be_absolute(http: Fetch, server: str) -> None:
    reply = http("GET", server + "/sparql?" + urlencode(
        {"query": "ASK {}", "default-graph-uri": "not an iri"}))
    assert reply.status == 400 and "default-graph-uri" in reply.json()["error"]


# ---------------------------------------------------------------- service description, CORS


@pytest.mark.parametrize("accept", ["*/*", "text/turtle", "application/rdf+xml", "application/ld+json"])
def test_service_description(http: Fetch, server: str, accept: str) -> None:
    reply = http("GET", server + "/sparql", headers={"Accept": accept})
    assert reply.status == 200
    syntax = {"text/turtle": "turtle", "application/rdf+xml": "xml",
              "application/ld+json": "json-ld"}[reply.media_type]
    assert accept in ("*/*", reply.media_type)
    description = Graph().parse(data=reply.body, format=syntax)
    service = description.value(predicate=SD.endpoint, object=URIRef(server + "/sparql"))
    assert service is not None
    assert (service, SD.feature, SD.UnionDefaultGraph) in description
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in description
    formats = {str(f).rsplit("/", 1)[1] for f in description.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_CSV", "Turtle", "JSON-LD"} <= formats


def test_cors_on_reads(http: Fetch, server: str) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    replies = [
        http("GET", server + "/sparql?" + urlencode({"query": SELECT}), headers=origin),
        http("POST", server + "/sparql", body=SELECT,
             headers={**origin, "Content-Type": "application/sparql-query"}),
        http("POST", server + "/sparql", body=urlencode({"query": CONSTRUCT}),
             headers={**origin, "Content-Type": "application/x-www-form-urlencoded"}),
        http("GET", server + "/sparql", headers=origin),  # the service description
        http("GET", server + "/sparql?query=SELECT", headers=origin),  # an error
    ]
    assert [r.status for r in replies] == [200, 200, 200, 200, 400]
    for reply in replies:
        assert reply.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Rightsgraph-Truncated" in replies[0].headers["Access-Control-Expose-Headers"]


def test_cors_preflight(http: Fetch, server: str) -> None:
    reply = http("OPTIONS", server + "/sparql", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert reply.status in (200, 204)
    assert reply.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in reply.headers["Access-Control-Allow-Methods"]
    assert "content-type" in reply.headers["Access-Control-Allow-Headers"].lower()


def test_no_cors_on_the_update_endpoint(http: Fetch, server: str) -> None:
    update = "INSERT DATA { GRAPH <urn:x-test:cors> { <urn:x-test:s> <urn:x-test:p> 1 } }"
    headers = {"Origin": "https://elsewhere.example", "Content-Type": "application/sparql-update"}
    replies = [
        http("POST", server + "/sparql/update", body=update, headers=headers),  # no token: 401
        http("POST", server + "/sparql/update", body=update,
             headers={**headers, "Authorization": f"Bearer {TOKEN}"}),  # applied: 204
        http("OPTIONS", server + "/sparql/update", headers={
            "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}),
        http("POST", server + "/sparql/update", body="DROP GRAPH <urn:x-test:cors>",
             headers={**headers, "Authorization": f"Bearer {TOKEN}"}),
    ]
    assert [replies[0].status, replies[1].status, replies[3].status] == [401, 204, 204]
    for reply in replies:
        assert "Access-Control-Allow-Origin" not in reply.headers
