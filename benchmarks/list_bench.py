"""List benchmark: the browse lists and their facet counts on 100,000 recommendations.

The store of :mod:`benchmarks.graph_bench` (built, or reused under ``--work``)
is indexed (:class:`~rightsgraph.graph.index.StoreIndex`, the file beside the
store), then each list page is asked of the index
(:func:`rightsgraph.graph.listing.indexed_page`): the first read of each list,
then the median of warm pages, bare and with facet choices, dates and order.
Side by side, the same recommendations page asked of the store in SPARQL
(:func:`rightsgraph.graph.catalogue.list_page`, the reference), and the
ratio.  Target: every list page and facet well under 1 s.

Example:
    python -m benchmarks.list_bench --work /tmp/lists
    python -m benchmarks.list_bench --recommendations 2000 --no-results
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.graph_bench import build_store, reusable
from benchmarks.load_bench import append_section, machine
from rightsgraph.graph.catalogue import LISTS, ListQuery, list_page
from rightsgraph.graph.index import StoreIndex
from rightsgraph.graph.listing import indexed_page, listed_items
from rightsgraph.graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
T = "https://w3id.org/rightsgraph/theme/"


def _timed(call: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(location: Path, repeat: int, reference: bool) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with GraphStore.open(location) as store:
        index = StoreIndex.for_store(store)
        started = time.perf_counter()
        index.refresh(store)
        rows.append(("index refreshed (built when missing)", f"{time.perf_counter() - started:.1f} s"))
        started = time.perf_counter()
        listed_items(index, "recommendations")  # reads every list at once
        rows.append(("every list read from the index (at start, and after a change)",
                     f"{time.perf_counter() - started:.2f} s"))
        rows += [(f"{name}: items", f"{len(listed_items(index, name).items):,}") for name in LISTS]
        worst = 0.0
        bare = indexed_page(index, ListQuery("recommendations"))
        picks = [(f.name, f.values[0].value) for f in bare.facets if f.values and f.name != "year"]
        year = next(f.values[0].value for f in bare.facets if f.name == "year")
        asked = [(f"{name}, bare", ListQuery(name)) for name in LISTS]
        asked += [
            ("recommendations, newest first, page 5", ListQuery("recommendations", order="date", page=5)),
            ("recommendations, one theme", ListQuery("recommendations", (("theme", T + "health"),))),
            *[(f"recommendations, {name}", ListQuery("recommendations", ((name, value),)))
              for name, value in picks],
            ("recommendations, every facet's first value", ListQuery("recommendations", tuple(picks))),
            (f"recommendations, year {year}", ListQuery("recommendations", date_from=year, date_to=year)),
            ("recommendations, a date range and a theme, newest first",
             ListQuery("recommendations", picks[:1], date_from=year, date_to=f"{year}-06", order="date")),
            ("recommendations, a value that matches nothing",
             ListQuery("recommendations", (("theme", T + "no-such-theme"),))),
        ]
        for title, query in asked:
            seconds = _timed(lambda q=query: indexed_page(index, q), repeat)
            worst = max(worst, seconds)
            rows.append((f"{title} (warm, median)", f"{seconds * 1000:.1f} ms"))
        rows.append(("slowest warm page above", f"{worst * 1000:.1f} ms"))
        if reference:
            started = time.perf_counter()
            list_page(store, ListQuery("recommendations"))
            sparql = time.perf_counter() - started
            fast = _timed(lambda: indexed_page(index, ListQuery("recommendations")), repeat)
            rows.append(("SPARQL reference: recommendations, bare",
                         f"{sparql:.1f} s; index / SPARQL = {fast / sparql:.5f}"))
        index.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    command = argparse.ArgumentParser(prog="python -m benchmarks.list_bench", description=__doc__,
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("--recommendations", type=int, default=100_000)
    command.add_argument("--seed", type=int, default=7)
    command.add_argument("--work", type=Path, help="keep the store here and reuse it")
    command.add_argument("--repeat", type=int, default=5, help="warm requests per measure")
    command.add_argument("--no-reference", action="store_true",
                         help="skip the SPARQL reference (a minute at 100,000)")
    command.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    command.add_argument("--no-results", action="store_true", help="append nothing")
    args = command.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="list-bench-"))
    location = work / "store"
    if not reusable(location, args.recommendations, args.seed):
        print(f"building a store of {args.recommendations:,} recommendations", file=sys.stderr)
        location.mkdir(parents=True, exist_ok=True)
        build_store(location, args.recommendations, args.seed)
    rows = [("recommendations in the store", f"{args.recommendations:,}"),
            *measure(location, args.repeat, not args.no_reference)]
    table = "\n".join(f"| {a} | {b} |" for a, b in rows)
    print(table)
    if not args.no_results:
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        append_section(args.results, f"## {when} — list_bench\n\nMachine: {machine()}\n\n"
                       f"Command: `python -m benchmarks.list_bench {' '.join(argv or sys.argv[1:])}`"
                       f"\n\n| measure | value |\n|---|---|\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
