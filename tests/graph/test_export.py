"""Exports of the sample corpus in every format: complete, valid for pyoxigraph,
rdflib and Raptor's ``rapper``, readable and deterministic."""

from __future__ import annotations

import json
import re
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse
from rdflib.compare import isomorphic

from rightsgraph.graph.canonical import Canonical
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.export import FORMATS, collect, export, graph_of, write
from rightsgraph.graph.scopes import Scope, resolve
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path

THEME = "https://w3id.org/rightsgraph/theme/maternal-mortality"
DOCUMENT_GRAPH = "https://w3id.org/rightsgraph/id/source/womenlead-upr-2020-2021-txt"
RDFLIB_FORMATS = {"turtle": "turtle", "trig": "trig", "ntriples": "nt", "nquads": "nquads",
                  "jsonld": "json-ld", "rdfxml": "xml"}
#: rapper (Raptor 2.0.15) reads every format but JSON-LD ("json" is RDF/JSON).
RAPPER_FORMATS = {"turtle": "turtle", "trig": "trig", "ntriples": "ntriples",
                  "nquads": "nquads", "rdfxml": "rdfxml"}
SCOPES = {
    "dataset": Scope(),
    "graph": Scope.parse("graph", [DOCUMENT_GRAPH]),
    "theme": Scope.parse("theme", [THEME]),
}


def load_corpus(store: GraphStore) -> None:
    store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))


@pytest.fixture(scope="module")
def corpus() -> Iterator[GraphStore]:
    """An in-memory store holding the vocabulary and the sample corpus."""
    store = GraphStore.memory()
    load_corpus(store)
    yield store


@pytest.fixture(scope="module")
def exports(corpus: GraphStore) -> dict[tuple[str, str], bytes]:
    return {(scope, fmt): export(corpus, fmt, SCOPES[scope]) for scope in SCOPES for fmt in FORMATS}


def read_back(data: bytes, fmt: str) -> Canonical:
    """Parse an export with pyoxigraph into its canonical form."""
    quads = parse(data, format=FORMATS[fmt].rdf_format)
    if not FORMATS[fmt].keeps_graphs:
        return Canonical.from_quads(quads)
    return Canonical.from_quads(quads)


def rdflib_graph(data: bytes, fmt: str) -> rdflib.Dataset | rdflib.Graph:
    """What rdflib reads: a Dataset for TriG and N-Quads, else a Graph."""
    with warnings.catch_warnings():
        # rdflib 7.6 calls its own deprecated ConjunctiveGraph and default_context
        # (Dataset.parse, the JSON-LD parser); the warning is not about this code.
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.Dataset() if FORMATS[fmt].keeps_graphs else rdflib.Graph()
        graph.parse(data=data, format=RDFLIB_FORMATS[fmt])
    return graph


def rdflib_count(data: bytes, fmt: str) -> int:
    """The statements rdflib reads (quads for TriG and N-Quads)."""
    graph = rdflib_graph(data, fmt)
    return sum(1 for _ in graph.quads()) if isinstance(graph, rdflib.Dataset) else len(graph)


