"""SHACL validation reports each violation readably."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Triple

from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.validation import validate
from rightsgraph.ontology.terms import DCTERMS, PROV, RDF, RDFS, RG, XSD

EX = "https://example.org/"
G = NamedNode(EX + "graph")


def good_passage() -> list[Triple]:
    doc, stmt, passage = (NamedNode(EX + n) for n in ("doc", "stmt", "p1"))
    return [
        Triple(doc, RDF.type, RG.Document), Triple(doc, RDFS.label, Literal("Doc")),
        Triple(stmt, RDF.type, RG.Statement), Triple(stmt, RDFS.label, Literal("S")),
        Triple(stmt, DCTERMS.isPartOf, doc), Triple(stmt, PROV.wasDerivedFrom, doc),
        Triple(passage, RDF.type, RG.Passage), Triple(passage, RG.text, Literal("Text.")),
        Triple(passage, DCTERMS.isPartOf, stmt), Triple(passage, PROV.wasDerivedFrom, doc),
        Triple(passage, RG.startOffset, Literal("0", datatype=XSD.nonNegativeInteger)),
        Triple(passage, RG.endOffset, Literal("5", datatype=XSD.nonNegativeInteger)),
    ]


def test_conforming_data_and_the_vocabulary_itself_pass(store: GraphStore) -> None:
    store.replace_graph(G, good_passage())
    assert validate(store) == []


def test_each_violation_names_focus_path_and_message(store: GraphStore) -> None:
    broken = [t for t in good_passage() if t.predicate != RG.text]
    broken.append(Triple(NamedNode(EX + "p1"), RG.theme, NamedNode(EX + "not-a-theme")))
    store.replace_graph(G, broken)
    violations = validate(store)
    described = {(v.focus, v.path) for v in violations}
    assert (EX + "p1", "rg:text") in described
    assert (EX + "p1", "rg:theme") in described
    text = next(v for v in violations if v.path == "rg:text")
    assert "exactly one rg:text" in text.message
    assert text.severity == "Violation"
    assert text.describe().startswith("Violation: https://example.org/p1 rg:text:")


def test_only_the_selected_graph_is_validated(store: GraphStore) -> None:
    other = NamedNode(EX + "other")
    store.replace_graph(G, good_passage())
    store.replace_graph(other, [Triple(NamedNode(EX + "x"), RDF.type, RG.Source)])
    assert validate(store, [G]) == []
    assert [v.path for v in validate(store, [other])] == ["rdfs:label"]
