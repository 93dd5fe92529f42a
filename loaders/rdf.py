"""Partner RDF: Turtle, TriG, N-Triples, N-Quads, JSON-LD and RDF/XML files.

Everything a file holds goes into the file's own named graph; graph names
inside TriG or N-Quads files are merged into it (and reported).

Limits protect the store: the size cap of :class:`LoadContext` applies to
every file; RDF/XML entity declarations that could expand past it are
refused before parsing (see ``xmlguard.py``); JSON-LD contexts are never
fetched from the network, so a remote ``@context`` is an error.  With
``LoadContext.extends`` the file's SKOS concepts join our theme or group
scheme (see ``thesaurus.py``).
"""

from __future__ import annotations

from pyoxigraph import DefaultGraph, RdfFormat, Triple, parse

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.serialized import BULK_FORMATS, SerializedTriples, syntax_error
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded, Report
from rightsgraph.loaders.source import Source
from rightsgraph.loaders.thesaurus import extend_scheme
from rightsgraph.loaders.xmlguard import check_entities

#: Our format names and the pyoxigraph formats they stand for.
RDF_FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}
#: From this size on, an N-Triples or Turtle file goes to the store still in its
#: bytes, for the bulk loader to parse (see serialized.py); below it, the bulk
#: loader's fixed cost outweighs what it saves.
BULK_BYTES = 8 * 1024 * 1024


def load_rdf(source: Source, context: LoadContext, rdf_format: str) -> Loaded:
    """Parse an RDF file into the triples of its named graph.

    :raises InputError: with the file, line and column of a syntax error.
    """
    report = Report()
    fmt = RDF_FORMATS[rdf_format]
    if fmt in BULK_FORMATS and not context.extends and len(source.data) >= BULK_BYTES:
        # Counted once stored (batch.store_loaded): parsing here would cost a third of the load.
        record = context.record_for(source, loader=f"rdf-{rdf_format}")
        return Loaded(record, SerializedTriples(source.data, fmt, file=source.name,
                                                base_iri=context.base_iri_for(source),
                                                extra=record.triples()), report)
    if rdf_format == "rdfxml":
        check_entities(source.data, context.max_bytes, file=source.name)
    graph_names = set()
    triples = []
    try:
        for quad in parse(source.data, format=fmt, base_iri=context.base_iri_for(source)):
            if not isinstance(quad.graph_name, DefaultGraph):
                graph_names.add(quad.graph_name)
            triples.append(Triple(quad.subject, quad.predicate, quad.object))
    except SyntaxError as exc:
        if "LoadDocumentCallback" in str(exc):
            raise InputError(
                "remote JSON-LD contexts are never fetched; put the @context in the file",
                file=source.name,
            ) from None
        raise syntax_error(exc, source.name) from None
    except (ValueError, OSError) as exc:
        raise InputError(f"cannot parse as {rdf_format}: {exc}", file=source.name) from None
    if not triples:
        raise InputError(f"no triples found in this {rdf_format} file", file=source.name)
    if graph_names:
        report.doubt(f"{len(graph_names)} named graph(s) in the file merged into one source graph")
    report.found["triples"] = len(triples)
    if context.extends:
        triples += extend_scheme(triples, context.extends, report, file=source.name)
    # The loader name records --extends, so loading with it again is not "unchanged".
    loader = f"rdf-{rdf_format}" + (f"+{context.extends}" if context.extends else "")
    record = context.record_for(source, loader=loader)
    return Loaded(record, triples + record.triples(), report)

