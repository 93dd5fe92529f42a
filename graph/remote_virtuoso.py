"""rightsgraph on Virtuoso 7 (open-source edition).

Queries at ``/sparql``.  Virtuoso's default graph is every
graph, its own system graphs included, and its ``input:default-graph-exclude``
pragma breaks property paths (``skos:broader*`` then matches nothing), so each
query names its dataset: every graph that types a resource (as every graph
rightsgraph writes does, with its source record) but the system and staging
graphs, as ``default-graph-uri`` and ``named-graph-uri`` (the list is read
again at most every second, and after each write of this process).  The
store's own reads (quads of a graph, counts, the list of graphs) ask every
graph and leave the system and staging graphs out themselves.  Updates at
``/sparql-auth`` and Graph Store writes at ``/sparql-graph-crud-auth``, both
with HTTP Digest authentication.  Virtuoso's SPARQL compiler cannot take a large ``INSERT DATA`` (nor any with
blank nodes), and its Graph Store ``PUT`` is neither atomic nor
all-or-nothing, so a source is written with ``POST`` requests (of at most
:attr:`Virtuoso.chunk_size` bytes each, the triples that share blank nodes in
one).  A new source goes straight into its graph under a swap marker
(below) that says so, and readers leave that graph out until the marker
goes (:meth:`Virtuoso._fill`; the new sources of one batch share a marker,
up to :data:`_GROUP` of them); past its time, such a marker goes on hiding
the part its loader left, until the next load drops it
(:meth:`Virtuoso._drop_dead`).  A source that exists goes
into a staging graph of its own (``<slot>-<token>``), which every query
excludes, under one of a few slots, and is swapped in by one update (one transaction):
``MOVE`` when the source's graph holds triples, ``ADD`` and a ``DROP`` of the
staging graph when it was emptied meanwhile.  A slot is claimed in
``urn:rightsgraph:pending`` first (with the name of its staging graph, so
that the next claim drops what a loader that died left), so that at most
:data:`STAGING_SLOTS` loads write at once.
Swaps of one graph take turns: each waits for those marked before it (by the
server's clock), so that a new source is never added to twice.  Nothing is
ever deleted from an empty graph (see :meth:`Virtuoso._clear`).

Virtuoso's ``MOVE`` empties the target before it copies the staging graph in,
and a concurrent query can see that moment (no graph at all; a ``DELETE`` and
``INSERT`` in one request is worse: a reader saw part of a graph), so readers
keep apart from swaps themselves.  Before the ``MOVE`` the writer marks the
swap in ``urn:rightsgraph:pending`` (``<urn:rightsgraph:swap:…>``, with the
time it is trusted until: the writer's time limit plus :data:`SWAP_GRACE`);
after it, in one request, it moves the last-swap token on *and then* removes
the mark.  Every read (any query: the union, ``GRAPH <g>``, counts, quads; and
the list of graphs that sets the union's dataset) compares a reading of the
marks made before it was sent (the last one made, by any thread) with one
made after its answer came.  If neither shows a swap under way and the token
is the same, no ``MOVE`` overlapped the read: one that began after the first
reading was marked first, so it is still marked at the second reading or has
moved the token on, and the token moves on before the mark goes.  Otherwise
the read waits, polling the marks, until no swap is under way, and runs
again; past the store's time limit it raises
:class:`~rightsgraph.graph.remote_http.StoreUnavailableError` ("a reload … is
in progress").  A mark past its time belongs to a writer that died (or whose
``MOVE`` outlived its own limit): readers ignore it and the next swap removes
it (but for the marker of a new source written in place, above).  A quiet
store costs a read one small extra query.

Virtuoso answers booleans as
``0``/``1``, labels integers with derived types (``xsd:nonNegativeInteger``)
and names blank nodes ``nodeID://…``; all are mended here.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import BinaryIO, NamedTuple, TypeVar

from pyoxigraph import NamedNode, Triple

from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.remote_engine import (
    _POLL,
    _STALE,
    Engine,
    _rows,
    _urlencode,
    _write_timeout,
)
from rightsgraph.graph.remote_http import Client, StoreTimeoutError, StoreUnavailableError
from rightsgraph.graph.remote_loads import (
    STAGING_PREFIX,
)
from rightsgraph.graph.remote_ntriples import ntriples_of, read_ntriples

__all__ = ["PENDING_GRAPH", "STAGING_SLOTS", "SWAP_GRACE", "Virtuoso"]

PENDING_GRAPH = "urn:rightsgraph:pending"
#: How many loads may write into a Virtuoso store at the same time.
STAGING_SLOTS = 8
_SLOT_PREFIX = STAGING_PREFIX + "slot-"
#: ``<slot> _CLAIM "<token>@<server time>"``: a load holds ``slot`` since that time.
#: The time is in the claim itself: two loads that claimed a slot at the same
#: moment each release their own claim, and the other's stays whole.
_CLAIM = "urn:rightsgraph:claim"
#: Where releases before 2026-11-25 kept a claim's time (one per slot, which a
#: release could take from the other claim of a slot claimed twice at once).
_CLAIMED_AT = "urn:rightsgraph:claimedAt"
#: ``<slot> _STAGED <graph>``: a load that claimed ``slot`` stages in ``graph``
#: (kept until the load ends, so that the next claim drops what a dead loader left).
_STAGED = "urn:rightsgraph:staged"
#: ``<urn:rightsgraph:swap:<token>> _SWAPPING <graph> ; _SWAP_UNTIL <epoch seconds>``:
#: a Virtuoso load is swapping ``graph`` in, and is trusted to until that time.
_SWAP_PREFIX = "urn:rightsgraph:swap:"
_SWAPPING = "urn:rightsgraph:swapping"
_SWAP_UNTIL = "urn:rightsgraph:swapUntil"
#: The server's clock when the marker was made: orders the swaps of one graph.
_SWAP_SINCE = "urn:rightsgraph:swapSince"
#: ``<marker> _FILLING <graph>``: the swap is a new source written straight into
#: ``graph``.  Past its time the marker stays (no other swap removes it) and
#: hides ``graph`` from every read, until a load drops the part written.
_FILLING = "urn:rightsgraph:filling"
#: ``<_SWAPS> <_LAST_SWAP> "<token>"``: the last swap that ended (a new token each time).
_SWAPS = "urn:rightsgraph:swaps"
_LAST_SWAP = "urn:rightsgraph:lastSwap"
#: Bytes of N-Triples per Graph Store ``POST``.  One 300 MB ``POST`` (1.95M
#: triples) has left Virtuoso 7.2 waiting on its own locks, idle, for over ten
#: minutes ("Locks are held for a long time"); it took 46 s in another run.
#: Smaller transactions avoid that, but not too small: a million triples took
#: 14 to 19 s in 16 MiB chunks, 10.6 to 11.0 s in 64 MiB ones (9.5 to 10.2 s
#: for the raw parts of the same size, 2026-11-25).
DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024
#: Virtuoso's code for a transaction it aborted as a deadlock, which the client may retry.
_DEADLOCK = "SR172"
_DEADLOCK_RETRIES = 3
#: New sources written in place under one swap marker (:meth:`Virtuoso._fill`);
#: also the graphs a query asks whether they hold anything.
_GROUP = 200
#: Seconds a source of a group adds to the group's time limit (a request or two).
_PER_SOURCE = 1.0
#: How often a read runs again when new sources start being written in place under it.
_RERUNS = 5
#: Seconds a swap marker outlives the writer's own time limit for the ``MOVE``.
SWAP_GRACE = 60.0
#: Seconds the list of a Virtuoso store's graphs is reused before it is read again.
_GRAPH_LIST_SECONDS = 1.0
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_BOOLEAN = _XSD + "boolean"
#: Virtuoso stores every integer as a number and may label it with any of these
#: types when it answers; what rightsgraph writes is always xsd:integer.
_INTEGER_TYPES = frozenset(_XSD + name for name in (
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long",
    "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
#: The same mended in N-Triples (a closing quote is never escaped).
_DERIVED_INTEGER = re.compile(rb'(?<!\\)"\^\^<' + re.escape(_XSD.encode()) + rb"(?:"
                              + b"|".join(t[len(_XSD):].encode() for t in sorted(_INTEGER_TYPES)) + rb")>")
#: Their ends as plain bytes, replaced without a regular expression (four times
#: faster) when no literal holds an escaped quote followed by ``^^<``.
_DERIVED_ENDS = tuple(b'"^^<' + t.encode() + b">" for t in sorted(_INTEGER_TYPES))
_INTEGER_END = b'"^^<' + _XSD.encode() + b'integer>'
#: Booleans Virtuoso writes as numbers (a quote after a space never is in a literal).
_NUMERIC_BOOLEANS = tuple((b' "%s"^^<%s>' % (number, _XSD_BOOLEAN.encode()),
                           b' "%s"^^<%s>' % (word, _XSD_BOOLEAN.encode()))
                          for number, word in ((b"1", b"true"), (b"0", b"false")))
_T = TypeVar("_T")
#: A graph that does not exist: a dataset of nothing.
_NOTHING = "urn:rightsgraph:nothing"
_SYSTEM_PREFIXES = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#",
                    "http://www.w3.org/2002/07/owl#", "http://localuriqaserver/")


class _Swaps(NamedTuple):
    """The swap markers of a Virtuoso store, as one reading found them."""

    #: Each marker's IRI and the time (epoch seconds) it is trusted until.
    running: tuple[tuple[str, float], ...]
    #: The token of the last swap that ended (more than one while two end at once).
    last: tuple[str, ...]
    #: Each marker of a new source written in place: its IRI, graph and time.
    fills: tuple[tuple[str, str, float], ...] = ()

    def swapping(self, now: float, fills: bool = False) -> list[str]:
        """The markers of swaps under way that readers wait for: the stale ones
        (past their time) left out, and unless ``fills`` those of new sources
        being written in place (readers leave those graphs out instead)."""
        filling = {marker for marker, _graph, _until in self.fills}
        return [marker for marker, until in self.running
                if until > now and (fills or marker not in filling)]

    def filling(self) -> dict[str, str]:
        """The graphs of new sources being written in place, or left part written
        by a loader that died, each with its marker: hidden from every read."""
        return {graph: marker for marker, graph, _until in self.fills}

    def dead(self, now: float) -> dict[str, str]:
        """Those of :meth:`filling` whose loader died (or gave up): the marker past its time."""
        return {graph: marker for marker, graph, until in self.fills if until <= now}




class _Source(NamedTuple):
    """A source to write: its graph, its triples and their N-Triples."""

    graph: str
    triples: Iterable[Triple]
    ntriples: bytes


class Virtuoso(Engine):
    """OpenLink Virtuoso 7 (open-source edition)."""

    name = "Virtuoso"
    query_path = "/sparql"
    blank_iri = "nodeID://"
    has_default_graph = False

    def __init__(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        super().__init__(chunk_size)  # per Graph Store POST into a staging graph
        self.system_graphs: list[str] = []
        self._visible: tuple[float, list[str]] | None = None
        self._seen: _Swaps | None = None

    def prepare(self, client: Client) -> None:
        super().prepare(client)
        self.system_graphs = [g for g in self._all_graphs(client) if g.startswith(_SYSTEM_PREFIXES)]

    def forget(self) -> None:
        self._visible = None

    def dataset_params(self, client: Client, union: bool, own_dataset: bool,
                       default: list[NamedNode], named: list[NamedNode]) -> list[tuple[str, str]]:
        if (own_dataset or not union) and not default and not named:
            # Every graph, as for GRAPH <iri> and the store's own listings, which
            # leave out the hidden ones (:meth:`hidden`).
            return []
        visible = self._visible_graphs(client) or [_NOTHING]
        chosen = [g.value for g in default] or [g for g in visible if g != PENDING_GRAPH]
        return ([("default-graph-uri", g) for g in chosen]
                + [("named-graph-uri", g) for g in ([g.value for g in named] or visible)])

    def hidden(self, graph: str) -> bool:
        return _internal(graph) or graph in self._filling()

    def _filling(self) -> dict[str, str]:
        """The graphs hidden as new sources written in place, as last read (:meth:`_Swaps.filling`)."""
        return self._seen.filling() if self._seen is not None else {}

    def graph_names(self, client: Client) -> list[str] | None:
        # From the index of types (as the datasets of queries are), where listing
        # every graph that holds a triple scans every quad (2 s for 50,000).
        return [g for g in self._visible_graphs(client) if not self.hidden(g)]

    def _visible_graphs(self, client: Client) -> list[str]:
        now = time.monotonic()
        if self._visible is None or now - self._visible[0] > _GRAPH_LIST_SECONDS:
            hidden = set(self.system_graphs)
            # Read apart from any swap: a graph being swapped in is empty for a moment.
            listed = self._apart_from_swaps(client, lambda: self._all_graphs(client), None)
            hidden.update(self._filling())
            graphs = [g for g in listed if g not in hidden and not g.startswith(_SLOT_PREFIX)]
            self._visible = (now, graphs)
        return self._visible[1]

    def read(self, client: Client, ask: Callable[[list[tuple[str, str]]], bytes],
             dataset: list[tuple[str, str]], union: bool, timeout: float | None = None,
             own_dataset: bool = False) -> bytes:
        # Every read, not only the union: Virtuoso's MOVE empties the target
        # before it copies the staging graph in, and readers can see that.  A
        # new source written in place is left out of the dataset instead (a
        # query that names its own dataset waits for it), and so is one a loader
        # left part written; the answer stands if the reading after it hides no
        # graph the run did not leave out.
        for _ in range(_RERUNS):
            excluded: dict[str, str] = {}

            def run() -> bytes:
                nonlocal excluded
                hiding = self._filling()
                if hiding:  # as an older reading found them: one may be gone since
                    self._swaps(client, timeout)
                    hiding = self._filling()
                if not hiding:
                    return ask(dataset)
                if own_dataset:  # (a load under way was waited for)
                    raise StoreUnavailableError(
                        f"a load of {', '.join(sorted(hiding))} stopped part way at the store at "
                        f"{client.endpoint.base}; a query that names its own dataset (FROM) can "
                        "be answered once that source is loaded again, or the next load of "
                        "any source has dropped what was written")
                excluded = hiding
                return ask(self._without(client, dataset, hiding))

            answer = self._apart_from_swaps(client, run, timeout, fills=own_dataset)
            if set(self._filling()) <= set(excluded):
                return answer
        raise StoreUnavailableError(
            f"new sources keep being loaded at the store at {client.endpoint.base}; "
            "try again in a moment")

    def _without(self, client: Client, dataset: list[tuple[str, str]],
                 dead: dict[str, str]) -> list[tuple[str, str]]:
        """``dataset`` with the graphs in ``dead`` left out; every graph (an empty
        ``dataset``) becomes every visible graph."""
        if not dataset:
            visible = self._visible_graphs(client)
            return ([("default-graph-uri", g) for g in visible if g != PENDING_GRAPH]
                    + [("named-graph-uri", g) for g in visible]) or [
                ("default-graph-uri", _NOTHING), ("named-graph-uri", _NOTHING)]
        kept = [(key, value) for key, value in dataset if value not in dead]
        for key in ("default-graph-uri", "named-graph-uri"):
            if any(k == key for k, _ in dataset) and not any(k == key for k, _ in kept):
                kept.append((key, _NOTHING))
        return kept

    def _apart_from_swaps(self, client: Client, run: Callable[[], _T], timeout: float | None,
                          fills: bool = False) -> _T:
        """``run()``'s answer, from a run that no swap overlapped.

        The reading of the markers made last (by any thread: it was answered
        before this run starts) is compared with one made after the run: if
        no swap was under way at either and none ended between them (the
        last-swap token is the same), no ``MOVE`` overlapped the run, since a
        writer marks a swap before its ``MOVE`` and moves the token on after
        it.  Otherwise wait until no swap is under way and run again.  New
        sources written in place count as swaps only with ``fills``.

        :raises StoreUnavailableError: when swaps go on past the time limit.
        """
        limit = client.endpoint.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        before = self._seen if self._seen is not None else self._swaps(client, timeout)
        while True:
            if not before.swapping(time.time(), fills):
                answer = run()
                after = self._swaps(client, timeout)
                if not after.swapping(time.time(), fills) and after.last == before.last:
                    return answer
                if time.monotonic() > deadline:
                    raise _reloading(client, limit)
            before = self._settled(client, deadline, limit, timeout, fills)

    def _settled(self, client: Client, deadline: float, limit: float,
                 timeout: float | None, fills: bool = False) -> _Swaps:
        """A reading of the markers with no swap under way, waiting for one up to ``deadline``."""
        while True:
            reading = self._swaps(client, timeout)
            if not reading.swapping(time.time(), fills):
                return reading
            if time.monotonic() + _POLL > deadline:
                raise _reloading(client, limit)
            time.sleep(_POLL)

    def _swaps(self, client: Client, timeout: float | None = None) -> _Swaps:
        """Read the swap markers (one small query)."""
        return self._survey(client, (), timeout)[0]

    def _survey(self, client: Client, graphs: Sequence[str] = (),
                timeout: float | None = None) -> tuple[_Swaps, set[str]]:
        """Read the swap markers and which of ``graphs`` hold anything (one small
        query for the markers and the first :data:`_GROUP` graphs, one more for
        each further :data:`_GROUP`)."""
        pending = f"<{PENDING_GRAPH}>"
        first, rest = graphs[:_GROUP], graphs[_GROUP:]
        holds = f" UNION {{ {_holding_query(first)} }}" if first else ""
        query = (f"SELECT ?m ?until ?f ?last ?h WHERE {{ {{ GRAPH {pending} {{ ?m <{_SWAP_UNTIL}> ?until "
                 f"OPTIONAL {{ ?m <{_FILLING}> ?f }} }} }}"
                 f" UNION {{ GRAPH {pending} {{ <{_SWAPS}> <{_LAST_SWAP}> ?last }} }}{holds} }}")
        rows = [row for row in _rows(client, self.query_path, query, timeout)
                if "m" not in row or _marker(row["m"]["value"])]
        running = {(row["m"]["value"], _number(row["until"]["value"])) for row in rows if "m" in row}
        # (the IRIs read back go into updates: only those that are IRIs indeed)
        fills = [(row["m"]["value"], row["f"]["value"], _number(row["until"]["value"]))
                 for row in rows if "m" in row and "f" in row and row["f"]["type"] == "uri"
                 and _is_iri(row["f"]["value"])]
        reading = _Swaps(tuple(sorted(running)),
                         tuple(sorted(row["last"]["value"] for row in rows if "last" in row)),
                         tuple(sorted(fills)))
        self._seen = reading
        holding = {row["h"]["value"] for row in rows if "h" in row}
        for start in range(0, len(rest), _GROUP):
            holding.update(row["h"]["value"] for row in _rows(
                client, self.query_path, _holding_query(rest[start:start + _GROUP]), timeout))
        return reading, holding

    def begin_swap(self, client: Client, graph: str | Sequence[str], seconds: float) -> str:
        """Mark that ``graph`` (or each of several graphs) is being swapped in, for
        ``seconds`` at most (plus :data:`SWAP_GRACE`); markers past their time
        are removed (but for those of new sources written in place, which hide
        what their loader left until it is dropped: :meth:`_drop_dead`).
        Returns the marker.

        The marker also records the server's clock when it was made
        (:data:`_SWAP_SINCE`), which orders the swaps of one graph
        (:meth:`_turn`)."""
        marker = f"{_SWAP_PREFIX}{uuid.uuid4().hex}"
        until = int(time.time() + seconds + SWAP_GRACE)
        graphs = ", ".join(f"<{g}>" for g in ([graph] if isinstance(graph, str) else graph))
        pending = f"<{PENDING_GRAPH}>"
        self.update(client, (
            _forget_stale() + " ;\n"
            f"INSERT {{ GRAPH {pending} {{ <{marker}> <{_SWAPPING}> {graphs} ; "
            f"<{_SWAP_UNTIL}> {until} ; <{_SWAP_SINCE}> ?now }} }}\n"
            f"WHERE {{ BIND(NOW() AS ?now) }}"
        ))
        return marker

    def _turn(self, client: Client, graph: str | Sequence[str], marker: str,
              limit: float) -> set[str]:
        """Wait until no older swap of ``graph`` (or of any of several graphs) is
        under way (a swap marked later waits for this one in turn), then tell
        which of them hold anything.

        :raises StoreUnavailableError: when older swaps go on past ``limit`` seconds.
        """
        pending = f"<{PENDING_GRAPH}>"
        query = (
            f"SELECT ?m ?until ?h WHERE {{\n"
            f"  {{ GRAPH {pending} {{ <{marker}> <{_SWAP_SINCE}> ?mine ; <{_SWAPPING}> ?g .\n"
            f"      ?m <{_SWAPPING}> ?g ; <{_SWAP_SINCE}> ?since ; <{_SWAP_UNTIL}> ?until\n"
            f"      FILTER(?m != <{marker}> && (?since < ?mine || (?since = ?mine && "
            f"STR(?m) < \"{marker}\"))) }} }}\n"
            f"  UNION {{ {_holding_query([graph] if isinstance(graph, str) else graph)} }}\n"
            f"}}"
        )
        deadline = time.monotonic() + limit
        while True:
            rows = _rows(client, self.query_path, query)
            now = time.time()
            older = [row for row in rows if "m" in row and _number(row["until"]["value"]) > now]
            if not older:
                return {row["h"]["value"] for row in rows if "h" in row}
            if time.monotonic() + _POLL > deadline:
                raise _reloading(client, limit)
            time.sleep(_POLL)

    def end_swap(self, client: Client, marker: str, then: str = "") -> None:
        """The swap marked by ``marker`` ended: move the last-swap token on, then
        remove the marker (in that order, so that no reader sees neither); then
        the update ``then``, if given, in the same request."""
        token = uuid.uuid4().hex
        pending = f"<{PENDING_GRAPH}>"
        self.update(client, (
            f"INSERT DATA {{ GRAPH {pending} {{ <{_SWAPS}> <{_LAST_SWAP}> \"{token}\" }} }} ;\n"
            f"DELETE {{ GRAPH {pending} {{ <{_SWAPS}> <{_LAST_SWAP}> ?t }} }}\n"
            f"WHERE {{ GRAPH {pending} {{ <{_SWAPS}> <{_LAST_SWAP}> ?t\n"
            f"        FILTER(STR(?t) != \"{token}\") }} }} ;\n"
            f"DELETE {{ GRAPH {pending} {{ <{marker}> ?p ?o }} }}\n"
            f"WHERE {{ GRAPH {pending} {{ <{marker}> ?p ?o }} }}"
            + (f" ;\n{then}" if then else "")
        ))

    def _all_graphs(self, client: Client) -> list[str]:
        # Graphs that type something: answered from an index at once, where listing
        # every graph scans every quad.  Each graph rightsgraph writes types itself.
        query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a ?t } }"
        return sorted(b["g"]["value"] for b in _rows(client, self.query_path, query))

    def fix_results(self, body: bytes) -> bytes:
        results = json.loads(body)
        if results.get("head", {}).get("vars") == ["__ASK_RETVAL"]:  # ASK with an empty pattern
            rows = results["results"]["bindings"]
            return json.dumps({"head": {}, "boolean": bool(rows) and
                               rows[0]["__ASK_RETVAL"]["value"] == "1"}).encode()
        for row in results.get("results", {}).get("bindings", []):
            for value in row.values():
                kind = value.get("type")
                if kind == "bnode" and value["value"].startswith(self.blank_iri or ""):
                    value["value"] = value["value"][len(self.blank_iri or ""):]
                elif kind == "typed-literal":
                    value["type"] = "literal"
                if value.get("datatype") in _INTEGER_TYPES:
                    value["datatype"] = _XSD + "integer"
                if value.get("datatype") == _XSD_BOOLEAN and value["value"] in ("0", "1"):
                    value["value"] = "true" if value["value"] == "1" else "false"
        return json.dumps(results).encode()

    def read_ntriples(self, body: BinaryIO) -> bytes:
        return read_ntriples(body, self.fix_ntriples)

    def fix_ntriples(self, body: bytes) -> bytes:
        body = body.replace(b"\t", b" ")
        if b'\\"^^<' in body:  # a literal may hold a lookalike: tell them apart
            body = _DERIVED_INTEGER.sub(_INTEGER_END, body)
        else:
            for end in _DERIVED_ENDS:
                if end in body:
                    body = body.replace(end, _INTEGER_END)
        for number, word in _NUMERIC_BOOLEANS:
            if number in body:
                body = body.replace(number, word)
        return body

    def update(self, client: Client, sparql: str, timeout: float | None = None) -> None:
        self._require_credentials(client)
        self._visible = None
        client.request("POST", "/sparql-auth", body=_urlencode([("query", sparql)]),
                       content_type="application/x-www-form-urlencoded", accept="application/json",
                       timeout=timeout)

    def replace_graph(self, client: Client, graph: NamedNode, triples: Iterable[Triple],
                      ntriples: bytes | None = None) -> None:
        """Replace ``graph`` by ``triples`` (:meth:`replace_graphs` of one)."""
        self.replace_graphs(client, [(graph, triples, ntriples)])

    def replace_graphs(self, client: Client,
                       batch: Sequence[tuple[NamedNode, Iterable[Triple], bytes | None]]) -> None:
        """Replace each graph of ``batch`` by its triples: new sources straight
        into their graphs, in groups (:meth:`_fill`), those that exist each
        through a staging graph (:meth:`_stage`).  Graphs that loaders which
        died left part written are dropped first."""
        sources = [_Source(graph.value, triples, ntriples_of(triples) if ntriples is None else ntriples)
                   for graph, triples, ntriples in batch]
        reading, holding = self._survey(client, [source.graph for source in sources])
        now = time.time()
        dead = reading.dead(now)
        self._drop_dead(client, dead)
        loading = {g for _m, g, until in reading.fills if until > now}
        fresh: list[_Source] = []
        staged: list[_Source] = []
        for source in sources:
            if not source.ntriples:
                self.remove_graph(client, source.graph)
            elif (source.graph not in holding or source.graph in dead) and source.graph not in loading:
                fresh.append(source)
            else:
                staged.append(source)
        for start in range(0, len(fresh), _GROUP):
            staged += self._fill(client, fresh[start:start + _GROUP])
        for source in staged:
            self._stage(client, source.graph, source.triples, source.ntriples)

    def _fill(self, client: Client, group: Sequence[_Source]) -> list[_Source]:
        """Write the new sources of ``group`` in place, under one swap marker.
        Returns those it did not write: the graphs that hold something by its
        turn (another load was first).

        Once its turn has come, the marker says it fills each graph found
        empty (:data:`_FILLING`), and in the same update the markers of loads
        of those graphs that died before they wrote anything are forgotten: a
        filling marker past its time thus always hides a part its loader
        wrote.  Readers do not wait for the chunks: they leave the group's
        graphs out until the marker goes, so the group appears whole or not
        at all.  A load that timed out leaves the marker (the server may still
        be writing), one that failed otherwise drops what it wrote.  Each chunk
        is sent within the time limit counted from the turn (the marker allows
        for the wait too).  One marker for many small sources costs three small
        updates where one per source cost three each."""
        total = sum(len(source.ntriples) for source in group)
        limit = _write_timeout(client, total) + _PER_SOURCE * (len(group) - 1)
        graphs = [source.graph for source in group]
        marker = self.begin_swap(client, graphs, 2 * limit)
        written: list[str] = []
        try:
            holding = self._turn(client, graphs, marker, limit)
            filled = [source for source in group if source.graph not in holding]
            if not filled:
                self.end_swap(client, marker)
                return list(group)
            # Read after the turn: every marker of these graphs made before this
            # one is dead by now or gone, and those made after wait for this one.
            now = time.time()
            mine = {source.graph for source in filled}
            dead = [(m, g) for m, g, until in self._swaps(client).fills
                    if until <= now and m != marker and g in mine]
            pending = f"<{PENDING_GRAPH}>"
            marks = ", ".join(f"<{source.graph}>" for source in filled)
            self.update(client, f"INSERT DATA {{ GRAPH {pending} {{ <{marker}> <{_FILLING}> "
                                f"{marks} }} }}" + _forget_marks(dead))
            deadline = time.monotonic() + limit
            for source in filled:
                def post(chunk: bytes, sent: Callable[[], None] | None,
                         graph: str = source.graph) -> None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise _OutOfTime
                    self._post(client, graph, chunk, min(left, _write_timeout(client, len(chunk))),
                               sent)

                written.append(source.graph)
                self.post_chunks(source.triples, source.ntriples, post)
        except StoreTimeoutError:
            raise  # the marker stays, and hides the graphs until a load drops them
        except BaseException as exc:
            try:  # nothing is in flight: what was written goes
                for graph in written:
                    self._clear(client, graph, quietly=False)
                self.end_swap(client, marker)
            except (StoreUnavailableError, QueryError):
                pass  # the store is failing: the marker hides the graphs until a load drops them
            if isinstance(exc, _OutOfTime):
                what = graphs[0] if len(graphs) == 1 else f"{len(graphs)} sources ({graphs[0]}, …)"
                raise StoreTimeoutError(
                    f"the load of {what} into the store at {client.endpoint.base} did not "
                    f"finish within {limit:g} s") from None
            raise
        self.end_swap(client, marker)
        return [source for source in group if source.graph in holding]

    def _drop_dead(self, client: Client, dead: dict[str, str]) -> None:
        """Drop each graph in ``dead`` (a loader that died left it part written)
        with its marker (:meth:`_drop_in_turn`).  A store that fails leaves the
        graph hidden, for the next load to drop."""
        for graph, dead_marker in sorted(dead.items()):
            try:
                self._drop_in_turn(client, graph, dead_marker)
            except (StoreUnavailableError, QueryError):
                pass

    def remove_graph(self, client: Client, graph: str) -> None:
        """Drop ``graph`` (if it holds anything: see :meth:`_clear`), in a swap of
        its own, so that it never meets a load of the same graph half way."""
        if _internal(graph):
            self._clear(client, graph, quietly=False)
            return
        self._drop_in_turn(client, graph)

    def _drop_in_turn(self, client: Client, graph: str, dead_marker: str | None = None) -> None:
        """Drop ``graph`` and forget the markers of dead loads of it, in a swap of
        its own: after the swaps of the graph marked before, before those marked
        after.  With ``dead_marker``, only while that marker is still there (a
        load marked before may have replaced the graph whole and forgotten it).
        A timeout leaves the swap marked (the server may still be dropping).

        :raises StoreUnavailableError: when the store fails.
        """
        limit = client.endpoint.timeout
        marker = self.begin_swap(client, graph, limit)
        forget = ""
        try:
            self._turn(client, graph, marker, limit)
            still = (f"SELECT ?u WHERE {{ GRAPH <{PENDING_GRAPH}> {{ "
                     f"<{dead_marker}> <{_FILLING}> <{graph}> ; <{_SWAP_UNTIL}> ?u }} }}")
            if dead_marker is None or _rows(client, self.query_path, still):
                self._clear(client, graph, quietly=False)
                forget = _forget_dead(graph)
        except StoreTimeoutError:
            raise
        except BaseException:
            self._ending(client, marker, "")
            raise
        if not self._ending(client, marker, forget) and forget:
            raise StoreUnavailableError(
                f"the store at {client.endpoint.base} failed while {graph} was dropped")

    def _stage(self, client: Client, graph: str, triples: Iterable[Triple], ntriples: bytes) -> None:
        """Replace ``graph`` through a staging graph of its own, swapped in by
        one update; the markers of a dead loader's part of ``graph`` go with it."""
        target = f"<{graph}>"
        slot, token = self._claim(client)
        staging = _staging(slot, token)
        marker = None
        forget = True  # whether the release forgets the staging graph
        swapped = False
        # A large source takes a while to parse and to copy: it is slow, not lost.
        limit = _write_timeout(client, len(ntriples))
        try:
            self.post_chunks(triples, ntriples, lambda chunk, sent: self._post(
                client, staging, chunk, _write_timeout(client, len(chunk)), sent))
            marker = self.begin_swap(client, graph, limit)
            if graph in self._turn(client, graph, marker, limit):
                self.update(client, f"MOVE SILENT <{staging}> TO {target}", timeout=limit)
            else:
                # A new source: copied in without emptying the target first
                # (see _clear for why an empty graph is never deleted).
                self.update(client, f"ADD SILENT <{staging}> TO {target} ;\n"
                                    f"DROP SILENT GRAPH <{staging}>", timeout=limit)
            swapped = True
        except StoreTimeoutError:
            # The server may still be writing or moving: the marker stays until its
            # time is up, and so does the record of the staging graph, which the
            # next claim of the slot drops (it may fill after the drop here).
            marker = None
            forget = False
            self._clear(client, staging)
            raise
        except BaseException:
            self._clear(client, staging)
            raise
        finally:
            release = _release(slot, token, forget_staging=forget)
            if swapped:
                release += " ;\n" + _forget_dead(graph)
            if marker is None or not self._ending(client, marker, release):
                self._quietly(client, release)

    def _post(self, client: Client, staging: str, ntriples: bytes, limit: float,
              sent: Callable[[], None] | None = None) -> None:
        """Add ``ntriples`` (a chunk) to the staging graph ``staging``; a write that
        Virtuoso aborted as a deadlock (it asks the client to retry) is sent
        again, a few times (the same triples again: nothing doubles).

        Graph Store ``POST``, not ``PUT``: Virtuoso's ``PUT`` first clears the
        graph, which is empty, and that spoils the next delete from it
        (:meth:`_clear`)."""
        for attempt in range(_DEADLOCK_RETRIES + 1):
            try:
                client.request("POST", "/sparql-graph-crud-auth", params=[("graph-uri", staging)],
                               body=ntriples, content_type="text/turtle", timeout=limit,
                               on_sent=sent)
                return
            except StoreUnavailableError as exc:
                if _DEADLOCK not in str(exc) or attempt == _DEADLOCK_RETRIES:
                    raise
                time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))

    def _clear(self, client: Client, graph: str, *, quietly: bool = True) -> None:
        """Drop ``graph`` if it holds anything (errors ignored when ``quietly``).

        Never a delete from an empty graph: Virtuoso 7.2 then plans the
        deletes from that graph for the next half minute or so as if it
        were still empty (an estimate of 0.3 rows), and the plan it picks
        reads the whole of a predicate for every triple: 22 s instead of
        0.4 s to drop 40,000 triples that share one predicate, and
        quadratic beyond.  A select does not spoil it."""
        query = f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT 1"
        try:
            if _rows(client, self.query_path, query):
                self.update(client, f"DROP SILENT GRAPH <{graph}>")
        except (StoreUnavailableError, QueryError):
            if not quietly:
                raise
            # the store is failing; a later load or the stale-claim rule cleans up

    def _ending(self, client: Client, marker: str, then: str) -> bool:
        """End the swap of ``marker`` and run ``then`` in the same request; whether that went."""
        try:
            self.end_swap(client, marker, then)
            return True
        except (StoreUnavailableError, QueryError):
            return False  # the store is failing; readers pass the marker once its time is up

    def _claim(self, client: Client) -> tuple[str, str]:
        """Claim a free slot for a load, whose staging graph is then
        :func:`_staging` of the slot and the returned token; a claim older
        than :data:`_STALE` is free.

        Each load stages in a graph of its own: Virtuoso plans a delete from a
        graph by what the last delete from it found for some tens of seconds
        (:meth:`_clear`), so a graph reused with more triples is dropped by a
        plan for fewer (52 s instead of 1 s for 40,000 after 30)."""
        token = uuid.uuid4().hex
        stale = (datetime.now(UTC) - _STALE).strftime("%Y-%m-%dT%H:%M:%SZ")
        slots = list(range(STAGING_SLOTS))
        random.shuffle(slots)
        for number in slots:
            slot = f"{_SLOT_PREFIX}{number}"
            self.update(client, _claim_update(slot, token, stale))
            holders, staged = self._slot(client, slot)
            if holders == [token]:
                try:
                    self._clear_leftovers(client, slot, _staging(slot, token), staged)
                except BaseException:
                    self._quietly(client, _release(slot, token))
                    raise
                return slot, token
            if token in holders:  # another loader claimed it at the same moment
                self._quietly(client, _release(slot, token))
        raise StoreUnavailableError(
            f"{STAGING_SLOTS} loads are writing to the store at {client.endpoint.base} "
            "already; try again when one has finished"
        )

    def _clear_leftovers(self, client: Client, slot: str, mine: str,
                         staged: list[str] | None = None) -> None:
        """Drop the staging graphs of ``slot`` that loaders which died left
        (``staged``: the slot's staging graphs on record, if just read)."""
        pending = f"<{PENDING_GRAPH}>"
        for left in self._slot(client, slot)[1] if staged is None else staged:
            if left != mine and left.startswith(_SLOT_PREFIX):
                self._clear(client, left, quietly=False)
                self.update(client, f"DELETE DATA {{ GRAPH {pending} {{ <{slot}> <{_STAGED}> <{left}> }} }}")

    def _slot(self, client: Client, slot: str) -> tuple[list[str], list[str]]:
        """The tokens of the claims on ``slot`` and the staging graphs on its record (one query)."""
        pending = f"<{PENDING_GRAPH}>"
        query = (f"SELECT ?t ?g WHERE {{ GRAPH {pending} {{ {{ <{slot}> <{_CLAIM}> ?t }} "
                 f"UNION {{ <{slot}> <{_STAGED}> ?g }} }} }}")
        rows = _rows(client, self.query_path, query)
        return (sorted(b["t"]["value"].split("@", 1)[0] for b in rows if "t" in b),
                sorted(b["g"]["value"] for b in rows if "g" in b and b["g"]["type"] == "uri"
                       and _is_iri(b["g"]["value"])))

    def _quietly(self, client: Client, sparql: str) -> None:
        try:
            self.update(client, sparql)
        except (StoreUnavailableError, QueryError):
            pass  # the store is failing; a later load or the stale-claim rule cleans up

    @staticmethod
    def _require_credentials(client: Client) -> None:
        if client.endpoint.credentials is None:
            raise StoreUnavailableError(
                "writing to Virtuoso needs a user with SPARQL update rights: set "
                "RIGHTSGRAPH_STORE_USER and RIGHTSGRAPH_STORE_PASSWORD"
            )




