"""Triples of a page's findings, in the rightsgraph vocabulary.

Every IRI is minted from the file name and positions or content, so the
same file always gives the same triples.  Registry actors, instruments and
events are only linked to, never described again (they live in the
organisations and states graphs).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Triple

from rightsgraph.loaders.calls import FoundRecommendation
from rightsgraph.loaders.commitments import FoundClaim
from rightsgraph.loaders.concepts import normalise
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.document import Block, Note
from rightsgraph.loaders.events import FoundEvent, title_index
from rightsgraph.loaders.extraction import Extraction, StatementFindings
from rightsgraph.loaders.footnotes import Citation
from rightsgraph.loaders.source import Source
from rightsgraph.loaders.urls import find_urls, url_key, url_node
from rightsgraph.ontology.terms import (
    CITO,
    DCTERMS,
    PROV,
    RDF,
    RDFS,
    RG,
    SCHEMA,
    SKOS,
    XSD,
)

_LABEL_LENGTH = 80
_DATE_TYPES = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}


def short(text: str, length: int = _LABEL_LENGTH) -> str:
    """``text`` on one line, cut at a word with an ellipsis when longer than ``length``.

    >>> short("Promptly ratify CEDAW and disband the Commission", 30)
    'Promptly ratify CEDAW and…'
    """
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length - 1)
    return text[: cut if cut > 0 else length - 1].rstrip(",;:") + "…"


def _offset(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.nonNegativeInteger)


class Emitter:
    """Builds the triples of one page, without duplicates, in a stable order."""

    def __init__(self, found: Extraction, source: Source, context: LoadContext,
                 media_type: str) -> None:
        self.found = found
        self.context = context
        self.file = source.file_name
        self.source = source
        self.media_type = media_type
        self.document = context.mint("document", source.file_name)
        self._triples: dict[Triple, None] = {}
        self._events: dict[int, NamedNode] = {}
        self._notes: dict[int, NamedNode] = {}
        self._note_sources: dict[int, NamedNode | None] = {}
        self.counts: dict[str, int] = {}
        self._findings: dict[int, dict[int, tuple[list[FoundRecommendation],
                                                  list[FoundClaim]]]] = {}
        self._citations: dict[int, list[Citation]] = {}
        for citation in found.citations:
            self._citations.setdefault(id(citation.block), []).append(citation)
        self._details: dict[int, list[Block]] = {}
        for findings in found.statements:
            blocks = findings.statement.blocks
            for n, lead in enumerate(blocks[:-1]):
                if not lead.is_item and lead.text.rstrip().endswith((",", ":")) \
                        and blocks[n + 1].is_item:
                    items = [b for b in blocks[n + 1:] if b.list_id == blocks[n + 1].list_id]
                    self._details[id(lead)] = items
        self._block_events: dict[int, list[FoundEvent]] = {}
        for event in found.events:
            for index in event.blocks:
                self._block_events.setdefault(index, []).append(event)

    def add(self, subject: NamedNode, predicate: NamedNode,
            obj: NamedNode | Literal | None) -> None:
        if obj is not None:
            self._triples[Triple(subject, predicate, obj)] = None

    def triples(self) -> list[Triple]:
        """Emit everything and return the triples."""
        self._document()
        self._event_resources()
        for number, note in enumerate(self.found.page.notes, start=1):
            self._footnote(number, note)
        passage = 0
        for findings in self.found.statements:
            statement = self._statement(findings)
            for block in findings.statement.passages():
                passage += 1
                self._passage(passage, statement, block, findings)
        for kind in ("Recommendation", "Commitment", "Concern"):
            self.counts.setdefault(kind, 0)
        for actor in self.found.actors.discovered.values():
            self._derived(actor.iri, RG.Organisation, actor.label)
            self.add(actor.iri, SKOS.prefLabel, Literal(actor.label))
            for alias in actor.names[1:]:
                self.add(actor.iri, SKOS.altLabel, Literal(alias))
        return list(self._triples)

    # ------------------------------------------------------------ resources

    def _derived(self, iri: NamedNode, cls: NamedNode, label: str) -> None:
        self.add(iri, RDF.type, cls)
        self.add(iri, RDFS.label, Literal(label))
        self.add(iri, PROV.wasDerivedFrom, self.document)

    def _document(self) -> None:
        page = self.found.page
        title = page.title or self.file
        self.add(self.document, RDF.type, RG.Document)
        self.add(self.document, RDFS.label, Literal(title))
        self.add(self.document, DCTERMS.title, Literal(title))
        self.add(self.document, RG.fileName, Literal(self.file))
        self.add(self.document, RG.sha256, Literal(self.source.sha256))
        self.add(self.document, DCTERMS.format, Literal(self.media_type))

    def _statement(self, findings: StatementFindings) -> NamedNode:
        statement = findings.statement
        title = statement.title or f"Untitled statement {findings.number + 1} of {self.file}"
        iri = self.context.mint("statement", self.file,
                                f"{findings.number + 1}-{statement.title or 'untitled'}")
        self._derived(iri, RG.Statement, short(title, 200))
        self.add(iri, DCTERMS.isPartOf, self.document)
        self.add(self.document, DCTERMS.hasPart, iri)
        if statement.title:
            self.add(iri, DCTERMS.title, Literal(statement.title))
        if len(findings.date) in _DATE_TYPES:
            self.add(iri, DCTERMS.date, Literal(findings.date,
                                                datatype=_DATE_TYPES[len(findings.date)]))
        for author in findings.authors:
            self.add(iri, DCTERMS.creator, author)
        if statement.title:
            self._mentions(iri, statement.title, title_index(findings.number))
        return iri

    def _passage(self, number: int, statement: NamedNode, block: Block,
                 findings: StatementFindings) -> None:
        iri = self.context.mint("passage", self.file, str(number))
        self._derived(iri, RG.Passage, short(block.text))
        self._text(iri, block, 0, len(block.text))
        self.add(iri, DCTERMS.isPartOf, statement)
        self._notes_of(iri, block, 0, len(block.text), statement)
        self._tags(iri, block.text)
        self._mentions(iri, block.text, block.index)
        self._count("Passage")
        for recommendation in self._by_block(findings).get(id(block), ([], []))[0]:
            if recommendation.block is block:
                rec = self._claim("Recommendation", RG.Recommendation, iri, block,
                                  recommendation.start, recommendation.end,
                                  recommendation.makers, statement)
                for addressee in recommendation.addressees:
                    self.add(rec, RG.addressedTo, addressee)
        for claim in self._by_block(findings).get(id(block), ([], []))[1]:
            if claim.block is block:
                kind = "Commitment" if claim.kind == "commitment" else "Concern"
                self._claim(kind, RG[kind], iri, block, claim.start, claim.end, claim.makers,
                            statement)

    def _by_block(self, findings: StatementFindings
                  ) -> dict[int, tuple[list[FoundRecommendation], list[FoundClaim]]]:
        """The recommendations and claims of each block of a statement."""
        cached = self._findings.get(id(findings))
        if cached is None:
            cached = {}
            for recommendation in findings.recommendations:
                cached.setdefault(id(recommendation.block), ([], []))[0].append(recommendation)
            for claim in findings.claims:
                cached.setdefault(id(claim.block), ([], []))[1].append(claim)
            self._findings[id(findings)] = cached
        return cached

    def _claim(self, kind: str, cls: NamedNode, passage: NamedNode, block: Block, start: int,
               end: int, makers: Iterable[NamedNode], statement: NamedNode) -> NamedNode:
        number = self._count(kind)
        iri = self.context.mint(kind.lower(), self.file, str(number))
        text = block.text[start:end]
        self._derived(iri, cls, short(text))
        self._text(iri, block, start, end)
        self.add(iri, DCTERMS.isPartOf, passage)
        for maker in makers:
            self.add(iri, RG.madeBy, maker)
        self._notes_of(iri, block, start, end, statement)
        self._tags(iri, text)
        if end >= len(block.text.rstrip()):  # "... for women, specifically," and its list
            for item in self._details.get(id(block), []):
                self._tags(iri, item.text)
        self._mentions(iri, text, None)
        return iri

    def _text(self, iri: NamedNode, block: Block, start: int, end: int) -> None:
        first, last = block.source_span(start, end)
        self.add(iri, RG.text, Literal(block.text[start:end]))
        self.add(iri, RG.startOffset, _offset(first))
        self.add(iri, RG.endOffset, _offset(last))

    def _count(self, kind: str) -> int:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]

    # ------------------------------------------------------------ notes and sources

    def _footnote(self, number: int, note: Note) -> None:
        iri = self.context.mint("footnote", self.file, f"{number}-{note.printed}")
        self._notes[id(note)] = iri
        self._derived(iri, RG.Footnote, f"Note [{note.printed}] of {self.file}")
        self.add(iri, RG.marker, Literal(note.printed))
        self.add(iri, RG.text, Literal(note.text))
        self.add(iri, RG.startOffset, _offset(note.start))
        self.add(iri, RG.endOffset, _offset(note.end))
        self._mentions(iri, note.text, None)
        source = None if note.scope is not None else self._source(note)
        self._note_sources[id(note)] = source
        self.add(iri, RG.source, source)

    def _source(self, note: Note) -> NamedNode | None:
        """The work a listed note cites: its URL, else its text as a reference."""
        text = note.text.strip()
        if not text:
            return None
        for found in find_urls(text):
            node = url_node(found.url)
            if node is None:
                continue
            iri = self.context.mint("source-work", url_key(found.url))
            rest = (text[:found.start] + " " + text[found.end:]).strip(" -–—:,.")
            rest = rest.removeprefix("Link to ").strip()
            self._derived(iri, RG.Source, short(rest) if rest else found.url)
            self.add(iri, SCHEMA.url, node)
            self._count("Source")
            return iri
        key = hashlib.sha1(normalise(text).encode()).hexdigest()[:16]
        iri = self.context.mint("source-work", key)
        self._derived(iri, RG.Source, short(text))
        self.add(iri, RG.text, Literal(text))
        self._count("Source")
        return iri

    def _notes_of(self, iri: NamedNode, block: Block, start: int, end: int,
                  statement: NamedNode) -> None:
        for citation in self._citations.get(id(block), []):
            if not start <= citation.marker.at <= end:
                continue
            note = self._notes.get(id(citation.note))
            if note is None:
                continue
            self.add(iri, RG.footnote, note)
            source = self._note_sources.get(id(citation.note))
            if source is not None:
                self.add(iri, CITO.cites, source)
                self.add(statement, CITO.cites, source)

    # ------------------------------------------------------------ tags and mentions

    def _tags(self, iri: NamedNode, text: str) -> None:
        names = [(m.start, m.end) for m in self.found.actors.find(text)
                 if m.actor.kind != "state"]
        tags = self.found.tagger.tags(text, names)
        for theme in tags.themes:
            self.add(iri, RG.theme, theme)
        for group in tags.groups:
            self.add(iri, RG.group, group)
        for instrument in tags.instruments:
            self.add(iri, RG.mentions, instrument)

    def _mentions(self, iri: NamedNode, text: str, block_index: int | None) -> None:
        for mention in self.found.actors.find(text):
            self.add(iri, RG.mentions, mention.actor.iri)
        for hit in self.found.registry.event_names.find(text):
            self.add(iri, RG.mentions, hit.value)
        if block_index is not None:
            for event_iri in self._events_in(block_index):
                self.add(iri, RG.mentions, event_iri)
        for instrument in self.found.tagger.tags(text).instruments:
            self.add(iri, RG.mentions, instrument)

    def _events_in(self, block_index: int) -> list[NamedNode]:
        return [self._events[id(e)] for e in self._block_events.get(block_index, [])
                if id(e) in self._events]

    def _event_resources(self) -> None:
        for event in self.found.events:
            if event.known is not None:
                self._events[id(event)] = event.known.iri
                continue
            self._events[id(event)] = self._event(event)

    def _event(self, event: FoundEvent) -> NamedNode:
        when = event.start.isoformat() if event.start else self.file
        iri = self.context.mint("event", f"{event.label} {when}")
        self._derived(iri, RG.Event, event.label)
        if event.start is not None:
            self.add(iri, SCHEMA.startDate, Literal(event.start.isoformat(), datatype=XSD.date))
        if event.end is not None:
            self.add(iri, SCHEMA.endDate, Literal(event.end.isoformat(), datatype=XSD.date))
        for organizer in event.organizers:
            self.add(iri, SCHEMA.organizer, organizer)
        self.add(iri, SCHEMA.superEvent, event.super_event)
        self._count("Event")
        return iri
