"""The common path of the document loaders: read, parse, extract, emit.

Each front end (:mod:`plaintext`, :mod:`markdown`, :mod:`html`) only turns
text into a :class:`~rightsgraph.loaders.document.Page`; :func:`load_page`
does the rest, so the three formats find the same things the same way.
A page over ``LoadContext.max_document_bytes`` is refused before parsing.
"""

from __future__ import annotations

from collections.abc import Callable

from pyoxigraph import NamedNode

from rightsgraph.graph.errors import InputError
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.document import Page
from rightsgraph.loaders.emit import Emitter
from rightsgraph.loaders.extraction import Extraction, extract
from rightsgraph.loaders.report import Loaded, Report
from rightsgraph.loaders.source import Source

Parser = Callable[[str, str], Page]

#: Media types recorded as the document's dcterms:format.
MEDIA_TYPES = {"text": "text/plain", "markdown": "text/markdown", "html": "text/html"}


def read_text(source: Source, context: LoadContext) -> str:
    """Return the decoded text of ``source``, refusing oversized, empty and binary input.

    :raises InputError: naming the file, and the line and column where the
        problem is (the first byte over the limit, the first bad byte).
    """
    limit = context.max_document_bytes
    if len(source.data) > limit:
        line = source.data.count(b"\n", 0, limit) + 1
        column = limit - (source.data.rfind(b"\n", 0, limit) + 1) + 1
        raise InputError(
            f"page is {len(source.data):,} bytes, over the limit of {limit:,} bytes for "
            "text, Markdown and HTML; split it into smaller files",
            file=source.name, line=line, column=column,
        )
    try:
        return source.text()
    except InputError as exc:
        if exc.line is None:  # an empty file: the place is its start
            raise InputError(exc.message, file=source.name, line=1, column=1) from None
        raise


def load_page(source: Source, context: LoadContext, format: str, parse: Parser) -> Loaded:
    """Parse ``source`` with ``parse`` and turn the page into a :class:`Loaded`.

    :raises InputError: if the page cannot be read or holds no text.
    """
    page = parse(source.name, read_text(source, context))
    if not any(True for _ in page.blocks()) and not page.notes:
        raise InputError("no text found in this page (only markup, scripts or navigation)",
                         file=source.name, line=1, column=1)
    report = Report()
    for what in sorted({what for what, _ in page.skipped}):
        places = [offset for kind, offset in page.skipped if kind == what]
        line, column = page.position(places[0])
        more = f" (and {len(places) - 1} more)" if len(places) > 1 else ""
        report.doubt(f"<{what}> element ignored{more}", line=line, column=column)

    def organisation(name: str) -> NamedNode:
        return context.mint("organisation", name)

    found = extract(page, report, organisation)
    emitter = Emitter(found, source, context, MEDIA_TYPES[format])
    triples = emitter.triples()
    _count(report, found, emitter)
    record = context.record_for(source, loader=format)
    return Loaded(record, triples + record.triples(), report)


def _count(report: Report, found: Extraction, emitter: Emitter) -> None:
    report.found["statements"] = len(found.statements)
    for kind, label in (("Passage", "passages"), ("Recommendation", "recommendations"),
                        ("Commitment", "commitments"), ("Concern", "concerns"),
                        ("Source", "sources"), ("Event", "events (new)")):
        report.found[label] = emitter.counts.get(kind, 0)
    report.found["footnotes"] = len(found.page.notes)
    report.found["footnote links"] = len(found.citations)
    organisations: set[NamedNode] = set()
    states: set[NamedNode] = set()
    for _, block in found.page.blocks():
        for mention in found.actors.find(block.text):
            (states if mention.actor.kind == "state" else organisations).add(mention.actor.iri)
    report.found["organisations"] = len(organisations)
    report.found["states"] = len(states)
    report.found["organisations (new)"] = len(found.actors.discovered)
    report.found["events"] = len(found.events)
