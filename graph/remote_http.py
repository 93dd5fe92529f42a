"""HTTP to a remote SPARQL server: where its services live, how to log in,
and every failure turned into one line a user can act on.

Only the standard library speaks HTTP here (``http.client``, on connections
kept open between requests; :mod:`~rightsgraph.graph.remote_auth` does Basic
and Digest authentication, which Virtuoso's Graph Store needs).  Credentials come from
the caller or the environment, never from the command line:
``RIGHTSGRAPH_STORE_USER`` and ``RIGHTSGRAPH_STORE_PASSWORD``, or
``RIGHTSGRAPH_STORE_PASSWORD_FILE`` naming a file that holds the password.

>>> Endpoint.parse("http://127.0.0.1:7878/").base
'http://127.0.0.1:7878'
>>> Endpoint.parse("ftp://example.org").base
Traceback (most recent call last):
...
rightsgraph.graph.remote_http.StoreUnavailableError: ftp://example.org is not an http(s) URL ...
"""

from __future__ import annotations

import http.client
import os
import re
import select
import socket
import ssl
import threading
import urllib.parse
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from rightsgraph.graph.errors import QueryError, RightsgraphError
from rightsgraph.graph.remote_auth import Authoriser

#: Seconds a request to the store may wait for an answer, unless configured.
DEFAULT_TIMEOUT = 30.0
_MESSAGE_LIMIT = 300
#: A body larger than this is sent with credentials from the start: a server
#: that answers 401 may close the connection while a large body is still being
#: sent (Virtuoso does), which the client sees as a broken pipe.
_PREAUTHORISE_BYTES = 16 * 1024
#: Header lines an answer may have.  Virtuoso echoes every ``default-graph-uri``
#: and ``named-graph-uri`` of a query as a header of its answer, and rightsgraph
#: names each source graph in both (see remote_virtuoso), so http.client's own
#: limit of 100 failed every query once a store held about 50 sources.  This
#: allows 10,000 sources; the store is the operator's own server.
MAX_ANSWER_HEADERS = 20_000
if http.client._MAXHEADERS < MAX_ANSWER_HEADERS:  # type: ignore[attr-defined]
    http.client._MAXHEADERS = MAX_ANSWER_HEADERS  # type: ignore[attr-defined]
#: Idle connections a client keeps open for its next requests.
_IDLE_CONNECTIONS = 16
#: Methods whose request may be sent twice (RFC 9110, 9.2.2).
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: The query services: a ``POST`` there reads and changes nothing.
_READ_PATHS = frozenset({"/query", "/sparql"})
#: How a connection the server closed shows when it is used.
_DROPPED = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class StoreUnavailableError(RightsgraphError):
    """The remote store is down, too slow, refuses our credentials or failed."""


class StoreTimeoutError(StoreUnavailableError):
    """The remote store did not answer within the time limit."""


