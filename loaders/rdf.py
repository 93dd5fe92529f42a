"""Partner RDF: Turtle, TriG, N-Triples, N-Quads, JSON-LD and RDF/XML files.

Everything a file holds goes into the file's own named graph; graph names
inside TriG or N-Quads files are merged into it (and reported).
"""

from __future__ import annotations

from pyoxigraph import DefaultGraph, RdfFormat, Triple, parse

from rightsgraph.graph.errors import InputError
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded, Report
from rightsgraph.loaders.source import Source

#: Our format names and the pyoxigraph formats they stand for.
RDF_FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}


def load_rdf(source: Source, context: LoadContext, rdf_format: str) -> Loaded:
    """Parse an RDF file into the triples of its named graph.

    :raises InputError: with the file, line and column of a syntax error.
    """
    report = Report()
    graph_names = set()
    triples = []
    try:
        for quad in parse(
            source.data, format=RDF_FORMATS[rdf_format], base_iri=context.base_iri_for(source)
        ):
            if not isinstance(quad.graph_name, DefaultGraph):
                graph_names.add(quad.graph_name)
            triples.append(Triple(quad.subject, quad.predicate, quad.object))
    except SyntaxError as exc:
        raise InputError(_syntax_message(exc), file=source.name, line=exc.lineno,
                         column=exc.offset) from None
    except (ValueError, OSError) as exc:
        raise InputError(f"cannot parse as {rdf_format}: {exc}", file=source.name) from None
    if not triples:
        raise InputError(f"no triples found in this {rdf_format} file", file=source.name)
    if graph_names:
        report.doubt(f"{len(graph_names)} named graph(s) in the file merged into one source graph")
    report.found["triples"] = len(triples)
    record = context.record_for(source, loader=f"rdf-{rdf_format}")
    return Loaded(record, triples + record.triples(), report)


def _syntax_message(exc: SyntaxError) -> str:
    message = str(exc.msg) if exc.msg else str(exc)
    # pyoxigraph says "Parser error between line L column C and line ...: what";
    # the place is reported separately, so keep only the explanation.
    if ": " in message and message.startswith("Parser error"):
        message = message.split(": ", 1)[1]
    return f"syntax error: {message}"
