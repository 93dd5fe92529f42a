"""Dates as documents write them, with or without a year.

Single dates (``March 17th``, ``Friday, November 6th``, ``March 25, 2021``,
``9 November 2020``, ``2021-03-25``), ranges (``15 to 26 March 2021``,
``from 8 May to 2 June 2023``, ``between November 25 (...) and December
10th``), months (``November of 2020``, ``August 2020``) and bare years.
A date whose year is not written keeps ``year=None``; :class:`Years` infers
it from the context (see :mod:`events` for the order of the clues).

>>> [(d.month, d.day, d.year, d.end_month, d.end_day) for d in find_dates(
...     "from 15 to 26 March 2021; on Friday, November 6th; between November 25 (Day) "
...     "and December 10th")]
[(3, 15, 2021, 3, 26), (11, 6, None, None, None), (11, 25, None, 12, 10)]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_M = (r"(?:January|February|March|April|May|June|July|August|September|October|November"
      r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_W = r"(?:(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+(?:the\s+)?)?"
_D = r"([0-3]?\d)(?:st|nd|rd|th)?(?![\d:])"
_Y = r"((?:19|20)\d\d)(?!\d)"
_TO = r"\s*(?:to|until|till|through|and|-|–|—)\s*"

# Every pattern is a fixed sequence of bounded parts: no nested repetition.
_PATTERNS = [
    # 15 to 26 March 2021
    ("dd-m-y", re.compile(rf"\b{_D}{_TO}{_D}\s+(?:of\s+)?({_M})(?:,?\s+{_Y})?")),
    # March 15-26, 2021
    ("m-dd-y", re.compile(rf"\b({_M})\s+{_D}{_TO}{_D}(?:,?\s+{_Y})?")),
    # Friday, November 6th, 2020
    ("m-d-y", re.compile(rf"{_W}\b({_M})\s+{_D}(?:,?\s+{_Y})?")),
    # Friday 6 November 2020 / 6th of November
    ("d-m-y", re.compile(rf"{_W}\b{_D}\s+(?:of\s+)?({_M})(?:,?\s+{_Y})?")),
    # November of 2020 / August 2020
    ("m-y", re.compile(rf"\b({_M})\s+(?:of\s+)?{_Y}")),
    # 2021-03-25
    ("iso", re.compile(r"\b((?:19|20)\d\d)-([01]\d)-([0-3]\d)\b")),
]
_RANGE_GAP = re.compile(r"\s*(?:\([^()\n]{0,100}\)\s*)?(?:to|until|till|through|and|-|–|—)\s*")
_YEAR = re.compile(r"(?<![\d$£€])(?:19|20)\d\d(?![\d%])")


@dataclass(frozen=True)
class DateMention:
    """A date or range as written; a missing part is ``None``."""

    start: int
    end: int
    month: int
    day: int | None
    year: int | None
    weekday: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    end_year: int | None = None

    @property
    def is_range(self) -> bool:
        return self.end_month is not None

    def dates(self, year: int) -> tuple[dt.date, dt.date | None] | None:
        """The first and last day, taking ``year`` where none is written."""
        if self.day is None:
            return None
        try:
            first = dt.date(self.year or year, self.month, self.day)
            if self.end_month is None or self.end_day is None:
                return first, None
            last_year = self.end_year or (first.year + (1 if self.end_month < self.month else 0))
            return first, dt.date(last_year, self.end_month, self.end_day)
        except ValueError:
            return None

    def fits_weekday(self, year: int) -> bool:
        """Whether the weekday written (if any) is right for ``year``."""
        found = self.dates(year)
        return found is not None and (self.weekday is None or found[0].weekday() == self.weekday)


def _month(text: str) -> int:
    return _MONTHS[text.rstrip(".").lower()]


def _day(text: str) -> int | None:
    value = int(text)
    return value if 1 <= value <= 31 else None


def _year(text: str | None) -> int | None:
    return int(text) if text else None


def _weekday(text: str | None) -> int | None:
    return _WEEKDAYS.index(text.lower()) if text else None


def _build(kind: str, match: re.Match[str]) -> DateMention | None:
    g = match.groups()
    s, e = match.start(), match.end()
    if kind == "dd-m-y":
        month = _month(g[2])
        return DateMention(s, e, month, _day(g[0]), _year(g[3]), None, month, _day(g[1]),
                           _year(g[3]))
    if kind == "m-dd-y":
        month = _month(g[0])
        return DateMention(s, e, month, _day(g[1]), _year(g[3]), None, month, _day(g[2]),
                           _year(g[3]))
    if kind == "m-d-y":
        return DateMention(s, e, _month(g[1]), _day(g[2]), _year(g[3]), _weekday(g[0]))
    if kind == "d-m-y":
        return DateMention(s, e, _month(g[2]), _day(g[1]), _year(g[3]), _weekday(g[0]))
    if kind == "m-y":
        return DateMention(s, e, _month(g[0]), None, _year(g[1]))
    if not 1 <= int(g[1]) <= 12:
        return None
    return DateMention(s, e, int(g[1]), _day(g[2]), int(g[0]))


def find_dates(text: str) -> list[DateMention]:
    """Return the dates and ranges of ``text`` in order, never overlapping."""
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            mention = _build(kind, match)
            if mention is None or (mention.day is None and kind != "m-y"):
                continue
            if mention.is_range and mention.end_day is None:
                continue
            if any(m.start < mention.end and mention.start < m.end for m in found):
                continue
            found.append(mention)
    found.sort(key=lambda m: m.start)
    return _join_ranges(text, found)


def _join_ranges(text: str, found: list[DateMention]) -> list[DateMention]:
    """Join ``DATE (note) and DATE`` / ``from DATE to DATE`` into one range."""
    result: list[DateMention] = []
    i = 0
    while i < len(found):
        first = found[i]
        if i + 1 < len(found) and not first.is_range and first.day is not None:
            second = found[i + 1]
            gap = text[first.end:second.start]
            before = text[max(0, first.start - 9):first.start].lower()
            joined = _RANGE_GAP.fullmatch(gap) and not second.is_range and second.day is not None
            connector = gap.strip().split()[-1] if gap.strip() else ""
            if joined and (connector != "and" or "between" in before):
                year = first.year or second.year
                result.append(replace(
                    first, end=second.end, year=year, end_month=second.month,
                    end_day=second.day, end_year=second.year,
                ))
                i += 2
                continue
        result.append(first)
        i += 1
    return result


def find_years(text: str) -> list[tuple[int, int]]:
    """Return ``(year, offset)`` for every four-digit year in ``text``.

    >>> find_years("In 2020, UPR2020 and 80% -100%; $2019")
    [(2020, 3), (2020, 12)]
    """
    return [(int(m.group(0)), m.start()) for m in _YEAR.finditer(text)]


@dataclass
class Years:
    """What a statement and its document tell about years.

    :param statement: (year, source offset) of the years written in the statement.
    :param document: the same for the whole document.
    :param known: the dates of the registry events the statement names.
    :param date: the statement's own date, if known.

    >>> years = Years([], [(2020, 500)], [dt.date(2020, 11, 9)])
    >>> years.infer(find_dates("March 17th")[0], [], [], [], 0)
    2021
    """

    statement: list[tuple[int, int]]
    document: list[tuple[int, int]]
    known: list[dt.date]
    date: dt.date | None = None

    def infer(self, mention: DateMention, sentence_years: list[int],
              sentence_known: list[dt.date], paragraph_years: list[int], at: int) -> int | None:
        """The year of ``mention`` from its context, clue by clue (see :mod:`events`)."""
        if mention.year:
            return mention.year
        if sentence_years:
            return _fitting(mention, sentence_years[0])
        for known in sentence_known:
            if (known.month, known.day) == (mention.month, mention.day):
                return known.year
        if paragraph_years:
            return _fitting(mention, paragraph_years[0])
        references = [self.date] if self.date else self.known
        if references:
            year = _nearest_year(mention, references)
            if year is not None:
                return year
        for candidates in (self.statement, self.document):
            if candidates:
                return _fitting(mention, min(candidates, key=lambda y: abs(y[1] - at))[0])
        return None


def _fitting(mention: DateMention, year: int) -> int:
    """``year``, or the year next to it that fits a weekday the text gives."""
    for candidate in (year, year + 1, year - 1):
        if mention.fits_weekday(candidate):
            return candidate
    return year


def _nearest_year(mention: DateMention, references: list[dt.date]) -> int | None:
    """The year that puts ``mention`` nearest to one of the reference dates."""
    best: tuple[int, int] | None = None
    for reference in references:
        for year in (reference.year - 1, reference.year, reference.year + 1):
            found = mention.dates(year)
            if found is None or not mention.fits_weekday(year):
                continue
            distance = abs((found[0] - reference).days)
            if best is None or distance < best[0]:
                best = (distance, year)
    return best[1] if best else None
