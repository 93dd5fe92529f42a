"""What an entity page shows: a resource's properties, incoming links,
evidence in context, footnoted sources and neighbourhood.

>>> store = GraphStore.memory()
>>> entity = describe(store, NamedNode("https://w3id.org/rightsgraph/theme/maternal-mortality"))
>>> entity.label, [t.text for t in entity.types][:1]
('Maternal mortality', ['Theme'])
>>> safe_url("javascript:alert(1)") is None, safe_url("https://example.org/a")
(True, 'https://example.org/a')
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice

from pyoxigraph import BlankNode, Literal, NamedNode, Triple, Variable

from rightsgraph.graph import queries
from rightsgraph.graph.labels import labels
from rightsgraph.graph.results import short
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import RDF, RG

#: Incoming links read for a page (a State may be addressed by 100,000 recommendations).
INCOMING_LIMIT = 2000
#: Values shown per property or incoming link before "and N more".
VALUES_SHOWN = 50

_UNIT = Variable("u")
_SUBJECT = Variable("s")


@dataclass(frozen=True)
class Value:
    """An RDF term as a page shows it."""

    text: str  # label of an IRI, lexical form of a literal
    iri: str | None = None  # set for IRIs
    note: str = ""  # language or datatype of a literal


@dataclass
class Link:
    """A property (or an incoming link) with its values."""

    predicate: str
    label: str
    values: list[Value]
    total: int


@dataclass(frozen=True)
class Note:
    """A footnote and the source it points to."""

    marker: str
    text: str
    source: str | None
    source_label: str
    url: str | None  # http(s) only; anything else is not a link


@dataclass
class Entity:
    """Everything an entity page shows."""

    iri: str
    label: str
    types: list[Value]
    properties: list[Link]
    incoming: list[Link]
    incoming_total: int
    context: list[tuple[str, bool]] = field(default_factory=list)  # evidence: (text, is it)
    context_of: Value | None = None  # the passage or statement the context comes from
    notes: list[Note] = field(default_factory=list)
    cited: list[Note] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.types[0].text if self.types else "Resource"


def safe_url(value: str) -> str | None:
    """``value`` if it is an http or https URL (the only links pages make)."""
    lowered = value.strip().lower()
    if lowered.startswith(("http://", "https://")) and value == value.strip():
        return value
    return None


def describe(store: GraphStore, iri: NamedNode) -> Entity | None:
    """Describe ``iri``; ``None`` when the store says nothing about it."""
    raw = store.raw
    outgoing = _unique(raw.quads_for_pattern(iri, None, None, None))
    incoming = _unique(islice(raw.quads_for_pattern(None, None, iri, None), INCOMING_LIMIT + 1))
    if not outgoing and not incoming:
        return None
    incoming_total = len(incoming)
    incoming = incoming[:INCOMING_LIMIT]
    names = labels(store, [iri, *_iris(outgoing), *_iris(incoming)])
    predicate_names = predicate_labels(store)
    types = [_value(t.object, names) for t in outgoing if t.predicate == RDF.type]
    properties = _group([(t.predicate, t.object) for t in outgoing if t.predicate != RDF.type],
                        names, predicate_names)
    backlinks = _group([(t.predicate, t.subject) for t in incoming], names, predicate_names)
    entity = Entity(iri.value, names[iri.value], _ordered_types(types), properties, backlinks,
                    incoming_total)
    kinds = {t.iri for t in entity.types}
    if kinds & {RG.Recommendation.value, RG.Commitment.value, RG.Concern.value, RG.Passage.value}:
        _add_context(store, entity, iri)
        entity.notes, entity.cited = footnotes(store, iri)
    return entity


def triples(store: GraphStore, iri: NamedNode) -> list[Triple]:
    """The triples about ``iri`` (as subject, and as object up to the incoming limit)."""
    raw = store.raw
    found = _unique(raw.quads_for_pattern(iri, None, None, None))
    found += _unique(islice(raw.quads_for_pattern(None, None, iri, None), INCOMING_LIMIT))
    return list(dict.fromkeys(found))


def footnotes(store: GraphStore, unit: NamedNode) -> tuple[list[Note], list[Note]]:
    """The footnotes of a unit (or of the passage it is part of), and the sources it cites."""
    variable = {_UNIT: unit}
    notes: list[Note] = []
    seen_sources: set[str] = set()
    rows = list(store.query(queries.UNIT_FOOTNOTES, substitutions=variable))  # type: ignore[arg-type]
    names = labels(store, [r["source"] for r in rows if isinstance(r["source"], NamedNode)])
    for row in rows:
        source = row["source"].value if isinstance(row["source"], NamedNode) else None
        if source:
            seen_sources.add(source)
        notes.append(Note(
            row["marker"].value if row["marker"] is not None else "",
            row["notetext"].value if row["notetext"] is not None else "",
            source, names.get(source or "", ""), _url(row["url"]),
        ))
    cited_rows = [r for r in store.query(queries.UNIT_CITED, substitutions=variable)  # type: ignore[union-attr]
                  if isinstance(r["source"], NamedNode) and r["source"].value not in seen_sources]
    cited_names = labels(store, [r["source"] for r in cited_rows])
    cited = [Note("", "", r["source"].value, cited_names[r["source"].value], _url(r["url"]))
             for r in cited_rows]
    return notes, list(dict.fromkeys(cited))


def predicate_labels(store: GraphStore) -> dict[str, str]:
    """Labels of the vocabulary's properties, from the ontology graphs."""
    return {row["p"].value: row["l"].value
            for row in store.query(queries.PREDICATE_LABELS)}  # type: ignore[union-attr]


