"""Exports for partner organisations: one registry of formats, one entry point.

:data:`FORMATS` lists every export format: Turtle, TriG, N-Triples,
N-Quads, JSON-LD (with a context) and RDF/XML.  TriG and N-Quads keep the
named graphs; the others merge them, each triple once.  :func:`export`
returns the bytes and :func:`export_to` writes them to a binary file; both
take a :class:`~rightsgraph.graph.closure.Scope` (the whole dataset by
default).

Every format is written from the same canonical form
(:mod:`rightsgraph.graph.canonical`): sorted lines, blank nodes labelled by
RDFC-1.0.  Exporting the same data twice gives the same bytes.

>>> store = GraphStore.memory()
>>> scope = Scope.parse("graph", ["https://w3id.org/rightsgraph/ontology"])
>>> text = export(store, "turtle", scope).decode()
>>> print(text.splitlines()[0])
# rightsgraph export of the named graph https://w3id.org/rightsgraph/ontology
>>> "rg:Passage a owl:Class ;" in text
True
>>> FORMATS["jsonld"].media_type
'application/ld+json'
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from pyoxigraph import NamedNode, RdfFormat, Variable

from rightsgraph.graph.canonical import DEFAULT, Canonical
from rightsgraph.graph.closure import closure
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.jsonld import write_jsonld
from rightsgraph.graph.rdfxml import write_rdfxml
from rightsgraph.graph.scopes import Scope
from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.turtle import EXPORT_PREFIXES, TurtleWriter
from rightsgraph.ontology.terms import DEFAULT_INSTANCE_BASE

#: Told how an export advances: ``progress(step, done, total)``, for example
#: ``("reading graphs", 3, 9)`` or ``("writing Turtle", 50000, 200000)`` (lines).
Progress = Callable[[str, int, int], None]
Writer = Callable[[Canonical, Sequence[str], str, Progress | None], Iterator[str]]


def _turtle(data: Canonical, comments: Sequence[str], base: str,
            progress: Progress | None) -> Iterator[str]:
    merged = {DEFAULT: data.merged()}
    blank = {DEFAULT} if data.has_blank_nodes else set()
    writer = TurtleWriter(EXPORT_PREFIXES, base, progress=_step(progress, "writing Turtle"))
    return writer.chunks(merged, comments, trig=False, blank_graphs=blank)


def _trig(data: Canonical, comments: Sequence[str], base: str,
          progress: Progress | None) -> Iterator[str]:
    writer = TurtleWriter(EXPORT_PREFIXES, base, progress=_step(progress, "writing TriG"))
    return writer.chunks(data.graphs, comments, trig=True, blank_graphs=data.blank_graphs)


def _ntriples(data: Canonical, comments: Sequence[str], base: str,
              progress: Progress | None) -> Iterator[str]:
    lines = data.merged()
    if lines:
        yield "\n".join(lines) + "\n"


def _nquads(data: Canonical, comments: Sequence[str], base: str,
            progress: Progress | None) -> Iterator[str]:
    total, done = data.quad_count(), 0
    for key, lines in data.graphs.items():
        if key == DEFAULT:
            yield "\n".join(lines) + "\n"
        else:
            suffix = " " + key + " ."
            yield "\n".join([line[:-2] + suffix for line in lines]) + "\n"
        done += len(lines)
        if progress:
            progress("writing N-Quads", done, total)


def _jsonld(data: Canonical, comments: Sequence[str], base: str,
            progress: Progress | None) -> Iterator[str]:
    yield write_jsonld(data.merged(), EXPORT_PREFIXES)


def _rdfxml(data: Canonical, comments: Sequence[str], base: str,
            progress: Progress | None) -> Iterator[str]:
    yield write_rdfxml(data.merged(), EXPORT_PREFIXES)


def _step(progress: Progress | None, step: str) -> Callable[[int, int], None] | None:
    """``progress`` with its step named (for writers that count lines)."""
    if progress is None:
        return None
    return lambda done, total: progress(step, done, total)


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, media type, file extension and writer."""

    name: str
    title: str
    media_type: str
    extension: str
    rdf_format: RdfFormat
    keeps_graphs: bool
    writer: Writer = field(repr=False, compare=False)

    @property
    def file_suffix(self) -> str:
        """The extension with its dot, for file names."""
        return "." + self.extension


