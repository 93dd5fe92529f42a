"""Real SPARQL servers for the backend suite, and how to compare answers.

- ``oxigraph_server``: ``oxigraph serve`` (PyPI package ``oxigraph``) on a
  free loopback port with a temporary directory.
- ``virtuoso_server``: Debian's ``virtuoso-t`` with its own virtuoso.ini in a
  temporary directory, on free loopback ports; the dba password is changed
  through ``isql-vt`` before any test uses it.

The launchers are benchmarks/servers.py's (the benchmarks start the same
servers); this module keeps their names for the backend suite.  The fixtures
(tests/backends/conftest.py) start each server once per session.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

# The launchers live with the benchmarks, which start the same servers.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.servers import (  # noqa: E402, F401  (names the backend tests import from here)
    BIN,
    VIRTUOSO_INI,
    Server,
    free_port,
    start_oxigraph,
    start_virtuoso,
    stop,
    wait_until_answers,
)
from rightsgraph.graph.store import GraphStore, QueryResult  # noqa: E402
from rightsgraph.loaders.batch import parse_paths, store_loaded  # noqa: E402
from rightsgraph.loaders.context import LoadContext  # noqa: E402
from rightsgraph.loaders.sample import sample_corpus_path  # noqa: E402

BACKENDS = ["embedded", "oxigraph", "virtuoso"]


@dataclass
class Backend:
    """A store on one backend, with the sample corpus loaded."""

    name: str
    store: GraphStore
    server: Server | None




def load_sample(store: GraphStore) -> GraphStore:
    store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
    return store




@dataclass(frozen=True)
class Rows:
    """A query's answer in a form that compares across engines: the rows as
    text (blank nodes numbered in order of appearance) and, for an ordered
    query, the values of its ORDER BY variables row by row."""

    rows: tuple[tuple[str, ...], ...]
    order: tuple[tuple[str, ...], ...]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rows):
            return NotImplemented
        return sorted(self.rows) == sorted(other.rows) and self.order == other.order

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.rows)))


def comparable_rows(result: QueryResult, query: str) -> Rows:
    """``result`` of ``query`` as :class:`Rows`."""
    variables = [v.value for v in result.variables]  # type: ignore[union-attr]
    clause = re.search(r"ORDER\s+BY(.*?)(LIMIT|OFFSET|$)", query, re.IGNORECASE | re.DOTALL)
    keys = re.findall(r"\?(\w+)", clause.group(1)) if clause else []
    blanks: dict[str, str] = {}
    rows, order = [], []
    for solution in result:  # type: ignore[union-attr]
        values = {name: _text(solution[name], blanks) for name in variables}
        rows.append(tuple(values[name] for name in variables))
        order.append(tuple(values.get(key, "") for key in keys))
    if keys and order and re.search(r"\bLIMIT\s+\d+\s*$", query, re.IGNORECASE):
        # Rows tied with the last one may be cut differently (SPARQL leaves ties unordered);
        # the caller compares the whole answer without LIMIT as well.
        rows = [row for row, key in zip(rows, order, strict=True) if key != order[-1]]
    return Rows(tuple(rows), tuple(order) if keys else ())


def _text(term: object, blanks: dict[str, str]) -> str:
    if term is None:
        return ""
    if term.__class__.__name__ == "BlankNode":
        return blanks.setdefault(str(term), f"_:b{len(blanks)}")
    return str(term)
