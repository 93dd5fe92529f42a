"""The chunked loads under way in an Oxigraph server, as its graph names show them.

Every mark is an empty named graph (empty graphs add nothing to any answer),
so one query that lists the graphs reads them all:

- ``urn:rightsgraph:generation:<n>``: the load counter, moved on by every
  chunked load as it starts;
- ``urn:rightsgraph:staging:<time>-<id>``: a staging graph that a chunked
  replacement of an existing source fills before its ``MOVE``;
- ``urn:rightsgraph:staging:<time>-<id>-into-<target>``: a new source being
  loaded in place into ``<target>`` (percent-encoded) since ``<time>``;
- ``urn:rightsgraph:loading:<target>``: the lock of ``<target>`` while it is
  loaded in place.  Its name follows from the target alone, so every writer
  of that graph can refuse, in its own transaction, to write while it
  exists (``CREATE GRAPH`` fails on a graph that exists).

>>> marker = loading_marker("https://example.org/g", 1700000000, "ab12")
>>> marker
'urn:rightsgraph:staging:1700000000-ab12-into-https%3A%2F%2Fexample.org%2Fg'
>>> target_of(marker), started_at(marker)
('https://example.org/g', 1700000000)
>>> loads_of(["urn:rightsgraph:generation:4", marker, lock_of("https://example.org/g")])
Loads(generation=4, staging=('urn:rightsgraph:staging:1700000000-ab12-into-https%3A%2F%2Fexample.org%2Fg',), \
targets=frozenset({'https://example.org/g'}))
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from typing import NamedTuple

STAGING_PREFIX = "urn:rightsgraph:staging:"
GENERATION_PREFIX = "urn:rightsgraph:generation:"
LOADING_PREFIX = "urn:rightsgraph:loading:"
_INTO = "-into-"


class Loads(NamedTuple):
    """The chunked loads of an Oxigraph store, as one listing of its graphs found them."""

    #: The load counter.
    generation: int
    #: The staging graphs and in-place markers.
    staging: tuple[str, ...]
    #: The graphs being loaded in place (new sources, not complete yet).
    targets: frozenset[str] = frozenset()


def loads_of(graphs: Iterable[str]) -> Loads:
    """What the graph names ``graphs`` say of the loads under way."""
    generations, staging, targets = [], [], set()
    for graph in graphs:
        if graph.startswith(GENERATION_PREFIX) and graph[len(GENERATION_PREFIX):].isdigit():
            generations.append(int(graph[len(GENERATION_PREFIX):]))
        elif graph.startswith(STAGING_PREFIX):
            staging.append(graph)
        elif graph.startswith(LOADING_PREFIX):
            targets.add(urllib.parse.unquote(graph[len(LOADING_PREFIX):]))
    return Loads(max(generations, default=0), tuple(sorted(staging)), frozenset(targets))


def is_mark(graph: str) -> bool:
    """Whether ``graph`` is one of the marks (never data)."""
    return graph.startswith((STAGING_PREFIX, GENERATION_PREFIX, LOADING_PREFIX))


def loading_marker(target: str, started: int, token: str) -> str:
    """The marker of an in-place load of ``target`` begun at ``started`` (epoch seconds)."""
    return f"{STAGING_PREFIX}{started}-{token}{_INTO}{urllib.parse.quote(target, safe='')}"


def lock_of(target: str) -> str:
    """The lock graph of ``target`` while it is loaded in place."""
    return LOADING_PREFIX + urllib.parse.quote(target, safe="")


def target_of(staging: str) -> str | None:
    """The graph an in-place marker names, ``None`` for a plain staging graph."""
    _, into, target = staging[len(STAGING_PREFIX):].partition(_INTO)
    return urllib.parse.unquote(target) if into else None


def started_at(staging: str) -> int | None:
    """When the load that made a staging graph or marker began (epoch seconds)."""
    started = staging[len(STAGING_PREFIX):].partition("-")[0]
    return int(started) if started.isdigit() else None


__all__ = ["GENERATION_PREFIX", "LOADING_PREFIX", "STAGING_PREFIX", "Loads", "is_mark", "loading_marker",
           "loads_of", "lock_of", "started_at", "target_of"]
