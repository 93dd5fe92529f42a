"""Graphs larger than one request to Oxigraph server (which refuses bodies over
128 MiB): loaded in chunks into a staging graph and swapped in by one MOVE.
The chunk size is cut to 64 KiB here so that a few megabytes take many chunks."""

from __future__ import annotations

import json
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from rightsgraph.graph.remote_engines import STAGING_PREFIX, Oxigraph, chunks
from rightsgraph.graph.remote_http import StoreUnavailableError
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import RDF, RDFS

sys.path.insert(0, str(Path(__file__).parent))
from servers import Server  # noqa: E402

EX = "https://example.org/chunk-test/"
CHUNK = 64 * 1024
LABEL = RDFS.label.value


def rows(n: int, tag: str) -> list[Triple]:
    """``n`` triples (about 100 bytes each), the first typing a resource."""
    typed = Triple(NamedNode(f"{EX}{tag}/0"), RDF.type, NamedNode(EX + "Thing"))
    return [typed, *(Triple(NamedNode(f"{EX}{tag}/{i}"), RDFS.label,
                            Literal(f"{tag} number {i} of the chunk test", language="en"))
                     for i in range(1, n))]


@pytest.fixture
def store(oxigraph_server: Server) -> Iterator[GraphStore]:
    opened = GraphStore.open(oxigraph_server.url, with_ontology=False, timeout=60)
    engine = opened.remote.engine  # type: ignore[union-attr]
    assert isinstance(engine, Oxigraph)
    engine.chunk_size = CHUNK
    yield opened
    engine.progress = None


def mine(tags: tuple[str, ...]) -> str:
    """A filter on the subjects of these tags (the suite's server holds other tests' graphs)."""
    return "FILTER(" + " || ".join(f'STRSTARTS(STR(?s), "{EX}{tag}/")' for tag in tags) + ")"


def union_count(store: GraphStore, *tags: str) -> int:
    """What a reader counts: labels of ``tags`` over the union of the graphs."""
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{LABEL}> ?o {mine(tags)} }}")
    return int(next(iter(result))["n"].value)  # type: ignore[call-overload]


