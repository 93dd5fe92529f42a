"""The intersectionality network: which concepts are tagged together, and where.

A *unit* is a passage, recommendation, commitment or concern.  Two concepts
(themes, groups and, on request, organisations and sources) are joined by an
edge when some unit carries both; the edge's weight is the number of such
units and its evidence is the list of them.  Group–group edges are
intersecting identities.

The units, their tags and links are read once (:meth:`Intersections.build`:
from the index beside the store, or by predicate scans of the store); a
network for a set of filters is then counted from the units in memory,
thresholded, focused or cut to a shortest path, capped, and only then handed
to a renderer.  The filters, the view and the shaping steps are in
:mod:`rightsgraph.graph.network`.

>>> store = GraphStore.memory()
>>> net = Intersections.build(store).network(Filters(), View())
>>> net.nodes, net.edges
([], [])
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations
from threading import Lock

import networkx as nx
from pyoxigraph import NamedNode

from rightsgraph.graph.index import StoreIndex
from rightsgraph.graph.labels import labels
from rightsgraph.graph.network import (
    DEFAULT_KINDS,
    NODE_KINDS,
    Edge,
    Filters,
    Network,
    Node,
    View,
    cap,
    communities,
    shortest_path,
)
from rightsgraph.graph.schemes import Schemes, load_schemes
from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.units import Links, Unit, read_links, read_units

__all__ = ["DEFAULT_KINDS", "NODE_KINDS", "Edge", "Filters", "Intersections", "Network", "Node",
           "View"]

_CACHED = 32  # unit selections remembered


class Intersections:
    """The units of a store and their tags, ready to count.

    Build once per state of the store; every method is then read-only (the
    organisation and source links are read on first use).
    """

    def __init__(self, store: GraphStore, schemes: Schemes, units: list[Unit]) -> None:
        self._store = store
        self.schemes = schemes
        self.units = units
        self._by_iri = {u.iri: i for i, u in enumerate(units)}
        self._index: dict[str, list[int]] = defaultdict(list)
        self._by_document: dict[str, list[int]] = defaultdict(list)
        for i, unit in enumerate(units):
            for concept in unit.concepts:
                self._index[concept].append(i)
            if unit.document:
                self._by_document[unit.document].append(i)
        dated = sorted((u.date, i) for i, u in enumerate(units) if u.date)
        self._dates = [d for d, _ in dated]
        self._dated_units = [i for _, i in dated]
        self._family_units: dict[str, list[int]] = {}
        self._actors: list[tuple[str, ...]] | None = None
        self._creators: list[tuple[str, ...]] | None = None
        self._sources: list[tuple[str, ...]] | None = None
        self._link_lock = Lock()
        self._link_index: dict[str, list[int]] = defaultdict(list)
        self._source_iris: set[str] = set()
        self._labels: dict[str, str] = {}
        self._base: tuple[Counter[str], Counter[tuple[str, str]]] | None = None
        self._selections: dict[tuple[str | None, ...], list[int]] = {}
        self._organisations: list[tuple[str, str]] | None = None
        self._allowed_cache: tuple[list[int], set[int]] | None = None

    # ------------------------------------------------------------ building

    @classmethod
    def build(cls, store: GraphStore, index: StoreIndex | None = None) -> Intersections:
        """Read the units, their tags, documents and dates from ``index`` (or ``store``)."""
        schemes = load_schemes(store)
        if index is not None:
            units, links = index.units(schemes.concepts)
            built = cls(store, schemes, units)
            built._set_links(links)
            return built
        known = set(schemes.concepts)
        units = []
        for unit in read_units(store):
            concepts = tuple(c for c in unit.concepts if c in known)
            if concepts:
                units.append(Unit(unit.iri, unit.kind, concepts, unit.document, unit.date))
        return cls(store, schemes, units)

    def _set_links(self, links: Links) -> None:
        self._actors, self._creators, self._sources = links.actors, links.creators, links.sources
        for i in range(len(self.units)):
            for key in {*self._actors[i], *self._sources[i]}:
                self._link_index[key].append(i)
        self._source_iris = {s for unit in self._sources for s in unit}

    def _links(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]], list[tuple[str, ...]]]:
        """Organisations, statement authors and sources of each unit (read on first use)."""
        with self._link_lock:
            if self._actors is None or self._creators is None or self._sources is None:
                self._set_links(read_links(self._store, self.units))
            assert self._actors is not None and self._creators is not None
            assert self._sources is not None
            return self._actors, self._creators, self._sources

    def organisations(self) -> list[tuple[str, str]]:
        """Organisations and States a unit is made by, addressed to or names, or whose
        statement it is in, as (IRI, label) by label."""
        if self._organisations is None:
            actors, creators, _ = self._links()
            found = {o for linked in (actors, creators) for unit in linked for o in unit}
            self._prefetch_labels(found)
            self._organisations = sorted(((o, self.label(o)) for o in found),
                                         key=lambda p: p[1].lower())
        return self._organisations

    def documents(self) -> list[tuple[str, str]]:
        """Documents some unit comes from, as (IRI, label) by label."""
        return sorted(((d, self.label(d)) for d in self._by_document), key=lambda p: p[1].lower())

    def label(self, iri: str) -> str:
        """The label of a node, document or organisation."""
        if iri in self.schemes.concepts:
            return self.schemes.label(iri)
        if iri not in self._labels:
            self._labels.update(labels(self._store, [NamedNode(iri)]))
        return self._labels[iri]

    def _prefetch_labels(self, iris: Iterable[str]) -> None:
        missing = [NamedNode(i) for i in iris if i not in self._labels and i not in self.schemes.concepts]
        if missing:
            self._labels.update(labels(self._store, missing))

    def _source_set(self) -> set[str]:
        self._links()
        return self._source_iris

    # ------------------------------------------------------------ selecting units

    def select(self, filters: Filters) -> list[int] | None:
        """The indexes of the units that pass ``filters`` (``None``: all of them)."""
        if not filters.selects_units:
            return None
        key = (filters.document, filters.organisation, filters.date_from, filters.date_to,
               filters.family)
        cached = self._selections.get(key)
        if cached is None:
            cached = self._selections[key] = self._select(filters)
            while len(self._selections) > _CACHED:
                self._selections.pop(next(iter(self._selections)))
        return cached

    def _select(self, filters: Filters) -> list[int]:
        chosen: set[int] | None = None

        def narrow(candidates: Iterable[int]) -> None:
            nonlocal chosen
            found = set(candidates)
            chosen = found if chosen is None else chosen & found

        if filters.document:
            narrow(self._by_document.get(filters.document, ()))
        if filters.family:
            narrow(self._in_family(filters.family))
        if filters.date_from or filters.date_to:
            low = bisect.bisect_left(self._dates, filters.date_from or "")
            high = bisect.bisect_right(self._dates, _upper(filters.date_to)) if filters.date_to \
                else len(self._dates)
            narrow(self._dated_units[low:high])
        if filters.organisation:
            actors, creators, _ = self._links()
            org = filters.organisation
            narrow(i for i in range(len(self.units)) if org in actors[i] or org in creators[i])
        return sorted(chosen or ())

    def _in_family(self, family: str) -> list[int]:
        if family not in self._family_units:
            members = self._family_members(family)
            found: set[int] = set()
            for concept in members:
                found.update(self._index.get(concept, ()))
            self._family_units[family] = sorted(found)
        return self._family_units[family]

    def _family_members(self, family: str) -> set[str]:
        return {c for c, concept in self.schemes.concepts.items()
                if concept.kind == "theme" and (c == family or family in self.schemes.ancestors(c))}

    def _keys(self, i: int, filters: Filters, members: set[str] | None) -> tuple[str, ...]:
        """The nodes unit ``i`` contributes, sorted."""
        kinds = filters.kinds
        keys = [c for c in self.units[i].concepts
                if self.schemes.concepts[c].kind in kinds
                and (members is None or self.schemes.concepts[c].kind != "theme" or c in members)]
        if "organisation" in kinds and self._actors is not None:
            keys.extend(self._actors[i])
        if "source" in kinds and self._sources is not None:
            keys.extend(self._sources[i])
        return tuple(sorted(set(keys)))

    # ------------------------------------------------------------ counting

    def count(self, filters: Filters) -> tuple[Counter[str], Counter[tuple[str, str]], int]:
        """Node frequencies, pair weights and the number of units counted."""
        selected = self.select(filters)
        if {"organisation", "source"} & filters.kinds:
            self._links()
        plain = selected is None and filters.kinds == DEFAULT_KINDS
        if plain and self._base is not None:
            return self._base[0], self._base[1], len(self.units)
        members = self._family_members(filters.family) if filters.family else None
        frequency: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        indexes: Iterable[int] = range(len(self.units)) if selected is None else selected
        total = 0
        for i in indexes:
            keys = self._keys(i, filters, members)
            if keys:
                total += 1
                frequency.update(keys)
                pairs.update(combinations(keys, 2))
        if plain:
            self._base = (frequency, pairs)
        return frequency, pairs, total

    def evidence(self, a: str, b: str, filters: Filters, *, limit: int | None = None) -> list[str]:
        """The units (IRIs) that join ``a`` and ``b`` under ``filters``, in order."""
        return [self.units[i].iri for i in self._joint(a, b, filters, limit)]

    def _joint(self, a: str, b: str, filters: Filters, limit: int | None) -> Iterator[int]:
        first, second = self._units_with(a), self._units_with(b)
        if len(second) < len(first):
            first, second = second, first
        other = set(second)
        allowed = self._allowed(filters)
        found = 0
        for i in first:
            if i in other and (allowed is None or i in allowed):
                yield i
                found += 1
                if limit is not None and found >= limit:
                    return

    def _allowed(self, filters: Filters) -> set[int] | None:
        selected = self.select(filters)
        if selected is None:
            return None
        if self._allowed_cache is None or self._allowed_cache[0] is not selected:
            self._allowed_cache = (selected, set(selected))
        return self._allowed_cache[1]

    def _units_with(self, key: str) -> list[int]:
        if key in self._index:
            return self._index[key]
        self._links()
        return self._link_index.get(key, [])

    # ------------------------------------------------------------ the network

    def network(self, filters: Filters, view: View) -> Network:
        """Count, threshold, focus or cut, cap, and describe the network."""
        frequency, pairs, units = self.count(filters)
        graph = nx.Graph()
        for (a, b), weight in pairs.items():
            if weight >= filters.min_weight:
                graph.add_edge(a, b, weight=weight)
        total_nodes, total_edges = graph.number_of_nodes(), graph.number_of_edges()
        notice = ""
        path: list[str] = []
        keep: set[str] = set()
        if view.path is not None:
            graph, path, notice = shortest_path(graph, *view.path)
            keep = set(path)
        elif view.focus is not None:
            if view.focus in graph:
                graph = nx.ego_graph(graph, view.focus, radius=max(1, min(view.depth, 2)))
                keep = {view.focus}
            else:
                graph, notice = nx.Graph(), "nothing is tagged together with the focused node here"
        graph, capped = cap(graph, frequency, keep, view.max_nodes, view.max_edges)
        grouped = communities(graph) if view.communities else {}
        self._prefetch_labels(graph.nodes)
        source_set = self._source_set() if "source" in filters.kinds else set()
        nodes = [
            Node(n, self.label(n), self.schemes.kind(n) or ("source" if n in source_set else "organisation"),
                 frequency[n], graph.degree(n), grouped.get(n))
            for n in sorted(graph.nodes, key=lambda n: (-frequency[n], n))
        ]
        edges = []
        for a, b, data in sorted(graph.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1])):
            first, second = sorted((a, b))
            sample = tuple(self.evidence(first, second, filters, limit=view.evidence_per_edge))
            edges.append(Edge(first, second, data["weight"], sample))
        return Network(nodes, edges, units, total_nodes, total_edges, capped, path,
                       len(set(grouped.values())), notice)


def _upper(bound: str) -> str:
    """The last date string a (possibly partial) ISO date bound includes."""
    return bound + "\uffff"
