"""Bylines: who wrote a statement and when, as a line under its title says.

>>> parse_byline("By Amnesty International and FIDH — 8 March 2023")
(['Amnesty International', 'FIDH'], '2023-03-08')
>>> parse_byline("Posted on 6 April 2021 by Equality Now and the Coalition X (CX)")
(['Equality Now', 'Coalition X (CX)'], '2021-04-06')
>>> parse_byline("Published: March 2022")
([], '2022-03')
>>> parse_byline("We urge the Government to act by 2024.") is None
True
>>> parse_byline("By 2030, the government must act.") is None
True
"""

from __future__ import annotations

import re

from rightsgraph.loaders.dates import find_dates, find_years

_BYLINE = re.compile(
    r"^[*_]{0,2}\s*(?:(?:written|posted|published|issued|submitted)\s+by|by|authors?:"
    r"|published:?|posted:?|date:|dated:?|issued:?)\s+(.{1,200}?)\s*[*_]{0,2}$",
    re.IGNORECASE,
)
_BY = re.compile(r"^[*_]{0,2}\s*(?:(?:written|posted|published|issued|submitted)\s+by|by|"
                 r"authors?:)\s", re.IGNORECASE)
_BY_INSIDE = re.compile(r"\sby\s", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:,\s*and\s+|;|,|\band\b|&)\s*")
_MAX_BYLINE = 200


def parse_byline(text: str) -> tuple[list[str], str] | None:
    """Return (author names, date) if ``text`` is a byline, else None.

    The date is an ISO date, year-month or year (``""`` if none).
    """
    line = text.strip()
    if len(line) > _MAX_BYLINE or "\n" in line or not _BYLINE.match(line):
        return None
    date, rest = _date(line)
    authors: list[str] = []
    by = _BY.match(line) or _BY_INSIDE.search(rest)
    if by:
        names = _BY.sub("", rest, count=1) if _BY.match(line) else rest[by.end():]
        names = re.sub(r"\s*(?:[—–|·•-]|,\s*(?:on|dated))\s*$", "", names.strip(" *_,—–|·•-"))
        names = re.sub(r"\s+(?:on|,)\s*$", "", names)
        authors = [re.sub(r"^the\s+", "", n.strip(" *_."), flags=re.IGNORECASE)
                   for n in _SEPARATORS.split(names) if n.strip(" *_.")]
        if not all(_name_like(a) for a in authors):
            return None
    if not authors and not date:
        return None
    return authors, date


def _name_like(name: str) -> bool:
    words = name.split()
    return 0 < len(words) <= 10 and name[0].isupper() and not name[0].isdigit()


def _date(line: str) -> tuple[str, str]:
    """The ISO form of the line's date, and the line without it."""
    for mention in find_dates(line):
        if mention.year is None:
            continue
        if mention.day is None:
            iso = f"{mention.year:04d}-{mention.month:02d}"
        else:
            found = mention.dates(mention.year)
            if found is None:
                continue
            iso = found[0].isoformat()
        return iso, line[:mention.start] + line[mention.end:]
    years = find_years(line)
    if years and re.search(r"(?:published|posted|date|dated|issued)", line, re.IGNORECASE):
        year, at = years[0]
        return str(year), line[:at] + line[at + 4:]
    return "", line
