"""Refuse SPARQL that would make the engine reach the network.

pyoxigraph executes ``SERVICE`` and ``LOAD <url>`` with real HTTP requests
and has no switch to turn that off, so every query and update goes through
:func:`refuse_network_access` first.  The check works on tokens: comments,
strings and IRIs are blanked out, ``\\u`` escapes are decoded first (SPARQL
decodes them before parsing), and the keywords are matched in any case.

>>> refuse_network_access("SELECT * WHERE { ?s ?p ?o } # SERVICE in a comment")
>>> refuse_network_access('SELECT * { OPTIONAL { service silent ?x { ?s ?p ?o } } }')
Traceback (most recent call last):
...
rightsgraph.graph.errors.QueryError: SERVICE is not allowed: this endpoint never queries other servers
"""

from __future__ import annotations

import re
from functools import lru_cache

from rightsgraph.graph.errors import QueryError

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_BLANKED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n]*",
    re.DOTALL,
)
_KEYWORD = re.compile(r"(?<![\w?$:\-])(SERVICE|LOAD)(?![\w:\-])", re.IGNORECASE)


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(replace, text)


def blank_out(sparql: str) -> str:
    """Return ``sparql`` with escapes decoded and comments, strings and IRIs
    replaced by spaces of the same length, so only syntax remains.

    >>> blank_out('SELECT * { ?s ?p "SERVICE" } # LOAD')
    'SELECT * { ?s ?p           }       '
    """
    if len(sparql) <= _CACHED_LENGTH:  # each request checks its text more than once
        return _blank_out_cached(sparql)
    return _blank_out(sparql)


_CACHED_LENGTH = 16_384


def _blank_out(sparql: str) -> str:
    return _BLANKED.sub(lambda m: " " * len(m.group(0)), _unescape(sparql))


_blank_out_cached = lru_cache(maxsize=64)(_blank_out)


def refuse_network_access(sparql: str) -> None:
    """Raise :class:`QueryError` if ``sparql`` uses SERVICE or LOAD anywhere."""
    code = blank_out(sparql)
    match = _KEYWORD.search(code)
    if match:
        keyword = match.group(1).upper()
        raise QueryError(
            f"{keyword} is not allowed: this endpoint never queries other servers"
            if keyword == "SERVICE"
            else "LOAD is not allowed: data is loaded with `rightsgraph load`, never fetched"
        )
