"""What the dataset holds, for the home page: resources by kind and the documents loaded.

The counts come from the index beside the store (each resource once, under
its main rightsgraph kind): counting instances in the store by class takes
tens of seconds at 100,000 recommendations, the index a few milliseconds.

>>> store = GraphStore.memory()
>>> index = StoreIndex.memory()
>>> _ = index.refresh(store)
>>> held = holdings(store, index)
>>> held.kinds["Theme"] >= 40, held.documents
(True, [])
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode

from rightsgraph.graph import queries
from rightsgraph.graph.index import StoreIndex
from rightsgraph.graph.store import GraphStore

#: Kinds in the order the home page lists them.
KIND_ORDER = ("Document", "Statement", "Passage", "Recommendation", "Commitment", "Concern",
              "Footnote", "Source", "Organisation", "State", "Person", "Event", "Instrument",
              "Theme", "Group")


@dataclass
class Holdings:
    """Resources by kind, and the documents: (IRI, label, date, statements)."""

    kinds: dict[str, int]
    documents: list[tuple[str, str, str, int]]


def holdings(store: GraphStore, index: StoreIndex) -> Holdings:
    """Count what ``store`` holds (through its up-to-date ``index``) and list its documents."""
    counted = dict(index.read("SELECT kind, COUNT(DISTINCT iri) FROM docs GROUP BY kind"))
    kinds = {kind: int(counted.get(kind, 0)) for kind in KIND_ORDER}
    documents = [
        (row["doc"].value,
         (row["label"] or row["name"] or row["doc"]).value,
         row["when"].value if row["when"] is not None else "",
         int(row["statements"].value))
        for row in store.query(queries.DOCUMENTS)  # type: ignore[union-attr]
        if isinstance(row["doc"], NamedNode)
    ]
    return Holdings(kinds, documents)
