"""Serialise query results: one registry of output formats.

SELECT and ASK results go out as SPARQL JSON, XML, CSV, TSV, a text
table or Turtle in the W3C result-set vocabulary; CONSTRUCT and DESCRIBE results as Turtle (with the project's
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

import io
import json
from collections.abc import Iterator
from typing import IO

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
#: The W3C result-set vocabulary: SELECT and ASK results as RDF (Turtle downloads).
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: Every output format name, for option choices.
OUTPUT_FORMATS = ("table", *SOLUTION_FORMATS, *GRAPH_FORMATS)


def serialize(result: QueryResult, fmt: str) -> bytes:
    """Serialise ``result`` in format ``fmt`` (one of :data:`OUTPUT_FORMATS`).

    :raises QueryError: if the format does not suit the kind of result.
    """
    if fmt == "table":
        if isinstance(result, QueryTriples):
            return _table(["subject", "predicate", "object"], [list(t) for t in result])
        if isinstance(result, QueryBoolean):
            return b"true\n" if bool(result) else b"false\n"
        names = [v.value for v in result.variables]
        return _table(names, [[solution[name] for name in names] for solution in result])
    output = io.BytesIO()
    serialize_into(result, fmt, output)
    return output.getvalue()


def serialize_into(result: QueryResult, fmt: str, output: IO[bytes]) -> None:
    """Write ``result`` to ``output`` in format ``fmt``, as the engine streams it.

    SELECT and ASK results asked for as ``turtle`` are written in the W3C
    result-set vocabulary (``rs:ResultSet``), as other SPARQL services do, so
    that every result can be downloaded as Turtle.

    :raises QueryError: if the format does not suit the kind of result.
    """
    if isinstance(result, QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt}; "
                f"use one of {', '.join(['table', *GRAPH_FORMATS])}"
            )
        rdf_format = GRAPH_FORMATS[fmt]
        serialize_rdf(result, output, rdf_format,
                      prefixes=PREFIXES if rdf_format == RdfFormat.TURTLE else None)
        return
    if fmt == "turtle":
        serialize_rdf(result_set_triples(result), output, RdfFormat.TURTLE,
                      prefixes={"rs": RS, **PREFIXES})
        return
    if fmt not in SOLUTION_FORMATS:
        raise QueryError(
            f"a SELECT or ASK result cannot be written as {fmt}; "
            f"use one of {', '.join(['table', *SOLUTION_FORMATS, 'turtle'])}"
        )
    result.serialize(output, SOLUTION_FORMATS[fmt])


def result_set_triples(result: QuerySolutions | QueryBoolean) -> Iterator[Triple]:
    """A SELECT or ASK result as triples of the W3C result-set vocabulary.

    Each solution carries ``rs:index`` (from 1), so the order survives.

    >>> store = GraphStore.memory(with_ontology=False)
    >>> triples = list(result_set_triples(store.query("ASK {}")))
    >>> [(t.predicate.value.rsplit("#")[1], t.object.value.rsplit("#")[-1]) for t in triples]
    [('type', 'ResultSet'), ('boolean', 'true')]
    """
    result_set = BlankNode("results")  # short labels: readable, and safe for every parser
    yield Triple(result_set, _RDF_TYPE, NamedNode(RS + "ResultSet"))
    if isinstance(result, QueryBoolean):
        yield Triple(result_set, NamedNode(RS + "boolean"), Literal(bool(result)))
        return
    names = [v.value for v in result.variables]
    for name in names:
        yield Triple(result_set, NamedNode(RS + "resultVariable"), Literal(name))
    for index, row in enumerate(result, start=1):
        solution = BlankNode(f"s{index}")
        yield Triple(result_set, NamedNode(RS + "solution"), solution)
        yield Triple(solution, NamedNode(RS + "index"), Literal(index))
        for column, name in enumerate(names):
            term = row[name]
            if term is None:
                continue
            binding = BlankNode(f"s{index}v{column}")
            yield Triple(solution, NamedNode(RS + "binding"), binding)
            yield Triple(binding, NamedNode(RS + "variable"), Literal(name))
            yield Triple(binding, NamedNode(RS + "value"), term)


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


__all__ = ["serialize", "serialize_into", "result_set_triples", "short", "json_solutions",
           "GraphStore", "OUTPUT_FORMATS", "SOLUTION_FORMATS", "GRAPH_FORMATS", "QuerySolutions"]
