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


def _objects(store: GraphStore, predicate: NamedNode, graph: Graph) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for subject, term in pairs(store, predicate, graph):
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


def read_units(store: GraphStore, graph: Graph = None) -> list[Unit]:
    """Every tagged unit typed in ``graph``, sorted by IRI, from the triples of that graph."""
    kinds = typed(store, tuple(RG[k] for k in UNIT_KINDS), graph)
    tags: dict[str, set[str]] = defaultdict(set)
    for predicate in (RG.theme, RG.group):
        for subject, term in pairs(store, predicate, graph):
            if subject in kinds and isinstance(term, NamedNode):
                tags[subject].add(term.value)
    documents: dict[str, str] = {}
    for subject, term in pairs(store, PROV.wasDerivedFrom, graph):
        if subject in tags and isinstance(term, NamedNode):
            documents.setdefault(subject, term.value)
    dates: dict[str, str] = {}
    for predicate in (DCTERMS.date, SCHEMA.startDate):
        for subject, term in pairs(store, predicate, graph):
            if isinstance(term, Literal):
                dates.setdefault(subject, term.value[:10])
    parent = {s: min(o) for s, o in _objects(store, DCTERMS.isPartOf, graph).items()}
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


def read_links(store: GraphStore, units: list[Unit], graph: Graph = None) -> Links:
    """The organisations, statement authors and sources of each of ``units`` (from ``graph``)."""
    index = {u.iri: i for i, u in enumerate(units)}
    organisations = set(typed(store, (RG.Organisation, RG.State)))  # registries: every graph
    actors: dict[int, set[str]] = defaultdict(set)
    for predicate in (RG.madeBy, RG.addressedTo, RG.mentions):
        for subject, term in pairs(store, predicate, graph):
            i = index.get(subject)
            if i is not None and isinstance(term, NamedNode) and term.value in organisations:
                actors[i].add(term.value)
    parent = {s: sorted(o) for s, o in _objects(store, DCTERMS.isPartOf, graph).items()}
    authors = _objects(store, DCTERMS.creator, graph)
    statements = set(typed(store, (RG.Statement,), graph))
    creators: dict[int, set[str]] = defaultdict(set)
    for iri, i in index.items():
        for up in parent.get(iri, ()):
            for statement in [up, *parent.get(up, ())]:
                if statement in statements:
                    creators[i].update(a for a in authors.get(statement, ()) if a in organisations)
    cites = _objects(store, CITO.cites, graph)
    notes = _objects(store, RG.footnote, graph)
    note_sources = _objects(store, RG.source, graph)
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
