"""Which server a remote store is: :func:`detect_engine`, and the engines rightsgraph knows.

Each engine lives in a module of its own: :mod:`rightsgraph.graph.remote_oxigraph`
(Oxigraph server) and :mod:`rightsgraph.graph.remote_virtuoso` (Virtuoso 7), on the
shared :class:`~rightsgraph.graph.remote_engine.Engine`.
"""

from __future__ import annotations

from rightsgraph.graph.remote_engine import Engine
from rightsgraph.graph.remote_http import Client, StoreUnavailableError
from rightsgraph.graph.remote_oxigraph import Oxigraph
from rightsgraph.graph.remote_virtuoso import STAGING_SLOTS, Virtuoso

__all__ = ["Engine", "Oxigraph", "STAGING_SLOTS", "Virtuoso", "detect_engine"]


def detect_engine(client: Client) -> Engine:
    """Recognise the server by the ``Server`` header of its answers."""
    answer = client.request("GET", "/", accept="text/html", ok=tuple(range(200, 600)))
    server = answer.server.lower()
    if "virtuoso" in server:
        return Virtuoso()
    if "oxigraph" in server:
        return Oxigraph()
    raise StoreUnavailableError(
        f"{client.endpoint.base} is not a SPARQL server rightsgraph knows "
        f"(Server: {answer.server or 'not given'}); use Oxigraph server or Virtuoso 7"
    )

