"""Serialise query results: one registry of output formats.

SELECT and ASK results go out as SPARQL JSON, XML, CSV, TSV or a text
table; CONSTRUCT and DESCRIBE results as Turtle (with the project's
prefixes), N-Triples, JSON-LD or RDF/XML.

>>> store = GraphStore.memory(with_ontology=False)
>>> print(serialize(store.query("SELECT ?n WHERE { VALUES ?n { 1 2 } }"), "table").decode())
n
-
1
2
<BLANKLINE>
(2 rows)
<BLANKLINE>
"""

from __future__ import annotations

import json

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolution,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    Variable,
)
from pyoxigraph import (
    serialize as serialize_rdf,
)

from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.store import GraphStore, QueryResult
from rightsgraph.ontology.terms import PREFIXES

#: Formats for SELECT and ASK results.
SOLUTION_FORMATS: dict[str, QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
#: Formats for CONSTRUCT and DESCRIBE results.
GRAPH_FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}
#: Every output format name, for option choices.
OUTPUT_FORMATS = ("table", *SOLUTION_FORMATS, *GRAPH_FORMATS)


def serialize(result: QueryResult, fmt: str) -> bytes:
    """Serialise ``result`` in format ``fmt`` (one of :data:`OUTPUT_FORMATS`).

    :raises QueryError: if the format does not suit the kind of result.
    """
    if isinstance(result, QueryTriples):
        triples = list(result)
        if fmt == "table":
            return _table(["subject", "predicate", "object"], [list(t) for t in triples])
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt}; "
                f"use one of {', '.join(['table', *GRAPH_FORMATS])}"
            )
        return _graph(triples, GRAPH_FORMATS[fmt])
    if fmt in GRAPH_FORMATS:
        raise QueryError(
            f"a SELECT or ASK result cannot be written as {fmt}; "
            f"use one of {', '.join(['table', *SOLUTION_FORMATS])}"
        )
    if fmt == "table":
        if isinstance(result, QueryBoolean):
            return b"true\n" if bool(result) else b"false\n"
        names = [v.value for v in result.variables]
        rows = [[solution[name] for name in names] for solution in result]
        return _table(names, rows)
    try:
        output = result.serialize(format=SOLUTION_FORMATS[fmt])
    except KeyError:
        raise QueryError(f"unknown output format {fmt!r}") from None
    return output if isinstance(output, bytes) else b""


def json_solutions(variables: list[Variable], rows: list[QuerySolution]) -> bytes:
    """Serialise solutions as SPARQL 1.1 JSON results (used for capped views).

    >>> store = GraphStore.memory(with_ontology=False)
    >>> result = store.query('SELECT ?x WHERE { VALUES ?x { "a"@en <urn:b> } }')
    >>> json_solutions(result.variables, list(result)).decode()[:60]
    '{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"'
    """
    names = [v.value for v in variables]
    bindings = []
    for row in rows:
        binding = {}
        for name in names:
            term = row[name]
            if term is not None:
                binding[name] = _json_term(term)
        bindings.append(binding)
    document = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        value: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            value["datatype"] = term.datatype.value
        return value
    if isinstance(term, Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _graph(triples: list[Triple], rdf_format: RdfFormat) -> bytes:
    prefixes = PREFIXES if rdf_format == RdfFormat.TURTLE else None
    data = serialize_rdf(triples, format=rdf_format, prefixes=prefixes)
    return data if isinstance(data, bytes) else b""


def short(term: object) -> str:
    """Return a compact, readable form of an RDF term for text output.

    >>> short(NamedNode("https://w3id.org/rightsgraph/ontology#Passage"))
    'rg:Passage'
    >>> short(Literal("two\\nlines"))
    'two\\\\nlines'
    """
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri) and "/" not in term.value[len(iri):]:
                return f"{prefix}:{term.value[len(iri):]}"
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        return term.value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    return str(term)


def _table(names: list[str], rows: list[list[object]]) -> bytes:
    cells = [[short(term) for term in row] for row in rows]
    widths = [len(name) for name in names]
    for row in cells:
        widths = [min(max(w, len(c)), 80) for w, c in zip(widths, row, strict=True)]

    def line(values: list[str]) -> str:
        fitted = [v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(values, widths, strict=True)]
        return "  ".join(v.ljust(w) for v, w in zip(fitted, widths, strict=True)).rstrip()

    out = [line(names), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    out += ["", f"({len(cells)} row{'s' if len(cells) != 1 else ''})", ""]
    return "\n".join(out).encode()


__all__ = ["serialize", "short", "json_solutions", "GraphStore", "OUTPUT_FORMATS",
           "SOLUTION_FORMATS", "GRAPH_FORMATS", "QuerySolutions"]
