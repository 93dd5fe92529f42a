"""A large N-Triples file loaded alone into a server is checked part by part
while it is sent (the parser and the wait for the server overlap), not parsed
whole first: a syntax error in a late part stops the load with the file's
line, after parts were sent, and leaves nothing a reader or the server shows.
Files from 8 MiB on reach the store unparsed (loaders/rdf.py ``BULK_BYTES``); the
chunk size is cut to 1 MiB so that a 9 MB file takes several requests."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.remote_engine import Engine, _urlencode
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.rdf import BULK_BYTES

sys.path.insert(0, str(Path(__file__).parent))
from servers import Server  # noqa: E402

EX = "https://example.org/checked-as-sent/"
CHUNK = 1024 * 1024
LINES = 90_000


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    server: Server = request.getfixturevalue(f"{request.param}_server")
    opened = server.open()
    engine = _engine(opened)
    size = engine.chunk_size
    engine.chunk_size = CHUNK
    yield opened
    engine.chunk_size, engine.progress = size, None


def _engine(store: GraphStore) -> Engine:
    assert store.remote is not None
    return store.remote.engine


def _file(folder: Path, name: str, tag: str, bad_line: int | None = None) -> Path:
    """:data:`LINES` lines of N-Triples (about 100 bytes each), one of them broken."""
    lines = [f'<{EX}{tag}/{i}> <http://www.w3.org/2000/01/rdf-schema#label> '
             f'"{tag} number {i} of the check" .' for i in range(1, LINES)]
    lines.insert(0, f"<{EX}{tag}/0> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Thing> .")
    if bad_line is not None:
        lines[bad_line - 1] = f'<{EX}{tag}/broken> <{EX}p> "no end'
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > BULK_BYTES
    return path


def _held(store: GraphStore, graph: NamedNode) -> int:
    """Triples the server holds in ``graph``, asked past every check of rightsgraph."""
    assert store.remote is not None
    query = f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
    body = store.remote.client.request(
        "POST", store.remote.engine.query_path, body=_urlencode([("query", query)]),
        content_type="application/x-www-form-urlencoded",
        accept="application/sparql-results+json").body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_a_large_file_is_checked_as_it_is_sent_and_loads_whole(store: GraphStore,
                                                                tmp_path: Path) -> None:
    path = _file(tmp_path, "checked-whole.nt", "whole")
    [loaded] = parse_paths([path], LoadContext())
    sent: list[int] = []
    _engine(store).progress = lambda written, total: sent.append(written)
    try:
        [outcome] = store_loaded(store, [loaded])
        assert outcome.status == "loaded"
        assert loaded.report.found["triples"] == LINES
        assert len(sent) >= 8, "sent in several parts"
        assert loaded.triples.unchecked is False, "every part was checked"  # type: ignore[attr-defined]
        assert store.count(loaded.graph) == LINES + len(loaded.triples.extra)  # type: ignore[attr-defined]
    finally:
        store.drop_graph(loaded.graph)


def test_an_error_in_a_late_part_stops_the_load_after_parts_were_sent_and_leaves_nothing(
        store: GraphStore, tmp_path: Path) -> None:
    path = _file(tmp_path, "checked-broken.nt", "broken", bad_line=LINES - 10)
    [loaded] = parse_paths([path], LoadContext())  # (not parsed yet: no error here)
    sent: list[int] = []
    _engine(store).progress = lambda written, total: sent.append(written)
    with pytest.raises(InputError) as raised:
        store_loaded(store, [loaded])
    assert (raised.value.file, raised.value.line) == (str(path), LINES - 10), str(raised.value)
    assert "syntax error" in str(raised.value)
    assert len(sent) >= 2, "the parts before the broken one were sent while it was checked"
    assert _held(store, loaded.graph) == 0, "what was sent went again"
    assert store.count(loaded.graph) == 0
    assert loaded.graph not in set(store.named_graphs())


def test_an_error_in_a_late_part_leaves_the_loaded_source_as_it_was(store: GraphStore,
                                                                     tmp_path: Path) -> None:
    good = _file(tmp_path / "first", "checked-again.nt", "before")
    [first] = parse_paths([good], LoadContext())
    store_loaded(store, [first])
    try:
        before = store.count(first.graph)
        broken = _file(tmp_path / "second", "checked-again.nt", "after", bad_line=LINES - 1)
        [second] = parse_paths([broken], LoadContext())
        assert second.graph == first.graph
        with pytest.raises(InputError, match=rf"checked-again.nt:{LINES - 1}:"):
            store_loaded(store, [second])
        assert store.count(first.graph) == before
        assert _held(store, first.graph) == before
        rows = store.query(f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}after/')) }}")
        assert list(rows) == []  # type: ignore[arg-type]
    finally:
        store.drop_graph(first.graph)
