"""A server's N-Triples read as it arrives: mended line by line, checked, and
written again as pyoxigraph writes them; and a client answer read that way."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator

import pytest
from pyoxigraph import RdfFormat, parse, serialize

from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.remote_http import Client, Endpoint, StoreTimeoutError
from rightsgraph.graph.remote_ntriples import _Mended, read_ntriples

XSD_INT = b"<http://www.w3.org/2001/XMLSchema#int>"


def tabbed(count: int) -> bytes:
    """``count`` lines with tabs between terms, as Virtuoso writes them."""
    return b"".join(b'<urn:s%d>\t<urn:p>\t"%d"^^%s .\n' % (i, i, XSD_INT) for i in range(count))


def untab(data: bytes) -> bytes:
    return data.replace(b"\t", b" ")


class Trickle(io.RawIOBase):
    """A source that gives a few bytes per read, cutting lines anywhere."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data, self._step, self._at = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        out = self._data[self._at:self._at + self._step]
        self._at += len(out)
        return out


@pytest.mark.parametrize("step", [1, 7, 100, 1 << 20])
def test_mended_stream_gives_every_line_once_and_never_more_than_asked(step: int) -> None:
    data = tabbed(3000) + b'<urn:last>\t<urn:p>\t"no newline"'
    mended_batches: list[bytes] = []

    def mend(lines: bytes) -> bytes:
        mended_batches.append(lines)
        return untab(lines)

    stream = _Mended(Trickle(data, step), mend)
    out = []
    while chunk := stream.read(333):
        assert len(chunk) <= 333
        out.append(chunk)
    assert b"".join(out) == untab(data)
    # every batch but the unended last line is whole lines
    assert all(batch.endswith(b"\n") for batch in mended_batches[:-1])
    assert mended_batches[-1] == b'<urn:last>\t<urn:p>\t"no newline"'
    assert stream.read(10) == b""


def test_read_ntriples_writes_the_lines_as_pyoxigraph_does() -> None:
    data = tabbed(2000)
    out = read_ntriples(Trickle(data, 4096), untab)  # type: ignore[arg-type]
    expected = serialize(parse(untab(data), format=RdfFormat.N_TRIPLES), format=RdfFormat.N_TRIPLES)
    assert out == expected and out.count(b"\n") == 2000


def test_unmended_tabs_are_still_read() -> None:
    # N-Triples allows tabs; the mending is for Virtuoso's other quirks
    assert read_ntriples(io.BytesIO(tabbed(3))).count(b" .\n") == 3


@pytest.mark.parametrize("body", [
    b"<urn:s> <urn:p> .\n",
    b"<urn:s> <urn:p> <urn:o> .\n<urn:s> <urn:p> \"open\n",
    b"<urn:s> <urn:p> <urn:o> .\nThe SPARQL operation was not understood\n",
])
def test_a_body_that_is_not_ntriples_is_a_query_error(body: bytes) -> None:
    with pytest.raises(QueryError, match="the store's N-Triples could not be read"):
        read_ntriples(io.BytesIO(body), untab)


@pytest.mark.parametrize("mend", [None, untab])
def test_a_body_cut_at_the_servers_time_limit_is_a_timeout(mend: object) -> None:
    body = tabbed(20_000) + b"\n\nThe SPARQL operation has been cancelled\n"
    with pytest.raises(StoreTimeoutError, match="its own time limit"):
        read_ntriples(io.BytesIO(body), mend)  # type: ignore[arg-type]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies: list[bytes] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        body = self.bodies.pop(0)
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def answering() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback HTTP server answering each GET with the next of its bodies."""
    bodies: list[bytes] = []
    handler = type("Handler", (_Handler,), {"bodies": bodies})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    server.shutdown()
    server.server_close()
    thread.join()


def test_client_reads_an_answer_as_it_comes_and_recovers_from_a_bad_one(
        answering: tuple[str, list[bytes]]) -> None:
    url, bodies = answering
    client = Client(Endpoint.parse(url, timeout=10))
    good = tabbed(5000)
    bodies += [good, b"<urn:s> <urn:p> .\n", good]
    first = client.request("GET", "/store", reader=read_ntriples)
    assert first.body == untab(good)
    with pytest.raises(QueryError, match="line 1"):
        client.request("GET", "/store", reader=read_ntriples)
    # the connection of the refused answer is not reused: the next request gets its own
    opened = client.opened
    assert client.request("GET", "/store", reader=read_ntriples).body == untab(good)
    assert client.opened == opened + 1
