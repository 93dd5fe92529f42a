"""Per-client rate limiting of the SPARQL endpoint (a token bucket per address).

Each client address may send ``RATE_LIMIT_BURST`` queries at once and then
``RATE_LIMIT_PER_MINUTE`` a minute; a query beyond that is answered with
429 Too Many Requests and a ``Retry-After`` header giving the seconds until
the next one is allowed.  ``RATE_LIMIT_PER_MINUTE = 0`` turns limiting off.

The client is the TCP peer address: behind a reverse proxy every client
shares the proxy's address, so either raise the limit or let the proxy
limit instead (docs/security.md).

>>> buckets = Buckets(per_minute=60, burst=2)
>>> [buckets.take("10.0.0.1", now=0.0) for _ in range(3)]
[0.0, 0.0, 1.0]
>>> buckets.take("10.0.0.1", now=1.0), buckets.take("10.0.0.2", now=1.0)
(0.0, 0.0)
"""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, current_app, request

from rightsgraph.webui.errors import ApiError

#: Endpoints that are limited (the query endpoint: every request there may cost a query).
LIMITED_ENDPOINTS = frozenset({"sparql.endpoint"})
#: Buckets kept at most; the fullest (idle) ones are forgotten first.
MAX_CLIENTS = 10_000


class Buckets:
    """Token buckets by client: ``burst`` tokens, refilled at ``per_minute / 60`` a second."""

    def __init__(self, *, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)

    def take(self, client: str, *, now: float | None = None) -> float:
        """Take one token for ``client``; return 0 or the seconds to wait for one."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            tokens, at = self._tokens.get(client, (float(self.burst), moment))
            tokens = min(float(self.burst), tokens + (moment - at) * self.rate)
            if tokens >= 1.0:
                self._tokens[client] = (tokens - 1.0, moment)
                self._forget_idle()
                return 0.0
            self._tokens[client] = (tokens, moment)
            return (1.0 - tokens) / self.rate

    def _forget_idle(self) -> None:
        if len(self._tokens) > MAX_CLIENTS:  # a flood of addresses must not grow memory
            for client in sorted(self._tokens, key=lambda c: -self._tokens[c][0])[: MAX_CLIENTS // 10]:
                del self._tokens[client]


def init_app(app: Flask) -> None:
    """Limit the SPARQL endpoint per client, as the RATE_LIMIT_* settings say."""
    per_minute = float(app.config["RATE_LIMIT_PER_MINUTE"])
    if per_minute <= 0:
        return
    buckets = Buckets(per_minute=per_minute, burst=int(app.config["RATE_LIMIT_BURST"]))
    app.extensions["rightsgraph.ratelimit"] = buckets

    @app.before_request
    def limit() -> None:
        if request.endpoint not in LIMITED_ENDPOINTS or request.method == "OPTIONS":
            return
        wait = buckets.take(request.remote_addr or "unknown")
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            limit_text = current_app.config["RATE_LIMIT_PER_MINUTE"]
            raise ApiError(429, f"too many queries from your address (the limit is {limit_text} "
                                f"a minute); try again in {seconds} s", retry_after=seconds)