def _reloading(client: Client, limit: float) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"a reload of a source is in progress at the store at {client.endpoint.base} "
        f"and did not finish within {limit:g} s; try again when it has finished"
    )


def _claim_update(slot: str, token: str, stale: str) -> str:
    """Take ``slot`` for ``token`` unless a live claim holds it.

    Claims older than ``stale`` are removed first, and so are those without a
    time (left by releases before 2026-11-25, whose times are dropped too)."""
    graph = f"<{PENDING_GRAPH}>"
    return (
        f"DELETE {{ GRAPH {graph} {{ <{slot}> <{_CLAIM}> ?t }} }}\n"
        f"WHERE {{ GRAPH {graph} {{ <{slot}> <{_CLAIM}> ?t }}\n"
        f"        FILTER(STRAFTER(STR(?t), \"@\") < \"{stale}\") }} ;\n"
        f"DELETE {{ GRAPH {graph} {{ <{slot}> <{_CLAIMED_AT}> ?at }} }}\n"
        f"WHERE {{ GRAPH {graph} {{ <{slot}> <{_CLAIMED_AT}> ?at }} }} ;\n"
        f"INSERT {{ GRAPH {graph} {{ <{slot}> <{_CLAIM}> ?claim ; "
        f"<{_STAGED}> <{_staging(slot, token)}> }} }}\n"
        f"WHERE {{ BIND(CONCAT(\"{token}@\", STR(NOW())) AS ?claim)\n"
        f"        FILTER NOT EXISTS {{ GRAPH {graph} {{ <{slot}> <{_CLAIM}> ?other }} }} }}"
    )


