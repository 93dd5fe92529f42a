"""What the application holds while it runs: the store it owns and the
query workers.  Views reach them through :func:`store` and :func:`pool`."""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app

from rightsgraph.graph.querypool import QueryPool
from rightsgraph.graph.store import GraphStore


@dataclass
class AppState:
    """The store and query pool of one application."""

    store: GraphStore
    pool: QueryPool

    def close(self) -> None:
        """Stop the workers and release the store."""
        self.pool.close()
        self.store.close()


def init_app(app: Flask) -> AppState:
    """Open the store named by ``STORE`` and start the query workers."""
    location = str(app.config["STORE"])
    graph_store = GraphStore.open(location)
    graph_store.raw.flush()  # read-only workers see what is on disk
    pool = QueryPool(
        location,
        workers=int(app.config["QUERY_WORKERS"]),
        timeout=float(app.config["QUERY_TIMEOUT"]),
    )
    state = AppState(graph_store, pool)
    app.extensions["rightsgraph"] = state
    atexit.register(state.close)
    return state


def app_state() -> AppState:
    """The state of the current application."""
    state: AppState = current_app.extensions["rightsgraph"]
    return state


@contextmanager
def store() -> Iterator[GraphStore]:
    """Yield the application's store (owned by this process)."""
    yield app_state().store


def pool() -> QueryPool:
    """The workers that run untrusted SPARQL with a time limit."""
    return app_state().pool
