"""Latency of the example queries through the SPARQL endpoint against the
same queries run directly on pyoxigraph, in one run.

Builds a store (the bundled sample corpus when the text loader is there,
otherwise a synthetic graph), starts a real ``rightsgraph serve``, and runs
every example query of the workbench gallery N times each, through the
endpoint (HTTP, SPARQL JSON) and directly (``Store.read_only`` on the same
files, the same prefixes and union default graph, serialised to the same
JSON), at each client concurrency, with both sides running that many client
processes at once, in alternating blocks.  It prints median and p95 latencies and
the ratio, checks the target ``endpoint <= 1.2 x direct + 5 ms`` on the
medians, and appends a dated section to benchmarks/RESULTS.md.

With ``--store-url`` (a remote SPARQL store, credentials from
``RIGHTSGRAPH_STORE_USER``/``RIGHTSGRAPH_STORE_PASSWORD``), the corpus is
loaded into that server through rightsgraph, ``rightsgraph serve`` runs on
it, and "direct" is the same query sent straight to the server's SPARQL
endpoint over HTTP (form POST, SPARQL JSON) with the same prefixes and the
same dataset rightsgraph asks for: the union of the graphs
(``union-default-graph`` on Oxigraph, every visible graph as
``default-graph-uri``/``named-graph-uri`` on Virtuoso).

Example:
    python -m benchmarks.endpoint_bench --requests 50 --clients 1,8
    python -m benchmarks.endpoint_bench --requests 5 --store-url http://127.0.0.1:7878
    python -m benchmarks.endpoint_bench --requests 5 --synthetic --results /tmp/results.md
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import Store

from benchmarks.servers import stop_server
from rightsgraph.graph.gallery import examples
from rightsgraph.graph.querypool import default_workers
from rightsgraph.graph.results import serialize
from rightsgraph.ontology.terms import PREFIXES

RESULTS = Path(__file__).with_name("RESULTS.md")
BIN = Path(sys.executable).parent
FACTOR, ALLOWANCE_MS = 1.2, 5.0


@dataclass
class Timing:
    """Latencies (seconds) of one query by one path."""

    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


# ---------------------------------------------------------------- the store


def build_store(folder: Path, synthetic: bool = False,
                store_url: str | None = None) -> tuple[Path | str, str]:
    """Load the sample corpus (or a synthetic graph) into a new store (or the
    remote store at ``store_url``); say which."""
    store: Path | str = store_url or folder / "store"
    corpus = None if synthetic else sample_corpus()
    if corpus is None:
        corpus = folder / "synthetic.nt"
        corpus.write_text(synthetic_ntriples(), encoding="utf-8")
        what = "a synthetic graph" + ("" if synthetic else " (the text loader is not registered)")
    else:
        what = f"the sample corpus ({corpus.name})"
    from rightsgraph.graph.store import GraphStore
    from rightsgraph.loaders.batch import parse_paths, store_loaded
    from rightsgraph.loaders.context import LoadContext

    with GraphStore.open(store) as graph_store:  # closed (unlocked) before the server starts
        outcomes = store_loaded(graph_store, parse_paths([corpus], LoadContext()))
        held = graph_store.count()
    loaded = sum(outcome.triples for outcome in outcomes)
    return store, f"{what}: {loaded} triples loaded, {held} in the store with the vocabulary"


def sample_corpus() -> Path | None:
    try:
        from rightsgraph.loaders import registry
        from rightsgraph.loaders.sample import sample_corpus_path
    except ImportError:
        return None
    return Path(sample_corpus_path()) if "text" in registry.formats() else None


def synthetic_ntriples(documents: int = 40) -> str:
    """Documents, statements, passages, recommendations, commitments, concerns,
    footnotes and sources tagged with the vocabulary's themes and groups."""
    rg, base = "https://w3id.org/rightsgraph/ontology#", "https://w3id.org/rightsgraph/id/synthetic/"
    themes = ["maternal-mortality", "immigration-detention", "gender-based-violence", "asylum"]
    groups = ["women", "migrants", "children", "people-of-african-descent"]
    lines: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        lines.append(f"<{s}> <{p}> {o} .")

    a = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for d in range(documents):
        doc = f"{base}doc{d}"
        add(doc, a, f"<{rg}Document>")
        add(doc, "http://purl.org/dc/terms/title", f'"Document {d}"')
        for s in range(5):
            statement = f"{doc}/s{s}"
            add(statement, a, f"<{rg}Statement>")
            add(statement, "http://purl.org/dc/terms/isPartOf", f"<{doc}>")
            add(statement, "http://purl.org/dc/terms/title", f'"Statement {d}.{s}"')
            add(statement, "http://purl.org/dc/terms/creator",
                f"<https://w3id.org/rightsgraph/organisation/org{(d + s) % 7}>")
            for u, kind in enumerate(("Passage", "Recommendation", "Commitment", "Concern")):
                unit = f"{statement}/u{u}"
                add(unit, a, f"<{rg}{kind}>")
                add(unit, f"{rg}text", f'"{kind} {d}.{s}.{u} about rights."')
                add(unit, "http://purl.org/dc/terms/isPartOf", f"<{statement}>")
                add(unit, "http://www.w3.org/ns/prov#wasDerivedFrom", f"<{doc}>")
                add(unit, f"{rg}theme",
                    f"<https://w3id.org/rightsgraph/theme/{themes[(d + s + u) % len(themes)]}>")
                add(unit, f"{rg}group",
                    f"<https://w3id.org/rightsgraph/group/{groups[(d * s + u) % len(groups)]}>")
                add(unit, f"{rg}startOffset", f'"{100 * u}"^^<http://www.w3.org/2001/XMLSchema#integer>')
                add(unit, f"{rg}endOffset", f'"{100 * u + 80}"^^<http://www.w3.org/2001/XMLSchema#integer>')
                footnote, source = f"{unit}/fn", f"{base}source{(d + u) % 30}"
                add(unit, f"{rg}footnote", f"<{footnote}>")
                add(unit, "http://purl.org/spar/cito/cites", f"<{source}>")
                add(footnote, a, f"<{rg}Footnote>")
                add(footnote, f"{rg}marker", f'"{u + 1}"')
                add(footnote, f"{rg}source", f"<{source}>")
                add(source, a, f"<{rg}Source>")
                add(source, "http://www.w3.org/2000/01/rdf-schema#label", f'"Source {(d + u) % 30}"')
    for o in range(7):
        org = f"https://w3id.org/rightsgraph/organisation/org{o}"
        add(org, a, f"<{rg}Organisation>")
        add(org, "http://www.w3.org/2000/01/rdf-schema#label", f'"Organisation {o}"')
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the server