@dataclass(frozen=True)
class Credentials:
    """A user name and password for the store's protected services."""

    user: str
    password: str = field(repr=False)

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Credentials | None:
        """Read ``RIGHTSGRAPH_STORE_USER`` and the password (or password file)."""
        env = os.environ if environ is None else environ
        user = env.get("RIGHTSGRAPH_STORE_USER", "")
        password = env.get("RIGHTSGRAPH_STORE_PASSWORD", "")
        password_file = env.get("RIGHTSGRAPH_STORE_PASSWORD_FILE", "")
        if password_file and not password:
            try:
                password = Path(password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise StoreUnavailableError(
                    f"cannot read the store password file {password_file}: {exc.strerror}"
                ) from None
        return cls(user, password) if user else None


@dataclass(frozen=True)
class Endpoint:
    """A remote store's base URL, with the credentials and time limit to use."""

    base: str
    credentials: Credentials | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def parse(cls, url: str, credentials: Credentials | None = None,
              timeout: float = DEFAULT_TIMEOUT) -> Endpoint:
        """The endpoint for ``url`` (a trailing ``/sparql`` or ``/query`` is dropped)."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreUnavailableError(f"{url} is not an http(s) URL of a SPARQL server")
        if parts.username or parts.password:
            raise StoreUnavailableError(
                "put no user name or password in the store URL; set RIGHTSGRAPH_STORE_USER "
                "and RIGHTSGRAPH_STORE_PASSWORD (or RIGHTSGRAPH_STORE_PASSWORD_FILE)"
            )
        path = parts.path.rstrip("/")
        for suffix in ("/sparql", "/query"):
            if path.endswith(suffix):
                path = path[: -len(suffix)]
        return cls(f"{parts.scheme}://{parts.netloc}{path}", credentials, timeout)


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer."""

    status: int
    content_type: str
    body: bytes
    server: str
    #: The ``WWW-Authenticate`` challenges of a 401 answer.
    challenges: tuple[str, ...] = ()


class Client:
    """Sends requests to one :class:`Endpoint` and maps failures to errors.

    Connections are kept open (HTTP/1.1 keep-alive) and reused: a request
    takes an idle one, or opens one, and gives it back once the answer is
    read whole.  A connection the server closed while it was idle is found
    before the request goes out, or by a reset before any answer came back;
    a request is then sent again on a new connection once, if that is safe:
    always when it was not sent whole, and when it was, only if it is a read
    (see ``retry_safe`` of :meth:`request`).
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        parts = urllib.parse.urlsplit(endpoint.base)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._prefix = parts.path
        self._auth = Authoriser(endpoint.credentials) if endpoint.credentials is not None else None
        self._lock = threading.Lock()
        self._idle: list[http.client.HTTPConnection] = []
        self._pid = os.getpid()
        #: Connections opened so far.
        self.opened = 0
        weakref.finalize(self, _close_all, self._idle)

    def close(self) -> None:
        """Close the idle connections (a later request opens a new one)."""
        with self._lock:
            _close_all(self._idle)

    def request(self, method: str, path: str, *, params: list[tuple[str, str]] | None = None,
                body: bytes | None = None, content_type: str | None = None,
                accept: str | None = None, timeout: float | None = None,
                ok: tuple[int, ...] = (200, 201, 204), retry_safe: bool | None = None,
                reader: Callable[[BinaryIO], bytes] | None = None,
                on_sent: Callable[[], None] | None = None) -> Answer:
        """Send one request; return the answer when its status is in ``ok``.

        ``on_sent``, if given, is called each time the request has gone out whole,
        before the answer is awaited (more than once if it is sent again).

        ``reader``, if given, reads the body of a ``200`` answer as it comes
        (the answer's ``body`` is what it returns), so that the work on the
        body overlaps the server's writing of it; it must read to the end.
        What it raises (other than a failure of the connection) is raised as is.

        ``retry_safe`` says whether the request may be sent twice when a
        reused connection fails after it went out whole but before any answer
        came; by default, for the idempotent methods and for ``POST`` to the
        query services (``/query``, ``/sparql``), never for other ``POST``s.

        :raises StoreTimeoutError: when no answer came within the time limit.
        :raises StoreUnavailableError: when the server cannot be reached,
            refuses the credentials or answers with a server error.
        :raises QueryError: when the server refuses the request itself (4xx).
        """
        target = self._prefix + path
        if params:
            target += "?" + urllib.parse.urlencode(params)
        headers = {"User-Agent": "rightsgraph"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        limit = self.endpoint.timeout if timeout is None else timeout
        if retry_safe is None:
            retry_safe = method in _IDEMPOTENT or (method == "POST" and path in _READ_PATHS)
        where = self.endpoint.base
        try:
            answer = self._authorised(method, target, path, body, headers, limit, retry_safe,
                                      reader, on_sent)
        except TimeoutError:
            raise StoreTimeoutError(
                f"the store at {where} did not answer within {limit:g} s"
            ) from None
        except OSError as exc:
            raise StoreUnavailableError(f"cannot reach the store at {where}: {_reason(exc)}") from None
        except http.client.HTTPException as exc:  # an answer that is not HTTP as it should be
            raise StoreUnavailableError(
                f"the store at {where} sent an answer that could not be read "
                f"({type(exc).__name__}: {exc})"
            ) from None
        if answer.status in ok:
            return answer
        if answer.status in (401, 403):
            raise StoreUnavailableError(
                f"the store at {where} refused the credentials (HTTP {answer.status}); check "
                "RIGHTSGRAPH_STORE_USER and RIGHTSGRAPH_STORE_PASSWORD"
            )
        message = summary(answer.body)
        if 400 <= answer.status < 500 and answer.status not in (404, 405, 408, 429):
            raise QueryError(f"the store refused the request: {message}")
        raise StoreUnavailableError(
            f"the store at {where} answered HTTP {answer.status}" + (f": {message}" if message else "")
        )

    def _authorised(self, method: str, target: str, path: str, body: bytes | None,
                    headers: dict[str, str], limit: float, retry_safe: bool,
                    reader: Callable[[BinaryIO], bytes] | None = None,
                    on_sent: Callable[[], None] | None = None) -> Answer:
        """The answer, with credentials given when the service asks for them."""
        auth = self._auth
        if auth is None:
            return self._exchange(method, target, body, headers, limit, retry_safe, reader, on_sent)
        if body is not None and len(body) > _PREAUTHORISE_BYTES:
            self._preauthorise(target, path, limit)
        fresh = False  # whether the credentials answer this request's own challenge
        for _ in range(3):
            sent = auth.header(method, target, path)
            if sent is None:
                headers.pop("Authorization", None)
            else:
                headers["Authorization"] = sent
            answer = self._exchange(method, target, body, headers, limit, retry_safe, reader,
                                    on_sent)
            # Credentials signed with a remembered challenge get one more try with
            # the fresh one; those that answered a fresh one, only if it went stale.
            if answer.status != 401 or not auth.learn(path, list(answer.challenges),
                                                      sent=sent if fresh else None):
                return answer
            fresh = True
        return answer

    def _preauthorise(self, target: str, path: str, limit: float) -> None:
        """Learn the service's challenge before a large body goes out.

        A server that answers 401 may close the connection while a large
        body is still being sent (Virtuoso does), which the client sees as a
        broken pipe; so the challenge is fetched first by a ``HEAD`` of the
        same URL (one per large request, so a nonce never goes stale in
        between).  A service that asks for no credentials there gets none.
        """
        assert self._auth is not None
        probe = self._exchange("HEAD", target, None, {"User-Agent": "rightsgraph"}, limit, True)
        if probe.status == 401:
            self._auth.learn(path, list(probe.challenges))

    def _exchange(self, method: str, target: str, body: bytes | None, headers: dict[str, str],
                  limit: float, retry_safe: bool,
                  reader: Callable[[BinaryIO], bytes] | None = None,
                  on_sent: Callable[[], None] | None = None) -> Answer:
        """One request and its whole answer, on a kept-alive connection when one is idle."""
        for attempt in range(2):
            connection, reused = self._take(limit)
            stage = "sending"
            try:
                connection.request(method, target, body=body, headers=headers)
                stage = "waiting"
                if on_sent is not None:
                    on_sent()
                response = connection.getresponse()
                stage = "reading"
                data = (reader(response) if reader is not None and response.status == 200
                        else response.read())
            except BaseException as exc:
                connection.close()
                again = (attempt == 0 and reused and isinstance(exc, _DROPPED)
                         and (stage == "sending" or (stage == "waiting" and retry_safe)))
                if again:
                    continue
                raise
            answer = Answer(response.status, response.headers.get("Content-Type", ""), data,
                            response.headers.get("Server", ""),
                            tuple(response.headers.get_all("WWW-Authenticate") or ()))
            if response.will_close or not response.isclosed():  # (a reader that stopped early)
                connection.close()
            else:
                self._give(connection)
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _take(self, limit: float) -> tuple[http.client.HTTPConnection, bool]:
        """An idle connection that is still open (``True``), else a new one (``False``)."""
        with self._lock:
            if os.getpid() != self._pid:  # a forked child: the parent's connections are not ours
                _close_all(self._idle)  # (closes this process's copies; the parent's stay open)
                self._pid = os.getpid()
            while self._idle:
                connection = self._idle.pop()
                if connection.sock is not None and _still_open(connection.sock):
                    connection.timeout = limit
                    connection.sock.settimeout(limit)
                    return connection, True
                connection.close()
            self.opened += 1
        kind = _HTTPSConnection if self._https else _HTTPConnection
        return kind(self._host, self._port, timeout=limit), False

    def _give(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < _IDLE_CONNECTIONS and os.getpid() == self._pid:
                self._idle.append(connection)
                return
        connection.close()


class _HTTPConnection(http.client.HTTPConnection):
    """A connection that sends each request at once: http.client writes the
    head and the body of a request separately, and with Nagle's algorithm
    the body then waits for the server's delayed acknowledgement (40 ms)."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _HTTPSConnection(http.client.HTTPSConnection):
    """:class:`_HTTPConnection` over TLS."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _still_open(sock: socket.socket) -> bool:
    """Whether an idle connection can carry a request: nothing to read on it
    (a closed connection reads as its end, a reset as an error)."""
    try:
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        if not poller.poll(0):
            return True
    except (OSError, ValueError):
        return False
    if isinstance(sock, ssl.SSLSocket):  # a TLS record that is no data (a session ticket)
        try:
            sock.setblocking(False)
            sock.recv(1)
        except ssl.SSLWantReadError:
            return True
        except OSError:
            return False
    return False


def _close_all(connections: list[http.client.HTTPConnection]) -> None:
    while connections:
        connections.pop().close()


def summary(body: bytes) -> str:
    """The first meaningful line of an error body, shortened; in an HTML page,
    the line that carries an engine's error code, else its first line of text.

    >>> summary(b"\\nVirtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error\\n\\nSPARQL query:")
    'Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error'
    >>> summary(b"<html><head><title>Request failed</title></head><body><h3>Error 40001</h3>"
    ...         b"<xmp>SR172: Transaction deadlocked</xmp></body></html>")
    'SR172: Transaction deadlocked'
    """
    text = body.decode("utf-8", errors="replace")
    if text.lstrip().startswith("<"):
        text = _TAG.sub("\n", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    coded = [line for line in lines if _ERROR_CODE.search(line)]
    return (coded or lines or [""])[0][:_MESSAGE_LIMIT]


_TAG = re.compile(r"<[^>]*>")
#: Virtuoso's error codes (``SP030``, ``SR172``) as they open a message.
_ERROR_CODE = re.compile(r"\b[A-Z]{2}\d{3}: ")


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__
