"""Content negotiation for SPARQL results: one table of formats and media types."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept


@dataclass(frozen=True)
class ResultFormat:
    """A serialisation the endpoint offers."""

    name: str
    media_type: str
    extension: str
    kinds: str  # "solutions" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE)
    aliases: tuple[str, ...] = ()


FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "application/sparql-results+json", "srj", "solutions",
                 ("application/json",)),
    ResultFormat("xml", "application/sparql-results+xml", "srx", "solutions",
                 ("application/xml", "text/xml")),
    ResultFormat("csv", "text/csv", "csv", "solutions"),
    ResultFormat("tsv", "text/tab-separated-values", "tsv", "solutions"),
    ResultFormat("turtle", "text/turtle", "ttl", "graph", ("application/x-turtle",)),
    ResultFormat("ntriples", "application/n-triples", "nt", "graph", ("text/plain",)),
    ResultFormat("jsonld", "application/ld+json", "jsonld", "graph"),
    ResultFormat("rdfxml", "application/rdf+xml", "rdf", "graph"),
)
BY_NAME = {f.name: f for f in FORMATS}


def choose(accept: MIMEAccept, kinds: str, explicit: str | None) -> ResultFormat:
    """Pick the format for results of ``kinds``: ``explicit`` wins, then Accept.

    >>> from werkzeug.datastructures import MIMEAccept
    >>> choose(MIMEAccept([("text/csv", 1)]), "solutions", None).name
    'csv'
    >>> choose(MIMEAccept([("text/csv", 1)]), "graph", None).name
    'turtle'
    """
    if explicit and explicit in BY_NAME and BY_NAME[explicit].kinds == kinds:
        return BY_NAME[explicit]
    offers: dict[str, ResultFormat] = {}
    for fmt in FORMATS:
        if fmt.kinds == kinds:
            for media in (fmt.media_type, *fmt.aliases):
                offers.setdefault(media, fmt)
    best = accept.best_match(list(offers)) if accept else None
    if best is not None:
        return offers[best]
    return BY_NAME["json" if kinds == "solutions" else "turtle"]


def wants_html(accept: MIMEAccept) -> bool:
    """True when the client names text/html and prefers it to data (a browser).

    A bare ``*/*`` (curl, most libraries) is not a browser.
    """
    if not any(value == "text/html" for value, _quality in accept):
        return False
    best = accept.best_match(["text/html", *(f.media_type for f in FORMATS)])
    return best == "text/html"
