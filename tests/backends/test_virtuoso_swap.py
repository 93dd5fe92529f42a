"""How Virtuoso readers pass a graph being swapped in: they wait for a swap
under way to end, give up with a clear error at their time limit, and pass
the marker of a writer that died once its time is up.  And how a load stages:
in chunks, in a graph of its own, which nothing leaves behind."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from rightsgraph.graph.remote_engine import _STALE, _urlencode
from rightsgraph.graph.remote_http import StoreTimeoutError, StoreUnavailableError
from rightsgraph.graph.remote_virtuoso import (
    _CLAIM,
    _SLOT_PREFIX,
    _STAGED,
    DEFAULT_CHUNK_SIZE,
    PENDING_GRAPH,
    STAGING_SLOTS,
    SWAP_GRACE,
    Virtuoso,
    _claim_update,
    _release,
)
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import RDFS

sys.path.insert(0, str(Path(__file__).parent))
from servers import Server  # noqa: E402
from test_behaviour import EX, labels  # noqa: E402

GRAPH = NamedNode(EX + "swap")
#: Seconds a reader is given before it gives up waiting for a swap (a busy
#: server answers one request well within it).
IMPATIENT = 5


@pytest.fixture
def writer(virtuoso_server: Server) -> Iterator[GraphStore]:
    store = virtuoso_server.open()
    store.replace_graph(GRAPH, labels(30, "swap-old"))
    yield store
    store.drop_graph(GRAPH)


def _engine(store: GraphStore) -> Virtuoso:
    remote = store.remote
    assert remote is not None and isinstance(remote.engine, Virtuoso)
    return remote.engine


def _readings(store: GraphStore) -> dict[str, int]:
    """The graph as each kind of read sees it."""
    union = f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}swap-')) }}"
    return {
        "count": store.count(GRAPH),
        "GRAPH <g>": sum(1 for _ in store.query(  # type: ignore[union-attr]
            f"SELECT ?s WHERE {{ GRAPH <{GRAPH.value}> {{ ?s ?p ?o }} }}")),
        "union": sum(1 for _ in store.query(union)),  # type: ignore[union-attr]
        "quads": len(store.quads(GRAPH)),
    }


def test_readers_wait_for_a_long_swap(virtuoso_server: Server, writer: GraphStore) -> None:
    engine, client = _engine(writer), writer.remote.client  # type: ignore[union-attr]
    slot, token = engine._claim(client)
    client.request("PUT", "/sparql-graph-crud-auth", params=[("graph-uri", slot)],
                   body=serialize(labels(50, "swap-new"), format=RdfFormat.N_TRIPLES),
                   content_type="text/turtle")
    impatient = GraphStore.open(virtuoso_server.url, with_ontology=False, timeout=IMPATIENT)
    reader = GraphStore.open(virtuoso_server.url, with_ontology=False, timeout=60)
    marker = engine.begin_swap(client, GRAPH.value, 60)
    with pytest.raises(StoreUnavailableError, match="reload of a source is in progress"):
        impatient.count(GRAPH)
    seen: list[dict[str, int]] = []
    thread = threading.Thread(target=lambda: seen.append(_readings(reader)))
    thread.start()
    try:
        time.sleep(1.0)
        engine.update(client, f"MOVE SILENT <{slot}> TO <{GRAPH.value}>")
        time.sleep(0.3)
        assert thread.is_alive() and not seen, "readers wait while the swap is marked"
    finally:
        engine.end_swap(client, marker)
        engine.update(client, _release(slot, token))
        thread.join(timeout=60)
    assert seen == [{"count": 50, "GRAPH <g>": 50, "union": 50, "quads": 50}]


def test_a_stale_marker_blocks_no_reader(virtuoso_server: Server, writer: GraphStore) -> None:
    engine, client = _engine(writer), writer.remote.client  # type: ignore[union-attr]
    # A writer that died in its swap, its time (and the grace) up.
    dead = engine.begin_swap(client, GRAPH.value, -SWAP_GRACE - 5)
    reader = GraphStore.open(virtuoso_server.url, with_ontology=False, timeout=30)
    assert _readings(reader) == {"count": 30, "GRAPH <g>": 30, "union": 30, "quads": 30}
    assert PENDING_GRAPH not in {g.value for g in reader.named_graphs()}
    # The next swap removes the dead writer's marker.
    def markers() -> list[str]:
        return [marker for marker, _ in engine._swaps(client).running]

    assert dead in markers()
    assert writer.replace_graph(GRAPH, labels(40, "swap-new")) == 40
    assert markers() == []
    assert _readings(reader) == {"count": 40, "GRAPH <g>": 40, "union": 40, "quads": 40}


def test_swaps_of_one_graph_take_turns(virtuoso_server: Server, writer: GraphStore) -> None:
    """A load waits while an earlier swap of the same graph is under way, and
    then replaces what that swap left."""
    engine, client = _engine(writer), writer.remote.client  # type: ignore[union-attr]
    earlier = engine.begin_swap(client, GRAPH.value, 60)
    done: list[int] = []
    thread = threading.Thread(
        target=lambda: done.append(writer.replace_graph(GRAPH, labels(20, "swap-turn"))))
    thread.start()
    try:
        time.sleep(1.5)
        assert thread.is_alive() and not done, "the later load waits for the earlier swap"
    finally:
        engine.end_swap(client, earlier)
        thread.join(timeout=60)
    assert done == [20]
    assert writer.count(GRAPH) == 20


def test_concurrent_loads_of_a_new_source_leave_one_whole(virtuoso_server: Server,
                                                          writer: GraphStore) -> None:
    """A new source is added, not moved, into its graph: two loads of it at
    once must still leave exactly one of them, never both merged."""
    fresh = NamedNode(EX + "swap-fresh")
    other = virtuoso_server.open()
    results: list[int] = []

    def load(store: GraphStore, tag: str, n: int) -> None:
        results.append(store.replace_graph(fresh, labels(n, tag)))

    threads = [threading.Thread(target=load, args=(writer, "swap-a", 300)),
               threading.Thread(target=load, args=(other, "swap-b", 200))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(results) == 2
        # One load whole (merged, it would hold 500 triples).
        assert writer.count(fresh) in (200, 300)
    finally:
        writer.drop_graph(fresh)


def test_a_dead_loaders_staging_graph_is_dropped_by_the_next_claim(
        virtuoso_server: Server, writer: GraphStore) -> None:
    """What a loader that died left in its staging graph never stays: the next
    load that claims the same slot drops it (each load stages in a graph of its own)."""
    engine, client = _engine(writer), writer.remote.client  # type: ignore[union-attr]
    junk = serialize(labels(10, "swap-junk"), format=RdfFormat.N_TRIPLES)
    slots = [f"{_SLOT_PREFIX}{n}" for n in range(STAGING_SLOTS)]
    for slot in slots:
        client.request("POST", "/sparql-graph-crud-auth", params=[("graph-uri", f"{slot}-dead")],
                       body=junk, content_type="text/turtle")
        engine.update(client, f"INSERT DATA {{ GRAPH <{PENDING_GRAPH}> {{ "
                              f"<{slot}> <{_STAGED}> <{slot}-dead> }} }}")

    def full() -> list[str]:
        found = []
        for slot in slots:
            rows = client.request("POST", "/sparql", body=_urlencode([("query", (
                f"SELECT ?s WHERE {{ GRAPH <{slot}-dead> {{ ?s ?p ?o }} }} LIMIT 1"))]),
                content_type="application/x-www-form-urlencoded",
                accept="application/sparql-results+json").body
            if b'"s"' in rows.split(b'"bindings"')[1]:
                found.append(slot)
        return found

    assert len(full()) == STAGING_SLOTS
    assert writer.replace_graph(GRAPH, labels(25, "swap-clean")) == 25
    assert writer.count(GRAPH) == 25
    assert len(full()) == STAGING_SLOTS - 1, "the claimed slot's leftovers are dropped"
    for slot in slots:
        engine._clear_leftovers(client, slot, "")
    assert full() == []


def _staging_graphs(client: object) -> list[str]:
    """The staging graphs that hold something."""
    query = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
             f"FILTER(STRSTARTS(STR(?g), '{_SLOT_PREFIX}')) }}")
    body = client.request("POST", "/sparql", body=_urlencode([("query", query)]),  # type: ignore[attr-defined]
                          content_type="application/x-www-form-urlencoded",
                          accept="application/sparql-results+json").body
    return [row["g"]["value"] for row in json.loads(body)["results"]["bindings"]]


def _claims(engine: Virtuoso, client: object) -> dict[str, list[str]]:
    """The claims on each slot."""
    return {slot: engine._slot(client, slot)[0]  # type: ignore[arg-type]
            for slot in (f"{_SLOT_PREFIX}{n}" for n in range(STAGING_SLOTS))}


def _records(engine: Virtuoso, client: object) -> list[tuple[str, str]]:
    """(slot, staging graph) for each staging graph on record."""
    return [(slot, graph) for n in range(STAGING_SLOTS)
            for slot in [f"{_SLOT_PREFIX}{n}"]
            for graph in engine._slot(client, slot)[1]]  # type: ignore[arg-type]


class Interrupted(Exception):
    """The load stopped between two chunks (as Ctrl-C would stop it)."""


@pytest.fixture
def small_chunks(writer: GraphStore) -> Iterator[tuple[Virtuoso, list[tuple[int, int]]]]:
    """The writer's engine cutting loads into 16 KiB chunks, and the progress it reports."""
    engine = _engine(writer)
    reported: list[tuple[int, int]] = []
    engine.chunk_size = 16 * 1024
    engine.progress = lambda written, total: reported.append((written, total))
    yield engine, reported
    engine.chunk_size, engine.progress = DEFAULT_CHUNK_SIZE, None


