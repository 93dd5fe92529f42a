"""Graph benchmark: /graph.json and the graph page on 100,000 recommendations.

A store is built (or reused, under ``--work``) holding the recommendations of
:func:`benchmarks.generate.recommendation_rows` for the seed, written directly
as RDF (one named graph with its provenance record, bulk-loaded) in the
shape the table loader gives them: text, themes, groups, recommending and
addressed States, response, date, document.  Then a real ``rightsgraph
serve`` process is started on it and the benchmark measures:

* the server's start, which includes building the index beside the store
  (search and units) when it is missing or out of date (``--fresh-index``
  removes it from a reused store; later starts reuse it);
* ``/graph.json``: the first request (the units are read from the index),
  then the median of warm requests, unfiltered and with filters;
* ``/graph/evidence.json`` for the heaviest edge and ``/search.json``;
* headless Chromium (Debian's, driven by Playwright, every request outside
  the app refused): ``/graph`` from navigation until the network is drawn,
  stabilised and frozen (``data-state=ready``), first and second load.

Side by side, before the server takes the store, the raw engine: the same
co-occurrence counts as one SPARQL query on pyoxigraph, and one read of every
quad (the floor under any index build); the report prints the ratios.

With ``--store-url`` (a remote SPARQL store, empty; credentials from
``RIGHTSGRAPH_STORE_USER``/``RIGHTSGRAPH_STORE_PASSWORD``) the
recommendations are written into that server by its own Graph Store bulk
path (the load benchmark measures rightsgraph's), ``rightsgraph serve`` runs on it (its index then lives
in memory and is built at each start), and the raw engine is the
co-occurrence query sent straight to the server's SPARQL endpoint with the
dataset rightsgraph asks for (the union of the graphs); no quad scan.

Targets: ``/graph.json`` within 1 s, the page settled within 3 s.  The
figures are printed and a dated section is appended to benchmarks/RESULTS.md.

Example:
    python -m benchmarks.graph_bench
    python -m benchmarks.graph_bench --recommendations 2000 --no-results --no-browser
    python -m benchmarks.graph_bench --recommendations 2000 --store-url http://127.0.0.1:7878
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat

from benchmarks.generate import recommendation_rows
from benchmarks.load_bench import append_section, machine
from benchmarks.servers import free_port, stop_server
from rightsgraph.graph.index import INDEX_FILE
from rightsgraph.graph.provenance import SourceRecord, package_version
from rightsgraph.graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
TARGET_JSON_SECONDS = 1.0
TARGET_PAGE_SECONDS = 3.0
GRAPH = "https://w3id.org/rightsgraph/id/source/graph-bench"
_BASE = "https://w3id.org/rightsgraph/id/"
_RG = "https://w3id.org/rightsgraph/ontology#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
Figures = dict[str, Any]


def _say(message: str) -> None:
    print(f"[graph_bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the store


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def nquads(count: int, seed: int) -> bytes:
    """``count`` recommendations as N-Quads in the benchmark graph."""
    graph = f"<{GRAPH}>"
    lines: list[str] = []
    for row in recommendation_rows(seed, count):
        text, _, _, response, _category, _, _, _targets, _cycle, _session, symbol, para, date = row.cells
        s = f"<{_BASE}recommendation/{_slug(symbol)}/{_slug(para)}>"
        document = f"<{_BASE}document/{_slug(symbol)}>"
        objects = [
            ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{_RG}Recommendation>"),
            ("<http://www.w3.org/2000/01/rdf-schema#label>", _literal(f"{para} {text[:60]}")),
            (f"<{_RG}text>", _literal(text)),
            ("<http://www.w3.org/ns/prov#wasDerivedFrom>", document),
            (f"<{_RG}addressedTo>", f"<{row.under_review.iri}>"),
            (f"<{_RG}response>", _literal(response.lower())),
            ("<http://purl.org/dc/terms/date>", f'"{date}"^^<{_XSD}date>'),
            *((f"<{_RG}{p}>", f"<{state.iri}>") for state in row.recommending
              for p in ("recommendingState", "madeBy")),
            *((f"<{_RG}theme>", f"<{c.iri}>") for c in row.themes),
            *((f"<{_RG}group>", f"<{c.iri}>") for c in row.groups),
        ]
        lines.extend(f"{s} {p} {o} {graph} .\n" for p, o in objects)
        if symbol not in _SEEN_DOCUMENTS:
            _SEEN_DOCUMENTS.add(symbol)
            lines.append(f"{document} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                         f"<{_RG}Document> {graph} .\n")
            lines.append(f"{document} <http://www.w3.org/2000/01/rdf-schema#label> "
                         f"{_literal(symbol)} {graph} .\n")
    return "".join(lines).encode()


_SEEN_DOCUMENTS: set[str] = set()


def build_store(location: Path, count: int, seed: int) -> Figures:
    """Write ``count`` recommendations into a new store at ``location``."""
    started = time.perf_counter()
    _SEEN_DOCUMENTS.clear()
    data = nquads(count, seed)
    generated = time.perf_counter()
    record = SourceRecord(NamedNode(GRAPH), f"graph-bench-{count}-{seed}.nq",
                          hashlib.sha256(data).hexdigest(), "graph_bench", package_version())
    with GraphStore.open(location) as store:
        store.raw.bulk_load(data, format=RdfFormat.N_QUADS)
        store.raw.extend(Quad(t.subject, t.predicate, t.object, NamedNode(GRAPH))
                         for t in record.triples())
    (location / "graph-bench.json").write_text(json.dumps({"count": count, "seed": seed}))
    return {"quads": data.count(b"\n"), "generate_seconds": generated - started,
            "load_seconds": time.perf_counter() - generated}


def build_remote(url: str, count: int, seed: int) -> Figures:
    """Write ``count`` recommendations and their source record into the remote store at
    ``url`` by the server's own Graph Store bulk path (the load benchmark measures
    rightsgraph's), after rightsgraph has written its vocabulary graphs there."""
    from pyoxigraph import parse, serialize

    from benchmarks.remote import RawServer

    started = time.perf_counter()
    _SEEN_DOCUMENTS.clear()
    data = nquads(count, seed)
    record = SourceRecord(NamedNode(GRAPH), f"graph-bench-{count}-{seed}.nq",
                          hashlib.sha256(data).hexdigest(), "graph_bench", package_version())
    triples = [q.triple for q in parse(data, format=RdfFormat.N_QUADS)] + list(record.triples())
    ntriples = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    generated = time.perf_counter()
    GraphStore.open(url).close()
    RawServer(url).post_graph(GRAPH, ntriples)
    return {"quads": data.count(b"\n"), "generate_seconds": generated - started,
            "load_seconds": time.perf_counter() - generated}


