"""Run untrusted SPARQL queries with a hard time limit.

pyoxigraph cannot cancel a query (oxigraph issue #1926) and releases the GIL
while it runs, so a thread cannot stop it.  Queries from the public endpoint
therefore run in a small pool of worker *processes*, each holding a read-only
view of the on-disk store.  When a query outruns its limit the worker is
killed (its CPU is freed at once), a fresh one is started, and the caller gets
a :class:`QueryTimeout` instead of a truncated answer.  Results are serialised
inside the worker, so the caller receives complete bytes or an error, never a
partial body.

The process that owns the store writes; after a write it calls
:meth:`QueryPool.refresh` so that workers reopen and see the new data.
"""

from __future__ import annotations

import itertools
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from rightsgraph.graph.dataset import names_dataset
from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.guard import refuse_network_access


class QueryTimeout(QueryError):
    """The query ran longer than the limit and was stopped."""


class ServerBusy(QueryError):
    """Every worker stayed busy for the whole time limit."""


class ResultTooLarge(QueryError):
    """The serialised result is larger than the configured limit."""


@dataclass(frozen=True)
class QueryRequest:
    """A query to run, with its dataset and the formats wanted per result kind.

    A dataset given here (the protocol's ``default-graph-uri`` and
    ``named-graph-uri``) replaces the query's FROM and FROM NAMED; a part left
    out is the service's default: the union of all graphs, every named graph.
    ``base_iri`` resolves relative IRIs in the query (the endpoint's URL).
    """

    sparql: str
    solution_format: str = "json"
    graph_format: str = "turtle"
    default_graph: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_bytes: int = 50 * 1024 * 1024
    max_rows: int | None = None
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryAnswer:
    """A complete, serialised result."""

    kind: str  # "solutions", "boolean" or "graph"
    format: str
    data: bytes
    truncated: bool = False
    seconds: float = 0.0


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    generation: int
    started: float = field(default_factory=time.monotonic)


class QueryPool:
    """A pool of worker processes answering queries on a read-only store.

    :param location: directory of the on-disk store (owned by this process).
    :param workers: how many queries may run at once.
    :param timeout: seconds a query may run before it is stopped.
    """

    def __init__(self, location: str, *, workers: int = 2, timeout: float = 10.0) -> None:
        self.location = location
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._generation = 0
        self._lock = threading.Lock()
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._size = workers
        self._closed = False
        for _ in range(workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(self.location, child), daemon=True, name="rightsgraph-query"
        )
        process.start()
        child.close()
        return _Worker(process, parent, self._generation)

    def refresh(self) -> None:
        """Make every worker reopen the store (call after each write)."""
        with self._lock:
            self._generation += 1

    def run(self, request: QueryRequest) -> QueryAnswer:
        """Run ``request`` and return its serialised result.

        :raises QueryError: for a syntax or evaluation error.
        :raises QueryTimeout: when the query outruns the time limit.
        :raises ServerBusy: when no worker became free within the time limit.
        """
        refuse_network_access(request.sparql)
        if self._closed:
            raise QueryError("the query service is shutting down")
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ServerBusy(
                "every query worker is busy; try again in a moment"
            ) from None
        if worker.generation != self._generation or not worker.process.is_alive():
            self._retire(worker)
            worker = self._spawn()
        started = time.monotonic()
        try:
            worker.conn.send(request)
            remaining = max(0.0, deadline - time.monotonic())
            if not worker.conn.poll(remaining):
                self._retire(worker)
                worker = self._spawn()
                raise QueryTimeout(
                    f"the query ran longer than {self.timeout:g} s and was stopped; "
                    "narrow it (LIMIT, more specific patterns) and try again"
                )
            status, payload = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._retire(worker)
            worker = self._spawn()
            raise QueryError("the query worker stopped unexpectedly") from None
        finally:
            self._idle.put(worker)
        if status == "ok":
            kind, fmt, data, truncated = payload
            return QueryAnswer(kind, fmt, data, truncated, time.monotonic() - started)
        if status == "too-large":
            raise ResultTooLarge(payload)
        raise QueryError(payload)

    def _retire(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            self._retire(worker)


def _boolean_table(value: bool, fmt: str) -> bytes:
    """An ASK answer in CSV or TSV, which define no boolean form: a one-column
    table ``_askResult`` (as Jena writes it), so table readers can parse it.

    >>> _boolean_table(True, "tsv")
    b'?_askResult\\ntrue\\n'
    """
    text = "true" if value else "false"
    return (f"_askResult\r\n{text}\r\n" if fmt == "csv" else f"?_askResult\n{text}\n").encode()


def _serve(location: str, conn: Connection) -> None:  # pragma: no cover - runs in a child
    """Worker loop: open the store read-only, answer requests until the pipe closes."""
    from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store

    from rightsgraph.graph.results import json_solutions, serialize
    from rightsgraph.ontology.terms import PREFIXES

    store = Store.read_only(location)
    while True:
        try:
            request: QueryRequest = conn.recv()
        except (EOFError, OSError):
            return
        try:
            options: dict[str, Any] = {"prefixes": PREFIXES, "base_iri": request.base_iri}
            own_dataset = names_dataset(request.sparql)
            if request.default_graph or request.named_graphs:  # replaces FROM / FROM NAMED
                if request.default_graph:
                    options["default_graph"] = [NamedNode(g) for g in request.default_graph]
                else:
                    options["use_default_graph_as_union"] = True
                if request.named_graphs:
                    options["named_graphs"] = [NamedNode(g) for g in request.named_graphs]
                elif own_dataset:  # pyoxigraph would keep the query's FROM NAMED
                    options["named_graphs"] = list(store.named_graphs())
            elif not own_dataset:  # the union would override the query's FROM
                options["use_default_graph_as_union"] = True
            result = store.query(request.sparql, **options)
            truncated = False
            data = b""
            if isinstance(result, QueryBoolean):
                kind, fmt = "boolean", request.solution_format
                if fmt in ("csv", "tsv"):
                    data = _boolean_table(bool(result), fmt)
            elif isinstance(result, QuerySolutions):
                kind, fmt = "solutions", request.solution_format
                if request.max_rows is not None and fmt == "json":
                    rows = list(itertools.islice(result, request.max_rows + 1))
                    truncated = len(rows) > request.max_rows
                    data = json_solutions(result.variables, rows[: request.max_rows])
            else:
                kind, fmt = "graph", request.graph_format
            data = data or serialize(result, fmt)
            if len(data) > request.max_bytes:
                conn.send(("too-large", f"the result is {len(data):,} bytes, over the limit of "
                                        f"{request.max_bytes:,} bytes; add a LIMIT"))
                continue
            conn.send(("ok", (kind, fmt, data, truncated)))
        except SyntaxError as exc:
            conn.send(("error", f"SPARQL syntax error: {exc}"))
        except Exception as exc:  # any engine error goes back as a message
            conn.send(("error", f"query failed: {exc}"))
