"""The store: an embedded on-disk (or in-memory) Oxigraph dataset, or a
remote SPARQL server (Oxigraph server, Virtuoso 7) named by an http(s) URL.

One process owns an on-disk store at a time; a second one gets a
:class:`~rightsgraph.graph.errors.StoreLockedError` that says which process
holds it.  Each loaded source lives in its own named graph, and the ontology
files live in theirs.  Queries see the union of all graphs as their default
graph.

A remote store (:mod:`rightsgraph.graph.remote`) keeps the same rules: the
object behind :attr:`GraphStore.raw` offers the pyoxigraph calls the rest of
the package makes, over the SPARQL 1.1 Protocol, and any number of processes
may use the server at once.

>>> store = GraphStore.memory()
>>> g = NamedNode("https://example.org/g")
>>> ex = NamedNode("https://example.org/x")
>>> store.replace_graph(g, [Triple(ex, RDFS.label, Literal("x"))])
1
>>> store.replace_graph(g, [Triple(ex, RDFS.label, Literal("y"))])
1
>>> [s["l"].value for s in store.query("SELECT ?x ?l WHERE { ?x rdfs:label ?l }",
...     substitutions={Variable("x"): ex})]
['y']
"""

from __future__ import annotations

import errno
import fcntl
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence, Sized
from pathlib import Path
from types import TracebackType
from typing import Any

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
)

from rightsgraph import ontology
from rightsgraph.graph.errors import QueryError, RightsgraphError, StoreLockedError
from rightsgraph.graph.guard import refuse_network_access
from rightsgraph.graph.provenance import SourceRecord
from rightsgraph.graph.remote import RemoteStore, is_remote_location
from rightsgraph.graph.remote_http import DEFAULT_TIMEOUT, Credentials, Endpoint
from rightsgraph.graph.serialized import SerializedTriples
from rightsgraph.ontology.terms import PREFIXES, RDF, RDFS, RG  # noqa: F401  (RDFS: doctest)

__all__ = ["GraphStore", "QueryResult", "STAGING_PREFIX", "DEFAULT_LOCATION"]

#: Where the CLI keeps its store when neither --store nor RIGHTSGRAPH_STORE is given.
DEFAULT_LOCATION = "./rightsgraph-data"
#: Graph names used while a source is being replaced; never visible after a load.
STAGING_PREFIX = "urn:rightsgraph:staging:"
#: A small graph listing the graphs being written, so a crash can be undone.
_PENDING_GRAPH = NamedNode("urn:rightsgraph:pending")
# Above this many triples a write goes through the bulk loader (see GraphStore._write).
_TRANSACTION_LIMIT = 50_000
_PENDING = NamedNode("urn:rightsgraph:Pending")
LOCK_FILE = "rightsgraph.lock"

QueryResult = QuerySolutions | QueryTriples | QueryBoolean

_SOURCES = """
SELECT ?graph ?file ?sha ?loader ?version ?at WHERE {
  GRAPH ?graph {
    ?graph a rg:SourceGraph ; rg:fileName ?file ; rg:sha256 ?sha ;
           rg:loader ?loader ; rg:loaderVersion ?version .
    OPTIONAL { ?graph prov:generatedAtTime ?at }
  }
} ORDER BY ?graph
"""


