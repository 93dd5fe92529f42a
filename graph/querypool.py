"""Run untrusted SPARQL queries with a hard time limit.

pyoxigraph cannot cancel a query (oxigraph issue #1926) and releases the GIL
while it runs, so a thread cannot stop it.  Queries from the public endpoint
therefore run in a small pool of worker *processes*, one per core by default,
each holding a read-only view of the on-disk store.  When a query outruns its
limit the worker is killed (its CPU is freed at once), a fresh one is started,
and the caller gets a :class:`QueryTimeout` instead of a truncated answer.

Each worker serialises the whole result into the final response bytes (in the
format the client asked for, never larger than the configured limit) before it
sends anything back, so the caller receives complete bytes or an error, never a
partial body, and nothing is converted twice.  Requests and answers travel over
a socket pair as length-prefixed frames: the request is a small pickled tuple,
the answer a small header followed by the raw result bytes.  Workers are fresh
interpreters that import only pyoxigraph and the serialisers (never the web
app), so a replacement is ready soon after a kill.

The process that owns the store writes; after a write it calls
:meth:`QueryPool.refresh`, and each worker reopens its read-only view before
the next query it runs (a read-only view is a snapshot of the moment it was
opened).
"""

from __future__ import annotations

import io
import itertools
import os
import pickle
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from rightsgraph.graph.dataset import names_dataset
from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.guard import refuse_network_access

#: Frame header: length of the pickled header part, length of the raw data part.
_FRAME = struct.Struct("!II")


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


#: How a worker starts: a fresh interpreter that imports only what answering
#: needs (not the server's main module, as multiprocessing's spawn would).
_WORKER_CODE = "from rightsgraph.graph.querypool import worker_main; worker_main()"


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    channel: socket.socket


def default_workers() -> int:
    """One worker per core: more would only make queries share the CPU."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class QueryPool:
    """A pool of worker processes answering queries on a read-only store.

    :param location: directory of the on-disk store (owned by this process).
    :param workers: how many queries may run at once (default: one per core).
    :param timeout: seconds a query may run before it is stopped.
    """

    def __init__(self, location: str, *, workers: int | None = None, timeout: float = 10.0) -> None:
        self.location = location
        self.timeout = timeout
        self.size = workers if workers and workers > 0 else default_workers()
        self._generation = 0
        self._lock = threading.Lock()
        # First in, first out: a worker just started (after a timeout) is used
        # last, so it has time to start before a query waits for it.
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, str(child.fileno()), self.location],
                pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, close_fds=True,
            )
        finally:
            child.close()
        return _Worker(process, parent)

    def refresh(self) -> None:
        """Make every worker reopen the store before its next query (call after each write)."""
        with self._lock:
            self._generation += 1

    def run(self, request: QueryRequest) -> QueryAnswer:
        """Run ``request`` and return its serialised result.

        :raises QueryError: for a syntax or evaluation error, or SERVICE / LOAD.
        :raises QueryTimeout: when the query outruns the time limit.
        :raises ServerBusy: when no worker became free within the time limit.
        :raises ResultTooLarge: when the result is larger than ``request.max_bytes``.
        """
        refuse_network_access(request.sparql)
        if self._closed:
            raise QueryError("the query service is shutting down")
        own_dataset = names_dataset(request.sparql)
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ServerBusy("every query worker is busy; try again in a moment") from None
        started = time.monotonic()
        # the generation as of now: a write made while this request waited is seen
        message = pickle.dumps((self._generation, own_dataset, request),
                               protocol=pickle.HIGHEST_PROTOCOL)
        try:
            if worker.process.poll() is not None:
                worker = self._replace(worker)
            worker.channel.settimeout(max(0.001, deadline - time.monotonic()))
            _send(worker.channel, message, b"")
            header, data = _receive(worker.channel, deadline)
        except TimeoutError:
            worker = self._replace(worker)
            raise QueryTimeout(
                f"the query ran longer than {self.timeout:g} s and was stopped; "
                "narrow it (LIMIT, more specific patterns) and try again"
            ) from None
        except (EOFError, OSError):
            worker = self._replace(worker)
            raise QueryError("the query worker stopped unexpectedly") from None
        finally:
            self._idle.put(worker)
        status, detail = pickle.loads(header)
        if status == "ok":
            kind, fmt, truncated = detail
            return QueryAnswer(kind, fmt, data, truncated, time.monotonic() - started)
        if status == "too-large":
            raise ResultTooLarge(detail)
        raise QueryError(detail)

    def _replace(self, worker: _Worker) -> _Worker:
        """Kill ``worker`` (freeing its CPU at once) and start a fresh one."""
        _stop(worker)
        return self._spawn()

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            _stop(worker)


def _stop(worker: _Worker) -> None:
    if worker.process.poll() is None:
        worker.process.kill()
    try:
        worker.process.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a kill that did not land
        pass
    worker.channel.close()


# ---------------------------------------------------------------- frames


def _send(channel: socket.socket, header: bytes, data: bytes | memoryview) -> None:
    prefix = _FRAME.pack(len(header), len(data))
    if len(data) < 65536:  # one system call for the usual small answer
        channel.sendall(prefix + header + bytes(data))
    else:
        channel.sendall(prefix + header)
        channel.sendall(data)


def _receive(channel: socket.socket, deadline: float | None) -> tuple[bytes, bytes]:
    """Read one frame; with a ``deadline``, raise TimeoutError when it passes.

    A small frame usually arrives whole, in one read.  Only one frame is ever
    in flight on a channel, so nothing after it can be read by mistake.
    """
    buffer = bytearray(65536)
    with memoryview(buffer) as view:
        got = _read_into(channel, view, 0, _FRAME.size, deadline)
    header_size, data_size = _FRAME.unpack_from(buffer)
    start = _FRAME.size + header_size
    total = start + data_size
    if total > len(buffer):
        buffer.extend(bytes(total - len(buffer)))
    with memoryview(buffer) as view:
        _read_into(channel, view[:total], got, total, deadline)
    return bytes(buffer[_FRAME.size:start]), bytes(buffer[start:total])


def _read_into(channel: socket.socket, view: memoryview, got: int, wanted: int,
               deadline: float | None) -> int:
    """Fill ``view`` from ``got`` until at least ``wanted`` bytes are there; return the count."""
    while got < wanted:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            channel.settimeout(remaining)
        count = channel.recv_into(view[got:])
        if count == 0:
            raise EOFError
        got += count
    return got


# ---------------------------------------------------------------- the worker


class _TooLarge(Exception):
    pass


class _BoundedBuffer(io.BytesIO):
    """A buffer that stops a serialisation once it passes ``limit`` bytes, so
    a huge result never fills the worker's memory."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any, /) -> int:
        size = super().write(data)
        if self.tell() > self.limit:
            raise _TooLarge
        return size


