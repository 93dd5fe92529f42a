"""What the application derives from its store and keeps in step with it:
the index beside the store (search, concept labels, tagged units) and the
intersection network read from it.

When the app starts, the index is refreshed (only the graphs whose source
digest or loader version changed are reindexed) and the network is read and
counted once, so that the first /graph.json is as quick as the next.  After
every update through /sparql/update (:func:`store_changed`) the index is
rebuilt and the network read again.
"""

from __future__ import annotations

import atexit
import sys
from dataclasses import dataclass, field
from threading import Lock

from flask import current_app
from flask.sansio.app import App

from rightsgraph.graph.index import StoreIndex
from rightsgraph.graph.intersections import Filters, Intersections
from rightsgraph.graph.store import GraphStore

_KEY = "rightsgraph.derived"


@dataclass
class Derived:
    """The index and the intersection network of one app's store."""

    store: GraphStore
    index: StoreIndex
    _network: Intersections | None = None
    _lock: Lock = field(default_factory=Lock)

    def network(self) -> Intersections:
        """The intersection network (read again after the store changed)."""
        with self._lock:
            if self._network is None:
                self._network = Intersections.build(self.store, self.index)
                self._network.count(Filters())  # the unfiltered counts every page starts from
            return self._network

    def store_changed(self) -> None:
        """Rebuild the index and re-read the network: the store was updated."""
        self.index.rebuild(self.store)
        with self._lock:
            self._network = None
        self.network()


def init_app(app: App) -> Derived:
    """Open and refresh the app's index and read its network (once per app)."""
    existing: Derived | None = app.extensions.get(_KEY)
    if existing is not None:
        return existing
    graph_store = app.extensions["rightsgraph"].store
    index = StoreIndex.for_store(graph_store)
    index.refresh(graph_store, None if app.testing else _report)
    derived = Derived(graph_store, index)
    derived.network()
    app.extensions[_KEY] = derived
    atexit.register(index.close)
    return derived


def _report(done: int, total: int, graph: str) -> None:
    """Say on standard error which graph the first start after a load is indexing."""
    if done == 0:
        print(f"rightsgraph: indexing {total} graph(s) for search and the intersection graph "
              "(only what changed since the last start)", file=sys.stderr, flush=True)
    print(f"rightsgraph: indexing {done + 1}/{total}: {graph or 'the default graph'}",
          file=sys.stderr, flush=True)


def derived() -> Derived:
    """What the current app derives from its store."""
    found: Derived = current_app.extensions[_KEY]
    return found


def store_changed() -> None:
    """Tell the current app that its store changed (after an update)."""
    found: Derived | None = current_app.extensions.get(_KEY)
    if found is not None:
        found.store_changed()
