"""Export benchmark: readable Turtle (and TriG) against pyoxigraph's own dump.

One run writes ``--triples`` recommendation-shaped triples with the corpus
generator (``benchmarks/generate.py``, reproducible by seed), bulk-loads them
into a named graph of an on-disk :class:`~rightsgraph.graph.store.GraphStore`
(which also holds the vocabulary graphs), then, ``--repeat`` times and
interleaved:

* ``turtle``: ``export(store, "turtle", graph scope)`` against
  ``Store.dump(format=TURTLE, from_graph=graph, prefixes=PREFIXES)``;
* ``trig``: ``export(store, "trig")`` of the whole dataset against
  ``Store.dump(format=TRIG, prefixes=PREFIXES)``.

Each figure is the best of the runs, in wall-clock and in CPU time (the
CPU time of this process is steadier on a shared machine).  The ratio is the
export's throughput over the dump's (target: at least 0.8).  It says where
the export's time goes (reading the canonical sorted lines, writing), and
appends a dated section to ``benchmarks/RESULTS.md``.

With ``--store-url`` (a remote SPARQL store, empty; credentials from
``RIGHTSGRAPH_STORE_USER``/``RIGHTSGRAPH_STORE_PASSWORD``) the triples are
posted into a graph of that server by its own Graph Store bulk path (not
timed), the exports run through rightsgraph on the remote store, and the
raw side (rows ``server …``) is the server's own dump over HTTP: the graph
by a Graph Store ``GET`` (Turtle); everything by Oxigraph's ``GET /store``
(TriG), or on Virtuoso by a Graph Store ``GET`` of each graph rightsgraph
lists, one after the other.

Example:
    python -m benchmarks.export_bench
    python benchmarks/export_bench.py --triples 20000 --repeat 2 --results /tmp/results.md
    python -m benchmarks.export_bench --triples 20000 --store-url http://127.0.0.1:7878
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph  # noqa: E402
from pyoxigraph import NamedNode, RdfFormat  # noqa: E402

from benchmarks.generate import write_ntriples  # noqa: E402
from rightsgraph.graph.canonical import Canonical  # noqa: E402
from rightsgraph.graph.export import export  # noqa: E402
from rightsgraph.graph.scopes import Scope  # noqa: E402
from rightsgraph.graph.store import GraphStore  # noqa: E402
from rightsgraph.graph.turtle import EXPORT_PREFIXES, TurtleWriter  # noqa: E402
from rightsgraph.ontology.terms import PREFIXES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
TARGET_RATIO = 0.8
GRAPH = NamedNode("https://w3id.org/rightsgraph/id/source/bench-export")


class Timing:
    """The best wall-clock and CPU seconds of several runs of one operation."""

    def __init__(self) -> None:
        self.wall = float("inf")
        self.cpu = float("inf")
        self.size = 0

    def run(self, operation: Callable[[], bytes]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        output = operation()
        self.wall = min(self.wall, time.perf_counter() - wall)
        self.cpu = min(self.cpu, time.process_time() - cpu)
        self.size = len(output)


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            kib = int(info.readline().split()[1])
        memory = f", RAM {kib / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return (f"nproc {os.cpu_count()}{memory}, Python {platform.python_version()}, "
            f"pyoxigraph {pyoxigraph.__version__}, {platform.machine()} {platform.system()}{load}")


def build_store(folder: Path, triples: int, seed: int) -> GraphStore:
    source = folder / "bench.nt"
    written = write_ntriples(source, triples, seed)
    store = GraphStore.open(folder / "store")
    store.raw.bulk_load(path=str(source), format=RdfFormat.N_TRIPLES, to_graph=GRAPH)
    store.raw.optimize()
    print(f"store: {written} generated triples in {GRAPH.value} (seed {seed}), "
          f"{store.count()} quads in all with the vocabulary graphs")
    return store


def build_remote(folder: Path, url: str, triples: int, seed: int) -> GraphStore:
    """Post the generated triples into a graph of the server at ``url``; the store on it."""
    from benchmarks.remote import RawServer

    source = folder / "bench.nt"
    written = write_ntriples(source, triples, seed)
    store = GraphStore.open(url)  # writes the vocabulary graphs first, as rightsgraph does
    RawServer(url).post_graph(GRAPH.value, source.read_bytes())
    print(f"store: {written} generated triples in {GRAPH.value} (seed {seed}) of the server "
          f"{url}, {store.count()} quads in all with the vocabulary graphs")
    return store


def measure(store: GraphStore, repeat: int, raw_name: str = "pyoxigraph",
            url: str | None = None) -> dict[str, Timing]:
    scope = Scope.parse("graph", [GRAPH.value])
    operations: dict[str, Callable[[], bytes]]
    if store.remote is not None and url is not None:
        from benchmarks.remote import RawServer

        server = RawServer(url)
        # The graphs rightsgraph reads as the dataset (Virtuoso: every graph that
        # types something, its own system graphs left out), as it would send them.
        remote = store.remote
        graphs = [value for key, value in remote.engine.dataset_params(
            remote.client, True, False, [], []) if key == "default-graph-uri"]
        operations = {
            f"{raw_name} turtle": lambda: server.get_graph(GRAPH.value),
            "export turtle": lambda: export(store, "turtle", scope),
            f"{raw_name} trig": lambda: server.dump(graphs),
            "export trig": lambda: export(store, "trig"),
        }
    else:
        operations = {
            f"{raw_name} turtle": lambda: store.raw.dump(format=RdfFormat.TURTLE, from_graph=GRAPH,
                                                         prefixes=PREFIXES) or b"",
            "export turtle": lambda: export(store, "turtle", scope),
            f"{raw_name} trig": lambda: store.raw.dump(format=RdfFormat.TRIG,
                                                       prefixes=PREFIXES) or b"",
            "export trig": lambda: export(store, "trig"),
        }
    holder: list[Canonical] = []

    def read() -> bytes:
        holder[:] = [Canonical.from_store(store, [GRAPH])]
        return b""

    def write() -> bytes:
        data = holder[0]
        return TurtleWriter(EXPORT_PREFIXES).document(data.merged(),
                                                      blank_nodes=data.has_blank_nodes).encode()

    operations["  of which: read the canonical lines"] = read
    operations["  of which: write Turtle"] = write
    timings = {name: Timing() for name in operations}
    for _ in range(repeat):
        for name, operation in operations.items():  # interleaved: all see the same machine
            timings[name].run(operation)
    return timings


def report(timings: dict[str, Timing], triples: int, quads: int,
           raw_name: str = "pyoxigraph") -> list[str]:
    lines = [
        "| operation | triples | best wall s | best CPU s | triples/s (wall) | output MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, timing in timings.items():
        count = quads if "trig" in name else triples
        lines.append(f"| {name} | {count} | {timing.wall:.3f} | {timing.cpu:.3f} | "
                     f"{count / timing.wall:,.0f} | {timing.size / 1e6:.1f} |")
    lines.append("")
    for fmt in ("turtle", "trig"):
        ours, theirs = timings[f"export {fmt}"], timings[f"{raw_name} {fmt}"]
        wall, cpu = theirs.wall / ours.wall, theirs.cpu / ours.cpu

        def verdict(ratio: float) -> str:
            return "met" if ratio >= TARGET_RATIO else "MISSED"

        lines.append(f"ratio {fmt}: export/{raw_name} throughput = {wall:.2f} wall-clock "
                     f"({verdict(wall)}), {cpu:.2f} CPU time ({verdict(cpu)}); "
                     f"target >= {TARGET_RATIO}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.export_bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=200_000,
                        help="generated triples (default 200000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each operation (default 5)")
    parser.add_argument("--results", default=str(RESULTS), help="file to append the results to")
    parser.add_argument("--no-results", action="store_true", help="do not write any results file")
    parser.add_argument("--store-url", help="a remote SPARQL store (an empty server) to measure")
    args = parser.parse_args(argv)
    raw_name = "server" if args.store_url else "pyoxigraph"
    with tempfile.TemporaryDirectory(prefix="rightsgraph-export-bench-") as folder:
        if args.store_url:
            store = build_remote(Path(folder), args.store_url, args.triples, args.seed)
        else:
            store = build_store(Path(folder), args.triples, args.seed)
        try:
            triples = store.count(GRAPH)
            timings = measure(store, max(1, args.repeat), raw_name, args.store_url)
            quads = store.count()
        finally:
            store.close()
    lines = report(timings, triples, quads, raw_name)
    print("\n".join(lines))
    if not args.no_results:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        section = io.StringIO()
        section.write(f"\n## Export throughput, {stamp}\n\n")
        section.write(f"- machine: {machine()}\n")
        section.write(f"- data: {triples} generated recommendation triples in one graph (seed "
                      f"{args.seed}) of an on-disk store that also holds the vocabulary "
                      f"({quads} quads); best of {args.repeat} interleaved runs\n")
        section.write("- export: sorted, grouped, prefixed Turtle with relative IRIs, canonical "
                      "blank nodes; " + (f"server: the server's own Graph Store dump over HTTP "
                                         f"({args.store_url}), in its order" if args.store_url else
                                         "pyoxigraph: Store.dump in store order") + "\n\n")
        section.write("\n".join(lines) + "\n")
        path = Path(args.results)
        if not path.exists():
            path.write_text("# Benchmark results\n", encoding="utf-8")
        with path.open("a", encoding="utf-8") as out:
            out.write(section.getvalue())
        print(f"appended to {path}")


if __name__ == "__main__":
    main()
