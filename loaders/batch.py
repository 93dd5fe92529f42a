"""Load several files into a store: all are parsed first, then each source
graph is replaced atomically, so a bad file loads nothing at all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.serialized import SerializedTriples
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
    """Replace each source's graph, skipping sources whose bytes have not changed.

    Each source's graph is replaced atomically.  The new sources go to the
    store together (:meth:`GraphStore.replace_graphs`): one bulk write for
    many small documents costs far less than one each.
    """
    # One query for every source's record: asking per source costs a query over
    # all of them each time, which grows with the square of the sources loaded.
    records = {record.graph: record for record in store.source_records()}
    outcomes: list[Outcome | None] = []
    writes: list[tuple[int, Loaded, str]] = []
    for loaded in loads:
        if progress:
            progress(loaded.record.file_name)
        previous = records.get(loaded.graph)
        unchanged = (
            previous is not None
            and previous.sha256 == loaded.record.sha256
            and previous.loader == loaded.record.loader
            and previous.loader_version == loaded.record.loader_version
        )
        if unchanged and not force:
            outcomes.append(Outcome(loaded, "unchanged", store.count(loaded.graph)))
            continue
        writes.append((len(outcomes), loaded, "replaced" if previous else "loaded"))
        outcomes.append(None)
    if writes:
        counts = store.replace_graphs([(loaded.graph, loaded.triples)
                                       for _index, loaded, _status in writes])
        for (index, loaded, status), count in zip(writes, counts, strict=True):
            outcomes[index] = Outcome(loaded, status, count)
            if isinstance(loaded.triples, SerializedTriples):  # parsed by the store's bulk loader
                loaded.report.found["triples"] = count - len(loaded.triples.extra)
    return [outcome for outcome in outcomes if outcome is not None]
