"""UPR recommendations: one table row read, checked and turned into triples.

The cell values analysts type are normalised here: responses ("Accepted",
"Partially supported"), action categories ("Category 5: specific action"),
cycles ("3rd"), sessions ("Session 36"), SDG targets ("SDG 3.7") and dates.
Each normaliser returns ``None`` for a value it cannot read; the row then
gets a :class:`RowError` naming its column.

>>> response("Partially accepted"), response("Rejected"), response("maybe")
('supported in part', 'noted', None)
>>> action_category("Category 5 - Specific action"), action_category("6")
(5, None)
>>> sdg_target("SDG 3.7").value, sdg_target("Target 16.b").value
('http://metadata.un.org/sdg/3.7', 'http://metadata.un.org/sdg/16.b')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from rightsgraph.loaders.columns import Columns, split_values
from rightsgraph.loaders.states import StateIndex
from rightsgraph.ontology.terms import DCTERMS, PROV, RDF, RDFS, RG, XSD

SDG_BASE = "http://metadata.un.org/sdg/"
#: The three responses a State under review gives, as stored in rg:response.
RESPONSES = ("supported", "noted", "supported in part")

# ------------------------------------------------------------------ normalisers

_NO_RESPONSE = frozenset({
    "pending", "no response", "not yet", "none", "n a", "na", "general response",
    "no clear position", "unclear",
})
_PART = re.compile(r"\b(?:in part|part|partly|partially|partial)\b")
_SUPPORT = re.compile(r"\b(?:supported|supports|support|accepted|accepts|accept|agreed)\b")
_NOTED = re.compile(
    r"^(?:noted|notes|note|takes note|take note|taken note|rejected|reject|not supported"
    r"|not accepted|does not support|does not accept)\b"
)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def response(text: str) -> str | None:
    """Normalise a response to supported, noted or supported in part.

    "Rejected" and "Not accepted" become *noted*: since the second UPR cycle
    States note the recommendations they do not support, and UPR Info files
    the earlier "rejected" ones as noted.  Returns ``""`` for a value that
    says there is no response yet ("Pending", "No response"), and ``None``
    for a value it cannot read.
    """
    key = _words(text)
    if key in _NO_RESPONSE:
        return ""
    partly = bool(_PART.search(key))
    supported = bool(_SUPPORT.search(key)) and not key.startswith(("not ", "does not "))
    noted = bool(_NOTED.match(key)) or " noted" in f" {key}"
    if (partly and (supported or noted or key in {"partially", "in part", "partly"})) or (
        supported and noted
    ):
        return "supported in part"
    if noted:
        return "noted"
    if supported and _SUPPORT.match(key):
        return "supported"
    return None


_CATEGORY_NAMES = {
    "minimal action": 1, "continuing action": 2, "considering action": 3,
    "considering change": 3, "general action": 4, "specific action": 5,
}
_LEADING_NUMBER = re.compile(r"^(?:action category|category|cat|action)?\s*(\d+)\b")


def action_category(text: str) -> int | None:
    """Return the UPR Info action category (1 to 5), from its number or its name."""
    key = _words(text)
    match = _LEADING_NUMBER.match(key)
    if match:
        number = int(match.group(1))
        return number if 1 <= number <= 5 else None
    return _CATEGORY_NAMES.get(key)


_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
             "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}


def _counted(text: str, noun: str) -> int | None:
    """Read "3", "3rd", "Cycle 3", "third cycle", "UPR 36" as a positive number."""
    words = [w for w in _words(text).split() if w not in {noun, "upr", "no"}]
    if len(words) != 1:
        return None
    word = words[0]
    match = re.fullmatch(r"(\d+)(?:st|nd|rd|th)?", word)
    number = int(match.group(1)) if match else _ORDINALS.get(word)
    return number if number else None


def cycle_number(text: str) -> int | None:
    """Return a UPR cycle (1 to 9).

    >>> cycle_number("3rd cycle"), cycle_number("Cycle IV"), cycle_number("12")
    (3, 4, None)
    """
    number = _counted(text, "cycle")
    return number if number is not None and number <= 9 else None


def session_number(text: str) -> int | None:
    """Return a UPR Working Group session number.

    >>> session_number("Session 36"), session_number("36th session"), session_number("x")
    (36, 36, None)
    """
    return _counted(text, "session")


_SDG_PREFIX = re.compile(r"^(?:https?://metadata\.un\.org/sdg/|sdg:|sdgs?\b|target\b|goal\b"
                         r"|[\s:#.-]+)", re.IGNORECASE)
_SDG_CODE = re.compile(r"(\d{1,2})(?:\.(\d{1,2}|[a-z]))?", re.IGNORECASE)


def sdg_target(text: str) -> NamedNode | None:
    """Return the official IRI of an SDG target (or goal) written as 3.7, SDG 3.7,
    Target 3.7 or http://metadata.un.org/sdg/3.7."""
    rest = text.strip()
    while True:
        shorter = _SDG_PREFIX.sub("", rest, count=1)
        if shorter == rest:
            break
        rest = shorter
    match = _SDG_CODE.fullmatch(rest)
    if not match or not 1 <= int(match.group(1)) <= 17:
        return None
    goal, target = int(match.group(1)), match.group(2)
    if target is None:
        return NamedNode(f"{SDG_BASE}{goal}")
    target = str(int(target)) if target.isdigit() else target.lower()
    return NamedNode(f"{SDG_BASE}{goal}.{target}")


