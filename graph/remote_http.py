"""HTTP to a remote SPARQL server: where its services live, how to log in,
and every failure turned into one line a user can act on.

Only the standard library speaks HTTP here (``urllib`` does Basic and Digest
authentication, which Virtuoso's Graph Store needs).  Credentials come from
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
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from rightsgraph.graph.errors import QueryError, RightsgraphError

#: Seconds a request to the store may wait for an answer, unless configured.
DEFAULT_TIMEOUT = 30.0
_MESSAGE_LIMIT = 300
#: A body larger than this is sent with credentials from the start: a server
#: that answers 401 may close the connection while a large body is still being
#: sent (Virtuoso does), which the client sees as a broken pipe.
_PREAUTHORISE_BYTES = 16 * 1024
#: Header lines an answer may have.  Virtuoso echoes every ``default-graph-uri``
#: and ``named-graph-uri`` of a query as a header of its answer, and rightsgraph
#: names each source graph in both (see remote_engines), so http.client's own
#: limit of 100 failed every query once a store held about 50 sources.  This
#: allows 10,000 sources; the store is the operator's own server.
MAX_ANSWER_HEADERS = 20_000
if http.client._MAXHEADERS < MAX_ANSWER_HEADERS:  # type: ignore[attr-defined]
    http.client._MAXHEADERS = MAX_ANSWER_HEADERS  # type: ignore[attr-defined]


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


class Client:
    """Sends requests to one :class:`Endpoint` and maps failures to errors."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        handlers: list[urllib.request.BaseHandler] = []
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        self._lock = threading.Lock()
        if endpoint.credentials is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, endpoint.base, endpoint.credentials.user,
                                   endpoint.credentials.password)
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
            handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                         urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)
        self._plain = urllib.request.build_opener()

    def request(self, method: str, path: str, *, params: list[tuple[str, str]] | None = None,
                body: bytes | None = None, content_type: str | None = None,
                accept: str | None = None, timeout: float | None = None,
                ok: tuple[int, ...] = (200, 201, 204)) -> Answer:
        """Send one request; return the answer when its status is in ``ok``.

        :raises StoreTimeoutError: when no answer came within the time limit.
        :raises StoreUnavailableError: when the server cannot be reached,
            refuses the credentials or answers with a server error.
        :raises QueryError: when the server refuses the request itself (4xx).
        """
        url = self.endpoint.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"User-Agent": "rightsgraph"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        limit = self.endpoint.timeout if timeout is None else timeout
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        where = self.endpoint.base
        try:
            if self._digest is not None and body is not None and len(body) > _PREAUTHORISE_BYTES:
                self._preauthorise(request, limit)
            with self._opener.open(request, timeout=limit) as response:
                answer = Answer(response.status, response.headers.get("Content-Type", ""),
                                response.read(), response.headers.get("Server", ""))
        except urllib.error.HTTPError as exc:
            data = _read_quietly(exc)
            answer = Answer(exc.code, exc.headers.get("Content-Type", ""), data,
                            exc.headers.get("Server", ""))
        except TimeoutError:
            raise StoreTimeoutError(
                f"the store at {where} did not answer within {limit:g} s"
            ) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise StoreTimeoutError(
                    f"the store at {where} did not answer within {limit:g} s"
                ) from None
            raise StoreUnavailableError(f"cannot reach the store at {where}: {_reason(exc.reason)}") \
                from None
        except (ConnectionError, OSError) as exc:
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


    def _preauthorise(self, request: urllib.request.Request, limit: float) -> None:
        """Put Digest credentials on ``request`` before its body goes out.

        The server's challenge is fetched first by a request without a body
        (a ``HEAD`` of the same URL; one per large request, so a nonce never
        goes stale in between).  A server that asks for no credentials there
        gets none; one that offers Basic gets it from the opener's handler.
        """
        assert self._digest is not None
        probe = urllib.request.Request(request.full_url, method="HEAD",
                                       headers={"User-Agent": "rightsgraph"})
        try:
            with self._plain.open(probe, timeout=limit) as answer:
                answer.read()
            return  # no challenge: nothing to add
        except urllib.error.HTTPError as refused:
            offered = refused.headers.get("WWW-Authenticate", "")
            _read_quietly(refused)
        scheme, _, rest = offered.partition(" ")
        if scheme.lower() != "digest":
            return
        challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        with self._lock:  # the handler counts nonces
            authorisation = self._digest.get_authorization(request, challenge)
        if authorisation:
            request.add_unredirected_header("Authorization", "Digest " + authorisation)


def summary(body: bytes) -> str:
    """The first meaningful line of an error body, shortened.

    >>> summary(b"\\nVirtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error\\n\\nSPARQL query:")
    'Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error'
    """
    for line in body.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith("<"):
            return line[:_MESSAGE_LIMIT]
    return ""


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read()
    except (OSError, ValueError):
        return b""


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__