def rapper_count(path: Path, fmt: str) -> int:
    done = subprocess.run(["rapper", "-i", RAPPER_FORMATS[fmt], "-c", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = re.search(r"Parsing returned (\d+) triples", done.stderr)
    assert found, done.stderr
    return int(found.group(1))


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_back_the_same_statements(
    corpus: GraphStore, exports: dict[tuple[str, str], bytes], scope: str, fmt: str, tmp_path: Path,
) -> None:
    expected = collect(corpus, SCOPES[scope])
    data = exports[(scope, fmt)]
    count = expected.quad_count() if FORMATS[fmt].keeps_graphs else len(expected.merged())
    # pyoxigraph: the very same statements, graphs and blank-node structure
    back = read_back(data, fmt)
    if FORMATS[fmt].keeps_graphs:
        assert back.graphs == expected.graphs
    else:
        assert back.merged() == expected.merged()
    # rdflib: the same number of statements
    assert rdflib_count(data, fmt) == count
    # rapper: the same number again (no JSON-LD parser in Raptor 2)
    if fmt in RAPPER_FORMATS:
        path = tmp_path / f"export{FORMATS[fmt].file_suffix}"
        path.write_bytes(data)
        assert rapper_count(path, fmt) == count


def test_dataset_export_is_the_whole_store(corpus: GraphStore,
                                          exports: dict[tuple[str, str], bytes]) -> None:
    nquads = exports[("dataset", "nquads")]
    assert nquads.count(b"\n") == corpus.count()
    graphs = {q.graph_name.value for q in parse(nquads, format=RdfFormat.N_QUADS)}
    assert graphs == {q.graph_name.value for q in corpus.quads()}


@pytest.mark.parametrize("scope", SCOPES)
def test_turtle_round_trips_to_an_isomorphic_graph_and_the_same_bytes(
    exports: dict[tuple[str, str], bytes], scope: str,
) -> None:
    first = exports[(scope, "turtle")]
    again = GraphStore.memory(with_ontology=False)
    graph = NamedNode("urn:test:reloaded")
    again.replace_graph(graph, [q.triple for q in parse(first, format=RdfFormat.TURTLE)])
    second = export(again, "turtle", Scope.parse("graph", [graph.value]))
    original = rdflib.Graph().parse(data=first, format="turtle")
    reloaded = rdflib.Graph().parse(data=second, format="turtle")
    assert isomorphic(original, reloaded)
    body = first.split(b"\n@", 1)[1]  # the header names the scope; the rest is the data
    assert second.split(b"\n@", 1)[1] == body


def copy_with_new_blank_nodes(store: GraphStore) -> GraphStore:
    """The same quads in a new store, inserted in reverse order, blank nodes renamed."""
    renamed: dict[str, BlankNode] = {}

    def fresh(term: Any) -> Any:
        return renamed.setdefault(term.value, BlankNode()) if isinstance(term, BlankNode) else term

    other = GraphStore.memory(with_ontology=False)
    other.raw.extend(Quad(fresh(q.subject), q.predicate, fresh(q.object), q.graph_name)
                     for q in reversed(store.quads()))
    return other


def test_the_same_data_gives_the_same_bytes(corpus: GraphStore,
                                            exports: dict[tuple[str, str], bytes]) -> None:
    other = copy_with_new_blank_nodes(corpus)
    for fmt in FORMATS:
        assert export(corpus, fmt, SCOPES["theme"]) == exports[("theme", fmt)]
        # another store, other blank-node identifiers: the same bytes
        assert export(other, fmt) == exports[("dataset", fmt)], fmt


def test_turtle_is_readable(exports: dict[tuple[str, str], bytes]) -> None:
    text = exports[("theme", "turtle")].decode()
    header, body = text.split("\n\n", 1)
    assert header.startswith("# rightsgraph export of the units tagged with the theme " + THEME)
    assert "merged from" in header and "TriG or N-Quads" in header
    declared = re.findall(r"^@prefix (\w+): ", header, re.MULTILINE)
    assert declared == sorted(declared) and {"rg", "theme", "skos", "dcterms"} <= set(declared)
    for prefix in declared:  # every prefix declared is used
        assert re.search(rf"(?<![\w<]){prefix}:", body), prefix
    assert "@base <https://w3id.org/rightsgraph/id/> ." in header
    assert "<passage/womenlead-upr-2020-2021-txt/55> a rg:Passage ;" in body
    blocks = body.strip("\n").split("\n\n")
    subjects = [block.split(" ", 1)[0] for block in blocks]
    assert len(subjects) == len(set(subjects))  # one block per subject
    assert all(block.endswith(" .") for block in blocks)
    assert "rg:startOffset 4169 ;" in body  # integers bare
    assert "\\/" not in body  # no escaped local names


def test_trig_keeps_graphs_and_shares_the_header(exports: dict[tuple[str, str], bytes]) -> None:
    text = exports[("dataset", "trig")].decode()
    assert "<source/womenlead-upr-2020-2021-txt> {\n" in text
    assert "<https://w3id.org/rightsgraph/shapes> {\n" in text
    assert text.count("@prefix rg:") == 1
    assert "quads in 9 graphs" in text.splitlines()[1]


def test_shapes_blank_nodes_are_inline_and_lists_are_lists(
    exports: dict[tuple[str, str], bytes],
) -> None:
    text = exports[("dataset", "turtle")].decode()
    assert ("sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYearMonth ] "
            "[ sh:datatype xsd:gYear ] )") in text
    assert "_:" not in text  # every blank node of the shapes is used once: all inline


def test_jsonld_has_a_context_and_reads_back_in_rdflib(
    exports: dict[tuple[str, str], bytes],
) -> None:
    data = exports[("theme", "jsonld")]
    document = json.loads(data)
    assert document["@context"]["rg"] == "https://w3id.org/rightsgraph/ontology#"
    passages = [n for n in document["@graph"] if "rg:Passage" in n.get("@type", [])]
    assert passages and all("rg:text" in p for p in passages)
    turtle = rdflib.Graph().parse(data=exports[("theme", "turtle")], format="turtle")
    assert isomorphic(rdflib_graph(data, "jsonld"), turtle)


def test_blank_nodes_get_canonical_labels_shared_across_graphs() -> None:
    store = GraphStore.memory(with_ontology=False)
    p = NamedNode("https://example.org/p")
    shared, alone = BlankNode(), BlankNode()
    store.raw.extend([
        Quad(NamedNode("https://example.org/a"), p, shared, NamedNode("https://example.org/g1")),
        Quad(shared, p, Literal("in g2"), NamedNode("https://example.org/g2")),
        Quad(alone, p, alone, NamedNode("https://example.org/g2")),  # a cycle of one
    ])
    trig = export(store, "trig")
    assert b"_:c14n" in trig  # the shared node keeps a label in both graphs
    back = read_back(trig, "trig")
    assert back.graphs == collect(store).graphs
    assert len(rdflib.Graph().parse(data=export(store, "turtle"), format="turtle")) == 3


def test_rdfxml_refuses_what_it_cannot_carry() -> None:
    store = GraphStore.memory(with_ontology=False)
    s, g = NamedNode("https://example.org/s"), NamedNode("https://example.org/g")
    store.replace_graph(g, [Quad(s, NamedNode("https://example.org/p"), Literal("bell \x07")).triple])
    with pytest.raises(RightsgraphError, match="U\\+0007"):
        export(store, "rdfxml")
    store.replace_graph(g, [Quad(s, NamedNode("https://example.org/p/"), Literal("x")).triple])
    with pytest.raises(RightsgraphError, match="does not end with an XML name"):
        export(store, "rdfxml")
    assert b"bell" not in export(store, "turtle") and export(store, "ntriples")


def test_scopes_are_checked(corpus: GraphStore) -> None:
    with pytest.raises(RightsgraphError, match="unknown scope"):
        Scope.parse("everything", [])
    with pytest.raises(RightsgraphError, match="exactly one IRI"):
        Scope.parse("theme", [])
    with pytest.raises(RightsgraphError, match="http, https or urn"):
        Scope.parse("graph", ["file:///etc/passwd"])
    with pytest.raises(RightsgraphError, match="nothing is known"):
        export(corpus, "turtle", Scope.parse("theme", ["https://example.org/no-such-theme"]))
    with pytest.raises(RightsgraphError, match="unknown export format"):
        export(corpus, "n3")


def test_names_resolve_and_a_document_names_its_graph(corpus: GraphStore) -> None:
    assert resolve(corpus, "theme", "maternal MORTALITY").value == THEME
    assert resolve(corpus, "organisation", "Women Lead Network").value.endswith("women-lead-network")
    with pytest.raises(RightsgraphError, match="no group is named"):
        resolve(corpus, "group", "maternal mortality")
    document = NamedNode("https://w3id.org/rightsgraph/id/document/womenlead-upr-2020-2021-txt")
    assert graph_of(corpus, document).value == DOCUMENT_GRAPH


def test_selection_and_organisation_scopes(corpus: GraphStore) -> None:
    covid = "https://w3id.org/rightsgraph/theme/covid-19"
    selection = export(corpus, "ntriples", Scope.parse("selection", [covid]))
    theme = export(corpus, "ntriples", Scope.parse("theme", [covid]))
    assert selection and set(selection.splitlines()) <= set(theme.splitlines())
    ice = "https://w3id.org/rightsgraph/organisation/us-immigration-and-customs-enforcement"
    text = export(corpus, "turtle", Scope.parse("organisation", [ice])).decode()
    assert text.count(" a rg:Recommendation ;") + text.count(" a rg:Passage ;") >= 2


def test_write_streams_to_a_binary_file(corpus: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "theme.nq"
    with path.open("wb") as out:
        written = write(collect(corpus, SCOPES["theme"]), "nquads", out)
    assert written.statements == path.read_bytes().count(b"\n") and written.graphs >= 2