class GraphStore:
    """A pyoxigraph :class:`~pyoxigraph.Store` with the rules of rightsgraph.

    Use :meth:`open` for a store on disk and :meth:`memory` for tests.
    """

    def __init__(self, store: Store | RemoteStore, location: Path | None,
                 lock_fd: int | None) -> None:
        self._store = store
        self._location = location
        self._lock_fd = lock_fd
        self._hidden: set[NamedNode] = set()
        # Counts the replacements begun; a query that sees it change while
        # it takes its snapshot runs again, so that it never starts on a
        # graph being written without hiding it.
        self._replacements = 0

    # ------------------------------------------------------------ opening

    @classmethod
    def memory(cls, *, with_ontology: bool = True) -> GraphStore:
        """Return a fresh in-memory store (with the ontology graphs loaded)."""
        store = cls(Store(), None, None)
        if with_ontology:
            store.ensure_ontology()
        return store

    @classmethod
    def open(cls, location: str | os.PathLike[str], *, with_ontology: bool = True,
             credentials: Credentials | None = None, timeout: float | None = None) -> GraphStore:
        """Open (creating if needed) the on-disk store at ``location``, or
        connect to the remote SPARQL server when ``location`` is an http(s) URL.

        A remote store's ``credentials`` default to ``RIGHTSGRAPH_STORE_USER``
        and ``RIGHTSGRAPH_STORE_PASSWORD`` (or ``…_PASSWORD_FILE``), its
        ``timeout`` (seconds per request) to ``RIGHTSGRAPH_STORE_TIMEOUT`` or 30.

        :raises StoreLockedError: if another process owns the store.
        :raises RightsgraphError: if ``location`` is not a store.
        :raises StoreUnavailableError: if the remote store cannot be used.
        """
        if is_remote_location(location):
            return cls.connect(str(location), with_ontology=with_ontology,
                               credentials=credentials, timeout=timeout)
        path = Path(location)
        _check_store_directory(path)
        path.mkdir(parents=True, exist_ok=True)
        lock_fd = _acquire_lock(path)
        try:
            raw = Store(str(path))
        except OSError as exc:
            os.close(lock_fd)
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"the store at {path} is in use by another program; "
                    "stop it before using this store"
                ) from None
            raise RightsgraphError(f"cannot open the store at {path}: {exc}") from None
        store = cls(raw, path, lock_fd)
        store._drop_staging_graphs()
        if with_ontology:
            store.ensure_ontology()
        return store

    @classmethod
    def connect(cls, url: str, *, with_ontology: bool = True,
                credentials: Credentials | None = None, timeout: float | None = None) -> GraphStore:
        """Use the remote SPARQL server at ``url`` (see :meth:`open`)."""
        if credentials is None:
            credentials = Credentials.from_environment()
        if timeout is None:
            timeout = float(os.environ.get("RIGHTSGRAPH_STORE_TIMEOUT") or DEFAULT_TIMEOUT)
        store = cls(RemoteStore.connect(Endpoint.parse(url, credentials, timeout)), None, None)
        if with_ontology:
            store.ensure_ontology()
        return store

    @property
    def remote(self) -> RemoteStore | None:
        """The remote server behind this store, ``None`` for an embedded store."""
        return self._store if isinstance(self._store, RemoteStore) else None

    def close(self) -> None:
        """Flush and release the store; the object is unusable afterwards."""
        if self._lock_fd is not None:
            self._store.flush()
            del self._store
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def location(self) -> Path | None:
        """The directory of an on-disk store, ``None`` in memory."""
        return self._location

    @property
    def raw(self) -> Store:
        """The underlying pyoxigraph store, for read access by graph/ modules.

        For a remote store, a :class:`~rightsgraph.graph.remote.RemoteStore`
        offering the same read calls (and ``flush``).
        """
        return self._store  # type: ignore[return-value]

    # ------------------------------------------------------------ writing

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> int:
        """Replace the content of the named graph ``graph`` by ``triples``.

        Readers of this store see the old graph or the new one, never a mix,
        and a crash leaves the old graph (or, for a new source, no graph).
        Returns the number of triples now in the graph.  See
        :meth:`replace_graphs`, which this is for one graph.
        """
        return self.replace_graphs([(graph, triples)])[0]

    def replace_graphs(self, batch: Sequence[tuple[NamedNode, Iterable[Triple]]]) -> list[int]:
        """Replace several named graphs; returns each graph's triple count.

        Each graph is replaced atomically for readers, and the batch is
        written whole or not at all: every graph is written first, in one
        bulk write (fast, no transaction; one bulk write costs about as much
        as a small one, so 1,000 small documents store ten times faster),
        into a graph that queries do not see and that is listed as pending,
        so that :meth:`open` drops it after a crash.  A new source is written
        in place; an existing one into a staging graph, and once everything is
        written each staging graph is swapped in by one ``MOVE`` update (a
        single transaction).  Triples still in an RDF file's bytes
        (:class:`~rightsgraph.graph.serialized.SerializedTriples`) go in by
        the bulk loader, parsed once in Rust; a syntax error found there
        drops everything the batch wrote.  A remote store does the same on
        the server (:mod:`rightsgraph.graph.remote_engine`), after every file
        of the batch has been parsed (a batch of one large N-Triples file:
        while it is sent, see :meth:`RemoteStore.replace_graphs
        <rightsgraph.graph.remote.RemoteStore.replace_graphs>`): one graph
        after the other, or (on Virtuoso) the new sources in groups that
        readers see whole.
        """
        if isinstance(self._store, RemoteStore):
            # (every file parsed before anything is written: RemoteStore.replace_graphs)
            self._store.replace_graphs(batch)
            return self._store.count_graphs([graph for graph, _triples in batch])
        targets = [(graph, NamedNode(STAGING_PREFIX + uuid.uuid4().hex)
                    if self._store.contains_named_graph(graph) else graph, triples)
                   for graph, triples in batch]
        hidden = [target for _graph, target, _triples in targets]
        self._hidden.update(hidden)
        self._replacements += 1  # after hiding: see query()
        self._store.extend(Quad(target, RDF.type, _PENDING, _PENDING_GRAPH) for target in hidden)
        try:
            self._write([(target, triples) for _graph, target, triples in targets])
            for graph, target, _triples in targets:
                if target == graph:
                    continue  # a new source, written in place
                if self._store.contains_named_graph(target):
                    self._store.update(f"MOVE SILENT GRAPH {target} TO {graph}")
                else:
                    self._store.remove_graph(graph)
        except BaseException:
            for target in hidden:
                self._store.remove_graph(target)
            raise
        finally:
            for target in hidden:
                self._store.remove(Quad(target, RDF.type, _PENDING, _PENDING_GRAPH))
            self._hidden.difference_update(hidden)
        return [self.count(graph) for graph, _triples in batch]

    def drop_graph(self, graph: NamedNode) -> bool:
        """Remove the named graph ``graph``; return whether it existed.

        On a remote store it is dropped in any case: a graph that a loader
        which died left part written is hidden, yet it is there to drop."""
        existed = self._store.contains_named_graph(graph)
        if existed or isinstance(self._store, RemoteStore):
            self._store.remove_graph(graph)
        return existed

    def ensure_ontology(self) -> list[str]:
        """Load the ontology files whose graphs are missing or out of date.

        Returns the names of the files (re)loaded.
        """
        current = {r.graph.value: r for r in self.source_records()}
        loaded = []
        for name in ontology.available():
            data = ontology.read_bytes(name)
            record = SourceRecord(
                graph=NamedNode(ontology.ONTOLOGY_GRAPHS[name]),
                file_name=name,
                sha256=_sha256(data),
                loader="ontology",
                loader_version=ontology.VERSION,
            )
            known = current.get(record.graph.value)
            if known is not None and known.sha256 == record.sha256:
                continue
            triples = list(parse(data, format=RdfFormat.TURTLE))
            self.replace_graph(record.graph, [*triples, *record.triples()])
            loaded.append(name)
        return loaded

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update (for holders of the update token and internal use).

        Its WHERE clauses match the store's default graph (use GRAPH or USING).
        """
        refuse_network_access(sparql)
        try:
            self._store.update(sparql, prefixes=PREFIXES, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL update syntax error: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"update failed: {exc}") from None

    # ------------------------------------------------------------ reading

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[Variable, Any] | None = None,
        default_graph: list[NamedNode] | None = None,
        named_graphs: list[NamedNode] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query with the project's prefixes predeclared.

        The default graph is the union of all graphs unless ``default_graph``
        names the graphs to use instead.  Values from users go in
        ``substitutions``, never into the query text.

        :raises QueryError: if the query does not parse or fails.
        """
        refuse_network_access(sparql)
        while True:
            begun = self._replacements
            result = self._query(sparql, substitutions, default_graph, named_graphs)
            if self._replacements == begun:
                return result
            # A replacement began while this query chose its graphs and took
            # its snapshot: the snapshot may hold part of the new graph.

    def _query(
        self,
        sparql: str,
        substitutions: Mapping[Variable, Any] | None,
        default_graph: list[NamedNode] | None,
        named_graphs: list[NamedNode] | None,
    ) -> QueryResult:
        options: dict[str, Any] = {"prefixes": PREFIXES}
        visible = self._visible_dataset()
        if default_graph is not None:
            options["default_graph"] = list(default_graph)
        elif visible is not None:
            options["default_graph"] = [DefaultGraph(), *visible]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs is not None:
            options["named_graphs"] = list(named_graphs)
        elif visible is not None:
            options["named_graphs"] = visible
        if substitutions:
            options["substitutions"] = dict(substitutions)
        try:
            return self._store.query(sparql, **options)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def count(self, graph: NamedNode | None = None) -> int:
        """Count the quads of one named graph, or of the whole store."""
        if isinstance(self._store, RemoteStore):
            return self._store.count_graph(graph)
        if graph is None:
            return len(self._store)
        # COUNT in the engine: iterating the quads in Python decodes every term
        # (2 million quads: 30 s of CPU against 1.5 s).
        # The graph named in the text (a NamedNode: a checked IRI) rather than
        # substituted, which needs a GROUP BY: 0.5 s against 1.3 s for 1M quads.
        if not isinstance(graph, NamedNode):
            raise TypeError(f"a graph name is a NamedNode, not {type(graph).__name__}")
        result = self._store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        for row in result:  # type: ignore[union-attr]
            return int(row["n"].value)
        return 0

    def named_graphs(self) -> list[NamedNode]:
        """Return the named graphs, sorted by IRI."""
        graphs = [g for g in self._store.named_graphs() if isinstance(g, NamedNode)]
        return sorted(graphs, key=lambda g: g.value)

    def source_records(self) -> list[SourceRecord]:
        """Return what every source graph (ontology files included) says of itself."""
        records = []
        for row in self.query(_SOURCES):  # type: ignore[union-attr]
            records.append(
                SourceRecord(
                    graph=row["graph"],
                    file_name=row["file"].value,
                    sha256=row["sha"].value,
                    loader=row["loader"].value,
                    loader_version=row["version"].value,
                    loaded_at=row["at"].value if row["at"] is not None else "",
                )
            )
        return records

    def source_record(self, graph: NamedNode) -> SourceRecord | None:
        """Return what the source graph ``graph`` says of itself, if it exists."""
        for record in self.source_records():
            if record.graph == graph:
                return record
        return None

    def quads(self, graph: NamedNode | DefaultGraph | None = None) -> list[Quad]:
        """Return the quads of one graph, or of the whole store."""
        return list(self._store.quads_for_pattern(None, None, None, graph))

    # ------------------------------------------------------------ internals

    def _write(self, batch: Sequence[tuple[NamedNode, Iterable[Triple]]]) -> None:
        """Add the triples of each graph to that graph.

        Small writes go in one transaction; large ones (or ones of unknown
        size) through the bulk loader, which skips the transaction's cost but
        pays a fixed price per call (about 0.4 s: it writes and ingests files),
        so it only pays off beyond some tens of thousands of triples.  Files
        still in their bytes go to the bulk loader as they are.
        """
        store = self._store
        assert not isinstance(store, RemoteStore), "remote stores write on the server"
        files = [(graph, triples) for graph, triples in batch
                 if isinstance(triples, SerializedTriples)]
        built = [(graph, triples) for graph, triples in batch
                 if not isinstance(triples, SerializedTriples)]
        quads = (Quad(t.subject, t.predicate, t.object, graph)
                 for graph, triples in built for t in triples)
        sizes = [len(triples) if isinstance(triples, Sized) else None for _, triples in built]
        if None not in sizes and sum(s or 0 for s in sizes) <= _TRANSACTION_LIMIT:
            store.extend(quads)
        else:
            store.bulk_extend(quads)
        for graph, triples in files:
            triples.load_into(store, graph)

    def _drop_staging_graphs(self) -> None:
        """Drop what an interrupted :meth:`replace_graph` left behind."""
        pending = {q.subject for q in self._store.quads_for_pattern(None, RDF.type, _PENDING,
                                                                    _PENDING_GRAPH)}
        for graph in self.named_graphs():
            if graph.value.startswith(STAGING_PREFIX) or graph in pending:
                self._store.remove_graph(graph)
        self._store.remove_graph(_PENDING_GRAPH)

    def _visible_dataset(self) -> list[NamedNode] | None:
        """The named graphs queries may see while a replacement is under way."""
        if not self._hidden:
            return None
        hidden = {*self._hidden, _PENDING_GRAPH}
        return [g for g in self.named_graphs() if g not in hidden]


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _check_store_directory(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise RightsgraphError(f"{path} is a file, not a store directory")
    if path.is_dir():
        entries = {entry.name for entry in path.iterdir()}
        if entries and not entries & {"CURRENT", LOCK_FILE}:
            raise RightsgraphError(
                f"{path} is a non-empty directory that is not a rightsgraph store; "
                "choose an empty or new directory"
            )


def _acquire_lock(path: Path) -> int:
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            who = f"process {holder}" if holder else "another process"
            raise StoreLockedError(
                f"the store at {path} is in use by {who} (for example `rightsgraph serve`); "
                "stop that process, or send your data through its web endpoint"
            ) from None
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


# Literal is re-exported for doctests and callers building records.
__all__ += ["Literal"]