def _env(**settings: object) -> dict[str, str]:
    keep = ("RIGHTSGRAPH_STORE_USER", "RIGHTSGRAPH_STORE_PASSWORD",  # a remote store's
            "RIGHTSGRAPH_STORE_TIMEOUT")  # credentials and time limit
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_") or k in keep}
    env.update({f"RIGHTSGRAPH_{k}": str(v) for k, v in settings.items()})
    return env


def start_server(store: Path | str, workers: int,
                 threads: int) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [str(BIN / "rightsgraph"), "--store", str(store), "serve", "--port", str(port),
         "--threads", str(threads)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # the per-client rate limit would refuse a benchmark's burst of requests
        env=_env(QUERY_WORKERS=workers, QUERY_TIMEOUT=120, RATE_LIMIT_PER_MINUTE=0),
        start_new_session=True,
    )
    deadline = time.monotonic() + 600  # a remote store: the start reads it to build the index
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/sparql?query=ASK%7B%7D",
                               headers={"Accept": "application/sparql-results+json"})
            if connection.getresponse().status == 200:
                return process, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise SystemExit("the server did not answer within 600 s")


# ---------------------------------------------------------------- the two paths


_CLIENT: dict[str, Any] = {}  # the state of one client process


def _start_client(side: str, target: str, raw: tuple[str, list[bytes]] | None = None) -> None:
    """Set up a client process: an HTTP connection, or a read-only store.

    :param raw: for the direct side of a remote store, the server's query path
        and each example's request body; ``target`` is then its ``host:port``.
    """
    _CLIENT["side"] = side
    if side == "endpoint" or raw is not None:
        host, port = target.split(":")
        _CLIENT["http"] = HTTPConnection(host, int(port), timeout=120)
        _CLIENT["raw"] = raw
    else:
        _CLIENT["store"] = Store.read_only(target)


