"""What every SPARQL server rightsgraph runs on is asked, and the shared ways of asking.

:class:`Engine` is the part of a remote store that differs between servers:
where queries and updates go, which dataset a query names, how a source graph
is replaced atomically, how answers are mended.  Each server has its own
module (:mod:`rightsgraph.graph.remote_oxigraph`,
:mod:`rightsgraph.graph.remote_virtuoso`); :mod:`rightsgraph.graph.remote_engines`
recognises which one a server is.
"""

from __future__ import annotations

import functools
import json
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import BinaryIO

from pyoxigraph import BlankNode, NamedNode, Triple

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.remote_http import Client, StoreUnavailableError
from rightsgraph.graph.remote_ntriples import read_ntriples
from rightsgraph.graph.serialized import SerializedTriples, may_hold_blank_nodes

#: The slowest write rate (bytes of N-Triples per second) a busy Oxigraph server is
#: given before a write request counts as timed out, when that is longer than the
#: store's time limit: a large write is slow, not lost.
_SLOWEST_WRITE = 256 * 1024
#: Seconds between two readings of a store's marks (loads, swaps) while a reader waits.
_POLL = 0.05
#: A claim or load older than this belongs to a loader that died; it may be taken over.
_STALE = timedelta(hours=6)


#: Sends one chunk of a source; calls its second argument, if given, once the
#: request has gone out (see :meth:`Engine.post_chunks`).
Post = Callable[[bytes, Callable[[], None] | None], object]