def _boolean_table(value: bool, fmt: str) -> bytes:
    """An ASK answer in CSV or TSV, which define no boolean form: a one-column
    table ``_askResult`` (as Jena writes it), so table readers can parse it.

    >>> _boolean_table(True, "tsv")
    b'?_askResult\\ntrue\\n'
    """
    text = "true" if value else "false"
    return (f"_askResult\r\n{text}\r\n" if fmt == "csv" else f"?_askResult\n{text}\n").encode()


def _answer(store: Any, own_dataset: bool, request: QueryRequest) -> tuple[str, str, bool, bytes]:
    """Run ``request`` on ``store``; return kind, format, truncated and the bytes."""
    from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions

    from rightsgraph.graph.results import json_solutions, serialize_into
    from rightsgraph.ontology.terms import PREFIXES

    options: dict[str, Any] = {"prefixes": PREFIXES, "base_iri": request.base_iri}
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
    if isinstance(result, QueryBoolean):
        kind, fmt = "boolean", request.solution_format
        if fmt in ("csv", "tsv"):
            return kind, fmt, False, _boolean_table(bool(result), fmt)
    elif isinstance(result, QuerySolutions):
        kind, fmt = "solutions", request.solution_format
        if request.max_rows is not None and fmt == "json":
            rows = list(itertools.islice(result, request.max_rows + 1))
            data = json_solutions(result.variables, rows[: request.max_rows])
            return kind, fmt, len(rows) > request.max_rows, data
    else:
        kind, fmt = "graph", request.graph_format
    output = _BoundedBuffer(request.max_bytes)
    serialize_into(result, fmt, output)
    return kind, fmt, False, output.getvalue()


def _open(location: str) -> Any:
    """Open a read-only view of the store.

    Opening races with the owner's background compaction, which may delete a
    file the view is just about to open; a second try a moment later sees the
    compacted files.
    """
    from pyoxigraph import Store

    for attempt in range(20):
        try:
            return Store.read_only(location)
        except (OSError, RuntimeError):
            if attempt == 19:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _stale(error: Exception) -> bool:
    """Whether ``error`` says the view lost files to the owner's compaction."""
    return isinstance(error, (OSError, RuntimeError)) and (
        "IO error" in str(error) or "Corruption" in str(error)
    )


def worker_main() -> None:  # pragma: no cover - runs in a worker process
    """Entry point of a worker: ``python -c ... CHANNEL_FD STORE_DIR``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which closes us
    channel = socket.socket(fileno=int(sys.argv[1]))
    channel.setblocking(True)
    _serve(sys.argv[2], channel)


def _serve(location: str, channel: socket.socket) -> None:  # pragma: no cover - runs in a child
    """Worker loop: answer requests on a read-only view until the channel closes."""
    store = _open(location)
    generation = 0
    while True:
        try:
            header, _data = _receive(channel, None)
        except (EOFError, OSError):
            return
        wanted, own_dataset, request = pickle.loads(header)
        if wanted != generation:  # the owner wrote since this view was opened
            del store
            store = _open(location)
            generation = wanted
        try:
            try:
                kind, fmt, truncated, data = _answer(store, own_dataset, request)
            except Exception as error:
                if not _stale(error):
                    raise
                del store
                store = _open(location)
                kind, fmt, truncated, data = _answer(store, own_dataset, request)
            reply: tuple[str, Any] = ("ok", (kind, fmt, truncated))
        except _TooLarge:
            reply, data = ("too-large", f"the result is over the limit of {request.max_bytes:,} "
                                        "bytes; add a LIMIT or narrow the query"), b""
        except SyntaxError as exc:
            reply, data = ("error", f"SPARQL syntax error: {exc}"), b""
        except Exception as exc:  # any engine error goes back as a message
            reply, data = ("error", f"query failed: {exc}"), b""
        try:
            _send(channel, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL), data)
        except OSError:
            return