def test_a_large_source_goes_in_chunks_with_its_blank_nodes_whole(
        writer: GraphStore, small_chunks: tuple[Virtuoso, list[tuple[int, int]]]) -> None:
    _, reported = small_chunks
    note = NamedNode(EX + "note")
    triples = labels(2000, "swap-chunked")
    for i in range(150):  # a blank node per note, written in a triple of its own and a label
        blank = BlankNode()
        triples += [Triple(NamedNode(f"{EX}swap-chunked/{i}"), note, blank),
                    Triple(blank, RDFS.label, Literal(f"note {i}"))]
    assert writer.replace_graph(GRAPH, triples) == 2300
    assert len(reported) > 5, "the source went in several chunks"
    written = [0, *(done for done, _ in reported)]
    sizes = [after - before for before, after in zip(written, written[1:], strict=False)]
    assert all(0 < size <= 16 * 1024 for size in sizes), sizes
    assert reported[-1][0] == reported[-1][1]
    joined = next(iter(writer.query(  # type: ignore[arg-type]
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH.value}> {{ "
        f"?r <{note.value}> ?b . ?b <{RDFS.label.value}> ?l }} }}")))
    assert int(joined["n"].value) == 150, "no chunk cut a note from its blank node's label"
    assert _staging_graphs(writer.remote.client) == []  # type: ignore[union-attr]


def test_a_chunked_load_stopped_halfway_changes_nothing(
        writer: GraphStore, small_chunks: tuple[Virtuoso, list[tuple[int, int]]]) -> None:
    engine, _reported = small_chunks

    def stop_halfway(written: int, total: int) -> None:
        if written > total // 2:
            raise Interrupted

    client = writer.remote.client  # type: ignore[union-attr]
    claims = _claims(engine, client)  # (the suite's server may hold other tests' claims)
    engine.progress = stop_halfway
    with pytest.raises(Interrupted):
        writer.replace_graph(GRAPH, labels(3000, "swap-half"))
    assert _readings(writer) == {"count": 30, "GRAPH <g>": 30, "union": 30, "quads": 30}
    assert _staging_graphs(client) == []
    assert _claims(engine, client) == claims, "the load's slot is free again"


def test_a_load_that_timed_out_leaves_its_staging_graph_on_record(
        writer: GraphStore, small_chunks: tuple[Virtuoso, list[tuple[int, int]]]) -> None:
    """After a timeout the server may still be writing the staging graph: the
    load frees its slot but keeps the staging graph on record, so that the
    next claim of the slot drops whatever arrived after the load gave up."""
    engine, _ = small_chunks

    def time_out(written: int, total: int) -> None:
        raise StoreTimeoutError("the store did not answer within 1 s")

    client = writer.remote.client  # type: ignore[union-attr]
    claims, records = _claims(engine, client), _records(engine, client)
    engine.progress = time_out
    with pytest.raises(StoreTimeoutError):
        writer.replace_graph(GRAPH, labels(3000, "swap-late"))
    assert _readings(writer) == {"count": 30, "GRAPH <g>": 30, "union": 30, "quads": 30}
    assert _claims(engine, client) == claims, "the load's slot is free again"
    kept = sorted(set(_records(engine, client)) - set(records))
    assert len(kept) == 1 and kept[0][1].startswith(kept[0][0] + "-"), kept
    # What arrives late is dropped by the next claim of that slot.
    client.request("POST", "/sparql-graph-crud-auth", params=[("graph-uri", kept[0][1])],
                   body=serialize(labels(5, "swap-late"), format=RdfFormat.N_TRIPLES),
                   content_type="text/turtle")
    assert _staging_graphs(client) == [kept[0][1]]
    engine._clear_leftovers(client, kept[0][0], "")
    assert _staging_graphs(client) == []


def test_two_claims_of_one_slot_each_release_only_their_own(writer: GraphStore) -> None:
    """Virtuoso may let two loads claim one slot at the same moment (each then
    gives it up); each release must take its own claim only, and the other
    must keep its time, or the slot is never freed (nor ever stale)."""
    engine, client = _engine(writer), writer.remote.client  # type: ignore[union-attr]
    slot = next(s for s in (f"{_SLOT_PREFIX}{n}" for n in range(STAGING_SLOTS))
                if not engine._slot(client, s)[0])
    stale = (datetime.now(UTC) - _STALE).strftime("%Y-%m-%dT%H:%M:%SZ")
    engine.update(client, _claim_update(slot, "first", stale))
    engine.update(client, f'INSERT {{ GRAPH <{PENDING_GRAPH}> {{ <{slot}> <{_CLAIM}> ?c }} }} '
                          f'WHERE {{ BIND(CONCAT("second@", STR(NOW())) AS ?c) }}')
    try:
        assert engine._slot(client, slot)[0] == ["first", "second"]
        engine.update(client, _release(slot, "second"))
        assert engine._slot(client, slot)[0] == ["first"]
        # (a claim that finds the slot held gives it up: _claim reads the holders)
        engine.update(client, _claim_update(slot, "third", stale))
        assert "first" in engine._slot(client, slot)[0], "a live claim is not taken over"
    finally:
        for token in ("first", "second", "third"):
            engine.update(client, _release(slot, token))
    assert engine._slot(client, slot)[0] == []


def test_a_claim_without_a_time_is_taken_over(writer: GraphStore) -> None:
    """A claim without a time (as releases before 2026-11-25 could leave one) is stale."""
    engine, client = _engine(writer), writer.remote.client  # type: ignore[union-attr]
    slot = next(s for s in (f"{_SLOT_PREFIX}{n}" for n in range(STAGING_SLOTS))
                if not engine._slot(client, s)[0])
    stale = (datetime.now(UTC) - _STALE).strftime("%Y-%m-%dT%H:%M:%SZ")
    engine.update(client, f'INSERT DATA {{ GRAPH <{PENDING_GRAPH}> {{ <{slot}> <{_CLAIM}> "old" }} }}')
    engine.update(client, _claim_update(slot, "new", stale))
    try:
        assert engine._slot(client, slot)[0] == ["new"]
    finally:
        engine.update(client, _release(slot, "new"))
    assert engine._slot(client, slot)[0] == []
