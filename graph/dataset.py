"""Apply a protocol-specified dataset (``using-graph-uri``) to a SPARQL update,
and tell whether a query names its own dataset (``FROM``, ``FROM NAMED``).

pyoxigraph's ``update`` takes no dataset, so the SPARQL 1.1 Protocol
parameters ``using-graph-uri`` and ``using-named-graph-uri`` are turned into
``USING`` / ``USING NAMED`` clauses before the ``WHERE`` of each operation
that has one, as the protocol specifies.  Only checked IRIs are inserted.

>>> from pyoxigraph import NamedNode
>>> with_using("INSERT { ?s a <urn:c> } WHERE { ?s ?p ?o }", [NamedNode("urn:g")], [])
'INSERT { ?s a <urn:c> } USING <urn:g> WHERE { ?s ?p ?o }'
"""

from __future__ import annotations

import re

from pyoxigraph import NamedNode

from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.guard import blank_out

_WORD = re.compile(r"(?<![\w?$:\-])(WHERE|USING|WITH)(?![\w:\-])|[{}]|;", re.IGNORECASE)
# FROM is only ever a dataset clause; a "." before it would make it part of a prefixed name.
_FROM = re.compile(r"(?<![\w?$:\-.])FROM(?![\w:\-])", re.IGNORECASE)


def names_dataset(query: str) -> bool:
    """Whether ``query`` has a dataset clause of its own (FROM or FROM NAMED).

    Such a query is run on the dataset it names, not on the union default graph.

    >>> names_dataset("SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }")
    True
    >>> names_dataset('SELECT ?from WHERE { ?from ex:from "FROM" } # FROM')
    False
    """
    return _FROM.search(blank_out(query)) is not None


def with_using(update: str, default: list[NamedNode], named: list[NamedNode]) -> str:
    """Return ``update`` with USING clauses for ``default`` and ``named`` graphs.

    :raises QueryError: if the update already names its dataset (USING or WITH).
    """
    if not default and not named:
        return update
    code = blank_out(update)
    if len(code) != len(update):  # \\u escapes change lengths: refuse rather than guess
        raise QueryError("using-graph-uri cannot be combined with \\u escapes in the update")
    clause = " ".join([*(f"USING {g}" for g in default), *(f"USING NAMED {g}" for g in named)])
    depth = 0
    inserts: list[int] = []
    for match in _WORD.finditer(code):
        token = match.group(0).upper()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token in ("USING", "WITH"):
            raise QueryError(
                "the update names its dataset (USING or WITH) and so do the "
                "using-graph-uri / using-named-graph-uri parameters; give one or the other"
            )
        elif depth == 0 and token == "WHERE":
            inserts.append(match.start())
    for position in reversed(inserts):
        update = update[:position] + clause + " " + update[position:]
    return update