def _release(slot: str, token: str, *, forget_staging: bool = True) -> str:
    """Free ``slot`` of the claim of ``token`` (only that one), and
    (``forget_staging``) forget the staging graph of this claim: empty by now,
    or dropped as the load failed.  A staging graph kept on record is dropped
    by the next claim of the slot."""
    graph = f"<{PENDING_GRAPH}>"
    forget = (f"DELETE DATA {{ GRAPH {graph} {{ <{slot}> <{_STAGED}> <{_staging(slot, token)}> }} }} ;\n"
              if forget_staging else "")
    return (forget
            + f"DELETE {{ GRAPH {graph} {{ <{slot}> <{_CLAIM}> ?t }} }}\n"
            f"WHERE {{ GRAPH {graph} {{ <{slot}> <{_CLAIM}> ?t }} "
            f"FILTER(STRSTARTS(STR(?t), \"{token}@\")) }}")


class _OutOfTime(Exception):
    """A load's time ran out between two chunks (none was in flight)."""


def _is_iri(value: str) -> bool:
    """Whether ``value`` (read back from the store) is an IRI that may go into an update."""
    try:
        NamedNode(value)
    except ValueError:
        return False
    return not any(c in value for c in '<>"{}|^`\\ ')


def _marker(value: str) -> bool:
    """Whether ``value`` names a swap marker."""
    return value.startswith(_SWAP_PREFIX) and _is_iri(value)