def raw_union_count(server: Server, *tags: str) -> int:
    """The same count asked of the server directly, with no protection from staging graphs."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{LABEL}> ?o {mine(tags)} }}"
    body = urllib.parse.urlencode({"query": query, "union-default-graph": ""}).encode()
    request = urllib.request.Request(server.url + "/query", data=body,
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return int(json.load(answer)["results"]["bindings"][0]["n"]["value"])


def staging_graphs(server: Server) -> list[str]:
    body = urllib.parse.urlencode({"query": "SELECT ?g WHERE { GRAPH ?g { } }"}).encode()
    request = urllib.request.Request(server.url + "/query", data=body,
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        graphs = [b["g"]["value"] for b in json.load(answer)["results"]["bindings"]]
    return [g for g in graphs if g.startswith(STAGING_PREFIX)]


def test_chunks_cut_at_line_ends_and_keep_blank_node_groups_together() -> None:
    from pyoxigraph import RdfFormat, serialize

    plain = rows(3000, "cut")
    data = serialize(plain, format=RdfFormat.N_TRIPLES) or b""
    pieces = list(chunks(plain, data, 4096))
    assert b"".join(pieces) == data and len(pieces) > 10
    assert all(len(p) <= 4096 and p.endswith(b"\n") for p in pieces)
    blank = BlankNode()
    linked = [*plain, Triple(NamedNode(EX + "x"), RDFS.seeAlso, blank),
              *(Triple(blank, RDFS.label, Literal(f"part {i}")) for i in range(200))]
    data = serialize(linked, format=RdfFormat.N_TRIPLES) or b""
    pieces = list(chunks(linked, data, 4096))
    assert sorted(b"".join(pieces).splitlines()) == sorted(data.splitlines())
    holding = [p for p in pieces if f"_:{blank.value}".encode() in p]
    assert len(holding) == 1  # the 201 triples of the blank node travel together


def test_large_graph_loads_completely_in_chunks(store: GraphStore,
                                                oxigraph_server: Server) -> None:
    graph = NamedNode(EX + "large")
    written: list[int] = []
    store.remote.engine.progress = lambda done, total: written.append(done)  # type: ignore[union-attr]
    blank = BlankNode()
    triples = [*rows(15_000, "large"), Triple(NamedNode(EX + "large/0"), RDFS.seeAlso, blank),
               *(Triple(blank, RDFS.comment, Literal(f"note {i}")) for i in range(50))]
    assert store.replace_graph(graph, triples) == 15_051
    assert len(written) > 15  # about 1.5 MB in 64 KiB chunks
    assert store.count(graph) == 15_051
    assert union_count(store, "large") == 14_999
    notes = store.query(f"SELECT (COUNT(DISTINCT ?b) AS ?n) (COUNT(*) AS ?c) WHERE {{ GRAPH <{graph.value}> "
                        f"{{ <{EX}large/0> <{RDFS.seeAlso.value}> ?b . ?b ?p ?o }} }}")
    row = next(iter(notes))  # type: ignore[call-overload]
    assert (row["n"].value, row["c"].value) == ("1", "50")
    assert staging_graphs(oxigraph_server) == []
    assert store.drop_graph(graph)


def test_reader_sees_only_old_or_new_during_a_chunked_load(store: GraphStore,
                                                           oxigraph_server: Server) -> None:
    graph = NamedNode(EX + "swap")
    store.replace_graph(graph, rows(2_000, "old"))  # small: one request
    old, new = 1_999, 11_999
    seen_between_chunks: list[tuple[int, int, list[str]]] = []
    reader = GraphStore.open(oxigraph_server.url, with_ontology=False, timeout=60)
    quads_before, graphs_before = reader.count(), reader.named_graphs()
    listed: list[tuple[int, list[NamedNode]]] = []

    chunk_number = iter(range(1_000_000))

    def between_chunks(done: int, total: int) -> None:
        if done < total and next(chunk_number) % 2 == 0:  # every other chunk
            seen_between_chunks.append((union_count(reader, "old", "new"),
                                        raw_union_count(oxigraph_server, "old", "new"),
                                        staging_graphs(oxigraph_server)))
            listed.append((reader.count(), reader.named_graphs()))

    store.remote.engine.progress = between_chunks  # type: ignore[union-attr]
    counts: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.wait(0.02):
            counts.append(union_count(reader, "old", "new"))

    thread = threading.Thread(target=read)
    thread.start()
    try:
        store.replace_graph(graph, rows(12_000, "new"))
    finally:
        stop.set()
        thread.join()
    counts.append(union_count(reader, "old", "new"))
    assert len(seen_between_chunks) >= 8
    # The staging graph is there and a plain union query would count it ...
    assert all(len(staged) == 1 and raw > old for _, raw, staged in seen_between_chunks)
    # ... but the store's readers never do.
    assert {mine for mine, _, _ in seen_between_chunks} == {old}
    assert all(listing == (quads_before, graphs_before) for listing in listed)
    assert len(counts) > 10 and set(counts) <= {old, new} and counts[-1] == new
    assert store.drop_graph(graph)


class Interrupted(Exception):
    """The load stopped halfway (as Ctrl-C would stop it)."""


def test_load_failing_midway_leaves_the_old_graph_and_no_staging(store: GraphStore,
                                                                 oxigraph_server: Server) -> None:
    graph = NamedNode(EX + "midway")
    store.replace_graph(graph, rows(500, "before"))

    def fail_halfway(done: int, total: int) -> None:
        if done > total // 2:
            raise Interrupted

    store.remote.engine.progress = fail_halfway  # type: ignore[union-attr]
    with pytest.raises(Interrupted):
        store.replace_graph(graph, rows(20_000, "after"))
    assert store.count(graph) == 500
    assert union_count(store, "before", "after") == 499
    assert staging_graphs(oxigraph_server) == []


def test_connection_lost_midway_leaves_the_old_graph(store: GraphStore, oxigraph_server: Server,
                                                     tmp_path: Path) -> None:
    """The server goes away between two chunks: the loader reports it in one line;
    once the server is back the old graph is whole, and the staging graph the
    loader could not drop stays out of every reader's sight."""
    from servers import start_oxigraph, stop

    server = start_oxigraph(tmp_path)
    try:
        own = GraphStore.open(server.url, with_ontology=False, timeout=10)
        own.remote.engine.chunk_size = CHUNK  # type: ignore[union-attr]
        graph = NamedNode(EX + "dropped")
        own.replace_graph(graph, rows(300, "kept"))

        def pull_the_plug(done: int, total: int) -> None:
            if done > total // 3 and server.process.poll() is None:
                stop(server.process)

        own.remote.engine.progress = pull_the_plug  # type: ignore[union-attr]
        with pytest.raises(StoreUnavailableError, match="cannot reach the store"):
            own.replace_graph(graph, rows(20_000, "lost"))
    finally:
        stop(server.process)
    revived = start_oxigraph(tmp_path)  # the same data folder
    try:
        again = GraphStore.open(revived.url, with_ontology=False, timeout=30)
        assert again.count(graph) == 300
        assert len(staging_graphs(revived)) == 1 and raw_union_count(revived, "kept", "lost") > 299
        assert union_count(again, "kept", "lost") == 299
        assert graph in again.named_graphs() and len(again.named_graphs()) == 1
    finally:
        stop(revived.process)
