"""What the application holds while it runs: the store it owns and the
query workers.  Views reach them through :func:`store` and :func:`pool`.

With a remote store (``STORE`` is an http(s) URL) the app owns nothing: the
server holds the data and runs the queries, so any number of app processes
can serve at once, and a store that fails is answered with a 503 page.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, Response, current_app

from rightsgraph.graph.querypool import QueryPool
from rightsgraph.graph.remote import is_remote_location
from rightsgraph.graph.remote_http import Credentials, StoreUnavailableError
from rightsgraph.graph.remote_pool import RemoteQueryPool
from rightsgraph.graph.store import GraphStore

_UNAVAILABLE = "the data store is not available at the moment; try again in a minute"


@dataclass
class AppState:
    """The store and query pool of one application."""

    store: GraphStore
    pool: QueryPool | RemoteQueryPool

    def close(self) -> None:
        """Stop the workers and release the store."""
        self.pool.close()
        self.store.close()


def init_app(app: Flask) -> AppState:
    """Open the store named by ``STORE`` and start the query workers."""
    location = str(app.config["STORE"])
    if is_remote_location(location):
        return _init_remote(app, location)
    graph_store = GraphStore.open(location)
    graph_store.raw.flush()  # read-only workers see what is on disk
    pool = QueryPool(
        location,
        workers=int(app.config["QUERY_WORKERS"]) or None,  # 0: one per core
        timeout=float(app.config["QUERY_TIMEOUT"]),
    )
    state = AppState(graph_store, pool)
    app.extensions["rightsgraph"] = state
    atexit.register(state.close)
    return state


def _init_remote(app: Flask, location: str) -> AppState:
    from rightsgraph.webui.errors import error_response

    @app.errorhandler(StoreUnavailableError)
    def store_unavailable(error: StoreUnavailableError) -> Response:
        app.logger.warning("store unavailable: %s", error)
        return error_response(503, _UNAVAILABLE, {"Retry-After": "30"})

    from_environment = Credentials.from_environment()  # also reads ..._PASSWORD_FILE
    user = str(app.config.get("STORE_USER") or "")
    password = str(app.config.get("STORE_PASSWORD") or "")
    if user and not password and from_environment is not None:
        password = from_environment.password
    credentials = Credentials(user, password) if user else from_environment
    remote = GraphStore.open(location, credentials=credentials,
                             timeout=float(app.config["STORE_TIMEOUT"]))
    assert remote.remote is not None
    state = AppState(remote, RemoteQueryPool(remote.remote, timeout=float(app.config["QUERY_TIMEOUT"])))
    app.extensions["rightsgraph"] = state
    return state


def app_state() -> AppState:
    """The state of the current application."""
    state: AppState = current_app.extensions["rightsgraph"]
    return state


@contextmanager
def store() -> Iterator[GraphStore]:
    """Yield the application's store (owned by this process, or remote).

    A remote store that fails inside the block becomes a 503 answer, even
    where a view turns other store errors into 400.
    """
    from rightsgraph.webui.errors import ApiError

    try:
        yield app_state().store
    except StoreUnavailableError as exc:
        current_app.logger.warning("store unavailable: %s", exc)
        raise ApiError(503, _UNAVAILABLE, retry_after=30) from None


def pool() -> QueryPool | RemoteQueryPool:
    """The workers that run untrusted SPARQL with a time limit."""
    return app_state().pool
