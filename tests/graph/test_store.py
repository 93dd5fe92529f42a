"""The embedded store: opening, ownership, atomic replacement, queries."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Triple, Variable

from rightsgraph import ontology
from rightsgraph.graph.errors import QueryError, RightsgraphError, StoreLockedError
from rightsgraph.graph.store import STAGING_PREFIX, GraphStore
from rightsgraph.ontology.terms import RDF, RDFS, RG

G = NamedNode("https://example.org/graph/a")
EX = "https://example.org/"


def triples(n: int, label: str = "x") -> list[Triple]:
    return [Triple(NamedNode(f"{EX}s{i}"), RDFS.label, Literal(f"{label}{i}")) for i in range(n)]


def test_memory_store_holds_every_ontology_file_in_its_graph(store: GraphStore) -> None:
    graphs = {g.value for g in store.named_graphs()}
    for name in ontology.available():
        assert ontology.ONTOLOGY_GRAPHS[name] in graphs


def test_ontology_is_loaded_once(store_dir: Path) -> None:
    with GraphStore.open(store_dir) as store:
        count = store.count()
        assert store.ensure_ontology() == []
    with GraphStore.open(store_dir) as store:
        assert store.count() == count


def test_replace_graph_replaces_and_never_duplicates(store: GraphStore) -> None:
    before = store.count()
    assert store.replace_graph(G, triples(5)) == 5
    assert store.replace_graph(G, triples(5)) == 5
    assert store.count() == before + 5
    assert store.replace_graph(G, triples(2, "y")) == 2
    labels = {q.object.value for q in store.quads(G)}
    assert labels == {"y0", "y1"}


def test_replace_with_nothing_drops_the_graph(store: GraphStore) -> None:
    store.replace_graph(G, triples(3))
    assert store.replace_graph(G, []) == 0
    assert G not in store.named_graphs()


UNION_READ = "SELECT ?l WHERE { ?s rdfs:label ?l FILTER(STRSTARTS(STR(?s), 'https://example.org/s')) }"
NAMED_READ = "SELECT ?g ?l WHERE { GRAPH ?g { ?s rdfs:label ?l } }"


@pytest.mark.parametrize("reader", [UNION_READ, NAMED_READ])
def test_readers_see_old_or_new_graph_never_a_mix(store: GraphStore, reader: str) -> None:
    store.replace_graph(G, triples(300, "old"))
    seen: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                substitutions = {Variable("g"): G} if reader is NAMED_READ else None
                rows = list(store.query(reader, substitutions=substitutions))  # type: ignore[arg-type]
                kinds = {r["l"].value[:3] for r in rows}
                seen.add(len(kinds))
                assert len(rows) == 300 and len(kinds) == 1, (len(rows), kinds)
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    for round_ in range(20):
        store.replace_graph(G, triples(300, "new" if round_ % 2 else "old"))
    stop.set()
    thread.join()
    assert errors == []
    assert seen == {1}


def test_staging_graphs_left_by_a_crash_are_dropped_on_open(store_dir: Path) -> None:
    with GraphStore.open(store_dir) as store:
        store.raw.add(Quad(NamedNode(EX + "s"), RDFS.label, Literal("half"),
                           NamedNode(STAGING_PREFIX + "crashed")))
    with GraphStore.open(store_dir) as store:
        assert not [g for g in store.named_graphs() if g.value.startswith(STAGING_PREFIX)]


def test_a_new_graph_interrupted_mid_write_is_absent_after_reopen(store_dir: Path) -> None:
    class Interrupted(Exception):
        pass

    def failing() -> Iterator[Triple]:
        yield from triples(50)
        raise Interrupted

    with GraphStore.open(store_dir) as store:
        with pytest.raises(Interrupted):
            store.replace_graph(G, failing())
        assert G not in store.named_graphs()
        store.replace_graph(G, triples(3))
        with pytest.raises(Interrupted):
            store.replace_graph(G, failing())
        assert store.count(G) == 3  # the old graph stays


def test_pending_graphs_of_a_killed_writer_are_dropped_on_open(store_dir: Path) -> None:
    from rightsgraph.graph.store import _PENDING, _PENDING_GRAPH

    half = NamedNode(EX + "half-written")
    with GraphStore.open(store_dir) as store:
        store.raw.add(Quad(half, RDFS.label, _PENDING, _PENDING_GRAPH))
        store.raw.add(Quad(half, RDF.type, _PENDING, _PENDING_GRAPH))
        store.raw.add(Quad(NamedNode(EX + "s"), RDFS.label, Literal("x"), half))
    with GraphStore.open(store_dir) as store:
        assert half not in store.named_graphs()


def test_second_owner_in_same_process_is_refused(store_dir: Path) -> None:
    with GraphStore.open(store_dir):
        with pytest.raises(StoreLockedError, match="in use by process"):
            GraphStore.open(store_dir)


def test_second_process_gets_a_clear_message(store_dir: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from rightsgraph.graph.store import GraphStore
            s = GraphStore.open({str(store_dir)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError) as info:
            GraphStore.open(store_dir)
        assert f"process {holder.pid}" in str(info.value)
        assert "LOCK" not in str(info.value)
    finally:
        holder.communicate("", timeout=30)
    with GraphStore.open(store_dir) as store:  # released when the owner exits
        assert store.count() > 0


def test_a_directory_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RightsgraphError, match="not a rightsgraph store"):
        GraphStore.open(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(RightsgraphError, match="is a file"):
        GraphStore.open(target)


def test_query_default_graph_is_the_union(store: GraphStore) -> None:
    store.replace_graph(G, triples(1))
    rows = list(store.query("SELECT ?c WHERE { ?c a owl:Class }"))  # type: ignore[arg-type]
    assert any(r["c"] == RG.Passage for r in rows)
    rows = list(store.query("SELECT ?l WHERE { ?s rdfs:label ?l }", default_graph=[G]))  # type: ignore[arg-type]
    assert [r["l"].value for r in rows] == ["x0"]


def test_query_substitutions_bind_user_values(store: GraphStore) -> None:
    store.replace_graph(G, triples(3))
    hostile = Literal('x1" } ; DROP ALL ; #')
    rows = list(store.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l }",
                            substitutions={Variable("l"): hostile}))  # type: ignore[arg-type]
    assert rows == []
    rows = list(store.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l }",
                            substitutions={Variable("l"): Literal("x1")}))  # type: ignore[arg-type]
    assert [r["s"].value for r in rows] == [EX + "s1"]


def test_query_syntax_error_says_where(store: GraphStore) -> None:
    with pytest.raises(QueryError, match=r"syntax error: error at 1:\d+"):
        store.query("SELECT * WHERE { ?s ?p }")


def test_source_records_describe_the_ontology(store: GraphStore) -> None:
    records = {r.file_name: r for r in store.source_records()}
    assert records["rightsgraph.ttl"].loader == "ontology"
    assert len(records["rightsgraph.ttl"].sha256) == 64