def measure_raw_remote(url: str) -> Figures:
    """The co-occurrence counts asked of the server directly, with rightsgraph's dataset."""
    import urllib.error

    from benchmarks.remote import RawServer
    from rightsgraph.graph.remote_http import summary
    from rightsgraph.graph.remote_sparql import prologue
    from rightsgraph.ontology.terms import PREFIXES

    with GraphStore.open(url) as store:
        remote = store.remote
        assert remote is not None, f"{url} is not a remote store"
        params = remote.engine.dataset_params(remote.client, True, False, [], [])
    raw = RawServer(url)
    query = prologue(PREFIXES, None) + RAW_PAIRS
    try:
        raw.select(query, params)  # warm-up, as /graph.json's warm figure is
        started = time.perf_counter()
        pairs = len(raw.select(query, params))
    except urllib.error.HTTPError as exc:  # the server refused it: said, and ours still measured
        return {"raw_pairs_error": f"HTTP {exc.code}: {summary(exc.read())}"}
    return {"raw_pairs_seconds": time.perf_counter() - started, "raw_pairs": pairs}


def reusable(location: Path, count: int, seed: int) -> bool:
    marker = location / "graph-bench.json"
    return marker.is_file() and json.loads(marker.read_text()) == {"count": count, "seed": seed}


# ---------------------------------------------------------------- the raw engine

