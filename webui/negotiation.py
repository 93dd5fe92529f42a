"""Content negotiation for SPARQL results: one table of formats and media types."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


@dataclass(frozen=True)
class ResultFormat:
    """A serialisation the endpoint offers."""

    name: str
    media_type: str
    extension: str
    kinds: tuple[str, ...]  # "solutions" (SELECT, ASK) and/or "graph" (CONSTRUCT, DESCRIBE)
    aliases: tuple[str, ...] = ()


#: Turtle serves both kinds: a SELECT or ASK result in Turtle is written in the
#: W3C result-set vocabulary (rs:ResultSet), so every result downloads as Turtle.
FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "application/sparql-results+json", "srj", ("solutions",),
                 ("application/json",)),
    ResultFormat("xml", "application/sparql-results+xml", "srx", ("solutions",),
                 ("application/xml", "text/xml")),
    ResultFormat("csv", "text/csv", "csv", ("solutions",)),
    ResultFormat("tsv", "text/tab-separated-values", "tsv", ("solutions",)),
    ResultFormat("turtle", "text/turtle", "ttl", ("graph", "solutions"), ("application/x-turtle",)),
    ResultFormat("ntriples", "application/n-triples", "nt", ("graph",), ("text/plain",)),
    ResultFormat("jsonld", "application/ld+json", "jsonld", ("graph",)),
    ResultFormat("rdfxml", "application/rdf+xml", "rdf", ("graph",)),
)
BY_NAME = {f.name: f for f in FORMATS}


def choose(accept: MIMEAccept, kinds: str, explicit: str | None) -> ResultFormat:
    """Pick the format for results of ``kinds``: ``explicit`` wins, then Accept.

    >>> from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
    >>> choose(MIMEAccept([("text/csv", 1)]), "solutions", None).name
    'csv'
    >>> choose(MIMEAccept([("text/csv", 1)]), "graph", None).name
    'turtle'
    >>> choose(MIMEAccept([("*/*", 1)]), "solutions", "turtle").name
    'turtle'
    """
    if explicit and explicit in BY_NAME and kinds in BY_NAME[explicit].kinds:
        return BY_NAME[explicit]
    return _by_accept(accept.to_header() if accept else "", kinds)


@lru_cache(maxsize=256)  # clients send the same few Accept headers over and over
def _by_accept(header: str, kinds: str) -> ResultFormat:
    accept = parse_accept_header(header, MIMEAccept)
    offers: dict[str, ResultFormat] = {}
    for fmt in FORMATS:
        if kinds in fmt.kinds:
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
    return _html_first(accept.to_header() if accept else "")


@lru_cache(maxsize=256)
def _html_first(header: str) -> bool:
    accept = parse_accept_header(header, MIMEAccept)
    if not any(value == "text/html" for value, _quality in accept):
        return False
    best = accept.best_match(["text/html", *(f.media_type for f in FORMATS)])
    return best == "text/html"
