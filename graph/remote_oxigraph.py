"""rightsgraph on Oxigraph server (``oxigraph serve``).

Queries at ``/query`` (the union of all graphs as default graph with the
``union-default-graph`` parameter), updates at ``/update``.  Oxigraph runs a
whole request in one transaction but refuses bodies over 128 MiB, so a source
graph is replaced in one of two ways:

- up to :attr:`Oxigraph.chunk_size` of N-Triples, by one update request,
  ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }``;
- above it, in chunks posted (Graph Store Protocol), either into a staging
  graph ``urn:rightsgraph:staging:<time>-<id>`` swapped in by one ``MOVE``
  update (a source that exists), or, for a new source, straight into its
  graph while a marker (``…staging:<time>-<id>-into-<graph>``) and a lock
  (``urn:rightsgraph:loading:<graph>``) say it is being loaded: Oxigraph's
  ``MOVE`` is a transactional copy that cost 3 to 6 times the chunks
  themselves.  The marks are created, empty, in the same transaction that
  moves the load counter on (the one empty graph
  ``urn:rightsgraph:generation:<n>``; empty graphs add nothing to any
  query), and the in-place one also creates the graph itself, so it fails
  if that graph exists or another load started first; the end of the load
  drops the marker and the lock in one update.  Every write of a graph
  (a small load, a ``MOVE``) creates and drops its lock in its own
  transaction, so it waits while the graph is loaded in place.  A query
  over the union of the graphs reads the counter and the marks before and
  after it runs (the reading before is the last one made); if a staging
  graph existed or the counter moved, a load may have been visible, so the
  query runs again over an explicit dataset of every graph but the staging
  ones and those being loaded.  Any other read (``GRAPH <g>``, the store's
  counts, listings and quads) runs again the same way when a new source was
  being loaded; one that names its own dataset (``FROM``) waits for such
  loads to end.  A load that fails drops its staging graph, or its marker,
  lock and partial graph; those left by a loader that died are dropped by
  the next chunked load once they are older than six hours.  Oxigraph
  renames blank nodes per request, so the triples that share blank nodes
  travel in one chunk.  Exports read a graph with a Graph Store ``GET``
  (:meth:`Oxigraph.graph_ntriples`), checked the same way.

Readers see the old graph or the new one either way, and a load that fails
or whose connection drops changes nothing.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable

from pyoxigraph import NamedNode, Triple

from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.remote_engine import _POLL, _STALE, Engine, _rows, _write_timeout
from rightsgraph.graph.remote_http import Client, StoreUnavailableError
from rightsgraph.graph.remote_loads import (
    GENERATION_PREFIX,
    STAGING_PREFIX,
    Loads,
    is_mark,
    loading_marker,
    loads_of,
    lock_of,
    started_at,
    target_of,
)
from rightsgraph.graph.remote_ntriples import ntriples_of
from rightsgraph.graph.serialized import SerializedTriples

__all__ = ["DEFAULT_CHUNK_SIZE", "Oxigraph"]

#: A graph that does not exist: a dataset of nothing.
_NOTHING = "urn:rightsgraph:nothing"
#: Bytes of N-Triples Oxigraph server is sent per request (it refuses more than 128 MiB).
DEFAULT_CHUNK_SIZE = 32 * 1024 * 1024


class Oxigraph(Engine):
    """Oxigraph server (``oxigraph serve``)."""

    name = "Oxigraph server"

    def __init__(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        super().__init__(chunk_size)  # a larger graph is loaded in chunks
        self._seen: Loads | None = None

    def forget(self) -> None:
        self._seen = None

    def dataset_params(self, client: Client, union: bool, own_dataset: bool,
                       default: list[NamedNode], named: list[NamedNode]) -> list[tuple[str, str]]:
        params = super().dataset_params(client, union, own_dataset, default, named)
        return [*params, ("union-default-graph", "")] if union else params

    def hidden(self, graph: str) -> bool:
        return is_mark(graph)

    def before_read(self, client: Client, timeout: float | None = None) -> object:
        # The last reading will do: it was answered before this query was sent.
        return self._seen if self._seen is not None else self._loads(client, timeout)

    def read(self, client: Client, ask: Callable[[list[tuple[str, str]]], bytes],
             dataset: list[tuple[str, str]], union: bool, timeout: float | None = None,
             own_dataset: bool = False) -> bytes:
        """Every read, not only the union's: a new source loaded in place is a
        graph of its own while it fills, which ``GRAPH <g>`` or ``GRAPH ?g`` reach.

        A union query that overlapped a staging graph or a move of the load
        counter runs again over the visible graphs; any other read, when a new
        source was being loaded (or the counter moved), runs again with the
        graphs being loaded left out of its dataset.  The run again counts if
        the counter stayed where the listing of graphs found it.
        """
        before = self.before_read(client, timeout)
        body = ask(dataset)
        after = self._loads(client, timeout)
        assert isinstance(before, Loads)
        if before.generation == after.generation and not (before.staging if union else before.targets):
            return body
        limit = client.endpoint.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            graphs = self._graphs(client, timeout)
            listing = loads_of(graphs)
            if not (own_dataset and listing.targets):
                # A query with FROM names graphs this cannot see: it waits for the loads.
                body = ask(self._hiding(dataset, union, own_dataset, graphs, listing.targets))
                check = self._loads(client, timeout)
                if check.generation == listing.generation and not (own_dataset and check.targets):
                    return body
            if time.monotonic() > deadline:
                raise StoreUnavailableError(
                    f"new sources are being loaded into the store at {client.endpoint.base} and "
                    f"the query could not be answered apart from them within {limit:g} s; "
                    "try again when the loads have finished")
            time.sleep(_POLL)

    def _hiding(self, dataset: list[tuple[str, str]], union: bool, own_dataset: bool,
                graphs: list[str], targets: frozenset[str]) -> list[tuple[str, str]]:
        """``dataset`` with the graphs being loaded and the marks left out."""
        visible = [g for g in graphs if not self.hidden(g) and g not in targets] or [_NOTHING]
        kept = [(k, v) for k, v in dataset if v not in targets]
        named = [v for k, v in kept if k == "named-graph-uri"]
        default = [v for k, v in kept if k == "default-graph-uri"]
        if own_dataset:
            return kept
        if union:
            had_named = any(k == "named-graph-uri" for k, _ in dataset)
            named = named or ([_NOTHING] if had_named else visible)
            return ([("default-graph-uri", g) for g in visible]
                    + [("named-graph-uri", g) for g in named])
        if any(k == "default-graph-uri" for k, _ in dataset):
            default = default or [_NOTHING]
        if any(k == "named-graph-uri" for k, _ in dataset):
            named = named or [_NOTHING]
        elif not default:
            # GRAPH ?g and GRAPH <g> over every graph: the visible ones.  (The
            # server's own default graph, which rightsgraph never writes, then reads empty.)
            named = visible
        return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]

    def graph_ntriples(self, client: Client, graph: str | None, timeout: float | None = None) -> bytes:
        """The N-Triples of ``graph`` (``None``: the default graph), by the Graph
        Store Protocol; empty while it is a new source being loaded."""
        params = [("graph", graph)] if graph is not None else [("default", "")]
        limit = client.endpoint.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        before = self.before_read(client, timeout)
        assert isinstance(before, Loads)
        while True:
            if graph in before.targets:
                before = self._loads(client, timeout)  # the reading may be old
                if graph in before.targets:
                    return b""
            answer = client.request("GET", "/store", params=params, accept="application/n-triples",
                                    timeout=timeout, ok=(200, 404), reader=self.read_ntriples)
            after = self._loads(client, timeout)
            if graph in after.targets:
                return b""
            if after.generation == before.generation:
                return answer.body if answer.status == 200 else b""
            if time.monotonic() > deadline:  # loads keep starting: one may have come and gone
                raise StoreUnavailableError(
                    f"loads keep starting at the store at {client.endpoint.base}; the graph "
                    f"{graph} could not be read apart from them within {limit:g} s")
            before = after

    def _loads(self, client: Client, timeout: float | None = None) -> Loads:
        query = ("SELECT ?g WHERE { GRAPH ?g { } "
                 'FILTER(STRSTARTS(STR(?g), "urn:rightsgraph:")) }')
        loads = loads_of(_select_graphs(client, self.query_path, query, timeout))
        self._seen = loads
        return loads

    def _graphs(self, client: Client, timeout: float | None = None) -> list[str]:
        # Every named graph, empty ones included: read from Oxigraph's list of graphs.
        return _select_graphs(client, self.query_path, "SELECT ?g WHERE { GRAPH ?g { } }", timeout)

    def update(self, client: Client, sparql: str) -> None:
        client.request("POST", "/update", body=sparql.encode(),
                       content_type="application/sparql-update")

    def replace_graph(self, client: Client, graph: NamedNode, triples: Iterable[Triple],
                      ntriples: bytes | None = None) -> None:
        if ntriples is None:
            ntriples = ntriples_of(triples)
        name = f"<{graph.value}>".encode()
        if len(ntriples) <= self.chunk_size:
            if isinstance(triples, SerializedTriples) and triples.unchecked:
                # (lines that go into an update's text are parsed first, always)
                triples.check_part(ntriples)
                triples.check_done()
            body = b"DROP SILENT GRAPH " + name
            if ntriples:
                body += b" ;\nINSERT DATA { GRAPH " + name + b" {\n" + ntriples + b"} }"
            self._unless_loading(client, graph.value, body, _write_timeout(client, len(ntriples)))
            return
        marker, into = self._claim(client, graph.value)
        try:
            self.post_chunks(triples, ntriples, lambda chunk, sent: client.request(
                "POST", "/store", params=[("graph", into)], body=chunk,
                content_type="application/n-triples", timeout=_write_timeout(client, len(chunk)),
                on_sent=sent))
            if into == graph.value:  # a new source: it is whole, show it
                client.request("POST", "/update", content_type="application/sparql-update",
                               body=(f"DROP GRAPH <{marker}> ;\n"
                                     f"DROP GRAPH <{lock_of(graph.value)}>").encode())
            else:
                self._unless_loading(client, graph.value,
                                     f"MOVE SILENT GRAPH <{into}> TO <{graph.value}>".encode(),
                                     _write_timeout(client, len(ntriples)))
        except BaseException:
            try:
                self.update(client, _abandon(marker))
            except (StoreUnavailableError, QueryError):
                pass  # the store is failing (or took the load for dead); see _claim
            raise

    def _unless_loading(self, client: Client, target: str, body: bytes, timeout: float) -> None:
        """Send the update ``body`` that writes ``target``, in a transaction that
        fails while ``target`` is being loaded in place; wait for that load to end."""
        lock = f"<{lock_of(target)}>".encode()
        guarded = b"CREATE GRAPH " + lock + b" ;\n" + body + b" ;\nDROP GRAPH " + lock
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.request("POST", "/update", body=guarded, content_type="application/sparql-update",
                               timeout=timeout)
                return
            except (StoreUnavailableError, QueryError):
                if target not in self._loads(client).targets:
                    raise
            if time.monotonic() > deadline:
                raise StoreUnavailableError(
                    f"another load of {target} is under way at the store at {client.endpoint.base} "
                    f"and did not finish within {timeout:g} s; try again when it has finished")
            time.sleep(0.2)

    def _claim(self, client: Client, target: str) -> tuple[str, str]:
        """Start a chunked load of ``target``: returns its marker and the graph to write to.

        A new source (no graph ``target`` and no load of it under way) is
        written in place: one transaction moves the load counter on and
        creates the marker, the target's lock and the target, and fails if
        another load started first or the target exists by then.  Otherwise
        the chunks go into a staging graph created the same way.  Marks left
        by a loader that died (older than :data:`_STALE`) are dropped first,
        with the graph it was loading in place.
        """
        for _ in range(50):
            graphs = self._graphs(client)
            loads = loads_of(graphs)
            stale = int(time.time() - _STALE.total_seconds())
            for mark in loads.staging:
                begun = started_at(mark)
                if begun is not None and begun < stale:
                    self._quietly(client, _abandon(mark))
            started, token = int(time.time()), uuid.uuid4().hex
            fresh = target not in graphs and target not in loads.targets
            marker = (loading_marker(target, started, token) if fresh
                      else f"{STAGING_PREFIX}{started}-{token}")
            creates = (f"CREATE GRAPH <{marker}> ;\nCREATE GRAPH <{lock_of(target)}> ;\n"
                       f"CREATE GRAPH <{target}>") if fresh else f"CREATE GRAPH <{marker}>"
            try:
                self.update(client, f"DROP SILENT GRAPH <{GENERATION_PREFIX}{loads.generation}> ;\n"
                                    f"CREATE GRAPH <{GENERATION_PREFIX}{loads.generation + 1}> ;\n"
                                    + creates)
                return marker, target if fresh else marker
            except (StoreUnavailableError, QueryError):
                listed = self._graphs(client)
                now = loads_of(listed)
                taken = fresh and (target in listed or target in now.targets)
                if now.generation == loads.generation and not taken:
                    raise
                time.sleep(random.uniform(0.01, 0.1))  # another load started first
        raise StoreUnavailableError(
            f"too many loads are starting at the store at {client.endpoint.base}; try again"
        )

    def _quietly(self, client: Client, sparql: str) -> None:
        try:
            self.update(client, sparql)
        except (StoreUnavailableError, QueryError):
            pass  # another loader cleaned it up first




def _abandon(marker: str) -> str:
    """The update that ends a failed (or dead) chunked load: its marker goes and,
    for a new source loaded in place, the part written and the lock.  It fails,
    changing nothing, when the marker is gone already (someone else ended it)."""
    target = target_of(marker)
    if target is None:
        return f"DROP SILENT GRAPH <{marker}>"
    return (f"DROP GRAPH <{marker}> ;\nDROP SILENT GRAPH <{target}> ;\n"
            f"DROP SILENT GRAPH <{lock_of(target)}>")






def _select_graphs(client: Client, path: str, query: str,
                   timeout: float | None = None) -> list[str]:
    return sorted(b["g"]["value"] for b in _rows(client, path, query, timeout)
                  if b["g"]["type"] == "uri")
