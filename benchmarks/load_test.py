"""Load test: concurrent clients against a real ``rightsgraph serve`` on loopback.

The sample corpus is loaded into a fresh store, a server is started on a free
loopback port, and CLIENTS threads, each with its own keep-alive connection,
send a mix of what people do for SECONDS (and at most MAX_REQUESTS requests):

- workbench queries: the gallery's example queries, POSTed as the workbench
  sends them (form-encoded, ``view=html``, SPARQL JSON);
- entity pages (HTML) of recommendations, statements, organisations, themes;
- ``/graph.json``, unfiltered and filtered;
- exports: the dataset and a theme in Turtle, TriG and JSON-LD, and a partner
  package.

Every answer must be 200 with a body: anything else is an error.  The script
prints the latency of each kind (median, p95, max) and appends a dated
section to RESULTS.md; it exits with status 1 when any request failed.  Beside
the served workbench queries it times the same queries on the raw engine
(pyoxigraph on a read-only copy of the store, in this process, one at a time)
so that the ratio shows what serving under load costs.

The server runs with RATE_LIMIT_PER_MINUTE=0: every client shares the
loopback address, and the test measures serving, not the limiter.

    python -m benchmarks.load_test                       # 8 clients, 2 minutes
    python -m benchmarks.load_test --clients 4 --seconds 15 --results /tmp/R.md
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph

from benchmarks.servers import stop_server
from rightsgraph.graph.gallery import examples
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.ontology.terms import PREFIXES

BIN = Path(sys.executable).parent / "rightsgraph"
RESULTS = Path(__file__).with_name("RESULTS.md")
THEME = "https://w3id.org/rightsgraph/theme/maternal-mortality"
#: Share of each kind of request in the mix.
MIX = {"workbench query": 40, "entity page": 25, "graph.json": 15, "export": 20}
ENTITIES = """SELECT DISTINCT ?s WHERE {
  VALUES ?kind { rg:Recommendation rg:Statement rg:Organisation rg:Passage rg:Concern }
  ?s a ?kind . FILTER(STRSTARTS(STR(?s), "https://w3id.org/rightsgraph/id/"))
} ORDER BY ?s LIMIT 200"""


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    target: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Outcome:
    kind: str
    status: int
    seconds: float
    detail: str = ""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def start_server(store: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
    env["RIGHTSGRAPH_RATE_LIMIT_PER_MINUTE"] = "0"
    for _attempt in range(3):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(BIN), "--store", str(store), "serve", "--port", str(port), "--threads", "16"],
                stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = get(port, "/sparql?query=ASK%7B%7D").status
                if status == 200:
                    return process, port
            except OSError:
                time.sleep(0.1)
        stop_server(process)
        if "address already in use" not in log.read_text(errors="replace").lower():
            break
    raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')}")


@dataclass
class Reply:
    status: int
    body: bytes


def get(port: int, target: str, accept: str = "application/sparql-results+json") -> Reply:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", target, headers={"Accept": accept})
        response = connection.getresponse()
        return Reply(response.status, response.read())
    finally:
        connection.close()


def build_requests(port: int) -> list[Request]:
    import json

    reply = get(port, "/sparql?" + urlencode({"query": ENTITIES}))
    rows = json.loads(reply.body)["results"]["bindings"]
    entities = [row["s"]["value"].removeprefix("https://w3id.org/rightsgraph/id/") for row in rows]
    if not entities:
        raise SystemExit("the store holds no entities to visit")
    html = (("Accept", "text/html"),)
    requests: dict[str, list[Request]] = defaultdict(list)
    for example in examples():
        body = urlencode({"query": example.query, "format": "json", "view": "html"}).encode()
        requests["workbench query"].append(Request(
            "workbench query", "POST", "/sparql", body,
            (("Content-Type", "application/x-www-form-urlencoded"),
             ("Accept", "application/sparql-results+json"))))
    for rest in entities:
        requests["entity page"].append(Request("entity page", "GET", "/id/" + quote(rest), None, html))
    requests["entity page"].append(Request("entity page", "GET", f"/resource?iri={quote(THEME)}",
                                           None, html))
    for query in ("", "?min=2", "?family=health", "?communities=1"):
        requests["graph.json"].append(Request("graph.json", "GET", "/graph.json" + query, None,
                                              (("Accept", "application/json"),)))
    for fmt in ("turtle", "trig", "jsonld"):
        requests["export"].append(Request("export", "GET", f"/export/download?format={fmt}"))
        requests["export"].append(Request(
            "export", "GET", f"/export/download?format={fmt}&scope=theme&iri={quote(THEME)}"))
    requests["export"].append(Request("export", "GET",
                                      f"/export/package?scope=theme&iri={quote(THEME)}"))
    return [r for kind_requests in requests.values() for r in kind_requests]


def client(port: int, catalogue: dict[str, list[Request]], deadline: float, budget: list[int],
           lock: threading.Lock, outcomes: list[Outcome], seed: int) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
    connection = HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            request = rng.choice(catalogue[rng.choice(kinds)])
            started = time.monotonic()
            try:
                connection.request(request.method, request.target, body=request.body,
                                   headers=dict(request.headers))
                response = connection.getresponse()
                body = response.read()
                status, detail = response.status, "" if body else "empty body"
                if status != 200:
                    detail = body[:200].decode(errors="replace")
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, ValueError) as exc:
                status, detail = 0, f"{type(exc).__name__}: {exc}"
                connection.close()
                connection = HTTPConnection("127.0.0.1", port, timeout=60)
            outcome = Outcome(request.kind, status, time.monotonic() - started, detail)
            with lock:
                outcomes.append(outcome)
    finally:
        connection.close()


def direct_timings(store: Path) -> tuple[float, float]:
    """Median and p95 (ms) of the gallery queries on the raw engine, one at a time."""
    raw = pyoxigraph.Store.read_only(str(store))
    times = []
    for _round in range(5):
        for example in examples():
            started = time.monotonic()
            result = raw.query(example.query, prefixes=PREFIXES, use_default_graph_as_union=True)
            result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)  # type: ignore[union-attr]
            times.append((time.monotonic() - started) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (f"nproc {os.cpu_count()}, RAM {memory:.1f} GiB, Python {platform.python_version()}, "
            f"pyoxigraph {pyoxigraph.__version__}, {platform.machine()} {platform.system()}, "
            f"load average {load:.1f} at the start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--max-requests", type=int, default=200_000,
                        help="stop after this many requests in all (default 200000)")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="file to append the dated section to (default benchmarks/RESULTS.md)")
    args = parser.parse_args(argv)
    header = machine()
    work = Path(tempfile.mkdtemp(prefix="rightsgraph-load-"))
    store, log = work / "store", work / "server.log"
    process = None
    try:
        loaded = subprocess.run([str(BIN), "--store", str(store), "load", str(sample_corpus_path())],
                                capture_output=True, text=True, timeout=300)
        if loaded.returncode != 0:
            raise SystemExit(loaded.stderr)
        process, port = start_server(store, log)
        catalogue: dict[str, list[Request]] = defaultdict(list)
        for request in build_requests(port):
            catalogue[request.kind].append(request)
        outcomes: list[Outcome] = []
        lock = threading.Lock()
        budget = [args.max_requests]
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [threading.Thread(target=client, args=(port, catalogue, deadline, budget, lock,
                                                         outcomes, number))
                   for number in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        if process is not None:
            stop_server(process)
    direct = direct_timings(store)
    shutil.rmtree(work, ignore_errors=True)
    return report(outcomes, elapsed, args, header, direct)


def report(outcomes: list[Outcome], elapsed: float, args: argparse.Namespace, header: str,
           direct: tuple[float, float]) -> int:
    errors = [o for o in outcomes if o.status != 200 or o.detail]
    lines = [f"- machine: {header}",
             f"- store: the sample corpus ({sample_corpus_path().name}); server `rightsgraph serve "
             "--threads 16`, query workers one per core, RATE_LIMIT_PER_MINUTE=0 (one address)",
             f"- {args.clients} clients on loopback for {elapsed:.1f} s (limit {args.seconds:g} s, "
             f"{args.max_requests} requests); mix: "
             + ", ".join(f"{kind} {weight}%" for kind, weight in MIX.items()),
             "", "| kind | requests | errors | median ms | p95 ms | max ms |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    kinds = sorted({o.kind for o in outcomes})
    for kind in [*kinds, "all"]:
        chosen = [o for o in outcomes if kind in ("all", o.kind)]
        times = [o.seconds * 1000 for o in chosen]
        failed = sum(1 for o in chosen if o in errors)
        name = f"**{kind}**" if kind == "all" else kind
        lines.append(f"| {name} | {len(chosen)} | {failed} | {statistics.median(times):.1f} | "
                     f"{percentile(times, 0.95):.1f} | {max(times):.1f} |")
    all_times = [o.seconds * 1000 for o in outcomes]
    workbench = [o.seconds * 1000 for o in outcomes if o.kind == "workbench query"]
    lines += ["", f"throughput: {len(outcomes) / elapsed:.1f} requests/s; errors: {len(errors)}; "
              f"p95 latency (all requests): {percentile(all_times, 0.95):.1f} ms",
              f"workbench queries served under load: median {statistics.median(workbench):.1f} ms, "
              f"p95 {percentile(workbench, 0.95):.1f} ms; the same queries on the raw engine, "
              f"alone: median {direct[0]:.1f} ms, p95 {direct[1]:.1f} ms; ratio of medians "
              f"{statistics.median(workbench) / max(direct[0], 0.001):.1f}"]
    for error in errors[:10]:
        lines.append(f"- error: {error.kind} -> {error.status} {error.detail[:150]}")
    lines.append(f"- load average {os.getloadavg()[0]:.1f} at the end")
    text = "\n".join(lines)
    print(text)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with args.results.open("a", encoding="utf-8") as out:
        out.write(f"\n## {stamp} — load_test\n\n"
                  f"Command: `python -m benchmarks.load_test --clients {args.clients} "
                  f"--seconds {args.seconds:g}`\n\n{text}\n")
    return 1 if errors or not outcomes else 0


if __name__ == "__main__":
    sys.exit(main())
