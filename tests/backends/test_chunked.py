"""Graphs larger than one request to Oxigraph server (which refuses bodies over
128 MiB): loaded in chunks, into a staging graph swapped in by one MOVE when
the source exists, in place (hidden by a marker) when it is new.
The chunk size is cut to 64 KiB here so that a few megabytes take many chunks."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from rightsgraph.graph.remote_engine import chunks
from rightsgraph.graph.remote_http import StoreUnavailableError
from rightsgraph.graph.remote_loads import LOADING_PREFIX, STAGING_PREFIX, loading_marker, lock_of
from rightsgraph.graph.remote_oxigraph import Oxigraph
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


def all_graphs(server: Server) -> list[str]:
    """Every graph the server holds, empty ones and rightsgraph's marks included."""
    body = urllib.parse.urlencode({"query": "SELECT ?g WHERE { GRAPH ?g { } }"}).encode()
    request = urllib.request.Request(server.url + "/query", data=body,
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return [b["g"]["value"] for b in json.load(answer)["results"]["bindings"]]


def staging_graphs(server: Server) -> list[str]:
    return [g for g in all_graphs(server) if g.startswith(STAGING_PREFIX)]


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


def test_chunks_read_the_triples_only_when_a_blank_node_may_be_there() -> None:
    from pyoxigraph import RdfFormat, serialize

    class Unread(list[Triple]):
        def __iter__(self) -> Iterator[Triple]:
            raise AssertionError("the triples were read")

    plain = rows(3000, "lazy")
    data = serialize(plain, format=RdfFormat.N_TRIPLES) or b""
    assert b"".join(chunks(Unread(plain), data, 4096)) == data
    # "_:" in a literal: the triples are read, and found plain
    looks = [*plain, Triple(NamedNode(EX + "y"), RDFS.label, Literal("a _:b lookalike"))]
    data = serialize(looks, format=RdfFormat.N_TRIPLES) or b""
    pieces = list(chunks(iter(looks), data, 4096))
    assert b"".join(pieces) == data and all(len(p) <= 4096 for p in pieces)


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


def fail_halfway(done: int, total: int) -> None:
    """A progress callback that stops a chunked load past its middle."""
    if done > total // 2:
        raise Interrupted


def test_load_failing_midway_leaves_the_old_graph_and_no_staging(store: GraphStore,
                                                                 oxigraph_server: Server) -> None:
    graph = NamedNode(EX + "midway")
    store.replace_graph(graph, rows(500, "before"))

    store.remote.engine.progress = fail_halfway  # type: ignore[union-attr]
    with pytest.raises(Interrupted):
        store.replace_graph(graph, rows(20_000, "after"))
    assert store.count(graph) == 500
    assert union_count(store, "before", "after") == 499
    assert staging_graphs(oxigraph_server) == []
    assert store.drop_graph(graph)


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


def marks(server: Server) -> list[str]:
    """The staging graphs, markers and locks of loads on the server."""
    return [g for g in all_graphs(server) if g.startswith((STAGING_PREFIX, LOADING_PREFIX))]


def raw_graph_size(server: Server, graph: NamedNode) -> int:
    """The triples of ``graph`` as the server's Graph Store gives them, loads under way or not."""
    request = urllib.request.Request(f"{server.url}/store?graph={urllib.parse.quote(graph.value)}",
                                     headers={"Accept": "application/n-triples"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return len(answer.read().splitlines())
    except urllib.error.HTTPError as missing:
        assert missing.code == 404
        return 0


def raw_update(server: Server, sparql: str) -> None:
    request = urllib.request.Request(server.url + "/update", data=sparql.encode(),
                                     headers={"Content-Type": "application/sparql-update"})
    with urllib.request.urlopen(request, timeout=30):
        pass


def test_new_source_loaded_in_place_is_never_partly_visible(store: GraphStore,
                                                             oxigraph_server: Server) -> None:
    graph = NamedNode(EX + "fresh")
    reader = GraphStore.open(oxigraph_server.url, with_ontology=False, timeout=60)
    quads_before, graphs_before = reader.count(), reader.named_graphs()
    in_graph = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
    seen: list[tuple[int, ...]] = []
    listed: list[tuple[int, list[NamedNode], bool, list[object], bytes | None]] = []
    number = iter(range(1_000_000))

    def between_chunks(done: int, total: int) -> None:
        if done < total and next(number) % 3 == 0:
            seen.append((raw_graph_size(oxigraph_server, graph), union_count(reader, "fresh"),
                         reader.count(graph),
                         int(next(iter(reader.query(in_graph)))["n"].value)))  # type: ignore[call-overload]
            listed.append((reader.count(), reader.named_graphs(), reader.raw.contains_named_graph(graph),
                           reader.quads(graph), reader.raw.dump(from_graph=graph)))

    store.remote.engine.progress = between_chunks  # type: ignore[union-attr]
    counts: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.wait(0.02):
            counts.append(union_count(reader, "fresh"))

    thread = threading.Thread(target=read)
    thread.start()
    try:
        assert store.replace_graph(graph, rows(12_000, "fresh")) == 12_000
    finally:
        stop.set()
        thread.join()
    assert len(seen) >= 5
    # Written in place (the graph itself grows on the server, no staging copy) ...
    assert all(0 < raw < 12_000 for raw, *_ in seen)
    assert len({raw for raw, *_ in seen}) == len(seen)
    # ... and no reader sees any of it: union, GRAPH <g>, counts, listings, quads.
    assert {tuple(mine) for _, *mine in seen} == {(0, 0, 0)}
    assert all(listing == (quads_before, graphs_before, False, [], b"") for listing in listed)
    assert len(counts) > 10 and set(counts) <= {0, 11_999}
    assert union_count(reader, "fresh") == 11_999 and reader.count(graph) == 12_000
    assert graph in reader.named_graphs() and marks(oxigraph_server) == []
    assert store.drop_graph(graph)


def test_failed_load_of_a_new_source_leaves_nothing(store: GraphStore, oxigraph_server: Server) -> None:
    graph = NamedNode(EX + "never")

    store.remote.engine.progress = fail_halfway  # type: ignore[union-attr]
    with pytest.raises(Interrupted):
        store.replace_graph(graph, rows(20_000, "never"))
    assert graph.value not in all_graphs(oxigraph_server)
    assert marks(oxigraph_server) == []
    assert store.count(graph) == 0 and union_count(store, "never") == 0


def test_stale_marker_of_a_dead_loader_is_cleaned_by_the_next_load(store: GraphStore,
                                                                  oxigraph_server: Server) -> None:
    dead = NamedNode(EX + "dead")
    old = int(time.time()) - 7 * 3600  # older than six hours
    marker = loading_marker(dead.value, old, "deadbeef")
    raw_update(oxigraph_server, f"CREATE GRAPH <{marker}> ; CREATE GRAPH <{lock_of(dead.value)}> ; "
                                f"INSERT DATA {{ GRAPH <{dead.value}> "
                                f"{{ <{EX}dead/1> <{LABEL}> \"dead\" }} }}")
    # Left behind, it stays out of sight ...
    assert raw_graph_size(oxigraph_server, dead) == 1
    assert store.count(dead) == 0 and union_count(store, "dead") == 0
    assert dead not in store.named_graphs()
    # ... until the next chunked load drops it with its partial graph.
    graph = NamedNode(EX + "after-dead")
    store.replace_graph(graph, rows(3_000, "afterdead"))
    assert dead.value not in all_graphs(oxigraph_server)
    assert marks(oxigraph_server) == []
    assert store.count(graph) == 3_000
    assert store.drop_graph(graph)


def test_two_loads_of_the_same_new_source_end_with_one_whole_graph(oxigraph_server: Server) -> None:
    graph = NamedNode(EX + "twice")
    stores = []
    for _ in range(2):
        opened = GraphStore.open(oxigraph_server.url, with_ontology=False, timeout=60)
        opened.remote.engine.chunk_size = CHUNK  # type: ignore[union-attr]
        stores.append(opened)
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    sizes = {"one": 6_000, "two": 9_000}

    def load(own: GraphStore, tag: str) -> None:
        try:
            start.wait()
            own.replace_graph(graph, rows(sizes[tag], tag))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(own, tag)) for own, tag in zip(stores, sizes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = {tag: union_count(stores[0], tag) for tag in sizes}
    assert sorted(counts.values()) in ([0, 5_999], [0, 8_999])  # one load's graph, whole, alone
    winner = next(tag for tag, count in counts.items() if count)
    assert stores[0].count(graph) == sizes[winner] == raw_graph_size(oxigraph_server, graph)
    assert marks(oxigraph_server) == []
    assert stores[0].drop_graph(graph)
