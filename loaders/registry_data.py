"""The curated registry, as loaders need it: actors, instruments and events by name.

Read once per process from the shipped ``organisations.ttl`` and
``states.ttl``; no store is needed.  Every rdfs:label, skos:prefLabel and
skos:altLabel is a name the matcher knows.

>>> registry = Registry.shipped()
>>> [registry.actors[h.value].label for h in registry.organisations.find("WLN and the U.N.")]
['Women Lead Network', 'United Nations']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from rightsgraph import ontology
from rightsgraph.loaders.names import NameIndex
from rightsgraph.ontology.terms import ORG, RDF, RDFS, RG, SCHEMA, SKOS

#: State names too often something else (a US state, a person, a word).
_AMBIGUOUS_STATE_NAMES = frozenset(
    {"Georgia", "Jersey", "Jordan", "Chad", "Guernsey", "Man", "Turkey", "China", "Panama",
     "Guinea", "Niger", "Dominica", "Mali", "Oman", "Peru", "Cuba", "Togo"}
)


@dataclass(frozen=True)
class Actor:
    """An organisation or State of the registry (or discovered in a document)."""

    iri: NamedNode
    label: str
    kind: str  # "organisation" or "state"
    government: bool = False
    names: tuple[str, ...] = ()
    parent: NamedNode | None = None


@dataclass(frozen=True)
class KnownEvent:
    """A dated event of the registry."""

    iri: NamedNode
    label: str
    start: dt.date
    end: dt.date
    organizers: tuple[NamedNode, ...] = ()


@dataclass
class Registry:
    """Registry actors, instruments and events, with a name index for each."""

    actors: dict[NamedNode, Actor] = field(default_factory=dict)
    instruments: dict[NamedNode, str] = field(default_factory=dict)
    events: dict[NamedNode, KnownEvent] = field(default_factory=dict)
    organisations: NameIndex[NamedNode] = field(default_factory=NameIndex)
    #: skos:hiddenLabel names, shared with other countries' institutions ("Congress")
    national_names: NameIndex[NamedNode] = field(default_factory=NameIndex)
    instrument_names: NameIndex[NamedNode] = field(default_factory=NameIndex)
    event_names: NameIndex[NamedNode] = field(default_factory=NameIndex)

    @classmethod
    def shipped(cls) -> Registry:
        """The registry of the installed ontology files (built once per process)."""
        return _shipped()


def _about(triples: list[Triple]) -> dict[NamedNode, list[Triple]]:
    result: dict[NamedNode, list[Triple]] = {}
    for triple in triples:
        if isinstance(triple.subject, NamedNode):
            result.setdefault(triple.subject, []).append(triple)
    return result


def _names(about: list[Triple]) -> tuple[str, str]:
    pref = [t.object.value for t in about if t.predicate == SKOS.prefLabel
            and isinstance(t.object, Literal)]
    label = [t.object.value for t in about if t.predicate == RDFS.label
             and isinstance(t.object, Literal)]
    return (pref or label or [""])[0], ""


def _all_names(about: list[Triple]) -> list[str]:
    names = []
    for t in about:
        if t.predicate in (SKOS.prefLabel, RDFS.label, SKOS.altLabel) \
                and isinstance(t.object, Literal) and t.object.value not in names:
            names.append(t.object.value)
    return names


def _objects(about: list[Triple], predicate: NamedNode) -> list[NamedNode]:
    return [t.object for t in about if t.predicate == predicate and isinstance(t.object, NamedNode)]


def _date(about: list[Triple], predicate: NamedNode) -> dt.date | None:
    for t in about:
        if t.predicate == predicate and isinstance(t.object, Literal):
            try:
                return dt.date.fromisoformat(t.object.value)
            except ValueError:
                return None
    return None


def _triples(name: str) -> list[Triple]:
    if name not in ontology.available():
        return []
    return [q.triple for q in parse(ontology.read_bytes(name), format=RdfFormat.TURTLE)]


@cache
def _shipped() -> Registry:
    registry = Registry()
    states = _about(_triples("states.ttl"))
    for iri in sorted(states, key=lambda n: n.value):
        about = states[iri]
        if not any(t.predicate == RDF.type and t.object == RG.State for t in about):
            continue
        label = _names(about)[0]
        names = tuple(n for n in _all_names(about) if n not in _AMBIGUOUS_STATE_NAMES)
        registry.actors[iri] = Actor(iri, label, "state", True, names)
    described = _about(_triples("organisations.ttl"))
    for iri in sorted(described, key=lambda n: n.value):
        about = described[iri]
        types = set(_objects(about, RDF.type))
        label = _names(about)[0]
        if RG.Organisation in types:
            parents = _objects(about, ORG.subOrganizationOf)
            registry.actors[iri] = Actor(
                iri, label, "organisation", SCHEMA.GovernmentOrganization in types,
                tuple(_all_names(about)), parents[0] if parents else None,
            )
            for t in about:
                if t.predicate == SKOS.hiddenLabel and isinstance(t.object, Literal):
                    registry.national_names.add(t.object.value, iri)
        elif RG.Instrument in types:
            registry.instruments[iri] = label
            for name in _all_names(about):
                registry.instrument_names.add(name, iri)
        elif RG.Event in types:
            start, end = _date(about, SCHEMA.startDate), _date(about, SCHEMA.endDate)
            if start is None:
                continue
            registry.events[iri] = KnownEvent(
                iri, label, start, end or start, tuple(_objects(about, SCHEMA.organizer))
            )
            for name in _all_names(about):
                registry.event_names.add(name, iri)
    # organisations first: "U.S. Department of State" is an organisation, not the State
    for actor in sorted(registry.actors.values(), key=lambda a: (a.kind != "organisation",
                                                               a.iri.value)):
        for name in actor.names:
            registry.organisations.add(name, actor.iri)
    return registry
