"""Exports of the sample corpus in every format: complete, valid for pyoxigraph,
rdflib and Raptor's ``rapper``, readable and deterministic."""

from __future__ import annotations

import io
import json
import re
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, parse
from rdflib.compare import isomorphic

from rightsgraph.graph.canonical import Canonical
from rightsgraph.graph.closure import check
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.export import FORMATS, collect, export, export_to, graph_of, write
from rightsgraph.graph.scopes import SCOPE_KINDS, Scope, choices, resolve
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.ontology.terms import DCTERMS, PROV, RDF, RDFS, RG, SCHEMA, SKOS

THEME = "https://w3id.org/rightsgraph/theme/maternal-mortality"
DOCUMENT_GRAPH = "https://w3id.org/rightsgraph/id/source/womenlead-upr-2020-2021-txt"
RDFLIB_FORMATS = {"turtle": "turtle", "trig": "trig", "ntriples": "nt", "nquads": "nquads",
                  "jsonld": "json-ld", "rdfxml": "xml"}
#: rapper (Raptor 2.0.15) reads every format but JSON-LD ("json" is RDF/JSON).
RAPPER_FORMATS = {"turtle": "turtle", "trig": "trig", "ntriples": "ntriples",
                  "nquads": "nquads", "rdfxml": "rdfxml"}
STATEMENT = ("https://w3id.org/rightsgraph/id/statement/womenlead-upr-2020-2021-txt/"
             "4-16-days-campaign")