#: What /graph.json counts, asked of pyoxigraph directly: concept pairs tagged on one unit.
RAW_PAIRS = """
SELECT ?a ?b (COUNT(DISTINCT ?unit) AS ?n) WHERE {
  ?unit rg:theme|rg:group ?a .
  ?unit rg:theme|rg:group ?b .
  FILTER(STR(?a) < STR(?b))
} GROUP BY ?a ?b
"""


def measure_raw(location: Path) -> Figures:
    """The raw engine on the same store, before the server owns it: the co-occurrence
    counts as one SPARQL query, and one read of every quad (what an index build scans)."""
    with GraphStore.open(location) as store:
        started = time.perf_counter()
        pairs = sum(1 for _ in store.query(RAW_PAIRS))  # type: ignore[union-attr]
        counted = time.perf_counter() - started
        started = time.perf_counter()
        quads = sum(1 for _ in store.raw.quads_for_pattern(None, None, None, None))
        scanned = time.perf_counter() - started
    return {"raw_pairs_seconds": counted, "raw_pairs": pairs, "raw_scan_seconds": scanned,
            "raw_scan_quads": quads}


# ---------------------------------------------------------------- the server


def start_server(location: Path | str, log: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start ``rightsgraph serve``; return it, its URL and the seconds until it answered."""
    keep = ("RIGHTSGRAPH_STORE_USER", "RIGHTSGRAPH_STORE_PASSWORD",  # a remote store's
            "RIGHTSGRAPH_STORE_TIMEOUT")  # credentials and time limit
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_") or k in keep}
    port = free_port()
    binary = str(Path(sys.executable).parent / "rightsgraph")
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen([binary, "--store", str(location), "serve", "--port", str(port)],
                                   stdout=output, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = started + 1800
    while True:
        try:
            urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D&format=json", timeout=5).close()
            return process, base, time.perf_counter() - started
        except OSError:
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}") from None
            time.sleep(0.1)


def timed_get(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
    return time.perf_counter() - started, body


def measure_http(base: str, repeat: int) -> Figures:
    figures: Figures = {}
    first, body = timed_get(base + "/graph.json")
    data = json.loads(body)
    figures["graph_json_first"] = first
    figures["graph_json_bytes"] = len(body)
    figures["nodes"], figures["edges"] = len(data["nodes"]), len(data["edges"])
    figures["units"], figures["total_edges"] = data["units"], data["total_edges"]
    figures["graph_json_warm"] = statistics.median(
        timed_get(base + "/graph.json")[0] for _ in range(repeat))
    family = "https://w3id.org/rightsgraph/theme/health"
    filtered = "/graph.json?" + urllib.parse.urlencode({"family": family, "min": 2, "from": "2012"})
    figures["graph_json_filtered"] = statistics.median(
        timed_get(base + filtered)[0] for _ in range(repeat))
    figures["graph_json_communities"] = statistics.median(
        timed_get(base + "/graph.json?communities=1")[0] for _ in range(repeat))
    if data["edges"]:
        edge = data["edges"][0]
        query = urllib.parse.urlencode({"a": edge["from"], "b": edge["to"]})
        figures["evidence_json"] = timed_get(base + "/graph/evidence.json?" + query)[0]
        figures["evidence_units"] = edge["weight"]
    figures["search_json"] = timed_get(base + "/search.json?q=maternal+mortality")[0]
    figures["graph_page_html"] = timed_get(base + "/graph")[0]
    # No target for these; they say what the other pages cost at this size.
    figures["home_page"] = timed_get(base + "/index.json")[0]
    figures["list_page"] = timed_get(base + "/browse/recommendations.json")[0]
    return figures


def measure_browser(base: str, screenshot: Path | None) -> Figures:
    """Seconds from navigation to a drawn, frozen network, in headless Chromium."""
    from playwright.sync_api import Route, sync_playwright

    outside: list[str] = []
    figures: Figures = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            for attempt in ("page_first", "page_second"):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()

                def guard(route: Route) -> None:
                    if route.request.url.startswith(base + "/"):
                        route.continue_()
                    else:
                        outside.append(route.request.url)
                        route.abort()

                page.route("**/*", guard)
                started = time.perf_counter()
                page.goto(base + "/graph")
                page.wait_for_selector("#graph[data-state=ready]", state="attached", timeout=120_000)
                figures[attempt] = time.perf_counter() - started
                figures[attempt + "_in_page"] = page.evaluate("performance.now()") / 1000
                # Where the time went, from graph.js's marks (seconds since navigation).
                marks = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('mark')
                    .map(m => [m.name, m.startTime / 1000]))""")
                for mark in ("graph:data", "graph:built", "graph:ready"):
                    figures[f"{attempt}_{mark.split(':')[1]}"] = marks.get(mark, 0.0)
                if screenshot is not None and attempt == "page_second":
                    page.screenshot(path=str(screenshot))
                context.close()
        finally:
            browser.close()
    figures["outside_requests"] = len(outside)
    return figures


