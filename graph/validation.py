"""SHACL validation of the data in a store against ``ontology/shapes.ttl``.

The data graph is the union of the source graphs (the vocabulary graphs are
given to the validator as the ontology, so subclass and concept typing are
known).  Each violation comes back as a :class:`Violation` a person can read.
"""

from __future__ import annotations

from dataclasses import dataclass

import rdflib
from pyoxigraph import NamedNode, RdfFormat, serialize
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH

from rightsgraph import ontology
from rightsgraph.graph.store import GraphStore

_VOCABULARY_GRAPHS = set(ontology.ONTOLOGY_GRAPHS.values())
_SHAPES_GRAPH = ontology.ONTOLOGY_GRAPHS["shapes.ttl"]


@dataclass(frozen=True)
class Violation:
    """One result of SHACL validation."""

    focus: str
    path: str
    message: str
    severity: str
    value: str = ""

    def describe(self) -> str:
        """One line: severity, focus node, path, message (and the value)."""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {self.focus} {self.path}: {self.message}{value}"


def _to_rdflib(store: GraphStore, graphs: list[NamedNode]) -> rdflib.Graph:
    result = rdflib.Graph()
    for graph in graphs:
        triples = [q.triple for q in store.quads(graph)]
        data = serialize(triples, format=RdfFormat.N_TRIPLES)
        if data:
            result.parse(data=data, format="nt")
    return result


def validate(store: GraphStore, graphs: list[NamedNode] | None = None) -> list[Violation]:
    """Validate the source graphs (or just ``graphs``) and return the violations.

    >>> store = GraphStore.memory()
    >>> validate(store)
    []
    """
    vocabulary = [g for g in store.named_graphs() if g.value in _VOCABULARY_GRAPHS
                  and g.value != _SHAPES_GRAPH]
    if graphs is None:
        graphs = [g for g in store.named_graphs() if g.value not in _VOCABULARY_GRAPHS]
    # The vocabulary goes into the data graph itself (pyshacl's ont_graph
    # mixing is orders of magnitude slower): subclass axioms and concept
    # types are then known, and the shipped vocabulary is checked as well.
    data = _to_rdflib(store, [*graphs, *vocabulary])
    shapes = rdflib.Graph().parse(data=ontology.read_bytes("shapes.ttl"), format="turtle")
    _, results, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=True,
    )
    violations = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        def value(predicate: rdflib.URIRef, node: rdflib.term.Node = result) -> str:
            obj = results.value(node, predicate)
            return "" if obj is None else _short(obj)

        violations.append(
            Violation(
                focus=value(SH.focusNode),
                path=value(SH.resultPath),
                message=value(SH.resultMessage),
                severity=value(SH.resultSeverity).removeprefix("sh:"),
                value=value(SH.value),
            )
        )
    return sorted(violations, key=lambda v: (v.focus, v.path, v.message))


def _short(node: rdflib.term.Node) -> str:
    from rightsgraph.ontology.terms import PREFIXES

    text = str(node)
    if isinstance(node, rdflib.URIRef):
        for prefix, iri in PREFIXES.items():
            if text.startswith(iri) and "/" not in text[len(iri):]:
                return f"{prefix}:{text[len(iri):]}"
    return text
