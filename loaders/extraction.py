"""Everything the rules find in a page, before it becomes triples.

:func:`extract` runs the shared extraction modules over a parsed
:class:`~rightsgraph.loaders.document.Page`: footnotes, actors, authors and
addressees, events and dates, recommendations, commitments and concerns.
What is doubtful goes to the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from rightsgraph.loaders.actors import DocumentActors
from rightsgraph.loaders.calls import CallFinder, FoundRecommendation
from rightsgraph.loaders.commitments import ClaimFinder, FoundClaim
from rightsgraph.loaders.dates import find_years
from rightsgraph.loaders.document import Page, Statement
from rightsgraph.loaders.events import EventFinder, FoundEvent
from rightsgraph.loaders.footnotes import Citation, resolve
from rightsgraph.loaders.registry_data import Registry
from rightsgraph.loaders.report import Report
from rightsgraph.loaders.roles import Roles
from rightsgraph.loaders.tagging import Tagger


@dataclass
class StatementFindings:
    """What one statement says: who wrote it, when, to whom, and its claims."""

    number: int
    statement: Statement
    authors: list[NamedNode]
    addressee: NamedNode | None
    date: str = ""  # an xsd:date, gYearMonth or gYear lexical form
    recommendations: list[FoundRecommendation] = field(default_factory=list)
    claims: list[FoundClaim] = field(default_factory=list)


@dataclass
class Extraction:
    """The findings of one page."""

    page: Page
    registry: Registry
    actors: DocumentActors
    tagger: Tagger
    citations: list[Citation]
    statements: list[StatementFindings]
    events: list[FoundEvent]


def extract(page: Page, report: Report, mint_organisation: Callable[[str], NamedNode]
            ) -> Extraction:
    """Run every extraction rule over ``page``."""
    registry = Registry.shipped()
    texts = [b.text for _, b in page.blocks()] + [s.title for s in page.statements]
    texts += [", ".join(s.authors) for s in page.statements if s.authors] + [page.publisher]
    actors = DocumentActors.build(registry, texts, [n.text for n in page.notes],
                                  mint_organisation)
    _doubt_discovered(page, actors, report)
    citations = resolve(page, report)
    roles = Roles.of(page, actors)
    finder = EventFinder(page, registry, actors)
    events = finder.run()
    document_years = [(y, b.start + at) for _, b in page.blocks() for y, at in find_years(b.text)]
    calls, claims = CallFinder(actors), ClaimFinder(actors)
    statements = []
    for number, statement in enumerate(page.statements):
        findings = StatementFindings(number, statement, roles.authors(statement),
                                     roles.addressee(statement))
        findings.date = statement.date or _iso(
            finder.opening_date(statement, finder.years_for(number, document_years)))
        findings.recommendations = calls.find(statement, findings.authors, findings.addressee)
        taken = {(r.block.index, r.start, r.end) for r in findings.recommendations}
        findings.claims = claims.find(statement, findings.authors, findings.addressee, taken)
        statements.append(findings)
        _doubt_claims(page, findings, report)
    for event in events:
        if event.start is None:
            report.doubt(f"event {event.label!r} has no date", line=event.line)
    return Extraction(page, registry, actors, Tagger.shipped(), citations, statements, events)


def _doubt_discovered(page: Page, actors: DocumentActors, report: Report) -> None:
    """Report each organisation found by pattern, where it is first named."""
    first: dict[NamedNode, int] = {}
    for _, block in page.blocks():
        for mention in actors.find(block.text):
            if mention.actor.kind == "discovered" and mention.actor.iri not in first:
                first[mention.actor.iri] = block.source_span(mention.start, mention.end)[0]
    for note in page.notes:
        for mention in actors.find(note.text):
            if mention.actor.kind == "discovered" and mention.actor.iri not in first:
                first[mention.actor.iri] = note.start
    for actor in actors.discovered.values():
        line, column = page.position(first[actor.iri]) if actor.iri in first else (None, None)
        report.doubt(f"organisation {actor.label!r} is not in the registry (found by pattern)",
                     line=line, column=column)


def _iso(date: dt.date | None) -> str:
    return date.isoformat() if date is not None else ""


def _doubt_claims(page: Page, findings: StatementFindings, report: Report) -> None:
    for recommendation in findings.recommendations:
        if not recommendation.addressees:
            line, column = page.position(recommendation.block.source_span(
                recommendation.start, recommendation.end)[0])
            report.doubt("recommendation addressed to no actor that could be identified",
                         line=line, column=column)
    for claim in findings.claims:
        if claim.kind == "commitment" and not claim.makers:
            line, column = page.position(claim.block.source_span(claim.start, claim.end)[0])
            report.doubt("commitment by an actor that could not be identified",
                         line=line, column=column)
