"""A new source on Virtuoso goes straight into its graph, under a swap
marker: readers leave it out while it fills, a load that fails leaves
nothing, and what a loader that died left part written is hidden from every
read until the next load drops it."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from rightsgraph.graph.export import export
from rightsgraph.graph.remote_engine import _urlencode
from rightsgraph.graph.remote_http import Client, StoreUnavailableError
from rightsgraph.graph.remote_virtuoso import (
    _FILLING,
    DEFAULT_CHUNK_SIZE,
    PENDING_GRAPH,
    SWAP_GRACE,
    _Source,
)
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import RDFS

sys.path.insert(0, str(Path(__file__).parent))
from servers import Server  # noqa: E402
from test_behaviour import EX, labels  # noqa: E402
from test_virtuoso_swap import Interrupted, _engine, _staging_graphs  # noqa: E402

FRESH = NamedNode(EX + "fill-fresh")
OTHER = NamedNode(EX + "fill-other")


@pytest.fixture
def writer(virtuoso_server: Server) -> Iterator[GraphStore]:
    """A store whose loads go in 16 KiB chunks; the graphs of these tests dropped after."""
    store = virtuoso_server.open()
    engine = _engine(store)
    engine.chunk_size = 16 * 1024
    yield store
    engine.chunk_size, engine.progress = DEFAULT_CHUNK_SIZE, None
    for graph in (FRESH, OTHER):
        store.drop_graph(graph)


def _client(store: GraphStore) -> Client:
    assert store.remote is not None
    return store.remote.client


def _raw(client: Client, query: str) -> list[dict[str, dict[str, str]]]:
    """A query sent straight to the server, past every check of rightsgraph."""
    body = client.request("POST", "/sparql", body=_urlencode([("query", query)]),
                          content_type="application/x-www-form-urlencoded",
                          accept="application/sparql-results+json").body
    rows: list[dict[str, dict[str, str]]] = json.loads(body)["results"]["bindings"]
    return rows


def _held(client: Client, graph: NamedNode) -> int:
    """How many triples ``graph`` holds on the server."""
    rows = _raw(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


def _fills(client: Client) -> list[str]:
    """The graphs of the markers of new sources written in place."""
    rows = _raw(client, f"SELECT ?g WHERE {{ GRAPH <{PENDING_GRAPH}> {{ ?m <{_FILLING}> ?g }} }}")
    return sorted(row["g"]["value"] for row in rows)


def _readings(store: GraphStore, graph: NamedNode, tag: str) -> dict[str, int]:
    """``graph`` as each kind of read sees it."""
    union = f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}{tag}/')) }}"
    return {
        "count": store.count(graph),
        "GRAPH <g>": sum(1 for _ in store.query(  # type: ignore[union-attr]
            f"SELECT ?s WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")),
        "GRAPH ?g": sum(1 for _ in store.query(  # type: ignore[union-attr]
            f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}{tag}/')) }} }}")),
        "union": sum(1 for _ in store.query(union)),  # type: ignore[union-attr]
        "quads": len(store.quads(graph)),
        "listed": int(graph in set(store.named_graphs())),
    }


def test_a_new_source_fills_its_own_graph_while_readers_leave_it_out(
        virtuoso_server: Server, writer: GraphStore) -> None:
    engine, client = _engine(writer), _client(writer)
    writer.replace_graph(OTHER, labels(5, "fill-other"))
    impatient = GraphStore.open(virtuoso_server.url, with_ontology=False, timeout=3)
    seen: list[tuple[list[str], int, dict[str, int]]] = []

    def halfway(written: int, total: int) -> None:
        if not seen and written > total // 2:
            seen.append((_staging_graphs(client), _held(client, FRESH), {
                **_readings(impatient, FRESH, "fill-new"), "other": impatient.count(OTHER)}))

    engine.progress = halfway
    note = NamedNode(EX + "note")
    triples = labels(2000, "fill-new")
    for i in range(100):  # a blank node per note, in a triple of its own and a label
        blank = BlankNode()
        triples += [Triple(NamedNode(f"{EX}fill-new/{i}"), note, blank),
                    Triple(blank, RDFS.label, Literal(f"note {i}"))]
    assert writer.replace_graph(FRESH, triples) == 2200
    [(staged, held, meanwhile)] = seen
    assert staged == [], "nothing went through a staging graph"
    assert 0 < held < 2200, "the chunks went straight into the source's graph"
    assert meanwhile == {"count": 0, "GRAPH <g>": 0, "GRAPH ?g": 0, "union": 0, "quads": 0,
                         "listed": 0, "other": 5}, "readers answer at once, without the part"
    # (the notes' labels, on blank nodes, are not among the subjects under fill-new/)
    assert _readings(writer, FRESH, "fill-new") == {
        "count": 2200, "GRAPH <g>": 2200, "GRAPH ?g": 2100, "union": 2100, "quads": 2200,
        "listed": 1}
    joined = next(iter(writer.query(  # type: ignore[arg-type]
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{FRESH.value}> {{ "
        f"?r <{note.value}> ?b . ?b <{RDFS.label.value}> ?l }} }}")))
    assert int(joined["n"].value) == 100, "no chunk cut a note from its blank node's label"
    assert FRESH.value not in _fills(client)
    assert engine._swaps(client).swapping(time.time()) == []


def test_a_new_source_stopped_halfway_leaves_nothing(writer: GraphStore) -> None:
    engine, client = _engine(writer), _client(writer)

    def stop_halfway(written: int, total: int) -> None:
        if written > total // 2:
            raise Interrupted

    engine.progress = stop_halfway
    with pytest.raises(Interrupted):
        writer.replace_graph(FRESH, labels(3000, "fill-half"))
    assert _held(client, FRESH) == 0
    assert _readings(writer, FRESH, "fill-half") == {
        "count": 0, "GRAPH <g>": 0, "GRAPH ?g": 0, "union": 0, "quads": 0, "listed": 0}
    assert FRESH.value not in _fills(client)
    assert engine._swaps(client).swapping(time.time()) == []
    engine.progress = None
    assert writer.replace_graph(FRESH, labels(10, "fill-half")) == 10, "and the next load goes in"


def _die_halfway(writer: GraphStore, graph: NamedNode, tag: str, count: int) -> None:
    """What a loader that died while it wrote ``graph`` leaves: its marker, past
    its time (and the grace), and part of the source."""
    engine, client = _engine(writer), _client(writer)
    marker = engine.begin_swap(client, graph.value, -SWAP_GRACE - 5)
    engine.update(client, f"INSERT DATA {{ GRAPH <{PENDING_GRAPH}> {{ "
                          f"<{marker}> <{_FILLING}> <{graph.value}> }} }}")
    client.request("POST", "/sparql-graph-crud-auth", params=[("graph-uri", graph.value)],
                   body=serialize(labels(count, tag), format=RdfFormat.N_TRIPLES),
                   content_type="text/turtle")
    engine.forget()


def test_a_dead_loaders_part_is_hidden_until_the_next_load_drops_it(
        virtuoso_server: Server, writer: GraphStore) -> None:
    client = _client(writer)
    _die_halfway(writer, FRESH, "fill-dead", 25)
    assert _held(client, FRESH) == 25
    reader = GraphStore.open(virtuoso_server.url, with_ontology=False, timeout=30)
    assert _readings(reader, FRESH, "fill-dead") == {
        "count": 0, "GRAPH <g>": 0, "GRAPH ?g": 0, "union": 0, "quads": 0, "listed": 0}
    assert b"fill-dead" not in export(reader, "trig")
    with pytest.raises(StoreUnavailableError, match="stopped part way"):
        reader.query(f"SELECT ?s FROM <{FRESH.value}> WHERE {{ ?s ?p ?o }}")
    # A load of any source drops the part first.
    assert writer.replace_graph(OTHER, labels(5, "fill-other")) == 5
    assert _held(client, FRESH) == 0
    assert _fills(client) == []
    rows = reader.query(f"SELECT ?s FROM <{OTHER.value}> WHERE {{ ?s ?p ?o }}")
    assert len(list(rows)) == 5  # type: ignore[arg-type]


def test_a_dead_loaders_part_gives_way_to_the_next_load_of_its_source(
        writer: GraphStore) -> None:
    client = _client(writer)
    _die_halfway(writer, FRESH, "fill-dead", 25)
    assert writer.replace_graph(FRESH, labels(40, "fill-whole")) == 40
    assert _readings(writer, FRESH, "fill-whole") == {
        "count": 40, "GRAPH <g>": 40, "GRAPH ?g": 40, "union": 40, "quads": 40, "listed": 1}
    assert _readings(writer, FRESH, "fill-dead")["GRAPH ?g"] == 0
    assert _fills(client) == []


def test_dropping_a_source_waits_for_its_load(writer: GraphStore) -> None:
    """A drop never meets a load of the same graph half way: it takes its turn."""
    engine, client = _engine(writer), _client(writer)
    writer.replace_graph(FRESH, labels(15, "fill-drop"))
    earlier = engine.begin_swap(client, FRESH.value, 60)
    done: list[bool] = []
    thread = threading.Thread(target=lambda: done.append(writer.drop_graph(FRESH)))
    thread.start()
    try:
        time.sleep(1.5)
        assert thread.is_alive() and not done, "the drop waits for the swap marked before it"
        assert _held(client, FRESH) == 15
    finally:
        engine.end_swap(client, earlier)
        thread.join(timeout=60)
    assert done == [True]
    assert _held(client, FRESH) == 0


def test_a_reader_that_read_before_a_loader_died_leaves_its_part_out(
        virtuoso_server: Server, writer: GraphStore) -> None:
    reader = GraphStore.open(virtuoso_server.url, with_ontology=False, timeout=30)
    assert reader.count(OTHER) == 0  # its last reading of the marks is from before
    _die_halfway(writer, FRESH, "fill-dead", 25)
    with pytest.raises(StoreUnavailableError, match="stopped part way"):
        reader.query(f"SELECT ?s FROM <{FRESH.value}> WHERE {{ ?s ?p ?o }}")
    rows = reader.query(f"SELECT ?s WHERE {{ GRAPH <{FRESH.value}> {{ ?s ?p ?o }} }}")
    assert list(rows) == []  # type: ignore[arg-type]


def test_a_load_forgets_the_marker_of_a_loader_of_its_graph_that_died_before_writing(
        writer: GraphStore) -> None:
    """A filling marker past its time must always mean a part written: one whose
    loader wrote nothing (the graph empty at the next load's turn) goes as that
    load starts to write, or it would hide the whole source afterwards."""
    engine, client = _engine(writer), _client(writer)
    marker = engine.begin_swap(client, FRESH.value, -SWAP_GRACE - 5)
    engine.update(client, f"INSERT DATA {{ GRAPH <{PENDING_GRAPH}> {{ "
                          f"<{marker}> <{_FILLING}> <{FRESH.value}> }} }}")
    triples = labels(30, "fill-after")
    source = _Source(FRESH.value, triples, serialize(triples, format=RdfFormat.N_TRIPLES) or b"")
    assert engine._fill(client, [source]) == [], "written"
    assert _fills(client) == []
    engine.forget()
    assert _readings(writer, FRESH, "fill-after") == {
        "count": 30, "GRAPH <g>": 30, "GRAPH ?g": 30, "union": 30, "quads": 30, "listed": 1}


def test_marks_that_are_not_iris_are_never_sent_back(writer: GraphStore) -> None:
    engine, client = _engine(writer), _client(writer)
    bad = "urn:rightsgraph:swap:bad"
    engine.update(client, f"INSERT {{ GRAPH <{PENDING_GRAPH}> {{ <{bad}> <{_FILLING}> ?g ; "
                          f"<urn:rightsgraph:swapUntil> 1 }} }} "
                          "WHERE { BIND(IRI(\"urn:x> } } ; DROP SILENT GRAPH <urn:y\") AS ?g) }")
    try:
        stored = _raw(client, f"SELECT ?g WHERE {{ GRAPH <{PENDING_GRAPH}> {{ <{bad}> <{_FILLING}> ?g }} }}")
        assert [row["g"]["value"] for row in stored] == ["urn:x> } } ; DROP SILENT GRAPH <urn:y"]
        assert all(marker != bad for marker, _g, _u in engine._swaps(client).fills)
        assert writer.replace_graph(OTHER, labels(4, "fill-other")) == 4
    finally:
        engine.update(client, f"DELETE WHERE {{ GRAPH <{PENDING_GRAPH}> {{ <{bad}> ?p ?o }} }}")


def test_dropping_a_dead_loaders_part_drops_it_with_its_marker(writer: GraphStore) -> None:
    client = _client(writer)
    _die_halfway(writer, FRESH, "fill-dead", 25)
    assert writer.drop_graph(FRESH) is False, "it was never there for readers"
    assert _held(client, FRESH) == 0
    assert _fills(client) == []


GROUP = [NamedNode(f"{EX}fill-group/{i}") for i in range(4)]


@pytest.fixture
def group(writer: GraphStore) -> Iterator[list[NamedNode]]:
    """The graphs of a batch of new sources, dropped after the test."""
    yield GROUP
    for graph in GROUP:
        writer.drop_graph(graph)


def _markers(client: Client) -> dict[str, list[str]]:
    """Each filling marker with the graphs it fills."""
    rows = _raw(client, f"SELECT ?m ?g WHERE {{ GRAPH <{PENDING_GRAPH}> {{ ?m <{_FILLING}> ?g }} }}")
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["m"]["value"], []).append(row["g"]["value"])
    return {marker: sorted(graphs) for marker, graphs in found.items()}


def test_a_batch_of_new_sources_fills_under_one_marker_and_appears_whole(
        virtuoso_server: Server, writer: GraphStore, group: list[NamedNode]) -> None:
    engine, client = _engine(writer), _client(writer)
    writer.replace_graph(OTHER, labels(5, "fill-other"))  # a source that exists: staged
    impatient = GraphStore.open(virtuoso_server.url, with_ontology=False, timeout=3)
    seen: list[tuple[dict[str, list[str]], list[int], list[int], list[str]]] = []
    sources: list[int] = []

    def on_the_third(written: int, total: int) -> None:
        if written == total:
            sources.append(total)
        if len(sources) == 2 and not seen:  # the first two written, the third begun
            seen.append((_markers(client), [_held(client, g) for g in group],
                         [impatient.count(g) for g in group], _staging_graphs(client)))

    engine.progress = on_the_third
    batch = [(graph, labels(400, f"fill-group-{i}")) for i, graph in enumerate(group)]
    assert writer.replace_graphs([*batch, (OTHER, labels(7, "fill-other"))]) == [400] * 4 + [7]
    [(markers, held, meanwhile, staged)] = seen
    assert list(markers.values()) == [sorted(g.value for g in group)], "one marker for the batch"
    assert held[:2] == [400, 400] and held[3] == 0, "each written straight into its graph"
    assert meanwhile == [0, 0, 0, 0], "readers see none of the batch until all of it is written"
    assert staged == [], "the new sources go through no staging graph"
    assert [impatient.count(g) for g in group] == [400] * 4
    assert impatient.count(OTHER) == 7
    assert _fills(client) == []
    assert engine._swaps(client).swapping(time.time()) == []


def test_a_batch_stopped_part_way_leaves_none_of_its_new_sources(
        writer: GraphStore, group: list[NamedNode]) -> None:
    engine, client = _engine(writer), _client(writer)
    finished: list[int] = []

    def stop_in_the_third(written: int, total: int) -> None:
        if written == total:
            finished.append(total)
        if len(finished) == 2:
            raise Interrupted

    engine.progress = stop_in_the_third
    with pytest.raises(Interrupted):
        writer.replace_graphs([(graph, labels(400, f"fill-group-{i}")) for i, graph in enumerate(group)])
    assert [_held(client, g) for g in group] == [0, 0, 0, 0], "what was written went"
    assert _fills(client) == []
    assert engine._swaps(client).swapping(time.time()) == []
    engine.progress = None
    assert writer.replace_graphs([(g, labels(3, "fill-again")) for g in group]) == [3] * 4


def test_a_group_leaves_a_graph_that_another_load_wrote_first(
        writer: GraphStore, group: list[NamedNode]) -> None:
    """A graph found holding something at the group's turn is not written in
    place: the caller stages it."""
    engine, client = _engine(writer), _client(writer)
    first, taken = group[0], group[1]
    writer.replace_graph(taken, labels(6, "fill-first"))
    sources = [_Source(g.value, t, serialize(t, format=RdfFormat.N_TRIPLES) or b"")
               for g, t in ((first, labels(9, "fill-mine")), (taken, labels(8, "fill-mine")))]
    assert engine._fill(client, sources) == [sources[1]]
    engine.forget()
    assert (writer.count(first), writer.count(taken)) == (9, 6)
    assert _fills(client) == []


def test_a_dead_groups_parts_stay_hidden_until_each_is_dropped(
        virtuoso_server: Server, writer: GraphStore, group: list[NamedNode]) -> None:
    """A loader that died part way through a group leaves one marker over
    several parts: dropping one forgets that part's mark alone."""
    engine, client = _engine(writer), _client(writer)
    one, two = group[0], group[1]
    marker = engine.begin_swap(client, [one.value, two.value], -SWAP_GRACE - 5)
    engine.update(client, f"INSERT DATA {{ GRAPH <{PENDING_GRAPH}> {{ "
                          f"<{marker}> <{_FILLING}> <{one.value}>, <{two.value}> }} }}")
    for graph, count in ((one, 12), (two, 5)):
        client.request("POST", "/sparql-graph-crud-auth", params=[("graph-uri", graph.value)],
                       body=serialize(labels(count, "fill-dead"), format=RdfFormat.N_TRIPLES),
                       content_type="text/turtle")
    engine.forget()
    reader = GraphStore.open(virtuoso_server.url, with_ontology=False, timeout=30)
    assert (reader.count(one), reader.count(two)) == (0, 0)
    engine._drop_in_turn(client, one.value, marker)
    assert (_held(client, one), _held(client, two)) == (0, 5)
    assert _markers(client) == {marker: [two.value]}, "the other part's mark stays"
    assert reader.count(two) == 0, "and hides it"
    assert writer.replace_graph(OTHER, labels(3, "fill-other")) == 3, "the next load drops it"
    assert _held(client, two) == 0
    assert _fills(client) == []