# ---------------------------------------------------------------- reporting


def report(figures: Figures, command: str) -> str:
    """The dated Markdown section appended to RESULTS.md."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    f = figures
    rows = [
        ("recommendations in the store", f"{f['recommendations']:,}"
         + (" (store reused)" if f.get("reused") else f" ({f['quads']:,} quads)")),
        ("server start, index built" if f.get("index_built") else "server start, index up to date",
         f"{f['server_start']:.1f} s"),
        ("/graph.json, first request", f"{f['graph_json_first']:.2f} s"),
        ("/graph.json, warm (median)", f"{f['graph_json_warm']:.3f} s"),
        ("/graph.json?family&min&from, warm", f"{f['graph_json_filtered']:.3f} s"),
        ("/graph.json?communities=1, warm", f"{f['graph_json_communities']:.3f} s"),
        ("/graph/evidence.json, heaviest edge", f"{f.get('evidence_json', 0):.3f} s "
         f"({f.get('evidence_units', 0):,} units)"),
        ("/search.json", f"{f['search_json']:.3f} s"),
        ("/index.json (home) and /browse/recommendations.json (8 facets), no target",
         f"{f.get('home_page', 0):.2f} s and {f.get('list_page', 0):.2f} s"),
        ("graph drawn", f"{f['nodes']} nodes, {f['edges']} edges (of {f['total_edges']:,}) "
         f"from {f['units']:,} units, {f['graph_json_bytes'] / 1024:.0f} KiB"),
    ]
    if "raw_pairs_seconds" in f:
        engine = f"the server {f['store_url']}" if f.get("store_url") else "pyoxigraph"
        rows += [
            (f"raw engine: co-occurrence SPARQL on {engine}", f"{f['raw_pairs_seconds']:.2f} s "
             f"({f['raw_pairs']:,} pairs); /graph.json first / raw = "
             f"{f['graph_json_first'] / max(f['raw_pairs_seconds'], 1e-9):.3f}"),
        ]
    if "raw_pairs_error" in f:
        rows += [("raw engine: co-occurrence SPARQL on the server",
                  f"refused by the server ({f['raw_pairs_error']})")]
    if "raw_scan_seconds" in f:
        rows += [
            ("raw engine: one read of every quad", f"{f['raw_scan_seconds']:.1f} s "
             f"({f['raw_scan_quads']:,} quads); server start / raw = "
             f"{f['server_start'] / max(f['raw_scan_seconds'], 1e-9):.1f}"),
        ]
    if "page_first" in f:
        rows += [("page settled in Chromium, first load", f"{f['page_first']:.2f} s"),
                 ("page settled in Chromium, second load", f"{f['page_second']:.2f} s"),
                 ("second load: data in, network built, frozen (since navigation)",
                  f"{f['page_second_data']:.2f} s, {f['page_second_built']:.2f} s, "
                  f"{f['page_second_ready']:.2f} s"),
                 ("requests outside the app", str(f["outside_requests"]))]
    load = (f"; load average {f['load_before']:.1f} before, {f['load_after']:.1f} after (other jobs "
            "on the machine slow every figure)" if "load_after" in f else "")
    lines = [f"## {now} — graph_bench", "", f"Machine: {machine()}{load}", "",
             f"Command: `{command}`", "",
             "| measure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows), ""]
    json_ok = f["graph_json_warm"] <= TARGET_JSON_SECONDS and f["graph_json_first"] <= TARGET_JSON_SECONDS
    lines.append(f"- Target /graph.json within {TARGET_JSON_SECONDS:g} s: "
                 f"{'met' if json_ok else 'NOT met'} (first {f['graph_json_first']:.2f} s, "
                 f"warm {f['graph_json_warm']:.3f} s).")
    if "page_second" in f:
        page_ok = max(f["page_first"], f["page_second"]) <= TARGET_PAGE_SECONDS
        lines.append(f"- Target page settled within {TARGET_PAGE_SECONDS:g} s: "
                     f"{'met' if page_ok else 'NOT met'}.")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> Figures:
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="graph-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    location = work / f"store-{args.recommendations}-{args.seed}"
    figures: Figures = {"recommendations": args.recommendations, "seed": args.seed,
                        "load_before": os.getloadavg()[0]}
    if args.store_url:
        figures["store_url"] = args.store_url
    try:
        if args.store_url:
            _say(f"writing {args.recommendations:,} recommendations into {args.store_url}")
            figures.update(build_remote(args.store_url, args.recommendations, args.seed))
            if not args.no_raw:
                _say("timing the raw engine: the co-occurrence query sent to the server")
                figures.update(measure_raw_remote(args.store_url))
        elif reusable(location, args.recommendations, args.seed):
            figures["reused"] = True
            _say(f"reusing {location}")
        else:
            shutil.rmtree(location, ignore_errors=True)
            _say(f"writing {args.recommendations:,} recommendations into {location}")
            figures.update(build_store(location, args.recommendations, args.seed))
        if not args.no_raw and not args.store_url:
            _say("timing the raw engine: the co-occurrence query and a scan of every quad")
            figures.update(measure_raw(location))
        index = location / INDEX_FILE
        if args.fresh_index:
            index.unlink(missing_ok=True)
        figures["index_built"] = bool(args.store_url) or not index.exists()
        _say("starting the server" + (" (it builds the index)" if figures["index_built"] else ""))
        process, base, seconds = start_server(args.store_url or location, work / "server.log")
        figures["server_start"] = seconds
        try:
            _say("timing /graph.json and friends")
            figures.update(measure_http(base, args.repeat))
            if not args.no_browser:
                _say("timing the page in headless Chromium")
                figures.update(measure_browser(base, args.screenshot))
        finally:
            stop_server(process)
        figures["load_after"] = os.getloadavg()[0]
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return figures


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(prog="python -m benchmarks.graph_bench",
                                      description=__doc__.split("\n\n")[0])
    command.add_argument("--recommendations", type=int, default=100_000,
                         help="recommendations in the store (default 100000)")
    command.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    command.add_argument("--work", type=Path,
                         help="keep the store here and reuse it (default: temporary, removed)")
    command.add_argument("--repeat", type=int, default=5, help="warm requests per measure")
    command.add_argument("--no-browser", action="store_true", help="skip the Chromium measures")
    command.add_argument("--fresh-index", action="store_true",
                         help="remove the index of a reused store, so the start builds it again")
    command.add_argument("--no-raw", action="store_true",
                         help="skip the raw-engine measures (its SPARQL takes a while at 100,000)")
    command.add_argument("--store-url",
                         help="a remote SPARQL store (an empty server) to write and serve instead")
    command.add_argument("--screenshot", type=Path, help="save the settled page here")
    command.add_argument("--results", type=Path, default=RESULTS,
                         help="Markdown file the dated section is appended to")
    command.add_argument("--no-results", action="store_true", help="append nothing")
    command.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return command


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    figures = run(args)
    command = "python -m benchmarks.graph_bench " + " ".join(argv if argv is not None else sys.argv[1:])
    section = report(figures, command.strip())
    print(section)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    if not args.no_results:
        append_section(args.results, section)
        _say(f"appended to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