#: Every export format, by name (the registry the CLI and the web page offer).
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("turtle", "Turtle", "text/turtle", "ttl", RdfFormat.TURTLE, False, _turtle),
    ExportFormat("trig", "TriG", "application/trig", "trig", RdfFormat.TRIG, True, _trig),
    ExportFormat("ntriples", "N-Triples", "application/n-triples", "nt", RdfFormat.N_TRIPLES, False,
                 _ntriples),
    ExportFormat("nquads", "N-Quads", "application/n-quads", "nq", RdfFormat.N_QUADS, True, _nquads),
    ExportFormat("jsonld", "JSON-LD", "application/ld+json", "jsonld", RdfFormat.JSON_LD, False,
                 _jsonld),
    ExportFormat("rdfxml", "RDF/XML", "application/rdf+xml", "rdf", RdfFormat.RDF_XML, False,
                 _rdfxml),
)}


def export_format(name: str) -> ExportFormat:
    """The format called ``name``, or a :class:`RightsgraphError` listing the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise RightsgraphError(f"unknown export format {name!r}; use one of "
                               f"{', '.join(FORMATS)}") from None


@dataclass(frozen=True)
class Written:
    """What an export wrote: statements (triples, or quads where graphs are kept) and graphs."""

    statements: int
    graphs: int


def collect(store: GraphStore, scope: Scope | None = None, *,
            progress: Progress | None = None) -> Canonical:
    """The canonical form of what ``scope`` (default: the whole dataset) holds."""
    scope = scope or Scope()
    if scope.kind == "dataset":
        return Canonical.from_store(store, progress=_step(progress, "reading graphs"))
    if scope.kind == "graph":
        return Canonical.from_store(store, [graph_of(store, scope.iri)],
                                    progress=_step(progress, "reading graphs"))
    if progress:
        progress("gathering the closure", 0, 0)
    quads = closure(store, scope)
    if progress:
        progress("gathering the closure", len(quads), len(quads))
    return Canonical.from_quads(quads)


def export_to(store: GraphStore, fmt: str, scope: Scope | None, out: BinaryIO, *,
              base: str = DEFAULT_INSTANCE_BASE, progress: Progress | None = None) -> Written:
    """Write the export of ``scope`` in format ``fmt`` to the binary file ``out``.

    ``progress``, if given, is told how the export advances.

    :raises RightsgraphError: for an unknown format or scope, or data the format cannot carry.
    """
    chosen = export_format(fmt)
    scope = scope or Scope()
    return write(collect(store, scope, progress=progress), chosen.name, out, scope=scope,
                 base=base, progress=progress)


def export(store: GraphStore, fmt: str, scope: Scope | None = None, *,
           base: str = DEFAULT_INSTANCE_BASE) -> bytes:
    """Return the export of ``scope`` (default: the whole dataset) in format ``fmt``."""
    buffer = io.BytesIO()
    export_to(store, fmt, scope, buffer, base=base)
    return buffer.getvalue()


def write(data: Canonical, fmt: str, out: BinaryIO, *, scope: Scope | None = None,
          base: str = DEFAULT_INSTANCE_BASE, progress: Progress | None = None) -> Written:
    """Write ``data`` in format ``fmt`` to ``out`` (used by exports and packages)."""
    chosen = export_format(fmt)
    merged = len(data.merged()) if not chosen.keeps_graphs else data.quad_count()
    comments = _comments(data, chosen, scope or Scope(), merged)
    for chunk in chosen.writer(data, comments, base, progress):
        out.write(chunk.encode("utf-8"))
    if progress:
        progress("written", merged, merged)
    return Written(merged, len(data.graph_names()))


def _comments(data: Canonical, chosen: ExportFormat, scope: Scope, count: int) -> list[str]:
    graphs = len(data.graphs)
    lines = [f"rightsgraph export of {scope.describe()}"]
    if chosen.keeps_graphs:
        lines.append(f"{count} quads in {graphs} graph{'s' if graphs != 1 else ''}")
    elif graphs > 1:
        lines.append(f"{count} triples, merged from {graphs} graphs (Turtle has no named graphs: "
                     "export as TriG or N-Quads to keep them)")
    else:
        lines.append(f"{count} triple{'s' if count != 1 else ''}")
    return lines


_DOCUMENT_GRAPH = """
SELECT ?g ?document WHERE { GRAPH ?g { ?document a rg:Document } } ORDER BY ?g LIMIT 1
"""


def graph_of(store: GraphStore, iri: NamedNode) -> NamedNode:
    """The named graph ``iri``, or the graph holding the document ``iri``.

    :raises RightsgraphError: if it is neither.
    """
    if store.raw.contains_named_graph(iri):
        return iri
    for row in store.query(_DOCUMENT_GRAPH, substitutions={Variable("document"): iri}):  # type: ignore[union-attr]
        graph = row["g"]
        if isinstance(graph, NamedNode):
            return graph
    raise RightsgraphError(f"no graph or document {iri.value} in the store")


__all__ = ["FORMATS", "ExportFormat", "Progress", "Scope", "Written", "collect", "export", "export_to",
           "export_format", "graph_of", "write"]
