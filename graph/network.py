"""The network as it is drawn: what to count (:class:`Filters`), what to show
(:class:`View`), its nodes and edges, and the steps that shape a counted
network before anything renders it: a shortest path, caps, communities.

>>> Filters(date_from="2020").selects_units, View().max_edges
(True, 400)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

#: Node kinds, in legend order.
NODE_KINDS = ("theme", "group", "organisation", "source")
DEFAULT_KINDS = frozenset({"theme", "group"})
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Filters:
    """Which units count.

    :param document: only units derived from this document.
    :param organisation: only units made by, addressed to or mentioning this
        organisation or State, or in a statement it wrote.
    :param date_from: only units dated on or after this ISO date (units with
        no date are left out when a date bound is given).
    :param date_to: only units dated on or before this ISO date.
    :param family: a top theme: only units tagged with a theme under it, and
        of the themes, only those under it.
    :param min_weight: edges below this weight are dropped.
    :param kinds: node kinds to draw (themes and groups by default).
    """

    document: str | None = None
    organisation: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    family: str | None = None
    min_weight: int = 1
    kinds: frozenset[str] = DEFAULT_KINDS

    def __post_init__(self) -> None:
        for bound in (self.date_from, self.date_to):
            if bound is not None and not _DATE.match(bound):
                raise ValueError(f"dates are YYYY, YYYY-MM or YYYY-MM-DD: {bound!r}")
        if not set(self.kinds) <= set(NODE_KINDS):
            raise ValueError(f"node kinds are {', '.join(NODE_KINDS)}")

    @property
    def selects_units(self) -> bool:
        return any((self.document, self.organisation, self.date_from, self.date_to, self.family))


@dataclass(frozen=True)
class View:
    """What part of the counted network to show, and how much of it.

    :param focus: show only this node and its neighbourhood to ``depth``.
    :param path: show only a shortest path between these two nodes (strong
        edges count as short).
    :param communities: detect communities (Louvain, seeded) to colour by.
    """

    focus: str | None = None
    depth: int = 1
    path: tuple[str, str] | None = None
    communities: bool = False
    max_nodes: int = 150
    max_edges: int = 400
    evidence_per_edge: int = 5


@dataclass(frozen=True)
class Node:
    """A concept, organisation or source in the network."""

    iri: str
    label: str
    kind: str
    frequency: int
    degree: int = 0
    community: int | None = None


@dataclass(frozen=True)
class Edge:
    """Two nodes tagged together on ``weight`` units; ``evidence`` lists the first of them."""

    a: str
    b: str
    weight: int
    evidence: tuple[str, ...] = ()


@dataclass
class Network:
    """A network ready to draw, with what was left out."""

    nodes: list[Node]
    edges: list[Edge]
    units: int = 0
    total_nodes: int = 0
    total_edges: int = 0
    capped: bool = False
    path: list[str] = field(default_factory=list)
    communities: int = 0
    notice: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "units": self.units,
            "total_nodes": self.total_nodes,
            "total_edges": self.total_edges,
            "capped": self.capped,
            "path": self.path,
            "communities": self.communities,
            "notice": self.notice,
        }



def shortest_path(graph: nx.Graph, a: str, b: str) -> tuple[nx.Graph, list[str], str]:
    if a not in graph or b not in graph:
        return nx.Graph(), [], "one of the two nodes is not in the network with these filters"
    try:
        path = nx.shortest_path(graph, a, b, weight=lambda _u, _v, d: 1.0 / d["weight"])
    except nx.NetworkXNoPath:
        return nx.Graph(), [], "no path joins these two nodes with these filters"
    cut = nx.Graph()
    for u, v in zip(path, path[1:], strict=False):
        cut.add_edge(u, v, weight=graph[u][v]["weight"])
    return cut, list(path), ""


def cap(graph: nx.Graph, frequency: Counter[str], keep: set[str], max_nodes: int,
         max_edges: int) -> tuple[nx.Graph, bool]:
    """Keep the most frequent nodes and the heaviest edges (and the nodes in ``keep``)."""
    capped = False
    if graph.number_of_nodes() > max_nodes:
        ranked = sorted(graph.nodes, key=lambda n: (n not in keep, -frequency[n], n))
        graph = graph.subgraph(ranked[:max(max_nodes, len(keep))]).copy()
        capped = True
    if graph.number_of_edges() > max_edges:
        ranked_edges = sorted(graph.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1]))
        trimmed = nx.Graph()
        trimmed.add_edges_from(ranked_edges[:max_edges])
        trimmed.add_nodes_from(n for n in keep if n in graph)
        graph = trimmed
        capped = True
    return graph, capped


def communities(graph: nx.Graph) -> dict[str, int]:
    """Louvain communities (seeded, so the colours are stable), largest first."""
    if graph.number_of_edges() == 0:
        return {}
    found = nx.community.louvain_communities(graph, weight="weight", seed=7)
    ordered = sorted(found, key=lambda c: (-len(c), min(c)))
    return {node: number for number, members in enumerate(ordered) for node in members}
