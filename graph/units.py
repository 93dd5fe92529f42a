"""The tagged units of a store, read by predicate scans.

A unit is a passage, recommendation, commitment or concern carrying at least
one theme or group.  For the intersection network we need, for every unit,
its tags, document and date, and (on demand) the organisations and sources
it is linked to.  With 100,000 recommendations a SPARQL join over the union
graph takes tens of seconds; reading each predicate once with
``quads_for_pattern`` and joining in dictionaries takes a few, so this module
reads the store that way (the queries are plain triple patterns: no user
input reaches them).

>>> read_units(GraphStore.memory())
[]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import DefaultGraph, Literal, NamedNode

from rightsgraph.graph.queries import UNIT_KINDS
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import CITO, DCTERMS, PROV, RDF, RG, SCHEMA


@dataclass
class Unit:
    """A tagged unit: its kind, concepts (sorted), document and date (ISO, or "")."""

    iri: str
    kind: str
    concepts: tuple[str, ...]
    document: str = ""
    date: str = ""


@dataclass
class Links:
    """What each unit (by index) is linked to beyond its tags."""

    actors: list[tuple[str, ...]]  # made by, addressed to, mentioned
    creators: list[tuple[str, ...]]  # authors of the statement the unit is in
    sources: list[tuple[str, ...]]  # sources its footnotes (or its passage's) point to


Graph = NamedNode | DefaultGraph | None  # None: every graph


def pairs(store: GraphStore, predicate: NamedNode, graph: Graph = None) -> Iterator[tuple[str, object]]:
    """(subject IRI, object) of every triple with ``predicate`` in ``graph``."""
    for quad in store.raw.quads_for_pattern(None, predicate, None, graph):
        if isinstance(quad.subject, NamedNode):
            yield quad.subject.value, quad.object


class Scans:
    """Predicate scans of one graph (``None``: every graph), each read from the store once.

    Building the index reads the same predicates for the text, the units and
    their links; at 100,000 recommendations each scan costs seconds.

    >>> scans = Scans(GraphStore.memory())
    >>> scans.pairs(RG.theme) is scans.pairs(RG.theme)
    True
    """

    def __init__(self, store: GraphStore, graph: Graph = None) -> None:
        self.store, self.graph = store, graph
        self._read: dict[str, list[tuple[str, object]]] = {}

    def pairs(self, predicate: NamedNode) -> list[tuple[str, object]]:
        """(subject IRI, object) of every triple with ``predicate`` in the graph."""
        found = self._read.get(predicate.value)
        if found is None:
            found = self._read[predicate.value] = list(pairs(self.store, predicate, self.graph))
        return found

    def objects(self, predicate: NamedNode) -> dict[str, set[str]]:
        """The IRI objects of ``predicate``, by subject."""
        found: dict[str, set[str]] = defaultdict(set)
        for subject, term in self.pairs(predicate):
            if isinstance(term, NamedNode):
                found[subject].add(term.value)
        return found


def typed(store: GraphStore, classes: tuple[NamedNode, ...], graph: Graph = None) -> dict[str, str]:
    """The subjects typed with one of ``classes`` in ``graph``, with the first class's local name."""
    kinds: dict[str, str] = {}
    for cls in classes:
        name = cls.value.rsplit("#", 1)[-1]
        for quad in store.raw.quads_for_pattern(None, RDF.type, cls, graph):
            if isinstance(quad.subject, NamedNode):
                kinds.setdefault(quad.subject.value, name)
    return kinds


def read_units(store: GraphStore, graph: Graph = None, scans: Scans | None = None) -> list[Unit]:
    """Every tagged unit typed in ``graph``, sorted by IRI, from the triples of that graph."""
    scans = scans or Scans(store, graph)
    kinds = typed(store, tuple(RG[k] for k in UNIT_KINDS), graph)
    tags: dict[str, set[str]] = defaultdict(set)
    for predicate in (RG.theme, RG.group):
        for subject, term in scans.pairs(predicate):
            if subject in kinds and isinstance(term, NamedNode):
                tags[subject].add(term.value)
    documents: dict[str, str] = {}
    for subject, term in scans.pairs(PROV.wasDerivedFrom):
        if subject in tags and isinstance(term, NamedNode):
            documents.setdefault(subject, term.value)
    dates: dict[str, str] = {}
    for predicate in (DCTERMS.date, SCHEMA.startDate):
        for subject, term in scans.pairs(predicate):
            if isinstance(term, Literal):
                dates.setdefault(subject, term.value[:10])
    parent = {s: min(o) for s, o in scans.objects(DCTERMS.isPartOf).items()}
    units = []
    for iri in sorted(tags):
        date = dates.get(iri, "")
        up = iri
        for _step in range(3):  # the unit, its passage, its statement (, its document)
            if date:
                break
            up = parent.get(up, "")
            date = dates.get(up, "") if up else ""
        if not date:
            date = dates.get(documents.get(iri, ""), "")
        units.append(Unit(iri, kinds[iri], tuple(sorted(tags[iri])), documents.get(iri, ""), date))
    return units


def read_links(store: GraphStore, units: list[Unit], graph: Graph = None,
               scans: Scans | None = None) -> Links:
    """The organisations, statement authors and sources of each of ``units`` (from ``graph``)."""
    scans = scans or Scans(store, graph)
    index = {u.iri: i for i, u in enumerate(units)}
    organisations = set(typed(store, (RG.Organisation, RG.State)))  # registries: every graph
    actors: dict[int, set[str]] = defaultdict(set)
    for predicate in (RG.madeBy, RG.addressedTo, RG.mentions):
        for subject, term in scans.pairs(predicate):
            i = index.get(subject)
            if i is not None and isinstance(term, NamedNode) and term.value in organisations:
                actors[i].add(term.value)
    parent = {s: sorted(o) for s, o in scans.objects(DCTERMS.isPartOf).items()}
    authors = scans.objects(DCTERMS.creator)
    statements = set(typed(store, (RG.Statement,), graph))
    creators: dict[int, set[str]] = defaultdict(set)
    for iri, i in index.items():
        for up in parent.get(iri, ()):
            for statement in [up, *parent.get(up, ())]:
                if statement in statements:
                    creators[i].update(a for a in authors.get(statement, ()) if a in organisations)
    cites = scans.objects(CITO.cites)
    notes = scans.objects(RG.footnote)
    note_sources = scans.objects(RG.source)
    source_set = set(typed(store, (RG.Source,)))

    def sources_of(iri: str) -> set[str]:
        found = set(cites.get(iri, ()))
        for note in notes.get(iri, ()):
            found.update(note_sources.get(note, ()))
        return found & source_set

    sources: dict[int, set[str]] = defaultdict(set)
    for iri, i in index.items():
        sources[i] = sources_of(iri)
        for up in parent.get(iri, ()):
            if units[i].kind != "Passage" and up not in statements:
                sources[i].update(sources_of(up))
    count = len(units)
    return Links([tuple(sorted(actors.get(i, ()))) for i in range(count)],
                 [tuple(sorted(creators.get(i, ()))) for i in range(count)],
                 [tuple(sorted(sources.get(i, ()))) for i in range(count)])
