"""50 readers query a store while one document's graph is replaced again and
again: no reader fails, and every answer is the old graph or the new one.

The readers are threads sharing one on-disk :class:`GraphStore` (the library
API), not HTTP clients of a served app.  That is where the guarantee lives:
``replace_graph`` bulk-writes into a hidden graph and swaps it in with one
``MOVE``, and each pyoxigraph query reads one snapshot.  Through the web app
the same reads would go to query worker processes holding read-only views of
the store, and Oxigraph leaves reading a store read-only while another
process writes to it undefined; docs/security.md says what the server does
about that (its workers reopen after each write), so a test over HTTP would
rely on undefined behaviour rather than prove anything.

Each version of the graph has its own size and a marker triple on every
resource, so a read that mixes two versions (or sees a version half-written,
or the staging graph next to the live one) shows up as a count or a set of
markers that belongs to no version.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from rightsgraph.graph.store import STAGING_PREFIX, GraphStore

GRAPH = NamedNode("https://example.org/source/report")
ITEM = "https://example.org/item/"
VERSION = NamedNode("https://example.org/version")
READERS = 50
REPLACEMENTS = 12

# Reads the default graph (the union of all graphs, where a staging graph would
# show) and the named graph, in one query: one snapshot.
READ = """
SELECT (COUNT(?s) AS ?n) (GROUP_CONCAT(DISTINCT STR(?v); separator="|") AS ?versions)
       (SUM(?inGraph) AS ?named) WHERE {
  ?s <https://example.org/version> ?v .
  OPTIONAL { GRAPH <https://example.org/source/report> { ?s <https://example.org/version> ?w } }
  BIND(IF(BOUND(?w), 1, 0) AS ?inGraph)
}
"""


def version(number: int) -> list[Triple]:
    """Version ``number``: 100 + 7 * number resources, each marked with the version."""
    marker = Literal(f"v{number}")
    return [Triple(NamedNode(f"{ITEM}{number}/{i}"), VERSION, marker)
            for i in range(100 + 7 * number)]


def test_fifty_readers_see_the_old_graph_or_the_new_one(tmp_path: Path) -> None:
    expected = {f"v{n}": 100 + 7 * n for n in range(REPLACEMENTS + 1)}
    seen: Counter[str] = Counter()
    problems: list[str] = []
    done = threading.Event()
    start = threading.Barrier(READERS + 1)

    with GraphStore.open(tmp_path / "store", with_ontology=False) as store:
        store.replace_graph(GRAPH, version(0))

        def read() -> None:
            start.wait()
            while not done.is_set():
                try:
                    row = next(iter(store.query(READ)))  # type: ignore[arg-type]
                except Exception as exc:  # any failure is a finding
                    problems.append(f"{type(exc).__name__}: {exc}")
                    return
                versions = row["versions"].value
                count, named = int(row["n"].value), int(row["named"].value)
                if versions not in expected or count != expected[versions] or named != count:
                    problems.append(f"mixed read: versions {versions!r}, {count} resources, "
                                    f"{named} in the named graph")
                    return
                seen[versions] += 1
                time.sleep(0.001)  # let the writer have the GIL now and then

        threads = [threading.Thread(target=read) for _ in range(READERS)]
        for thread in threads:
            thread.start()
        start.wait()
        try:
            for number in range(1, REPLACEMENTS + 1):
                assert store.replace_graph(GRAPH, version(number)) == 100 + 7 * number
                time.sleep(0.002)
        finally:
            done.set()
            for thread in threads:
                thread.join(timeout=30)
        assert not problems, problems[:5]
        leftovers = [g for g in store.named_graphs() if g.value.startswith(STAGING_PREFIX)]
        assert not leftovers and store.count(GRAPH) == expected[f"v{REPLACEMENTS}"]
    # The readers ran while the writer worked: they saw several versions.
    assert sum(seen.values()) >= READERS and len(seen) >= 3, seen
