"""A remote store that is down, silent, refuses the credentials or fails: a
one-line message within the time limit, exit status 1 from the CLI, 503
from the web UI, and never a partial graph."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from rightsgraph.graph.remote_http import (
    MAX_ANSWER_HEADERS,
    Credentials,
    StoreTimeoutError,
    StoreUnavailableError,
)
from rightsgraph.graph.store import GraphStore

sys.path.insert(0, str(Path(__file__).parent))
from servers import BIN, Server, free_port, start_oxigraph, stop  # noqa: E402

EX = "https://example.org/failure-test/"


def cli(server_url: str, *args: str, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin", "RIGHTSGRAPH_STORE_TIMEOUT": "2", **(env or {})}
    return subprocess.run([str(BIN / "rightsgraph"), "--store", server_url, *args],
                          capture_output=True, text=True, timeout=timeout, env=environment)


@pytest.fixture
def silent_socket() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    done.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_stopped_server_gives_one_line_and_exit_1() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    result = cli(url, "stats")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "cannot reach the store" in result.stderr and "connection refused" in result.stderr
    assert time.monotonic() - started < 15


def test_silent_server_times_out_with_one_line(silent_socket: str) -> None:
    started = time.monotonic()
    result = cli(silent_socket, "query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    expected = f"rightsgraph: error: the store at {silent_socket} did not answer within 2 s"
    assert result.stderr.strip() == expected
    assert elapsed < 15
    with pytest.raises(StoreTimeoutError):
        GraphStore.open(silent_socket, timeout=0.5)


def test_wrong_password_on_virtuoso_changes_nothing(virtuoso_server: Server, tmp_path: Path) -> None:
    source = tmp_path / "partner.ttl"
    source.write_text(f"<{EX}a> <{EX}p> 'one' .\n")
    env = virtuoso_server.environment()
    env["RIGHTSGRAPH_STORE_PASSWORD"] = "wrong"
    env["RIGHTSGRAPH_STORE_TIMEOUT"] = "20"
    env["PATH"] = "/usr/bin:/bin"
    result = subprocess.run([str(BIN / "rightsgraph"), "load", str(source)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "refused the credentials (HTTP 401)" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    store = virtuoso_server.open()
    assert not [g for g in store.named_graphs() if "partner" in g.value or "staging" in g.value]
    with pytest.raises(StoreUnavailableError, match="refused the credentials"):
        bad = GraphStore.open(virtuoso_server.url, credentials=Credentials("dba", "wrong"),
                              with_ontology=False)
        bad.replace_graph(NamedNode(EX + "g"), [Triple(NamedNode(EX + "s"), NamedNode(EX + "p"),
                                                        Literal("x"))])
    assert store.count(NamedNode(EX + "g")) == 0


def test_error_answer_is_a_clear_message(oxigraph_server: Server) -> None:
    store = oxigraph_server.open()
    from rightsgraph.graph.errors import QueryError

    with pytest.raises(QueryError, match="the store refused the request"):
        store.update("DELETE WHERE { ?s ?p }")  # the server answers 400
    result = cli(oxigraph_server.url, "query", "SELECT * WHERE { ?s ?p ?o } ORDER BY")
    assert result.returncode == 1 and result.stderr.startswith("rightsgraph: error:")
    assert "Traceback" not in result.stderr


def test_web_ui_answers_503_when_the_store_goes_down(tmp_path: Path) -> None:
    from rightsgraph.webui.app import create_app

    server = start_oxigraph(tmp_path)
    try:
        app = create_app({"STORE": server.url, "STORE_TIMEOUT": 2.0, "QUERY_TIMEOUT": 2.0})
        client = app.test_client()
        assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
    finally:
        stop(server.process)
    # (list pages may be answered from the app's in-memory index; a resource page reads the store)
    page = client.get("/resource", query_string={"iri": "https://w3id.org/rightsgraph/theme/health"},
                      headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert b"not available" in page.data and b"Traceback" not in page.data
    api = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                     headers={"Accept": "application/sparql-results+json"})
    assert api.status_code in (503, 504) and "error" in api.get_json()


def test_load_that_fails_midway_leaves_no_partial_graph(oxigraph_server: Server, tmp_path: Path) -> None:
    store = oxigraph_server.open()
    graph = NamedNode(EX + "midway")
    store.replace_graph(graph, [Triple(NamedNode(EX + "s"), NamedNode(EX + "p"), Literal("old"))])

    def triples() -> Iterator[Triple]:
        for i in range(1000):
            yield Triple(NamedNode(f"{EX}s{i}"), NamedNode(EX + "p"), Literal(str(i)))
        raise OSError("the source file vanished")

    with pytest.raises(OSError):
        store.replace_graph(graph, triples())
    assert [q.object for q in store.quads(graph)] == [Literal("old")]
    assert store.drop_graph(graph)


def test_endpoint_query_on_a_silent_store_is_a_timeout(silent_socket: str) -> None:
    from rightsgraph.graph.querypool import QueryRequest, QueryTimeout
    from rightsgraph.graph.remote import RemoteStore
    from rightsgraph.graph.remote_engines import Oxigraph
    from rightsgraph.graph.remote_http import Client, Endpoint
    from rightsgraph.graph.remote_pool import RemoteQueryPool

    store = RemoteStore(Client(Endpoint.parse(silent_socket, timeout=30)), Oxigraph())
    pool = RemoteQueryPool(store, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="longer than 1 s"):
        pool.run(QueryRequest("SELECT * WHERE { ?s ?p ?o }"))
    assert time.monotonic() - started < 5


def test_an_answer_that_is_not_http_gives_one_line() -> None:
    """A server whose answer http.client cannot read (here: more header lines than
    rightsgraph accepts) is a store failure with one line, not a traceback."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def answer() -> None:
        listener.settimeout(20)
        try:
            connection = listener.accept()[0]
        except OSError:
            return
        with connection:
            connection.settimeout(5)
            try:
                connection.recv(65536)
                lines = MAX_ANSWER_HEADERS + 10
                head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Line-%d: x\r\n" % i for i in range(lines))
                connection.sendall(head + b"\r\n")
            except OSError:
                pass

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        result = cli(url, "stats")
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert f"the store at {url} sent an answer that could not be read" in lines[0]
    finally:
        thread.join()
        listener.close()
