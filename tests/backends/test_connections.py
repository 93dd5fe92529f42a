"""Connections to a remote store are kept open and reused; one the server
closed is replaced without the caller noticing (and a write is never sent
twice); Digest authentication answers the server's challenge once and signs
later requests from the start.

The server here is a small real HTTP/1.1 server on loopback that records the
client port of every request, so the test counts connections as the server
sees them; Oxigraph server and Virtuoso are the fixtures' real servers.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import urllib.request
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pyoxigraph import NamedNode
from servers import Server  # tests/backends, put on the path by its conftest

from rightsgraph.graph.remote import RemoteStore
from rightsgraph.graph.remote_http import (
    Client,
    Credentials,
    Endpoint,
    StoreUnavailableError,
)

REALM = "rightsgraph-test"
ANSWER = json.dumps({"head": {}, "boolean": True}).encode()


class Recorder(ThreadingHTTPServer):
    """What the handler does and what it saw."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[int, str, str, str]] = []  # (client port, method, path, authorisation)
        self.close_after_answer = False
        self.drop_second = False
        self.password = "right one"
        self.nonce = secrets.token_hex(8)
        self.stale = False
        self.refusals = 0
        self.counts: dict[str, int] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def ports(self) -> set[int]:
        return {port for port, *_ in self.seen}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Recorder

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet

    def do_GET(self) -> None:  # noqa: N802
        self.handle_one()

    def do_POST(self) -> None:  # noqa: N802
        self.handle_one()

    def do_PUT(self) -> None:  # noqa: N802
        self.handle_one()

    def do_HEAD(self) -> None:  # noqa: N802
        self.handle_one()

    def handle_one(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        recorder = self.server
        port = self.client_address[1]
        served = sum(1 for p, *_ in recorder.seen if p == port)
        recorder.seen.append((port, self.command, self.path, self.headers.get("Authorization", "")))
        if recorder.drop_second and served == 1:
            self.close_connection = True  # read the request, then close without a word
            return
        if self.path.startswith("/auth") and not self.authorised():
            recorder.refusals += 1
            stale = ", stale=true" if recorder.stale else ""
            recorder.stale = False
            self.send_response(401)
            self.send_header("WWW-Authenticate", f'Digest realm="{REALM}", nonce="{recorder.nonce}", '
                                                 f'qop="auth", algorithm=MD5, opaque="xyz"{stale}')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"" if self.command == "HEAD" else ANSWER
        self.send_response(200)
        self.send_header("Server", "Recorder")
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(body)
        if recorder.close_after_answer:  # as a server does when a connection has been idle too long
            self.close_connection = True

    def authorised(self) -> bool:
        """Check a Digest response as RFC 7616 says, with nonce counting."""
        recorder = self.server
        offered = self.headers.get("Authorization", "")
        if not offered.startswith("Digest ") or recorder.stale:
            return False
        values = urllib.request.parse_keqv_list(urllib.request.parse_http_list(offered[7:]))
        if values.get("nonce") != recorder.nonce or values.get("uri") != self.path:
            return False
        count = int(values.get("nc", "0"), 16)
        if count <= recorder.counts.get(recorder.nonce, 0):
            return False  # a count used before: a replay
        recorder.counts[recorder.nonce] = count

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        secret = md5(f"{values['username']}:{REALM}:{recorder.password}")
        expected = md5(f"{secret}:{recorder.nonce}:{values['nc']}:{values['cnonce']}:auth:"
                       f"{md5(f'{self.command}:{self.path}')}")
        return values.get("response") == expected and values.get("opaque") == "xyz"


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def ask(client: Client, path: str = "/query") -> bytes:
    return client.request("POST", path, body=b"query=ASK%7B%7D",
                          content_type="application/x-www-form-urlencoded",
                          accept="application/sparql-results+json").body


def test_requests_share_one_kept_alive_connection(recorder: Recorder) -> None:
    client = Client(Endpoint.parse(recorder.url, timeout=5))
    for _ in range(5):
        assert ask(client) == ANSWER
    client.request("GET", "/", accept="text/html")
    assert len(recorder.seen) == 6
    assert len(recorder.ports()) == 1 and client.opened == 1
    client.close()


def test_a_connection_the_server_closed_is_replaced(recorder: Recorder) -> None:
    recorder.close_after_answer = True
    client = Client(Endpoint.parse(recorder.url, timeout=5))
    for _ in range(3):
        assert ask(client) == ANSWER
    assert len(recorder.seen) == 3 and len(recorder.ports()) == 3


def test_a_read_is_sent_again_when_a_reused_connection_drops_it(recorder: Recorder) -> None:
    recorder.drop_second = True  # the server closes a connection on its second request, unanswered
    client = Client(Endpoint.parse(recorder.url, timeout=5))
    assert ask(client) == ANSWER
    assert ask(client) == ANSWER  # dropped on the first connection, answered on a new one
    assert [method for _, method, *_ in recorder.seen] == ["POST"] * 3
    assert len(recorder.ports()) == 2


def test_a_write_is_never_sent_twice(recorder: Recorder) -> None:
    recorder.drop_second = True
    client = Client(Endpoint.parse(recorder.url, timeout=5))
    assert ask(client) == ANSWER
    with pytest.raises(StoreUnavailableError, match="cannot reach the store"):
        client.request("POST", "/update", body=b"DROP SILENT GRAPH <urn:g>",
                       content_type="application/sparql-update")
    assert [path for _, _, path, _ in recorder.seen] == ["/query", "/update"]
    assert ask(client) == ANSWER  # and the client goes on, on a new connection


def test_digest_answers_one_challenge_then_signs_from_the_start(recorder: Recorder) -> None:
    client = Client(Endpoint.parse(recorder.url, Credentials("dba", "right one"), timeout=5))
    for _ in range(4):
        assert ask(client, "/auth") == ANSWER
    assert recorder.refusals == 1 and len(recorder.seen) == 5
    counts = [v.partition("nc=")[2][:8] for *_, v in recorder.seen[1:]]
    assert counts == ["00000001", "00000002", "00000003", "00000004"]
    recorder.nonce, recorder.stale = secrets.token_hex(8), True  # the server retires the nonce
    assert ask(client, "/auth") == ANSWER
    assert recorder.refusals == 2
    assert ask(client, "/query") == ANSWER  # an unprotected service gets no credentials
    assert recorder.seen[-1][3] == ""
    large = b"x" * (64 * 1024)  # challenge fetched by HEAD before the body goes out
    recorder.nonce = secrets.token_hex(8)
    client.request("PUT", "/auth-graph", body=large, content_type="text/turtle")
    assert [m for _, m, p, _ in recorder.seen if p == "/auth-graph"] == ["HEAD", "PUT"]
    assert len(recorder.ports()) == 1


def test_digest_with_a_wrong_password_is_refused(recorder: Recorder) -> None:
    client = Client(Endpoint.parse(recorder.url, Credentials("dba", "wrong"), timeout=5))
    with pytest.raises(StoreUnavailableError, match=r"refused the credentials \(HTTP 401\)"):
        ask(client, "/auth")
    assert recorder.refusals == 2  # the challenge, then the refused answer: no loop


def test_queries_on_oxigraph_reuse_connections(oxigraph_server: Server) -> None:
    store = RemoteStore.connect(Endpoint.parse(oxigraph_server.url, timeout=30))
    for _ in range(20):
        store.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", use_default_graph_as_union=True)
    assert store.client.opened == 1


def test_writes_and_reads_on_virtuoso_reuse_connections(virtuoso_server: Server) -> None:
    store = RemoteStore.connect(Endpoint.parse(virtuoso_server.url, virtuoso_server.credentials,
                                               timeout=60))
    opened = store.client.opened
    graph = NamedNode("https://example.org/connections-test/g")
    for _ in range(3):
        store.update(f"INSERT DATA {{ GRAPH <{graph.value}> {{ <urn:a> <urn:b> <urn:c> }} }}")
        assert store.contains_named_graph(graph)
    store.remove_graph(graph)
    assert not store.contains_named_graph(graph)
    assert store.client.opened - opened <= 2


def test_a_forked_process_opens_its_own_connections(recorder: Recorder) -> None:
    """A web worker forked after the store was opened (gunicorn --preload) never
    shares a connection with its parent."""
    client = Client(Endpoint.parse(recorder.url, timeout=5))
    assert ask(client) == ANSWER
    with warnings.catch_warnings():  # Python 3.12 warns of forking with threads (the server's)
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # the child: one request, then leave at once
        code = 0
        try:
            code = 0 if ask(client) == ANSWER and client.opened == 2 else 3
        except BaseException:
            code = 4
        os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert ask(client) == ANSWER
    parent_port = recorder.seen[0][0]
    assert [port == parent_port for port, *_ in recorder.seen] == [True, False, True]


def test_on_sent_is_told_each_time_a_request_has_gone_out(recorder: Recorder) -> None:
    """What lets a load parse a chunk while the server writes it (Engine.post_chunks)."""
    client = Client(Endpoint.parse(recorder.url, Credentials("dba", "right one"), timeout=5))
    told: list[int] = []

    def send() -> bytes:
        return client.request("POST", "/auth", body=b"<s> <p> <o> .\n", content_type="text/turtle",
                              on_sent=lambda: told.append(len(recorder.seen))).body

    assert send() == ANSWER
    assert len(told) == 2, "sent twice: unsigned, then answering the challenge"
    told.clear()
    assert send() == ANSWER
    assert len(told) == 1, "signed from the start: sent once"
    assert recorder.refusals == 1
