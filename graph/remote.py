"""A remote SPARQL server (Oxigraph server or Virtuoso 7) behind the part of
pyoxigraph's :class:`~pyoxigraph.Store` API that rightsgraph uses.

:class:`RemoteStore` answers ``query``, ``update``, ``quads_for_pattern``,
``named_graphs``, ``contains_named_graph``, ``dump``, ``flush`` and ``len``
over the SPARQL 1.1 Protocol and returns real pyoxigraph results
(:class:`~pyoxigraph.QuerySolutions`, :class:`~pyoxigraph.QueryBoolean`,
:class:`~pyoxigraph.QueryTriples`, :class:`~pyoxigraph.Quad`), so code
written against the embedded store runs unchanged.  What differs between
engines lives in :mod:`rightsgraph.graph.remote_engine` and a module per
server (:mod:`rightsgraph.graph.remote_oxigraph`, :mod:`rightsgraph.graph.remote_virtuoso`).

Replacing a source graph (:meth:`RemoteStore.replace_graph`) is atomic for
readers and leaves nothing behind when it fails; each engine says how.  Every
query (the store's own reads included: counts, quads, listings) is sent
through :meth:`Engine.read`, which may run it again when a load could have
shown through: on Oxigraph server a query over the union of the graphs that
overlapped a chunked load's staging graph, on Virtuoso any query that
overlapped the swap of a graph.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
    parse_query_results,
    serialize,
)

from rightsgraph.graph.dataset import names_dataset
from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.remote_engine import _urlencode
from rightsgraph.graph.remote_engines import Engine, detect_engine
from rightsgraph.graph.remote_http import Client, Endpoint, StoreTimeoutError
from rightsgraph.graph.remote_ntriples import CANCELLED
from rightsgraph.graph.remote_sparql import bind_values, prologue, query_form, term
from rightsgraph.graph.serialized import SerializedTriples

__all__ = ["RemoteStore", "is_remote_location"]

#: Seconds a cached description of blank nodes stays valid (they change only on loads).
_BLANK_CACHE_SECONDS = 30.0
_S, _P, _O, _G = (Variable(name) for name in "spog")


def is_remote_location(location: object) -> bool:
    """Whether ``location`` names a remote store (an http or https URL)."""
    return isinstance(location, str) and location.startswith(("http://", "https://"))


class RemoteStore:
    """A remote SPARQL server that looks, to rightsgraph, like a pyoxigraph Store."""

    def __init__(self, client: Client, engine: Engine) -> None:
        self.client = client
        self.engine = engine
        self._blank_cache: tuple[float, dict[str, list[Quad]]] | None = None

    @classmethod
    def connect(cls, endpoint: Endpoint) -> RemoteStore:
        """Reach the server, recognise its engine and check that it answers queries.

        :raises StoreUnavailableError: with a one-line reason when it cannot.
        """
        client = Client(endpoint)
        store = cls(client, detect_engine(client))
        store.engine.prepare(client)
        return store

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self.client.endpoint.base

    # ------------------------------------------------------------ queries

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None,
              base_iri: str | None = None, use_default_graph_as_union: bool = False,
              default_graph: Sequence[NamedNode | DefaultGraph] | None = None,
              named_graphs: Sequence[NamedNode | BlankNode] | None = None,
              substitutions: Mapping[Variable, Any] | None = None,
              timeout: float | None = None) -> QuerySolutions | QueryBoolean | QueryTriples:
        """Run a query on the server and return pyoxigraph results."""
        form = query_form(sparql)
        if substitutions:
            sparql = bind_values(sparql, substitutions, blank_iri=self.engine.blank_iri)
        union = use_default_graph_as_union and default_graph is None and not names_dataset(sparql)
        text = [("query", prologue(prefixes, base_iri) + sparql)]
        dataset = self.engine.dataset_params(
            self.client, union, names_dataset(sparql),
            [g for g in default_graph or () if isinstance(g, NamedNode)],
            [g for g in named_graphs or () if isinstance(g, NamedNode)],
        )
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph_form else "application/sparql-results+json"
        body = self.engine.read(self.client, lambda params: self._ask(text + params, accept, timeout),
                                dataset, union, timeout, own_dataset=names_dataset(sparql))
        if body.rstrip().endswith(CANCELLED):
            raise StoreTimeoutError(f"the store at {self.url} stopped the query at its own time limit")
        try:
            if graph_form:
                return _triples(self.engine.fix_ntriples(body))
            return parse_query_results(self.engine.fix_results(body),
                                       format=QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise QueryError(f"the store's answer could not be read: {exc}") from None

    def _ask(self, params: list[tuple[str, str]], accept: str, timeout: float | None) -> bytes:
        answer = self.client.request("POST", self.engine.query_path, body=_urlencode(params),
                                     content_type="application/x-www-form-urlencoded",
                                     accept=accept, timeout=timeout)
        return answer.body

    def update(self, sparql: str, *, prefixes: Mapping[str, str] | None = None,
               base_iri: str | None = None) -> None:
        """Run an update on the server (one request: one transaction)."""
        self.engine.update(self.client, prologue(prefixes, base_iri) + sparql)
        self._changed()

    # ------------------------------------------------------------ quads

    def quads_for_pattern(self, subject: object = None, predicate: object = None,
                          obj: object = None, graph_name: object = None) -> Iterator[Quad]:
        """The quads that match; ``None`` matches anything, as in pyoxigraph."""
        if isinstance(subject, BlankNode) and self.engine.blank_iri is None:
            found = self._blank_descriptions().get(subject.value, [])
            return iter([q for q in found if _matches(q, predicate, obj, graph_name)])
        if isinstance(obj, BlankNode) and self.engine.blank_iri is None:
            return iter([q for q in self._all_quads(graph_name)
                         if q.object == obj and _matches(q, predicate, None, None)
                         and (subject is None or q.subject == subject)])
        parts = ["?" + v.value if t is None else term(t, blank_iri=self.engine.blank_iri)
                 for t, v in ((subject, _S), (predicate, _P), (obj, _O))]
        return iter(self._quads(parts, graph_name))

    def _quads(self, parts: list[str], graph_name: object) -> list[Quad]:
        pattern = " ".join(parts)
        if isinstance(graph_name, NamedNode):
            where = f"GRAPH {term(graph_name)} {{ {pattern} }}"
        elif isinstance(graph_name, DefaultGraph):
            if not self.engine.has_default_graph:
                return []
            where = pattern
        else:
            where = f"GRAPH ?g {{ {pattern} }}"
            if self.engine.has_default_graph:
                where = f"{{ {where} }} UNION {{ {pattern} }}"
        variables = [p for p in parts if p.startswith("?")]
        if graph_name is None:
            variables.append("?g")
        text = f"SELECT {' '.join(variables) or '*'} WHERE {{ {where} }}"
        result = self.query(text, default_graph=None)
        if self._hides(graph_name):
            return []
        fixed = [self._resolve(part) for part in parts]
        quads = []
        for row in result:  # type: ignore[union-attr]
            if graph_name is None and row["g"] is not None and self.engine.hidden(row["g"].value):
                continue
            s, p, o = (row[part[1:]] if part.startswith("?") else value
                       for part, value in zip(parts, fixed, strict=True))
            g = graph_name if graph_name is not None else (row["g"] or DefaultGraph())
            quads.append(Quad(s, p, o, g))  # type: ignore[arg-type]
        return quads

    def _resolve(self, part: str) -> Any:
        if part.startswith("?"):
            return None
        if self.engine.blank_iri and part.startswith("<" + self.engine.blank_iri):
            return BlankNode(part[len(self.engine.blank_iri) + 1: -1])
        return next(iter(parse(f"<urn:x> <urn:x> {part} .", format=RdfFormat.N_TRIPLES))).object

    def _all_quads(self, graph_name: object) -> list[Quad]:
        return self._quads(["?s", "?p", "?o"], graph_name)

    def _blank_descriptions(self) -> dict[str, list[Quad]]:
        """What the store says of each blank node, read at once and kept briefly:
        Oxigraph offers no syntax that names a stored blank node in a query."""
        now = time.monotonic()
        if self._blank_cache is None or now - self._blank_cache[0] > _BLANK_CACHE_SECONDS:
            rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s)) } }")
            found: dict[str, list[Quad]] = {}
            for row in rows:  # type: ignore[union-attr]
                found.setdefault(row["s"].value, []).append(Quad(row["s"], row["p"], row["o"], row["g"]))
            self._blank_cache = (now, found)
        return self._blank_cache[1]

    def named_graphs(self) -> Iterator[NamedNode]:
        """Every named graph that holds a triple (engine bookkeeping graphs left out;
        on Virtuoso, every graph that types a resource, as in its queries)."""
        listed = self.engine.graph_names(self.client)
        if listed is not None:
            return iter([NamedNode(g) for g in listed])
        # Graph by graph, not quad by quad: 10 ms where DISTINCT over every quad
        # took 100 ms for 200,000 (Oxigraph 0.5).
        rows = self.query("SELECT ?g WHERE { GRAPH ?g {} FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }")
        return iter([row["g"] for row in rows  # type: ignore[union-attr]
                     if not self.engine.hidden(row["g"].value)])

    def contains_named_graph(self, graph: NamedNode) -> bool:
        """Whether ``graph`` holds a triple."""
        held = bool(self.query(f"ASK {{ GRAPH {term(graph)} {{ ?s ?p ?o }} }}"))
        return held and not self._hides(graph)

    def _hides(self, graph: object) -> bool:
        """Whether the engine hides ``graph`` (a mark, a part left by a loader that
        died), as the read just made found it: asked after the read, whose
        check of the store's marks is the latest."""
        return isinstance(graph, NamedNode) and self.engine.hidden(graph.value)

    def count_graph(self, graph: NamedNode | None) -> int:
        """The number of quads in ``graph``, or in the whole store."""
        where = (f"GRAPH {term(graph)} {{ ?s ?p ?o }}" if graph is not None
                 else "GRAPH ?g { ?s ?p ?o }")
        if graph is None and self.engine.has_default_graph:
            # Graph by graph, so that a load's staging graph is left out.
            named: list[Any] = list(self.query(  # type: ignore[arg-type]
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {where} }} GROUP BY ?g"))
            total = sum(int(row["n"].value) for row in named if not self.engine.hidden(row["g"].value))
            return total + self._count_default()
        if graph is None:  # the default graph is the union of the visible graphs
            where = "?s ?p ?o"
        union = graph is None and not self.engine.has_default_graph
        rows = list(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}",  # type: ignore[arg-type]
                               use_default_graph_as_union=union))
        # (Virtuoso counts one triple in a graph left out of the dataset)
        return int(rows[0]["n"].value) if rows and not self._hides(graph) else 0

    def count_graphs(self, graphs: Sequence[NamedNode]) -> list[int]:
        """The number of quads in each of ``graphs``, asked of the server
        :data:`_COUNTED_TOGETHER` graphs at a time (a query each costs a round trip)."""
        counted: dict[str, int] = {}
        for start in range(0, len(graphs), _COUNTED_TOGETHER):
            values = " ".join(term(graph) for graph in graphs[start:start + _COUNTED_TOGETHER])
            rows = self.query(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
                              "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            for row in rows:  # type: ignore[union-attr]
                counted[row["g"].value] = int(row["n"].value)
        return [0 if self._hides(graph) else counted.get(graph.value, 0) for graph in graphs]

    def _count_default(self) -> int:
        """The number of triples in the default graph."""
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))  # type: ignore[arg-type]
        return int(rows[0]["n"].value) if rows else 0

    def __len__(self) -> int:
        return self.count_graph(None)

    def __iter__(self) -> Iterator[Quad]:
        return self.quads_for_pattern()

    def dump(self, output: Any = None, format: RdfFormat | None = None, *,
             from_graph: NamedNode | DefaultGraph | None = None, **_options: Any) -> bytes | None:
        """Serialise one graph (``from_graph``) or every visible graph, as pyoxigraph does.

        Each graph is read as N-Triples (Oxigraph: its Graph Store; Virtuoso: a
        ``CONSTRUCT``), parsed as it arrives and written by pyoxigraph (one
        graph's N-Triples as they were written then), which costs a fraction of
        reading SPARQL JSON results; a new source still being loaded reads as
        absent, as in every query.

        :raises QueryError: when the server's answer is not N-Triples.
        """
        chosen = format or (RdfFormat.N_QUADS if from_graph is None else RdfFormat.N_TRIPLES)
        if from_graph is not None:
            graph = from_graph.value if isinstance(from_graph, NamedNode) else None
            ntriples = self._graph_ntriples(graph)
            if chosen == RdfFormat.N_TRIPLES and output is None:
                return ntriples
            data: Iterable[Quad] = parse(ntriples, format=RdfFormat.N_TRIPLES)
        else:
            names: list[NamedNode | DefaultGraph] = [DefaultGraph(), *self.named_graphs()]
            data = (Quad(q.subject, q.predicate, q.object, name) for name in names
                    for q in parse(self._graph_ntriples(name.value if isinstance(name, NamedNode)
                                                        else None), format=RdfFormat.N_TRIPLES))
        if output is None:
            return serialize(data, format=chosen)
        serialize(data, output, format=chosen)
        return None

    def _graph_ntriples(self, graph: str | None) -> bytes:
        if graph is not None:
            term(NamedNode(graph))  # refuses an IRI that cannot be sent
        ntriples = self.engine.graph_ntriples(self.client, graph)
        return b"" if graph is not None and self._hides(NamedNode(graph)) else ntriples

    def flush(self) -> None:
        """Nothing to do: the server writes its own data."""

    # ------------------------------------------------------------ writing

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Replace ``graph`` by ``triples`` atomically (readers see old or new)."""
        self.replace_graphs([(graph, triples)])

    def replace_graphs(self, batch: Sequence[tuple[NamedNode, Iterable[Triple]]]) -> None:
        """Replace each graph of ``batch`` atomically; the engine may write many
        small sources together.

        Every RDF file (:class:`SerializedTriples`) is parsed first, so that
        a syntax error stops the batch before it writes, and written as
        N-Triples once; then each file goes on its own, and the other
        sources together.  A batch of one large N-Triples file that can be
        sent as it is (:meth:`SerializedTriples.sendable_as_is`, larger than
        one request) is checked part by part while it is sent instead
        (:meth:`Engine.post_chunks`): what was written goes again on an
        error, and no reader sees it meanwhile.
        """
        files = [(graph, triples) for graph, triples in batch if isinstance(triples, SerializedTriples)]
        # A collection is read again where needed (a large table's makes its
        # triples as it is read: a list of 1.95M of them held 0.6 GB more).
        others = [(graph, triples if isinstance(triples, Collection) else list(triples), None)
                  for graph, triples in batch if not isinstance(triples, SerializedTriples)]
        if len(batch) == 1 and files and self._checked_as_sent(files[0][1]):
            sent = [(files[0][0], files[0][1], files[0][1].unchecked_ntriples())]
        else:
            sent = [(graph, triples, triples.ntriples()) for graph, triples in files]
        try:
            for graph, triples, ntriples in sent:
                self.engine.replace_graph(self.client, graph, triples, ntriples)
            if others:
                self.engine.replace_graphs(self.client, others)
        finally:
            self._changed()

    def _checked_as_sent(self, triples: SerializedTriples) -> bool:
        return triples.sendable_as_is() and len(triples.data) > self.engine.chunk_size

    def _changed(self) -> None:
        self._blank_cache = None
        self.engine.forget()

    def remove_graph(self, graph: NamedNode) -> None:
        """Drop ``graph`` (one transaction)."""
        term(graph)  # refuses an IRI that cannot be sent
        try:
            self.engine.remove_graph(self.client, graph.value)
        finally:
            self._changed()


#: Graphs counted by one query (:meth:`RemoteStore.count_graphs`).
_COUNTED_TOGETHER = 100


def _triples(data: bytes) -> QueryTriples:
    scratch = Store()
    scratch.load(data, format=RdfFormat.N_TRIPLES)
    result = scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(result, QueryTriples)
    return result


def _matches(quad: Quad, predicate: object, obj: object, graph_name: object) -> bool:
    return ((predicate is None or quad.predicate == predicate)
            and (obj is None or quad.object == obj)
            and (graph_name is None or quad.graph_name == graph_name))

