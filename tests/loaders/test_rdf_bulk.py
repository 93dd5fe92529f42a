"""Large N-Triples and Turtle files go to the store in their bytes, for
pyoxigraph's bulk loader to parse: the same graph as the parsed path, the
same errors (file, line, column), and a bad file still loads nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.serialized import SerializedTriples
from rightsgraph.graph.store import STAGING_PREFIX, GraphStore
from rightsgraph.loaders import rdf
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext

EX = "https://example.org/"


def ntriples(count: int, start: int = 0) -> bytes:
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    lines = [f'<{EX}r{i}> <{EX}text> "recommendation {i}"@en .\n'
             f'<{EX}r{i}> <{EX}next> _:b{i} .\n'
             f'_:b{i} <{EX}value> "{i}"^^{integer} .\n'
             for i in range(start, start + count)]
    return "".join(lines).encode()


@pytest.fixture
def small_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send every N-Triples and Turtle file down the bulk path (the threshold is a size)."""
    monkeypatch.setattr(rdf, "BULK_BYTES", 1)


def load(store: GraphStore, *paths: Path, force: bool = False) -> list[int]:
    loads = parse_paths(list(paths), LoadContext())
    return [outcome.triples for outcome in store_loaded(store, loads, force=force)]


def graph_of(path: Path) -> NamedNode:
    return parse_paths([path], LoadContext())[0].graph


def content(store: GraphStore, graph: NamedNode) -> set[str]:
    """The graph's triples as N-Triples lines, blank nodes named by what they hold."""
    lines = set()
    for quad in store.quads(graph):
        if quad.subject == graph:
            continue  # the source record
        obj = quad.object
        if obj.__class__.__name__ == "BlankNode":
            inner = [q.object for q in store.quads(graph) if q.subject == obj]
            lines.add(f"{quad.subject} {quad.predicate} [{inner[0]}]")
        elif quad.subject.__class__.__name__ != "BlankNode":
            lines.add(f"{quad.subject} {quad.predicate} {obj}")
    return lines


def test_a_large_file_takes_the_bulk_path_by_default(tmp_path: Path) -> None:
    data = ntriples(36_000)
    assert len(data) >= rdf.BULK_BYTES  # the default threshold, not a patched one
    path = tmp_path / "big.nt"
    path.write_bytes(data)
    loaded = parse_paths([path], LoadContext(max_bytes=len(data) + 1))[0]
    assert isinstance(loaded.triples, SerializedTriples)
    small = tmp_path / "small.nt"
    small.write_bytes(ntriples(10))
    assert isinstance(parse_paths([small], LoadContext())[0].triples, list)


