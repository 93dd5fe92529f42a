"""SPARQL text for a remote engine: prologue, pre-bound values, query forms
and the terms of the N-Triples / SPARQL syntax.

pyoxigraph binds ``substitutions`` before it evaluates a query; over HTTP the
same effect comes from a ``VALUES`` block placed first in the query's
outermost group, so the bound variables join with every pattern.

>>> from pyoxigraph import NamedNode, Variable
>>> bind_values("SELECT ?l WHERE { ?x rdfs:label ?l }", {Variable("x"): NamedNode("urn:a")})
'SELECT ?l WHERE { VALUES ?x { <urn:a> } ?x rdfs:label ?l }'
>>> query_form("PREFIX a: <urn:select> CONSTRUCT WHERE { ?s ?p ?o }")
'CONSTRUCT'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Variable

from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.guard import blank_out

_FORM = re.compile(r"(?<![\w?$:\-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:\-])", re.IGNORECASE)
_WHERE = re.compile(r"(?<![\w?$:\-])WHERE(?![\w:\-])|[{}]", re.IGNORECASE)
_IRI_UNSAFE = re.compile(r'[<>"{}|^`\\\x00-\x20]')


def query_form(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the form of ``sparql``."""
    match = _FORM.search(blank_out(sparql))
    if match is None:
        raise QueryError("SPARQL syntax error: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return match.group(1).upper()


def term(value: object, *, blank_iri: str | None = None) -> str:
    """``value`` (an RDF term) in SPARQL syntax.

    Blank nodes have no SPARQL syntax that names a stored node; an engine
    that offers one (Virtuoso's ``<nodeID://…>``) passes ``blank_iri``.

    >>> term(Literal("a \\"b\\"", language="en"))
    '"a \\\\"b\\\\""@en'
    """
    if isinstance(value, NamedNode):
        if _IRI_UNSAFE.search(value.value):
            raise QueryError(f"not a valid IRI: {value.value!r}")
        return f"<{value.value}>"
    if isinstance(value, Literal):
        return str(value)
    if isinstance(value, BlankNode):
        if blank_iri is None:
            raise QueryError("a blank node cannot be bound in a query sent to this store")
        return f"<{blank_iri}{value.value}>"
    raise QueryError(f"cannot bind {value!r} in a query")


def bind_values(sparql: str, substitutions: Mapping[Variable, Any], *,
                blank_iri: str | None = None) -> str:
    """``sparql`` with ``VALUES`` first in its outermost group (see the module doc)."""
    if not substitutions:
        return sparql
    names = " ".join(f"?{variable.value}" for variable in substitutions)
    row = " ".join(term(value, blank_iri=blank_iri) for value in substitutions.values())
    block = (f"VALUES ?{next(iter(substitutions)).value} {{ {row} }}" if len(substitutions) == 1
             else f"VALUES ({names}) {{ ({row}) }}")
    position = _outer_group(sparql)
    return sparql[: position + 1] + " " + block + sparql[position + 1:]


def _outer_group(sparql: str) -> int:
    """Index of the ``{`` that opens the query's WHERE clause."""
    code = blank_out(sparql)
    if len(code) != len(sparql):
        raise QueryError("values cannot be bound in a query that uses \\u escapes")
    form = _FORM.search(code)
    start = form.end() if form else 0
    depth = 0
    after_where = False
    first_open: int | None = None
    for match in _WHERE.finditer(code, start):
        token = match.group(0)
        if token == "{":
            if depth == 0 and (after_where or first_open is None):
                if after_where:
                    return match.start()
                first_open = match.start()
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            after_where = True
    if first_open is None or (form is not None and form.group(1).upper() == "CONSTRUCT"):
        raise QueryError("cannot find the WHERE clause to bind values in")
    return first_open


def prologue(prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    """``BASE`` and ``PREFIX`` lines that predeclare ``prefixes`` (the query may redeclare)."""
    lines = []
    if base_iri:
        lines.append(f"BASE {term(NamedNode(base_iri))}")
    for name, iri in (prefixes or {}).items():
        lines.append(f"PREFIX {name}: {term(NamedNode(iri))}")
    return "\n".join(lines) + "\n" if lines else ""
