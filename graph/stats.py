"""Statistics of a store: what it holds, by graph and by kind."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import RG

_COUNT_BY_CLASS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class
"""


@dataclass
class Statistics:
    """Counts of quads, graphs and instances of each rightsgraph class."""

    quads: int
    graphs: int
    sources: list[tuple[str, str, int]] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "quads": self.quads,
            "graphs": self.graphs,
            "sources": [
                {"graph": g, "file": f, "quads": n} for g, f, n in self.sources
            ],
            "kinds": self.kinds,
        }


def statistics(store: GraphStore) -> Statistics:
    """Return the statistics of ``store``.

    >>> stats = statistics(GraphStore.memory())
    >>> stats.kinds["Theme"] >= 40
    True
    """
    counts: dict[str, int] = {}
    for row in store.query(_COUNT_BY_CLASS):  # type: ignore[union-attr]
        cls = row["class"]
        if isinstance(cls, NamedNode) and cls in RG:
            counts[cls.value[len(RG.base):]] = int(row["n"].value)
    kinds = {name: counts.get(name, 0) for name in _KINDS}
    sources = [
        (r.graph.value, r.file_name, store.count(r.graph)) for r in store.source_records()
    ]
    return Statistics(store.count(), len(store.named_graphs()), sources, kinds)


_KINDS = (
    "Document", "Statement", "Passage", "Recommendation", "Commitment", "Concern",
    "Footnote", "Source", "Organisation", "State", "Person", "Event", "Instrument",
    "Theme", "Group",
)
