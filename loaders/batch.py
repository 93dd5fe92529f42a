"""Load several files into a store: all are parsed first, then each source
graph is replaced atomically, so a bad file loads nothing at all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders import registry
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.source import Source

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    """What became of one source: ``loaded`` (new), ``replaced`` or ``unchanged``."""

    loaded: Loaded
    status: str
    triples: int


def parse_paths(
    paths: Sequence[str | Path],
    context: LoadContext,
    *,
    format: str | None = None,
    progress: Progress | None = None,
) -> list[Loaded]:
    """Read and parse every path; raise on the first bad one, before anything is stored."""
    if context.graph is not None and len(paths) > 1:
        raise InputError("an explicit graph IRI can name only one source; load files one by one")
    results: list[Loaded] = []
    seen: dict[str, str] = {}
    for path in paths:
        if progress:
            progress(str(path))
        source = Source.from_path(path, max_bytes=context.max_bytes)
        loaded = registry.read(source, context, format)
        other = seen.get(loaded.graph.value)
        if other is not None:
            raise InputError(
                f"same source graph {loaded.graph.value} as {other}; rename one of the files",
                file=str(path),
            )
        seen[loaded.graph.value] = str(path)
        results.append(loaded)
    return results


def store_loaded(
    store: GraphStore,
    loads: Sequence[Loaded],
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Replace each source's graph, skipping sources whose bytes have not changed."""
    outcomes = []
    for loaded in loads:
        if progress:
            progress(loaded.record.file_name)
        previous = store.source_record(loaded.graph)
        unchanged = (
            previous is not None
            and previous.sha256 == loaded.record.sha256
            and previous.loader == loaded.record.loader
            and previous.loader_version == loaded.record.loader_version
        )
        if unchanged and not force:
            outcomes.append(Outcome(loaded, "unchanged", store.count(loaded.graph)))
            continue
        count = store.replace_graph(loaded.graph, loaded.triples)
        outcomes.append(Outcome(loaded, "replaced" if previous else "loaded", count))
    return outcomes
