"""SERVICE and LOAD are refused wherever they hide, and nothing is contacted."""

from __future__ import annotations

import socket
import threading

import pytest

from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.guard import refuse_network_access
from rightsgraph.graph.store import GraphStore

HIDDEN_SERVICE = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b ?c OPTIONAL { service <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT * WHERE { SeRvIcE <{url}> { ?s ?p ?o } } } }",
    "SELECT * WHERE { BIND(<{url}> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o.SERVICE <{url}> { ?x ?y ?z } }",
    "SELECT * WHERE { # a comment\n SERVICE\n<{url}>{?s ?p ?o} }",
    "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE SILENT <{url}> {} } }",
]
HIDDEN_LOAD = [
    "LOAD <{url}>",
    "load silent <{url}> INTO GRAPH <urn:g>",
    "INSERT DATA { <urn:a> <urn:b> 1 } ; LOAD <{url}>",
]
HARMLESS = [
    'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/> {}" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/>",
    "SELECT ?service ?load WHERE { ?service <urn:load> ?load }",
    "PREFIX service: <urn:x#> SELECT * WHERE { ?s service:load ?o }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "SELECT * WHERE { ?s ?p '''multi\nline SERVICE''' }",
]


@pytest.fixture
def listener() -> tuple[str, list[socket.socket]]:
    """A TCP listener on loopback that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", accepted
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("template", HIDDEN_SERVICE + HIDDEN_LOAD)
def test_network_access_is_refused_and_no_connection_is_made(
    template: str, listener: tuple[str, list[socket.socket]]
) -> None:
    url, accepted = listener
    store = GraphStore.memory(with_ontology=False)
    text = template.replace("{url}", url)
    with pytest.raises(QueryError, match="not allowed"):
        if template in HIDDEN_LOAD:
            store.update(text)
        else:
            store.query(text)
    assert accepted == []


@pytest.mark.parametrize("text", HARMLESS)
def test_keywords_inside_strings_iris_and_names_are_harmless(text: str) -> None:
    refuse_network_access(text)
