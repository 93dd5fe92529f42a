"""HTTP authentication to a remote store: Basic, and Digest (RFC 7616, and
RFC 2617 before it) with ``qop=auth`` and nonce counting.

The services that asked for credentials (Virtuoso's ``/sparql-auth`` and
``/sparql-graph-crud-auth``) are remembered with the server's last challenge,
so later requests to them carry credentials from the start and need no 401
round trip; a 401 that brings a new nonce (or says ``stale=true``) is
answered once more with it.

>>> from rightsgraph.graph.remote_http import Credentials
>>> signer = Authoriser(Credentials("Mufasa", "Circle Of Life"))
>>> signer.learn("/dir/index.html", ['Digest realm="testrealm@host.com", qop="auth", '
...              'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'])
True
>>> header = signer.header("GET", "/dir/index.html", "/dir/index.html", cnonce="0a4f113b")
>>> 'response="6629fae49393a05397450978507c4ef1"' in header
True
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rightsgraph.graph.remote_http import Credentials

__all__ = ["Authoriser"]

_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


@dataclass(frozen=True)
class _Challenge:
    """What a server's ``WWW-Authenticate: Digest …`` asked for."""

    realm: str
    nonce: str
    opaque: str | None
    algorithm: str
    qop: bool
    stale: bool


class Authoriser:
    """Signs requests to the protected services of one store."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self._lock = threading.Lock()
        self._protected: set[str] = set()
        self._digest: _Challenge | None = None
        self._basic = False
        self._count = 0

    def protects(self, path: str) -> bool:
        """Whether ``path`` asked for credentials before."""
        return path in self._protected

    def learn(self, path: str, offers: list[str], *, sent: str | None = None) -> bool:
        """Take the challenges of a 401 answer to ``path``; whether it is worth
        asking again (``sent``: the ``Authorization`` the refused request carried).

        A request that carried credentials is asked again only when the server
        gave a new nonce or said the old one was stale: otherwise it refused
        the credentials themselves.
        """
        digest = next((_parse(o) for o in offers if o.lower().startswith("digest ")), None)
        basic = any(o.lower().startswith("basic") for o in offers)
        with self._lock:
            if digest is not None and digest.algorithm.removesuffix("-SESS") in _HASHES:
                again = (sent is None or digest.stale
                         or (self._digest is not None and digest.nonce != self._digest.nonce))
                if digest != self._digest or digest.stale:
                    self._digest, self._count = digest, 0
                self._basic = False
            elif basic and digest is None:
                again = sent is None
                self._basic, self._digest = True, None
            else:
                return False
            self._protected.add(path)
            return again

    def header(self, method: str, target: str, path: str, *, cnonce: str | None = None) -> str | None:
        """The ``Authorization`` value for a request to ``path`` (``target``: the
        request line's path and query), or ``None`` if it needs none yet."""
        if path not in self._protected:
            return None
        user, password = self.credentials.user, self.credentials.password
        with self._lock:
            if self._basic:
                token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
                return f"Basic {token}"
            challenge = self._digest
            if challenge is None:
                return None
            self._count += 1
            count = f"{self._count:08x}"
        cnonce = cnonce or secrets.token_hex(8)
        name = challenge.algorithm.removesuffix("-SESS")

        def digest(text: str) -> str:
            return _HASHES[name](text.encode("utf-8")).hexdigest()

        secret = digest(f"{user}:{challenge.realm}:{password}")
        if challenge.algorithm.endswith("-SESS"):
            secret = digest(f"{secret}:{challenge.nonce}:{cnonce}")
        request = digest(f"{method}:{target}")
        if challenge.qop:
            response = digest(f"{secret}:{challenge.nonce}:{count}:{cnonce}:auth:{request}")
        else:
            response = digest(f"{secret}:{challenge.nonce}:{request}")
        fields = [f'username="{_quoted(user)}"', f'realm="{_quoted(challenge.realm)}"',
                  f'nonce="{_quoted(challenge.nonce)}"', f'uri="{_quoted(target)}"',
                  f'response="{response}"', f"algorithm={challenge.algorithm}"]
        if challenge.opaque is not None:
            fields.append(f'opaque="{_quoted(challenge.opaque)}"')
        if challenge.qop:
            fields += ["qop=auth", f"nc={count}", f'cnonce="{cnonce}"']
        return "Digest " + ", ".join(fields)


def _parse(offer: str) -> _Challenge | None:
    """A Digest challenge, or ``None`` if it lacks what a response needs or
    offers no quality of protection this client does (``auth``)."""
    values = urllib.request.parse_keqv_list(urllib.request.parse_http_list(offer[7:]))
    if "realm" not in values or "nonce" not in values:
        return None
    qops = [q.strip() for q in values.get("qop", "").split(",") if q.strip()]
    if qops and "auth" not in qops:
        return None
    return _Challenge(values["realm"], values["nonce"], values.get("opaque"),
                      values.get("algorithm", "MD5").upper(), bool(qops),
                      values.get("stale", "").lower() == "true")


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