def _add_context(store: GraphStore, entity: Entity, iri: NamedNode) -> None:
    """The evidence: a unit inside its passage, or a passage among its neighbours."""
    rows = list(store.query(queries.UNIT_DETAIL, substitutions={_UNIT: iri}))  # type: ignore[arg-type]
    if not rows:
        return
    row = rows[0]
    text = row["text"].value
    if isinstance(row["passage"], NamedNode) and row["ptext"] is not None:
        paragraph = row["ptext"].value
        start = _relative(row["start"], row["pstart"])
        entity.context = mark(paragraph, text, start)
        names = labels(store, [row["passage"]])
        entity.context_of = Value(names[row["passage"].value], row["passage"].value)
        return
    if row["kind"].value != RG.Passage.value:
        entity.context = [(text, True)]
        return
    others = [(r["other"].value, r["text"].value)
              for r in store.query(queries.PASSAGE_CONTEXT,  # type: ignore[union-attr]
                                   substitutions={_SUBJECT: iri})]
    here = next((n for n, (other, _t) in enumerate(others) if other == iri.value), None)
    if here is None:
        entity.context = [(text, True)]
        return
    pieces: list[tuple[str, bool]] = []
    for other, passage_text in others[max(0, here - 1):here + 2]:
        if pieces:
            pieces.append(("\n\n", False))
        pieces.append((passage_text, other == iri.value))
    entity.context = pieces


def mark(paragraph: str, text: str, start: int | None) -> list[tuple[str, bool]]:
    """Split ``paragraph`` into pieces, marking where ``text`` stands (at ``start`` if it is there).

    >>> mark("One. Two. Three.", "Two.", 5)
    [('One. ', False), ('Two.', True), (' Three.', False)]
    >>> mark("One. Two.", "Two.", 99)
    [('One. ', False), ('Two.', True)]
    """
    if start is None or paragraph[start:start + len(text)] != text:
        start = paragraph.find(text)
    if start < 0 or not text:
        return [(paragraph, False)]
    end = start + len(text)
    pieces = [(paragraph[:start], False), (text, True), (paragraph[end:], False)]
    return [p for p in pieces if p[0]]


def _relative(start: object, passage_start: object) -> int | None:
    try:
        return int(start.value) - int(passage_start.value)  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return None


def _url(term: object) -> str | None:
    if isinstance(term, NamedNode | Literal):
        return safe_url(term.value)
    return None


def _unique(quads: object) -> list[Triple]:
    return list(dict.fromkeys(q.triple for q in quads))  # type: ignore[attr-defined]


def _iris(found: list[Triple]) -> list[NamedNode]:
    terms = [t for triple in found for t in (triple.subject, triple.predicate, triple.object)]
    return [t for t in terms if isinstance(t, NamedNode)]


def _value(term: object, names: dict[str, str]) -> Value:
    if isinstance(term, NamedNode):
        return Value(names.get(term.value) or term.value, term.value)
    if isinstance(term, Literal):
        note = f"@{term.language}" if term.language else short(term.datatype)
        return Value(term.value, None, "" if note == "xsd:string" else note)
    if isinstance(term, BlankNode):
        return Value(f"_:{term.value}")
    return Value(str(term))


def _ordered_types(types: list[Value]) -> list[Value]:
    """rightsgraph classes first: they say what kind of thing this is."""
    return sorted(types, key=lambda v: (not (v.iri or "").startswith(RG.base), v.text))


def _group(pairs: list[tuple[NamedNode, object]], names: dict[str, str],
           predicate_names: dict[str, str]) -> list[Link]:
    grouped: dict[str, list[object]] = defaultdict(list)
    for predicate, term in pairs:
        grouped[predicate.value].append(term)
    links = []
    for iri, terms in grouped.items():
        values = sorted((_value(t, names) for t in terms), key=lambda v: v.text.lower())
        label = predicate_names.get(iri) or short(NamedNode(iri))
        links.append(Link(iri, label, values[:VALUES_SHOWN], len(values)))
    return sorted(links, key=lambda link: (link.predicate not in _FIRST, link.label.lower()))


_FIRST = {RG.text.value, "http://www.w3.org/2000/01/rdf-schema#label",
          "http://purl.org/dc/terms/title", "http://www.w3.org/2004/02/skos/core#prefLabel"}
