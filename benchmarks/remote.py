"""The stores the benchmarks measure, and the raw engine of each SPARQL server.

``embedded`` is the on-disk pyoxigraph store.  ``oxigraph-server`` and
``virtuoso`` are remote SPARQL stores, started by the benchmarks
(:mod:`benchmarks.servers`); :func:`backend_problem` says why one cannot be
measured on this machine (its server is not installed).

:class:`RawServer` is "the raw engine" of a server: the same server software
driven directly over HTTP by its own bulk paths, without rightsgraph:

* Oxigraph server: ``POST /store`` of a file (N-Triples into a graph, or
  N-Quads), queries at ``/query`` with ``union-default-graph``, ``GET /store``
  of a graph (Turtle) or of everything (TriG);
* Virtuoso 7: Graph Store ``POST /sparql-graph-crud-auth?graph-uri=…`` with
  HTTP Digest authentication, one request per graph, a large graph in parts of
  at most :data:`VIRTUOSO_PART` bytes (cut between triples, blank-node groups
  whole, before the clock starts: one 300 MB request
  has left Virtuoso 7.2 idle with "lock escalation … fails" in its log, for
  over ten minutes, in one run of three); queries at ``/sparql``
  with the dataset rightsgraph itself sends (``default-graph-uri`` and
  ``named-graph-uri``: every visible graph); Graph Store ``GET
  /sparql-graph-crud?graph-uri=…`` of one graph, or of each graph in turn.

The credentials of a Virtuoso server come from ``RIGHTSGRAPH_STORE_USER`` and
``RIGHTSGRAPH_STORE_PASSWORD``, as rightsgraph takes them.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

from benchmarks.servers import oxigraph_command
from rightsgraph.graph.remote_http import Credentials

__all__ = ["BACKENDS", "KINDS", "RawServer", "backend_problem", "oxigraph_command"]

BACKENDS = ("embedded", "oxigraph-server", "virtuoso")
#: The server kind (:func:`benchmarks.servers.start`) of each remote backend.
KINDS = {"oxigraph-server": "oxigraph", "virtuoso": "virtuoso"}
#: The largest body of one raw Graph Store POST to Virtuoso, in bytes.
VIRTUOSO_PART = 64 * 2**20
#: Seconds a raw request may go without an answer before the benchmark gives up.
RAW_TIMEOUT = 900.0


def backend_problem(backend: str) -> str:
    """Why ``backend`` cannot be measured on this machine ("" if it can).

    >>> backend_problem("embedded")
    ''
    """
    if backend == "virtuoso":
        missing = [c for c in ("virtuoso-t", "isql-vt") if shutil.which(c) is None]
        return (f"{' and '.join(missing)} not installed (Debian package virtuoso-opensource)"
                if missing else "")
    if backend == "oxigraph-server" and oxigraph_command() is None:
        return "the oxigraph command is not installed (pip install oxigraph)"
    return ""


def kind_of(url: str) -> str:
    """``virtuoso`` for a Virtuoso ``/sparql`` endpoint URL, else ``oxigraph``.

    >>> kind_of("http://127.0.0.1:8890/sparql"), kind_of("http://127.0.0.1:7878")
    ('virtuoso', 'oxigraph')
    """
    return "virtuoso" if url.rstrip("/").endswith("/sparql") else "oxigraph"


class RawServer:
    """A SPARQL server driven directly over HTTP (see the module documentation)."""

    def __init__(self, url: str, credentials: Credentials | None = None) -> None:
        self.url = url.rstrip("/")
        self.kind = kind_of(self.url)
        self.base = self.url.removesuffix("/sparql")
        self.credentials = credentials or Credentials.from_environment()
        handlers: list[urllib.request.BaseHandler] = []
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        if self.credentials is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, self.base, self.credentials.user,
                                   self.credentials.password)
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
            handlers.append(self._digest)
        self.opener = urllib.request.build_opener(*handlers)

    # ------------------------------------------------------------ plain HTTP

    def _send(self, method: str, url: str, body: bytes | None = None,
              headers: dict[str, str] | None = None, timeout: float = RAW_TIMEOUT) -> bytes:
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        if body and self._digest is not None and "-auth" in url:
            self._authorise(request)
        with self.opener.open(request, timeout=timeout) as answer:
            data: bytes = answer.read()
            return data

    def _authorise(self, request: urllib.request.Request) -> None:
        """Digest credentials on ``request`` before its body is sent.

        Without them the body goes out unauthenticated first: Virtuoso answers
        401 and closes the connection while a large body is still being sent
        (a broken pipe).  So the challenge is fetched by a request without a
        body, and the answer to it sent with the real request.
        """
        probe = urllib.request.Request(request.full_url, method="GET")
        try:
            with urllib.request.urlopen(probe, timeout=60) as answer:
                answer.read()
                return  # no challenge: nothing to add
        except urllib.error.HTTPError as refused:
            challenge = refused.headers.get("WWW-Authenticate", "")
            refused.read()
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() != "digest" or self._digest is None:
            return
        handler = self._digest
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        authorisation = handler.get_authorization(request, fields)
        if authorisation:
            request.add_unredirected_header("Authorization", "Digest " + authorisation)

    @property
    def query_path(self) -> str:
        """The path of the server's SPARQL query endpoint."""
        return "/sparql" if self.kind == "virtuoso" else "/query"

    def select(self, query: str, params: list[tuple[str, str]] | None = None) -> list[dict[str, str]]:
        """Run a SELECT query; its rows as ``{variable: value}``."""
        body = urllib.parse.urlencode([("query", query), *(params or [])]).encode()
        answer = self._send("POST", self.base + self.query_path, body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json"})
        return [{k: v["value"] for k, v in row.items()}
                for row in json.loads(answer)["results"]["bindings"]]

    # ------------------------------------------------------------ writing

    def post_graph(self, graph: str, ntriples: bytes) -> None:
        """Add N-Triples to ``graph`` by the server's Graph Store bulk path."""
        self._post_parts(graph, self._parts(ntriples))

    def _parts(self, ntriples: bytes) -> list[bytes]:
        """The bodies ``ntriples`` is posted in: one, or for Virtuoso parts of at
        most :data:`VIRTUOSO_PART` bytes, the triples that share blank nodes in one."""
        if self.kind != "virtuoso" or len(ntriples) <= VIRTUOSO_PART:
            return [ntriples]
        from pyoxigraph import RdfFormat, parse

        from rightsgraph.graph.remote_engine import chunks

        return list(chunks(list(parse(ntriples, format=RdfFormat.N_TRIPLES)), ntriples,
                           VIRTUOSO_PART))

    def _post_parts(self, graph: str, parts: list[bytes]) -> None:
        if self.kind == "virtuoso":
            target = self.base + "/sparql-graph-crud-auth?" + urllib.parse.urlencode(
                {"graph-uri": graph})
            for part in parts:
                self._send("POST", target, part, {"Content-Type": "text/turtle"})
            return
        target = self.base + "/store?" + urllib.parse.urlencode({"graph": graph})
        for part in parts:
            self._send("POST", target, part, {"Content-Type": "application/n-triples"})

    def load_file(self, data: Path, graph: str) -> tuple[float, str]:
        """Bulk-load an N-Triples file (into ``graph``) or an N-Quads file; (seconds, how).

        The file is read (and, for Virtuoso, split by graph) before the clock starts.
        """
        quads = data.suffix == ".nq"
        if self.kind == "oxigraph":
            body = data.read_bytes()
            target = self.base + "/store" + ("" if quads else "?" + urllib.parse.urlencode(
                {"graph": graph}))
            started = time.perf_counter()
            self._send("POST", target, body, {
                "Content-Type": "application/n-quads" if quads else "application/n-triples"})
            return time.perf_counter() - started, "one HTTP POST of the file to the server's /store"
        graphs = split_by_graph(data.read_bytes()) if quads else {graph: data.read_bytes()}
        bodies = {name: self._parts(ntriples) for name, ntriples in graphs.items()}
        started = time.perf_counter()
        for name, parts in bodies.items():
            self._post_parts(name, parts)
        return (time.perf_counter() - started,
                f"{len(graphs)} graph(s) in {sum(len(p) for p in bodies.values())} Graph Store "
                f"POST(s) of at most {VIRTUOSO_PART // 2**20} MiB, with Digest authentication")

    # ------------------------------------------------------------ reading

    def count(self) -> int:
        """Quads in every named graph (Virtuoso's own graphs included)."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"])

    def get_graph(self, graph: str) -> bytes:
        """One graph as Turtle, by the server's Graph Store GET."""
        if self.kind == "virtuoso":
            target = self.base + "/sparql-graph-crud?" + urllib.parse.urlencode({"graph-uri": graph})
        else:
            target = self.base + "/store?" + urllib.parse.urlencode({"graph": graph})
        return self._send("GET", target, headers={"Accept": "text/turtle"})

    def dump(self, graphs: list[str]) -> bytes:
        """Every graph: Oxigraph's ``GET /store`` as TriG; Virtuoso, ``graphs`` one GET each."""
        if self.kind == "oxigraph":
            return self._send("GET", self.base + "/store", headers={"Accept": "application/trig"})
        return b"".join(self.get_graph(graph) for graph in graphs)


def split_by_graph(nquads: bytes) -> dict[str, bytes]:
    """N-Quads as N-Triples per named graph.

    >>> split_by_graph(b'<http://e/s> <http://e/p> "o" <http://e/g> .\\n')
    {'http://e/g': b'<http://e/s> <http://e/p> "o" .\\n'}
    """
    from pyoxigraph import RdfFormat, parse, serialize

    graphs: dict[str, list[object]] = defaultdict(list)
    for quad in parse(nquads, format=RdfFormat.N_QUADS):
        graphs[str(quad.graph_name.value)].append(quad.triple)
    return {name: serialize(triples, format=RdfFormat.N_TRIPLES) or b""  # type: ignore[arg-type]
            for name, triples in graphs.items()}