def _internal(graph: str) -> bool:
    """Whether ``graph`` is Virtuoso's own or rightsgraph's bookkeeping."""
    return graph == PENDING_GRAPH or graph.startswith((*_SYSTEM_PREFIXES, _SLOT_PREFIX))


def _forget_dead(graph: str) -> str:
    """The update that forgets the markers past their time of new sources
    written in place into ``graph`` (their loader died; the graph was replaced
    or dropped since).  A marker of several graphs loses only this graph's
    marks; one left with none goes at the next :meth:`Virtuoso.begin_swap`
    (:func:`_forget_stale`)."""
    pending = f"<{PENDING_GRAPH}>"
    return (f"DELETE {{ GRAPH {pending} {{ ?m <{_FILLING}> <{graph}> . ?m <{_SWAPPING}> <{graph}> }} }}\n"
            f"WHERE {{ GRAPH {pending} {{ ?m <{_FILLING}> <{graph}> ; <{_SWAP_UNTIL}> ?u }}\n"
            f"        FILTER(?u < {int(time.time())}) }}")


def _forget_marks(dead: Sequence[tuple[str, str]]) -> str:
    """The rest of an update (`` ;`` and a ``DELETE DATA``; nothing if ``dead`` is
    empty) that forgets each ``(marker, graph)`` of ``dead``: the marks of
    loads of ``graph`` that died before they wrote anything.

    Data, not a pattern: a ``DELETE … WHERE`` that joins the pending graph's
    marks with themselves was refused now and then by Virtuoso 7.2 once the
    store held a million triples ("The estimated execution time 0 (sec)
    exceeds the limit of 400 (sec)")."""
    if not dead:
        return ""
    pending = f"<{PENDING_GRAPH}>"
    marks = " ".join(f"<{m}> <{_FILLING}> <{g}> . <{m}> <{_SWAPPING}> <{g}> ." for m, g in dead)
    return f" ;\nDELETE DATA {{ GRAPH {pending} {{ {marks} }} }}"


def _forget_stale() -> str:
    """The update that removes the swap markers past their time, but for those
    of new sources written in place (:data:`_FILLING`), which hide what their
    loader left until it is dropped."""
    pending = f"<{PENDING_GRAPH}>"
    return (f"DELETE {{ GRAPH {pending} {{ ?m ?p ?o }} }}\n"
            f"WHERE {{ GRAPH {pending} {{ ?m <{_SWAP_UNTIL}> ?u ; ?p ?o\n"
            f"        FILTER NOT EXISTS {{ ?m <{_FILLING}> ?f }} }}\n"
            f"        FILTER(?u < {int(time.time())}) }}")


def _holding_query(graphs: Sequence[str]) -> str:
    """A query for those of ``graphs`` (at most :data:`_GROUP`: Virtuoso compiles a
    few thousand into more code than it allows) that hold anything, as ``?h``."""
    listed = " ".join(f"<{g}>" for g in graphs)
    return f"SELECT ?h WHERE {{ VALUES ?h {{ {listed} }} FILTER EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} }} }}"


def _staging(slot: str, token: str) -> str:
    """The staging graph of the load that claimed ``slot`` with ``token``."""
    return f"{slot}-{token}"


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0  # unreadable: stale