_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%Y/%m/%d")


def date_literal(text: str) -> Literal | None:
    """Return an ``xsd:date`` (or ``xsd:gYearMonth``, ``xsd:gYear``) for a date cell.

    >>> date_literal("9 November 2020").value, date_literal("2021-03").datatype.value[-10:]
    ('2020-11-09', 'gYearMonth')
    >>> date_literal("03/04/2021") is None  # day and month cannot be told apart
    True
    """
    value = " ".join(text.replace(",", " ").split())
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return Literal(value, datatype=XSD.gYearMonth)
    value = re.sub(r"^(\d{4}-\d{2}-\d{2})[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?$", r"\1", value)
    for pattern in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        return Literal(day.isoformat(), datatype=XSD.date)
    return None


# ------------------------------------------------------------------ one row


@dataclass(frozen=True)
class RowError:
    """A cell that cannot be loaded, with its row and column."""

    row: int
    column: int | None
    header: str
    message: str

    def describe(self, unit: str = "row") -> str:
        """``row 7, Response: unknown response 'maybe' ...``"""
        return f"{unit} {self.row}, {self.header}: {self.message}"


@dataclass(slots=True)  # a table may hold 100,000 of them until they are stored
class Recommendation:
    """The checked values of one row; theme and group labels are resolved later."""

    row: int
    text: str
    recommending: list[NamedNode] = field(default_factory=list)
    under_review: NamedNode | None = None
    response: str | None = None
    category: int | None = None
    cycle: int | None = None
    session: int | None = None
    symbol: str | None = None
    paragraph: str | None = None
    date: Literal | None = None
    sdg: list[NamedNode] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    #: Values read as "no response yet", reported but not stored.
    no_response: str | None = None

    def label(self) -> str:
        """A short label: the paragraph number and the first words of the text."""
        words = self.text.split()
        head = " ".join(words[:10]) + (" …" if len(words) > 10 else "")
        return f"{self.paragraph} {head}" if self.paragraph else head


#: Field name -> attribute of :class:`Recommendation` that holds its value.
_ATTRIBUTES = {
    "recommending_state": "recommending", "state_under_review": "under_review",
    "response": "response", "action_category": "category", "cycle": "cycle",
    "session": "session", "sdg_targets": "sdg", "date": "date", "symbol": "symbol",
    "paragraph": "paragraph", "themes": "themes", "groups": "groups",
}
#: Distinct cell values remembered per table; tables repeat most of their values.
_CACHE_LIMIT = 200_000


