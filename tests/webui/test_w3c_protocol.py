"""The W3C SPARQL 1.1 Protocol tests, run against a real server.

A small runner reads ``shared/w3c/sparql11-protocol/manifest.ttl`` (beside
this repository) with rdflib and replays each test's requests in order.
Paths starting ``/sparql/`` go to ``/sparql`` for queries and to
``/sparql/update`` for updates: an update is a request whose media type is
``application/sparql-update`` or whose form (body or query string) has an
``update`` field; a request that says neither way (a PUT, a body without a
media type) goes where the test's name points.  Every update request carries
the bearer token.  Before a test with ``ut:graphData`` the store is emptied
and the data inserted into the named graphs, through the update endpoint.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib import RDFS, Graph, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

W3C = Path(__file__).resolve().parents[2].parent / "shared" / "w3c" / "sparql11-protocol"
MANIFEST = W3C / "manifest.ttl"
TOKEN = "w3c-protocol-token"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
Fetch = Callable[..., Any]  # the `http` fixture of conftest.py
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
SRX = "{http://www.w3.org/2005/sparql-results#}"

#: What the runner asks for and accepts, per mf:expectedFormat: the media
#: types the test names ("expect one of: ...") and how to read each.
ACCEPTED = {
    "boolean": {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"},
    "tabular": {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
                "text/csv": "csv", "text/tab-separated-values": "tsv"},
    "RDF": {"text/turtle": "turtle", "application/n-triples": "nt",
            "application/rdf+xml": "xml"},
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: tuple[str, ...]  # "2xx", "3xx", "4xx"
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    graph_data: tuple[tuple[str, Path], ...]  # (graph IRI, N-Triples file)
    requests: tuple[Request, ...]


def _items(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def _request(graph: Graph, node: Node) -> Request:
    headers = {
        str(graph.value(h, HT.fieldName)): str(graph.value(h, HT.fieldValue))
        for h in _items(graph, graph.value(node, HT.headers))
    }
    body_node = graph.value(node, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        # UTF-16 without a byte order mark, as "charset=UTF-16" bodies are usually sent
        codec = "utf-16-le" if encoding.upper() == "UTF-16" else encoding
        body = str(graph.value(body_node, CNT.chars)).encode(codec)
    response = graph.value(node, HT.resp)
    statuses = tuple(sorted(str(s)[len(HTS):] for s in graph.objects(response, MF.expectedStatus)))
    expected_format = graph.value(response, MF.expectedFormat)
    expected_boolean = graph.value(response, MF.expectedBoolean)
    return Request(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        statuses=statuses,
        expected_format=None if expected_format is None else str(expected_format),
        expected_boolean=None if expected_boolean is None else bool(expected_boolean.toPython()),
    )


def read_manifest(path: Path = MANIFEST) -> list[ProtocolTest]:
    """The tests of the manifest, in the order of its mf:entries list."""
    graph = Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(MF.entries, None))
    tests = []
    for entry in _items(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        graph_data = tuple(
            (str(graph.value(d, RDFS.label)), W3C / Path(str(graph.value(d, UT.graph))).name)
            for d in graph.objects(entry, UT.graphData)
        )
        tests.append(ProtocolTest(
            name=str(entry).rsplit("#", 1)[1],
            title=str(graph.value(entry, MF.name)),
            graph_data=tuple(sorted(graph_data)),
            requests=tuple(_request(graph, r) for r in _items(graph, graph.value(action, HT.requests))),
        ))
    return tests


def is_update(test: ProtocolTest, request: Request) -> bool:
    """Whether ``request`` is meant for the update endpoint."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in ("application/sparql-update", "application/sparql-query"):
        return media_type == "application/sparql-update"
    fields = parse_qs(urlsplit(request.path).query)
    if request.body is not None and media_type in ("", "application/x-www-form-urlencoded"):
        fields.update(parse_qs(request.body.decode("utf-8", "replace")))
    if "update" in fields or "query" in fields:
        return "update" in fields
    return test.name.startswith(("update_", "bad_update_"))


