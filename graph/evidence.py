"""The evidence behind an edge: each unit that joins two nodes, its text with
both mentions marked, its document and its footnoted sources.

>>> store = GraphStore.memory()
>>> schemes = load_schemes(store)
>>> names(store, schemes, "https://w3id.org/rightsgraph/group/sex-workers")[0]
'Sex workers'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Variable

from rightsgraph.graph import queries
from rightsgraph.graph.entities import Note, footnotes
from rightsgraph.graph.labels import labels
from rightsgraph.graph.mentions import pieces, spans
from rightsgraph.graph.schemes import Schemes, load_schemes
from rightsgraph.graph.store import GraphStore

_SUBJECT = Variable("s")
_UNIT = Variable("u")


@dataclass
class UnitEvidence:
    """One unit joining two nodes."""

    iri: str
    kind: str
    label: str
    pieces: list[tuple[str, str]]  # (text, mark): mark is "", "a", "b" or "ab"
    document: str | None = None
    document_label: str = ""
    passage: str | None = None
    notes: list[Note] = field(default_factory=list)
    cited: list[Note] = field(default_factory=list)


def names(store: GraphStore, schemes: Schemes, iri: str) -> list[str]:
    """Every name of a node, its preferred label first."""
    concept = schemes.concepts.get(iri)
    if concept is not None:
        return list(concept.labels)
    found = [row["l"].value for row in store.query(  # type: ignore[union-attr]
        queries.NAMES, substitutions={_SUBJECT: NamedNode(iri)})]
    return list(dict.fromkeys(found))


def explain(store: GraphStore, units: list[str], a: str, b: str,
            schemes: Schemes | None = None) -> list[UnitEvidence]:
    """Describe ``units`` as the evidence joining ``a`` and ``b``."""
    schemes = schemes or load_schemes(store)
    names_a, names_b = names(store, schemes, a), names(store, schemes, b)
    found: list[UnitEvidence] = []
    unit_nodes = [NamedNode(u) for u in units]
    unit_labels = labels(store, unit_nodes)
    details = []
    for unit in unit_nodes:
        rows = list(store.query(queries.UNIT_DETAIL, substitutions={_UNIT: unit}))  # type: ignore[arg-type]
        details.append(rows[0] if rows else None)
    documents = labels(store, [r["doc"] for r in details
                               if r is not None and isinstance(r["doc"], NamedNode)])
    for unit, row in zip(unit_nodes, details, strict=True):
        if row is None:
            continue
        text = row["text"].value
        marks = {"a": spans(text, names_a), "b": spans(text, names_b)}
        doc = row["doc"].value if isinstance(row["doc"], NamedNode) else None
        notes, cited = footnotes(store, unit)
        found.append(UnitEvidence(
            unit.value, row["kind"].value.rsplit("#", 1)[-1], unit_labels[unit.value],
            pieces(text, marks), doc, documents.get(doc or "", ""),
            row["passage"].value if isinstance(row["passage"], NamedNode) else None,
            notes, cited,
        ))
    return found