#: One scope of every kind.
SCOPES = {
    "dataset": Scope(),
    "graph": Scope.parse("graph", [DOCUMENT_GRAPH]),
    "theme": Scope.parse("theme", [THEME]),
    "group": Scope.parse("group", ["https://w3id.org/rightsgraph/group/black-women"]),
    "organisation": Scope.parse("organisation", ["https://w3id.org/rightsgraph/state/USA"]),
    "statement": Scope.parse("statement", [STATEMENT]),
    "selection": Scope.parse("selection", ["https://w3id.org/rightsgraph/theme/covid-19",
                                           "https://w3id.org/rightsgraph/group/women"]),
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
    return Canonical.from_quads(parse(data, format=FORMATS[fmt].rdf_format))


def test_every_scope_kind_is_exercised() -> None:
    assert set(SCOPES) == set(SCOPE_KINDS)
    assert all(SCOPES[kind].kind == kind for kind in SCOPES)


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
        assert export(corpus, fmt, SCOPES["theme"]) == exports[("theme", fmt)]  # twice
        # another store, filled in the reverse order, other blank-node identifiers: the same bytes
        for scope in SCOPES:
            assert export(other, fmt, SCOPES[scope]) == exports[(scope, fmt)], (scope, fmt)


def test_stores_loaded_in_different_orders_export_the_same_bytes() -> None:
    """The vocabulary then the corpus, or the corpus then the vocabulary: once the times
    of loading (which differ, so the data differ) are set aside, the same bytes."""
    first = GraphStore.memory()
    load_corpus(first)
    second = GraphStore.memory(with_ontology=False)
    load_corpus(second)
    second.ensure_ontology()
    for store in (first, second):
        store.update("DELETE WHERE { GRAPH ?g { ?s prov:generatedAtTime ?t } }")
    assert first.count() == second.count()
    for fmt in FORMATS:
        for scope in ("dataset", "theme"):
            assert export(first, fmt, SCOPES[scope]) == export(second, fmt, SCOPES[scope]), fmt


CONCEPT_LINKS = [RG.theme, RG.group, RG.sdgTarget, SKOS.broader, SKOS.closeMatch, SKOS.exactMatch]
ACTOR_LINKS = [RG.madeBy, RG.addressedTo, RG.mentions, RG.recommendingState, RG.stateUnderReview,
               DCTERMS.creator]
NAMES = [SKOS.prefLabel, RDFS.label, SCHEMA.name]


@pytest.mark.parametrize("scope", [k for k in SCOPES if k not in ("dataset", "graph")])
def test_a_closure_names_everything_it_points_to(exports: dict[tuple[str, str], bytes],
                                                 scope: str) -> None:
    """Every concept, organisation, State, person or event a package refers to comes with
    its labels; every footnote with its source, and every source with its description."""
    graph = Store()
    graph.load(exports[(scope, "ntriples")], format=RdfFormat.N_TRIPLES)

    def objects(predicates: list[NamedNode]) -> set[NamedNode]:
        return {q.object for p in predicates for q in graph.quads_for_pattern(None, p, None)
                if isinstance(q.object, NamedNode)}

    def named(iri: NamedNode, predicates: list[NamedNode]) -> bool:
        return any(True for p in predicates for _ in graph.quads_for_pattern(iri, p, None))

    concepts, actors = objects(CONCEPT_LINKS), objects(ACTOR_LINKS)
    assert concepts and actors
    assert [c.value for c in concepts if not named(c, [SKOS.prefLabel])] == []
    assert [a.value for a in actors if not named(a, NAMES)] == []
    sources = objects([RG.source])
    assert [s.value for s in sources if not named(s, [RDFS.label])] == []
    units = {q.subject for kind in (RG.Passage, RG.Recommendation, RG.Commitment, RG.Concern)
             for q in graph.quads_for_pattern(None, RDF.type, kind)}
    assert units
    for unit in units:  # provenance: each unit's document, and the record of its source graph
        documents = [q.object for q in graph.quads_for_pattern(unit, PROV.wasDerivedFrom, None)]
        assert documents and all(named(d, [RDF.type]) for d in documents), unit
    assert any(True for _ in graph.quads_for_pattern(None, RDF.type, RG.SourceGraph))


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
    # every vocabulary has its prefix: no property or class is written as a full IRI
    whole = exports[("dataset", "turtle")].decode()
    assert not re.search(r"(?m)^    <", whole) and " a <" not in whole
    assert re.search(r"(?m)^    sh:property ", whole) and re.search(r"(?m)^    skos:prefLabel ", whole)
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
    women = "https://w3id.org/rightsgraph/group/women"
    with pytest.raises(RightsgraphError, match=f"^{women} is not a theme in this store$"):
        export(corpus, "turtle", Scope.parse("theme", [women]))
    with pytest.raises(RightsgraphError, match="is not an affected group"):
        export(corpus, "turtle", Scope.parse("group", [THEME]))
    with pytest.raises(RightsgraphError, match="is not an organisation, State or person"):
        export(corpus, "turtle", Scope.parse("organisation", [THEME]))
    with pytest.raises(RightsgraphError, match="is not a statement or document"):
        export(corpus, "turtle", Scope.parse("statement", [THEME]))
    with pytest.raises(RightsgraphError, match="nothing is known about https://example.org/x"):
        export(corpus, "turtle", Scope.parse("selection", [THEME, "https://example.org/x"]))


def test_every_choice_the_export_page_offers_is_a_valid_scope(corpus: GraphStore) -> None:
    offered = choices(corpus)
    assert all(offered[kind] for kind in ("graph", "theme", "group", "organisation", "statement"))
    for kind, found in offered.items():
        for choice in found:
            scope = Scope.parse(kind, [choice.iri])
            check(corpus, scope)  # raises for a resource of the wrong kind
            if kind == "graph":
                assert graph_of(corpus, scope.iri).value == choice.iri


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


def unit_iris(data: bytes) -> set[str]:
    kinds = {RG.Passage, RG.Recommendation, RG.Commitment, RG.Concern}
    return {t.subject.value for t in parse(data, format=RdfFormat.N_TRIPLES)
            if t.predicate == RDF.type and t.object in kinds}


def test_a_selection_is_what_the_graph_view_shows(corpus: GraphStore) -> None:
    """The graph view's nodes are concepts, organisations and sources; an edge's evidence
    is a list of units.  Each selects units, and the selected nodes come described."""
    ice = "https://w3id.org/rightsgraph/organisation/us-immigration-and-customs-enforcement"
    source = "https://w3id.org/rightsgraph/id/source-work/65f9da54fa2818e5"
    by_actor = export(corpus, "ntriples", Scope.parse("selection", [ice]))
    assert unit_iris(by_actor) == unit_iris(export(corpus, "ntriples",
                                                   Scope.parse("organisation", [ice])))
    by_source = export(corpus, "ntriples", Scope.parse("selection", [source]))
    assert unit_iris(by_source) and f"<{source}> <{SCHEMA.url.value}> ".encode() in by_source
    evidence = sorted(unit_iris(by_source))[:2]
    assert unit_iris(export(corpus, "ntriples", Scope.parse("selection", evidence))) == set(
        evidence)


def test_write_streams_to_a_binary_file(corpus: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "theme.nq"
    with path.open("wb") as out:
        written = write(collect(corpus, SCOPES["theme"]), "nquads", out)
    assert written.statements == path.read_bytes().count(b"\n") and written.graphs >= 2


def test_progress_is_told_and_slicing_changes_no_byte(
    corpus: GraphStore, exports: dict[tuple[str, str], bytes], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large body is written in slices cut between subjects, reporting after each; small
    slices here make the graph scope's few thousand lines "large"."""
    from rightsgraph.graph import turtle

    monkeypatch.setattr(turtle, "_SLICE", 97)
    told: list[tuple[str, int, int]] = []
    out = io.BytesIO()
    export_to(corpus, "turtle", SCOPES["graph"], out, progress=lambda *step: told.append(step))
    assert out.getvalue() == exports[("graph", "turtle")]
    assert told[0] == ("reading graphs", 1, 1) and told[-1][0] == "written"
    writing = [done for step, done, total in told if step == "writing Turtle"]
    lines = len(collect(corpus, SCOPES["graph"]).merged())
    assert len(writing) >= lines // (2 * 97) and writing == sorted(writing) and writing[-1] == lines