class Engine:
    """The behaviour shared by every engine; subclasses name their differences."""

    name = "SPARQL server"
    query_path = "/query"
    #: ``<prefix><id>`` names a stored blank node in a query, if the engine allows it.
    blank_iri: str | None = None
    #: Whether the engine has a default graph apart from the named graphs.
    has_default_graph = True

    def __init__(self, chunk_size: int) -> None:
        #: Bytes of N-Triples per request when a source is sent in chunks.
        self.chunk_size = chunk_size
        #: Called after each chunk with the bytes written so far and the total.
        self.progress: Callable[[int, int], None] | None = None

    def post_chunks(self, triples: Iterable[Triple], ntriples: bytes, post: Post) -> None:
        """Send ``ntriples`` (the serialisation of ``triples``) through ``post`` in
        chunks of at most :attr:`chunk_size` bytes (:func:`chunks`), telling
        :attr:`progress` after each.

        When ``ntriples`` are an RDF file's own lines not parsed yet
        (:meth:`SerializedTriples.unchecked_ntriples`), each chunk is parsed
        (:meth:`~SerializedTriples.check_part`), in a thread of its own, once
        it has gone out and while the server writes it (``post`` calls its
        second argument then; a parser that held the interpreter while the
        body went out slowed each request by a fifth), and
        :meth:`~SerializedTriples.check_done` follows the last.  A syntax
        error stops the load with the file's line once the chunk is
        answered; the caller drops what was written, which no reader saw (a
        new source is hidden until it is whole, an existing one is written
        into a staging graph).
        """
        check = triples if isinstance(triples, SerializedTriples) and triples.unchecked else None
        # (``check is not None``: a SerializedTriples' truth is its length, a whole parse)
        checker = (ThreadPoolExecutor(max_workers=1, thread_name_prefix="rightsgraph-check")
                   if check is not None else None)
        written = 0
        try:
            for chunk in chunks(triples, ntriples, self.chunk_size):
                if checker is None or check is None:
                    post(chunk, None)
                else:
                    checking: list[Future[None]] = []

                    def start(part: bytes = chunk, checking: list[Future[None]] = checking) -> None:
                        if not checking:  # (a request sent again is checked once)
                            checking.append(checker.submit(check.check_part, part))

                    try:
                        post(chunk, start)
                    except BaseException:
                        if checking and isinstance(checking[0].exception(), InputError):
                            checking[0].result()  # the file's error says more than the server's
                        raise
                    start()  # (if the request never said it went out)
                    checking[0].result()
                written += len(chunk)
                if self.progress is not None:
                    self.progress(written, len(ntriples))
        finally:
            if checker is not None:
                checker.shutdown(cancel_futures=True)
        if check is not None:
            check.check_done()

    def prepare(self, client: Client) -> None:
        """Check the server answers a query (and learn what the engine needs)."""
        answer = client.request("POST", self.query_path, body=b"query=ASK%7B%7D",
                                content_type="application/x-www-form-urlencoded",
                                accept="application/sparql-results+json")
        if b"boolean" not in answer.body and b"__ASK_RETVAL" not in answer.body:
            raise StoreUnavailableError(f"{client.endpoint.base} does not answer SPARQL queries")

    def forget(self) -> None:
        """The store changed: drop what was learnt of its graphs."""

    def hidden(self, graph: str) -> bool:
        """Whether ``graph`` is the engine's or a staging graph, never listed."""
        return False

    def dataset_params(self, client: Client, union: bool, own_dataset: bool,
                       default: list[NamedNode], named: list[NamedNode]) -> list[tuple[str, str]]:
        """Protocol parameters that set the query's dataset."""
        params = [("default-graph-uri", g.value) for g in default]
        params += [("named-graph-uri", g.value) for g in named]
        return params

    def graph_names(self, client: Client) -> list[str] | None:
        """The named graphs, if the engine lists them faster than a SPARQL query
        would (``None``: ask the query, graph by graph)."""
        return None

    def fix_results(self, body: bytes) -> bytes:
        """SPARQL JSON results as pyoxigraph reads them."""
        return body

    def fix_ntriples(self, body: bytes) -> bytes:
        """N-Triples as pyoxigraph reads them."""
        return body

    def read_ntriples(self, body: BinaryIO) -> bytes:
        """The N-Triples of an answer's ``body``, read as it arrives, as pyoxigraph writes them.

        :raises QueryError: when the body is not N-Triples.
        """
        return read_ntriples(body)

    def before_read(self, client: Client, timeout: float | None = None) -> object:
        """What a query over the union of the graphs needs to know before it runs."""
        return None

    def after_read(self, client: Client, before: object,
                   timeout: float | None = None) -> list[tuple[str, str]] | None:
        """``None`` if the union query that ran after ``before`` saw no load under way;
        else the dataset parameters to run it again with."""
        return None

    def read(self, client: Client, ask: Callable[[list[tuple[str, str]]], bytes],
             dataset: list[tuple[str, str]], union: bool, timeout: float | None = None,
             own_dataset: bool = False) -> bytes:
        """The answer to one query: ``ask(dataset)``, run again if a load could
        have shown through (:meth:`before_read`, :meth:`after_read`).
        ``own_dataset``: the query names its graphs (FROM, FROM NAMED)."""
        if not union:
            return ask(dataset)
        before = self.before_read(client, timeout)
        body = ask(dataset)
        hiding = self.after_read(client, before, timeout)
        return body if hiding is None else ask(hiding)

    def graph_ntriples(self, client: Client, graph: str | None, timeout: float | None = None) -> bytes:
        """The N-Triples of the named graph ``graph`` (``None``: the default graph),
        read as atomically as any query (:meth:`read`)."""
        if graph is None and not self.has_default_graph:
            return b""
        where = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        query = [("query", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}")]

        def ask(params: list[tuple[str, str]]) -> bytes:
            return client.request("POST", self.query_path, body=_urlencode(query + params),
                                  content_type="application/x-www-form-urlencoded",
                                  accept="application/n-triples", timeout=timeout,
                                  reader=self.read_ntriples).body

        dataset = self.dataset_params(client, False, False, [], [])
        return self.read(client, ask, dataset, False, timeout)

    def update(self, client: Client, sparql: str) -> None:
        """Send one update request."""
        raise NotImplementedError

    def replace_graph(self, client: Client, graph: NamedNode, triples: Iterable[Triple],
                      ntriples: bytes | None = None) -> None:
        """Replace ``graph`` by ``triples``, atomically; ``ntriples``, if given, is
        their N-Triples as pyoxigraph writes them (``triples`` are then read only
        if some share blank nodes: see :func:`chunks`)."""
        raise NotImplementedError

    def replace_graphs(self, client: Client,
                       batch: Sequence[tuple[NamedNode, Iterable[Triple], bytes | None]]) -> None:
        """:meth:`replace_graph` for each ``(graph, triples, ntriples)`` of ``batch``
        (an engine may write many new sources together)."""
        for graph, triples, ntriples in batch:
            self.replace_graph(client, graph, triples, ntriples)

    def remove_graph(self, client: Client, graph: str) -> None:
        """Drop the graph ``graph`` (a checked IRI), in one transaction."""
        self.update(client, f"DROP SILENT GRAPH <{graph}>")




def _write_timeout(client: Client, size: int) -> float:
    return max(client.endpoint.timeout, size / _SLOWEST_WRITE)




def _rows(client: Client, path: str, query: str,
          timeout: float | None = None) -> list[dict[str, dict[str, str]]]:
    """The rows (SPARQL JSON bindings) of a ``SELECT`` the store answers itself."""
    answer = client.request("POST", path, body=_urlencode([("query", query)]),
                            content_type="application/x-www-form-urlencoded",
                            accept="application/sparql-results+json", timeout=timeout)
    rows: list[dict[str, dict[str, str]]] = json.loads(answer.body)["results"]["bindings"]
    return rows




def _urlencode(params: Sequence[tuple[str, str]]) -> bytes:
    """``params`` as a form body (``application/x-www-form-urlencoded``).

    The dataset's pairs are encoded once and remembered: on Virtuoso a query
    names every visible graph, twice, with each request, and encoding them
    took a third of a millisecond a query.  Query texts are not remembered.

    >>> _urlencode([("query", "ASK {}"), ("default-graph-uri", "urn:a b")])
    b'query=ASK+%7B%7D&default-graph-uri=urn%3Aa+b'
    """
    return b"&".join(_dataset_pair(key, value) if key in _DATASET_KEYS else _encode(key, value)
                     for key, value in params)


#: The protocol parameters that name a query's dataset.
_DATASET_KEYS = frozenset({"default-graph-uri", "named-graph-uri"})


def _encode(key: str, value: str) -> bytes:
    return urllib.parse.urlencode([(key, value)]).encode()


#: Room for the two pairs of each of some 8,000 graphs (about 3 MB).
_dataset_pair = functools.lru_cache(maxsize=16_384)(_encode)


def chunks(triples: Iterable[Triple], ntriples: bytes, size: int) -> Iterator[bytes]:
    """``ntriples`` (the serialisation of ``triples``, a line each) cut at line ends
    into pieces of at most ``size`` bytes (a longer line or blank-node group goes
    alone); the triples that share blank nodes go in one piece.  ``triples`` are
    read only when ``ntriples`` holds ``_:`` (a blank node, or a literal that
    looks like one)."""
    if may_hold_blank_nodes(ntriples):
        triples = list(triples)
        plain = not any(isinstance(t.subject, BlankNode) or isinstance(t.object, (BlankNode, Triple))
                        for t in triples)
    else:
        plain = True
    if plain:
        start = 0
        while start < len(ntriples):
            end = ntriples.rfind(b"\n", start, start + size) + 1
            if end <= start:  # one line longer than size
                end = ntriples.find(b"\n", start) + 1 or len(ntriples)
            yield ntriples[start:end]
            start = end
        return
    assert isinstance(triples, list)
    lines = ntriples.split(b"\n")[:-1]
    if len(lines) != len(triples) or any(isinstance(t.object, Triple) for t in triples):
        yield ntriples  # cannot be cut safely
        return
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    keys: list[str | None] = []
    for t in triples:
        blanks = [n.value for n in (t.subject, t.object) if isinstance(n, BlankNode)]
        for blank in blanks:
            parent.setdefault(blank, blank)
        if len(blanks) == 2:
            parent[root(blanks[0])] = root(blanks[1])
        keys.append(blanks[0] if blanks else None)
    groups: dict[str, list[bytes]] = {}
    units: list[bytes] = []
    for line, key in zip(lines, keys, strict=True):
        if key is None:
            units.append(line + b"\n")
        else:
            groups.setdefault(root(key), []).append(line + b"\n")
    units += [b"".join(group) for group in groups.values()]
    piece: list[bytes] = []
    length = 0
    for unit in units:
        if piece and length + len(unit) > size:
            yield b"".join(piece)
            piece, length = [], 0
        piece.append(unit)
        length += len(unit)
    if piece:
        yield b"".join(piece)