class RowReader:
    """Reads rows of one table into :class:`Recommendation` values."""

    def __init__(self, columns: Columns, states: StateIndex) -> None:
        self.columns = columns
        self.states = states
        self._cache: dict[tuple[str, str], tuple[Any, str | None]] = {}

    def read(self, number: int, row: list[str]) -> Recommendation | list[RowError]:
        """Check the cells of row ``number``; return its values or every error in it."""
        cells = self.columns.cells(row)
        errors: list[RowError] = []

        def error(name: str, message: str) -> None:
            errors.append(RowError(number, self.columns.number_of(name),
                                   self.columns.header_of(name), message))

        text = cells.pop("text", "")
        if not text:
            error("text", "no recommendation text")
        rec = Recommendation(number, text)
        for name, cell in cells.items():
            key = (name, cell)
            parsed = self._cache.get(key)
            if parsed is None:
                parsed = self._parse(name, cell)
                if len(self._cache) < _CACHE_LIMIT:
                    self._cache[key] = parsed
            value, problem = parsed
            if problem:
                error(name, problem)
            elif name == "response" and value == "":
                rec.no_response = cell
            else:
                setattr(rec, _ATTRIBUTES[name], value)
        return errors if errors else rec

    def _parse(self, name: str, cell: str) -> tuple[Any, str | None]:
        """The value of one cell, or a message saying why it is invalid."""
        if name in ("recommending_state", "state_under_review"):
            found = []
            for state_name in split_values(cell):
                state = self.states.lookup(state_name)
                if state is None:
                    return None, (f"unknown State {state_name!r} "
                                  "(give its UN name or ISO 3166 code)")
                found.append(state)
            if name == "recommending_state":
                return found, None
            if len(found) > 1:
                return None, f"one State under review expected, found {len(found)}"
            return (found[0] if found else None), None
        if name == "sdg_targets":
            targets = []
            for code in split_values(cell, ";,"):
                target = sdg_target(code)
                if target is None:
                    return None, f"{code!r} is not an SDG target (such as 3.7 or SDG 5.2)"
                targets.append(target)
            return targets, None
        if name in ("themes", "groups"):
            return split_values(cell), None
        if name in ("symbol", "paragraph"):
            return cell, None
        normaliser, message = _NORMALISERS[name]
        value = normaliser(cell)
        return value, (message.format(cell=cell) if value is None else None)


_NORMALISERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "response": (response, "unknown response {cell!r} "
                           "(expected supported, noted or supported in part)"),
    "action_category": (action_category, "action category {cell!r} is not a number from 1 to 5"),
    "cycle": (cycle_number, "cycle {cell!r} is not a cycle number"),
    "session": (session_number, "session {cell!r} is not a session number"),
    "date": (date_literal, "cannot read the date {cell!r} (write it as YYYY-MM-DD)"),
}


def recommendation_triples(
    rec: Recommendation,
    iri: NamedNode,
    document: NamedNode,
    themes: list[NamedNode],
    groups: list[NamedNode],
) -> list[Triple]:
    """The triples of one recommendation (its concepts already resolved)."""
    triples = [
        Triple(iri, _TYPE, _RECOMMENDATION),
        Triple(iri, _LABEL, Literal(rec.label())),
        Triple(iri, _TEXT, Literal(rec.text)),
        Triple(iri, _DERIVED, document),
    ]
    for state in rec.recommending:
        triples += [Triple(iri, _RECOMMENDING, state), Triple(iri, _MADE_BY, state)]
    if rec.under_review is not None:
        triples += [Triple(iri, _UNDER_REVIEW, rec.under_review),
                    Triple(iri, _ADDRESSED_TO, rec.under_review)]
    if rec.response:
        triples.append(Triple(iri, _RESPONSE, Literal(rec.response)))
    for predicate, number in ((_CATEGORY, rec.category), (_CYCLE, rec.cycle),
                              (_SESSION, rec.session)):
        if number is not None:
            triples.append(Triple(iri, predicate, Literal(number)))
    if rec.symbol:
        triples.append(Triple(iri, _IDENTIFIER, Literal(rec.symbol)))
    if rec.paragraph:
        triples.append(Triple(iri, _PARAGRAPH, Literal(rec.paragraph)))
    if rec.date is not None:
        triples.append(Triple(iri, _DATE, rec.date))
    triples += [Triple(iri, _SDG, target) for target in rec.sdg]
    triples += [Triple(iri, _THEME, theme) for theme in themes]
    triples += [Triple(iri, _GROUP, group) for group in groups]
    return triples


# The terms, looked up once: a large table makes millions of triples.
_TYPE, _LABEL, _DERIVED, _IDENTIFIER, _DATE = (
    RDF.type, RDFS.label, PROV.wasDerivedFrom, DCTERMS.identifier, DCTERMS.date)
_RECOMMENDATION, _TEXT, _RECOMMENDING, _MADE_BY = (
    RG.Recommendation, RG.text, RG.recommendingState, RG.madeBy)
_UNDER_REVIEW, _ADDRESSED_TO, _RESPONSE, _CATEGORY = (
    RG.stateUnderReview, RG.addressedTo, RG.response, RG.actionCategory)
_CYCLE, _SESSION, _PARAGRAPH, _SDG, _THEME, _GROUP = (
    RG.cycle, RG.session, RG.paragraph, RG.sdgTarget, RG.theme, RG.group)