def _run_once(index: int) -> None:
    """Run example ``index`` once from this client process."""
    example = examples()[index]
    if _CLIENT["side"] == "endpoint":
        http: HTTPConnection = _CLIENT["http"]
        http.request("POST", "/sparql", body=example.query.encode("utf-8"), headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        response = http.getresponse()
        body = response.read()
        if response.status != 200 or not body:
            raise RuntimeError(f"{example.name}: {response.status} {body[:200]!r}")
        return
    if _CLIENT.get("raw") is not None:  # the query sent straight to the remote server
        path, bodies = _CLIENT["raw"]
        http = _CLIENT["http"]
        http.request("POST", path, body=bodies[index], headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json"})
        response = http.getresponse()
        body = response.read()
        if response.status != 200 or not body:
            raise RuntimeError(f"{example.name} (direct): {response.status} {body[:200]!r}")
        return
    result = _CLIENT["store"].query(example.query, prefixes=PREFIXES, use_default_graph_as_union=True)
    if not serialize(result, "json"):
        raise RuntimeError(f"{example.name}: no result")


def _run_loop(job: tuple[int, int]) -> list[float]:
    """Run example ``index`` ``times`` times back to back; return each latency.

    A latency runs from the moment the client is ready to send (the end of its
    previous request) to the end of the answer, so the time a request waits
    for the CPU is counted on both sides alike: a client process that has to
    wait for a core before its next direct query waits inside the clock, just
    as a request that waits in the server does.
    """
    index, times = job
    _run_once(index)  # untimed warm-up
    latencies = []
    ready = time.perf_counter()
    for _ in range(times):
        _run_once(index)
        done = time.perf_counter()
        latencies.append(done - ready)
        ready = done
    return latencies


class Clients:
    """``count`` client processes of one side, each sending one request (or
    running one query) at a time, so that ``count`` are in flight at once.
    Processes, not threads: a thread running pyoxigraph holds the GIL, so
    in-process threads would queue outside the clock."""

    def __init__(self, side: str, target: str, count: int,
                 raw: tuple[str, list[bytes]] | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self.pool = context.Pool(count, initializer=_start_client, initargs=(side, target, raw))
        self.count = count

    def run(self, index: int, requests: int) -> list[float]:
        """Run example ``index`` about ``requests`` times, spread over the clients."""
        each = max(1, -(-requests // self.count))
        return [t for part in self.pool.map(_run_loop, [(index, each)] * self.count, chunksize=1)
                for t in part]

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


def measure(endpoint: Clients, direct: Clients, index: int, requests: int) -> tuple[Timing, Timing]:
    """Run example ``index`` about ``requests`` times each way, at the clients' concurrency.

    The runs come in blocks, ordered endpoint, direct, direct, endpoint, so
    that whatever else the machine does in the meantime weighs on both sides
    alike.
    """
    first = max(1, requests // 2)
    sizes = (first, max(1, requests - first))
    timings: dict[str, list[float]] = {"endpoint": [], "direct": []}
    sides = {"endpoint": endpoint, "direct": direct}
    for size, order in zip(sizes, (("endpoint", "direct"), ("direct", "endpoint")), strict=True):
        for side in order:
            timings[side] += sides[side].run(index, size)
    return Timing(timings["endpoint"]), Timing(timings["direct"])


def direct_requests(store_url: str) -> tuple[str, str, list[bytes]]:
    """What rightsgraph would send the remote server for each example query:
    its ``host:port``, its query path, and each query's form body (the same
    prefixes and dataset parameters as :meth:`RemoteStore.query` sends)."""
    import urllib.parse

    from rightsgraph.graph.dataset import names_dataset
    from rightsgraph.graph.remote_sparql import prologue
    from rightsgraph.graph.store import GraphStore

    with GraphStore.open(store_url) as store:
        remote = store.remote
        assert remote is not None, f"{store_url} is not a remote store"
        bodies = []
        for example in examples():
            own = names_dataset(example.query)
            params = remote.engine.dataset_params(remote.client, not own, own, [], [])
            bodies.append(urllib.parse.urlencode(
                [("query", prologue(PREFIXES, None) + example.query), *params]).encode())
        path = remote.engine.query_path
    address = urllib.parse.urlsplit(store_url).netloc
    return address, path, bodies


# ---------------------------------------------------------------- report


def within_target(endpoint_ms: float, direct_ms: float) -> bool:
    return endpoint_ms <= FACTOR * direct_ms + ALLOWANCE_MS


def report(rows: list[tuple[str, Timing, Timing]], clients: int) -> list[str]:
    lines = [f"clients={clients}",
             "| query | endpoint median ms | endpoint p95 ms | direct median ms | direct p95 ms "
             "| ratio (medians) | target |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, endpoint, direct in rows:
        lines.append(
            f"| {name} | {endpoint.median_ms:.2f} | {endpoint.p95_ms:.2f} | {direct.median_ms:.2f} "
            f"| {direct.p95_ms:.2f} | {endpoint.median_ms / direct.median_ms:.2f} "
            f"| {'ok' if within_target(endpoint.median_ms, direct.median_ms) else 'MISSED'} |")
    everything = Timing([s for _n, e, _d in rows for s in e.samples])
    directly = Timing([s for _n, _e, d in rows for s in d.samples])
    ratio = everything.median_ms / directly.median_ms
    allowed = FACTOR * directly.median_ms + ALLOWANCE_MS
    lines.append(
        f"| **all** | {everything.median_ms:.2f} | {everything.p95_ms:.2f} | {directly.median_ms:.2f} "
        f"| {directly.p95_ms:.2f} | {ratio:.2f} "
        f"| {'ok' if within_target(everything.median_ms, directly.median_ms) else 'MISSED'} |")
    missed = sum(not within_target(e.median_ms, d.median_ms) for _n, e, d in rows)
    lines.append("")
    lines.append(
        f"overall ratio clients={clients}: endpoint/direct median = {ratio:.2f} "
        f"({everything.median_ms:.2f} ms vs {directly.median_ms:.2f} ms; target "
        f"<= {FACTOR} x direct + {ALLOWANCE_MS:g} ms = {allowed:.2f} ms: "
        f"{'met' if everything.median_ms <= allowed else 'MISSED'}); "
        f"p95 ratio = {everything.p95_ms / directly.p95_ms:.2f}; "
        f"means {everything.mean_ms:.2f} ms vs {directly.mean_ms:.2f} ms "
        f"(ratio {everything.mean_ms / directly.mean_ms:.2f}); "
        f"queries missing the target: {missed} of {len(rows)}")
    return lines


def machine() -> str:
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return (f"nproc {os.cpu_count()}, RAM {memory}, Python {platform.python_version()}, "
            f"pyoxigraph {pyoxigraph.__version__}, {platform.machine()} {platform.system()}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="runs of each query (default 50)")
    parser.add_argument("--clients", default="1,8",
                        help="client concurrencies, comma-separated (default 1,8)")
    parser.add_argument("--queries", type=int, default=0,
                        help="run only the first N example queries (default: all)")
    parser.add_argument("--workers", type=int, default=0,
                        help="query workers of the server (default 0: one per core, as served)")
    parser.add_argument("--synthetic", action="store_true",
                        help="use the synthetic graph even when the sample corpus can be loaded")
    parser.add_argument("--store-url",
                        help="a remote SPARQL store (an empty server) to load and measure; "
                             "direct = the same queries sent straight to it")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help=f"Markdown file the figures are appended to (default {RESULTS})")
    options = parser.parse_args(argv)
    levels = [int(c) for c in options.clients.split(",") if c.strip()]
    queries = examples()[: options.queries or None]
    workers = options.workers or default_workers()
    threads = max(8, max(levels))
    load_before = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="rightsgraph-bench-") as folder:
        store_dir, corpus = build_store(Path(folder), options.synthetic, options.store_url)
        print(f"store: {corpus}", flush=True)
        raw: tuple[str, list[bytes]] | None = None
        direct_target = str(store_dir)
        if options.store_url:
            direct_target, path, bodies = direct_requests(options.store_url)
            raw = (path, bodies)
        process, address = start_server(store_dir, workers, threads)
        try:
            sections = []
            for clients in levels:
                endpoint = Clients("endpoint", address, clients)
                direct = Clients("direct", direct_target, clients, raw)
                try:
                    rows = []
                    for index, example in enumerate(queries):
                        rows.append((example.name, *measure(endpoint, direct, index,
                                                            options.requests)))
                finally:
                    endpoint.close()
                    direct.close()
                lines = report(rows, clients)
                print("\n".join(lines), flush=True)
                sections.append("\n".join(lines))
        finally:
            stop_server(process)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    record = (f"\n## Endpoint overhead, {stamp}\n\n"
              f"- machine: {machine()}; load average {load_before} before, "
              f"{os.getloadavg()[0]:.1f} after\n- store: {corpus}\n"
              f"- {len(queries)} example queries x {options.requests} requests each way, clients "
              f"{options.clients}, query workers {workers}, waitress threads {threads}; endpoint = "
              f"POST application/sparql-query over one keep-alive HTTP connection per client, SPARQL "
              f"JSON; direct = " + (f"the same query POSTed straight to the server {options.store_url} "
                                    f"(same prefixes and dataset as rightsgraph sends), SPARQL JSON, "
                                    f"one keep-alive connection per client"
                                    if options.store_url else
                                    "Store.read_only query + the same JSON serialisation")
              + " in a client process per client; both sides at the same concurrency (one client process "
              f"per concurrent request, a latency counted from the end of the client's previous request), "
              f"in blocks ordered endpoint, direct, direct, endpoint\n"
              f"- target: endpoint median <= {FACTOR} x direct median + {ALLOWANCE_MS:g} ms\n"
              f"- reading it: with more clients than cores, a direct client process keeps its "
              f"core for several back-to-back queries, so its median for a cheap query stays the "
              f"bare query time and its waits show in the p95 and the mean; every endpoint request "
              f"waits its turn. The means (N clients / throughput) count every wait on both sides\n\n"
              + "\n\n".join(sections) + "\n")
    if not options.results.exists():
        options.results.write_text("# Benchmark results\n", encoding="utf-8")
    with options.results.open("a", encoding="utf-8") as output:
        output.write(record)
    print(f"recorded in {options.results}")


if __name__ == "__main__":
    main()
