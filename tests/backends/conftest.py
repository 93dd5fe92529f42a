"""Fixtures of the backend suite: each SPARQL server started once per session,
and ``backend``, parametrised over the embedded store, Oxigraph server and
Virtuoso 7, with the sample corpus loaded into each through rightsgraph."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from servers import (  # noqa: E402
    BACKENDS,
    Backend,
    Server,
    load_sample,
    start_oxigraph,
    start_virtuoso,
    stop,
)

from rightsgraph.graph.store import GraphStore  # noqa: E402


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    stop(server.process)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    stop(server.process)


@pytest.fixture(scope="session")
def reference() -> GraphStore:
    """The embedded store with the sample corpus: the answers every backend must give."""
    return load_sample(GraphStore.memory())


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """The sample corpus loaded into each backend in turn."""
    name = request.param
    if name == "embedded":
        store = GraphStore.open(tmp_path_factory.mktemp("embedded") / "store")
        yield Backend(name, load_sample(store), None)
        store.close()
        return
    server: Server = request.getfixturevalue(f"{name}_server")
    yield Backend(name, load_sample(server.open()), server)