def test_the_bulk_path_stores_what_the_parsed_path_stores(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "recs.nt"
    path.write_bytes(ntriples(500))
    turtle = tmp_path / "recs.ttl"
    turtle.write_bytes(b"@prefix ex: <https://example.org/> .\n@base <https://example.org/base/> .\n"
                       b"ex:a ex:p <relative> , [ ex:q 1 ] .\n<b> ex:label \"b\"@fr .\n")
    parsed, bulk = GraphStore.memory(), GraphStore.memory()
    counts = load(parsed, path, turtle)
    monkeypatch.setattr(rdf, "BULK_BYTES", 1)
    loads = parse_paths([path, turtle], LoadContext())
    assert all(isinstance(loaded.triples, SerializedTriples) for loaded in loads)
    outcomes = store_loaded(bulk, loads)
    assert [o.triples for o in outcomes] == counts
    for file in (path, turtle):
        graph = graph_of(file)
        assert content(bulk, graph) == content(parsed, graph) != set()
        assert bulk.source_record(graph) == parsed.source_record(graph)
    # The report counts the file's triples, as the parsed path's does.
    assert outcomes[0].loaded.report.found["triples"] == 1500
    assert outcomes[1].loaded.report.found["triples"] == 4


def test_a_syntax_error_near_the_end_names_its_place_and_loads_nothing(
        tmp_path: Path, store: GraphStore, small_bulk: None) -> None:
    good = tmp_path / "good.nt"
    good.write_bytes(ntriples(200))
    bad = tmp_path / "bad.nt"
    bad.write_bytes(ntriples(2000) + b"<https://example.org/x> <https://example.org/p> oops .\n")
    before = store.count()
    with pytest.raises(InputError) as caught:
        load(store, good, bad)
    assert str(caught.value).startswith(f"{bad}:6001:")
    assert caught.value.line == 6001 and caught.value.column is not None
    assert "syntax error" in str(caught.value)
    # Nothing of either file: the good one was written in the same batch.
    assert store.count() == before
    assert not [g for g in store.named_graphs() if g.value.startswith(STAGING_PREFIX)]
    assert not store.quads(NamedNode("urn:rightsgraph:pending"))


def test_a_bad_replacement_keeps_the_old_graph_and_its_batch(tmp_path: Path, store: GraphStore,
                                                             small_bulk: None) -> None:
    first = tmp_path / "first.nt"
    first.write_bytes(ntriples(300))
    second = tmp_path / "second.ttl"
    second.write_bytes(b"@prefix ex: <https://example.org/> .\nex:a ex:p ex:b .\n")
    load(store, first, second)
    old_first, old_second = content(store, graph_of(first)), content(store, graph_of(second))
    total = store.count()
    first.write_bytes(ntriples(50, start=1000))
    second.write_bytes(b"@prefix ex: <https://example.org/> .\nex:a ex:p ex:c ;\n")
    with pytest.raises(InputError) as caught:
        load(store, first, second)
    assert caught.value.file == str(second) and caught.value.line is not None
    assert content(store, graph_of(first)) == old_first
    assert content(store, graph_of(second)) == old_second
    assert store.count() == total
    # A good replacement then goes through, old triples gone.
    second.write_bytes(b"@prefix ex: <https://example.org/> .\nex:a ex:p ex:c .\n")
    load(store, first, second)
    assert content(store, graph_of(second)) == {f"<{EX}a> <{EX}p> <{EX}c>"}
    assert len(content(store, graph_of(first))) == 100


def test_a_file_without_triples_is_refused(tmp_path: Path, store: GraphStore,
                                           small_bulk: None) -> None:
    path = tmp_path / "empty.ttl"
    path.write_bytes(b"@prefix ex: <https://example.org/> .\n# nothing else\n")
    before = store.count()
    with pytest.raises(InputError, match="no triples found in this turtle file"):
        load(store, path)
    assert store.count() == before


def test_iterating_gives_the_same_triples_and_errors() -> None:
    data = ntriples(20)
    triples = SerializedTriples(data, RdfFormat.N_TRIPLES, file="a.nt")
    assert len(triples) == 60
    assert {str(t) for t in triples if "text" in str(t)} == {
        str(q.triple) for q in parse(data, format=RdfFormat.N_TRIPLES) if "text" in str(q)}
    broken = SerializedTriples(data + b"<a> <b> .\n", RdfFormat.N_TRIPLES, file="a.nt")
    with pytest.raises(InputError) as caught:
        list(broken)
    assert (caught.value.file, caught.value.line) == ("a.nt", 61)
    with pytest.raises(ValueError):
        SerializedTriples(b"", RdfFormat.TRIG, file="a.trig")


def test_written_as_ntriples_once_with_the_same_triples_and_errors() -> None:
    data = ntriples(20)
    extra = [Triple(NamedNode("https://example.org/extra"), NamedNode("https://example.org/p"),
                    Literal("record"))]
    triples = SerializedTriples(data, RdfFormat.N_TRIPLES, file="a.nt", extra=extra)
    written = triples.ntriples()
    assert written is triples.ntriples(), "made once"
    assert {q.triple for q in parse(written, format=RdfFormat.N_TRIPLES)} == set(triples)
    assert written.endswith(b'<https://example.org/extra> <https://example.org/p> "record" .\n')
    assert len(triples) == written.count(b"\n") == 61
    broken = SerializedTriples(data + b"<a> <b> .\n", RdfFormat.N_TRIPLES, file="a.nt")
    with pytest.raises(InputError) as caught:
        broken.ntriples()
    assert (caught.value.file, caught.value.line) == ("a.nt", 61)
    empty = SerializedTriples(b"# nothing\n", RdfFormat.N_TRIPLES, file="e.nt", extra=extra)
    with pytest.raises(InputError, match="no triples found in this ntriples file"):
        empty.ntriples()


def test_plain_ntriples_are_checked_and_sent_as_they_are() -> None:
    data = (b'<https://e/s> <https://e/p> "a \\"quoted\\" word" .\n# a comment\n\n'
            b'<https://e/s> <https://e/p> "no newline at the end" .')
    triples = SerializedTriples(data, RdfFormat.N_TRIPLES, file="plain.nt")
    assert triples.ntriples() == data + b"\n"
    assert len(triples) == 2
    escaped = SerializedTriples(b'<https://e/s> <https://e/p> "\\u0041" .\n', RdfFormat.N_TRIPLES,
                                file="escaped.nt")
    assert escaped.ntriples() == b'<https://e/s> <https://e/p> "A" .\n', "\\u escapes: written again"
    with pytest.raises(InputError) as caught:
        SerializedTriples(data + b"\n<a> <b> .\n", RdfFormat.N_TRIPLES, file="p.nt").ntriples()
    assert (caught.value.file, caught.value.line) == ("p.nt", 5)


def test_lines_checked_part_by_part_find_the_same_errors_at_the_files_lines() -> None:
    """The check a remote store runs on each part of a large file as it sends it."""
    data = b"".join(b'<%sr%d> <%stext> "recommendation %d"@en .\n' % (EX.encode(), i, EX.encode(), i)
                    for i in range(60))
    extra = [Triple(NamedNode("https://example.org/extra"), NamedNode("https://example.org/p"),
                    Literal("record"))]
    whole = SerializedTriples(data, RdfFormat.N_TRIPLES, file="a.nt", extra=extra)
    lines = whole.unchecked_ntriples()
    assert whole.unchecked
    assert lines == data + b'<https://example.org/extra> <https://example.org/p> "record" .\n'
    cut = lines.index(b"\n", len(lines) // 2) + 1
    whole.check_part(lines[:cut])
    whole.check_part(lines[cut:])
    whole.check_done()
    assert not whole.unchecked and len(whole) == 61
    broken = SerializedTriples(data + b"<https://e/s> <https://e/p> .\n", RdfFormat.N_TRIPLES, file="b.nt")
    lines = broken.unchecked_ntriples()
    broken.check_part(lines[:cut])
    with pytest.raises(InputError) as caught:
        broken.check_part(lines[cut:])
    assert (caught.value.file, caught.value.line, caught.value.column) == ("b.nt", 61, 29)
    assert broken.unchecked, "a file with an error is never taken as checked"
    empty = SerializedTriples(b"# nothing\n" * 3, RdfFormat.N_TRIPLES, file="e.nt", extra=extra)
    lines = empty.unchecked_ntriples()
    empty.check_part(lines)
    with pytest.raises(InputError, match="no triples found in this ntriples file"):
        empty.check_done()
    turtle = SerializedTriples(b"<s> <p> <o> .", RdfFormat.TURTLE, file="t.ttl", base_iri="https://e/")
    blank = SerializedTriples(b"_:b <https://e/p> <https://e/o> .\n", RdfFormat.N_TRIPLES, file="b.nt")
    for kept_apart in (turtle, blank, SerializedTriples(ntriples(2), RdfFormat.N_TRIPLES, file="n.nt")):
        assert not kept_apart.sendable_as_is()
        with pytest.raises(ValueError, match="cannot be sent as they are"):
            kept_apart.unchecked_ntriples()