def endpoint_path(test: ProtocolTest, request: Request) -> str:
    assert request.path.startswith("/sparql/"), request.path
    endpoint = "/sparql/update" if is_update(test, request) else "/sparql"
    return endpoint + request.path[len("/sparql/"):]


def reset_store(http: Fetch, server: str, graph_data: tuple[tuple[str, Path], ...]) -> None:
    """Empty the store and insert the test's data, through the update endpoint."""
    graphs = " ".join(f"GRAPH <{iri}> {{ {file.read_text(encoding='utf-8')} }}"
                      for iri, file in graph_data)
    update = f"CLEAR ALL ; INSERT DATA {{ {graphs} }}"
    reply = http("POST", server + "/sparql/update", body=update, headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert reply.status == 204, reply.text


def check_format(request: Request, reply: Any) -> None:
    """The reply has a media type the test accepts and parses as one."""
    accepted = ACCEPTED[request.expected_format or ""]
    assert reply.media_type in accepted, f"unexpected Content-Type {reply.media_type}"
    syntax = accepted[reply.media_type]
    if request.expected_format == "RDF":
        Graph().parse(data=reply.body, format=syntax)
        return
    boolean: bool | None = None
    if syntax == "json":
        document = reply.json()
        if request.expected_format == "boolean":
            boolean = document["boolean"]
        else:
            assert document["results"]["bindings"][0]["value"]["value"] == "1"
    elif syntax == "xml":
        root = ET.fromstring(reply.body)
        if request.expected_format == "boolean":
            element = root.find(f"{SRX}boolean")
            assert element is not None and element.text in ("true", "false")
            boolean = element.text == "true"
        else:
            assert root.find(f"{SRX}results/{SRX}result/{SRX}binding") is not None
    else:  # csv, tsv: a header naming the variable, then the row
        lines = reply.text.splitlines()
        assert lines[0].lstrip("?") == "value" and lines[1].strip('"') == "1", lines
    if request.expected_boolean is not None:
        assert boolean is request.expected_boolean


def run_request(http: Fetch, server: str, test: ProtocolTest, request: Request) -> None:
    headers = dict(request.headers)
    update = is_update(test, request)
    if update:
        headers["Authorization"] = f"Bearer {TOKEN}"
    if request.expected_format:
        headers["Accept"] = ", ".join(
            f"{media};q={1 - 0.1 * n:.1f}" for n, media in enumerate(ACCEPTED[request.expected_format])
        )
    reply = http(request.method, server + endpoint_path(test, request), body=request.body,
                  headers=headers)
    status_class = f"{reply.status // 100}xx"
    assert status_class in request.statuses, (
        f"{request.method} {endpoint_path(test, request)}: {reply.status} "
        f"(expected {', '.join(request.statuses)}): {reply.body[:300]!r}"
    )
    if reply.status < 400:
        assert "Traceback" not in reply.body.decode("utf-8", "replace")
    else:  # errors are JSON for programs, with a message
        assert reply.media_type == "application/json", reply.media_type
        assert json.loads(reply.body)["error"]
    if request.expected_format:
        check_format(request, reply)


TESTS = read_manifest() if MANIFEST.exists() else []


def test_the_manifest_is_there_and_complete() -> None:
    assert MANIFEST.exists(), f"the W3C protocol tests are missing: {MANIFEST}"
    assert len(TESTS) == 34
    assert sum(len(t.requests) for t in TESTS) == 39


@pytest.fixture(scope="module")
def server(live_server: Callable[..., str]) -> str:
    return live_server(UPDATE_TOKEN=TOKEN)


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(http: Fetch, server: str, test: ProtocolTest) -> None:
    if test.graph_data:  # the others need no data (the update tests clear the store themselves)
        reset_store(http, server, test.graph_data)
    for request in test.requests:
        run_request(http, server, test, request)
