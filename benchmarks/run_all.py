"""Every benchmark in one run, each figure beside the raw engine's, in RESULTS.md.

Runs, each in processes of its own:

* ``load`` (``load_bench``): documents and table rows per second, RDF load
  throughput, peak memory; against ``Store.bulk_load`` of the same quads and
  the ``oxigraph load`` command;
* ``endpoint`` (``endpoint_bench``): median and p95 latency of the example
  queries through the SPARQL endpoint at 1 and 8 concurrent clients, against
  the same queries run directly on pyoxigraph;
* ``graph`` (``graph_bench``): ``/graph.json`` against the co-occurrence
  SPARQL query run directly on pyoxigraph;
* ``export`` (``export_bench``): Turtle and TriG export against
  ``Store.dump``.

Then it prints one summary table (measure, rightsgraph, raw engine, ratio,
target) and appends a dated section to ``benchmarks/RESULTS.md``: the
machine, the summary, and each benchmark's own report.  The peak memory of
each benchmark is that of its whole process tree (servers, browser and
``oxigraph`` included), sampled.

``--backends`` lists the stores to measure: ``embedded`` (always available),
``oxigraph-server`` and ``virtuoso`` (remote SPARQL stores, started by the
run on loopback ports: every benchmark runs on them too, each on a fresh
server of its own, beside the raw engine of that server software; see
benchmarks/README.md).  A backend whose server is not installed is reported
as not measured, with the reason; a benchmark that fails is reported as
FAILED in the summary.

Example:
    python -m benchmarks                       # full sizes, embedded store: about 15 minutes
    python -m benchmarks --quick --no-results  # every benchmark at tiny sizes
    python -m benchmarks --backends embedded,oxigraph-server,virtuoso   # about 75 minutes
    python -m benchmarks --medium --no-results --backends virtuoso      # a fifth of the sizes
    python -m benchmarks --only load,export --json /tmp/figures.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks.load_bench import (
    QUIET_LIMIT,
    RESULTS,
    ROOT,
    TARGET_BYTES,
    TARGET_RATIO,
    TARGET_SECONDS,
    append_section,
    machine,
    measured,
)
from benchmarks.remote import BACKENDS, KINDS, backend_problem
from benchmarks.servers import Server, sampled, start_many, stop

SUITES = ("load", "endpoint", "graph", "export")
#: Sizes of each benchmark: the targets' sizes, and a smoke run of a few seconds each.
SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "full": {"load": {"documents": 1000, "recommendations": 100_000, "triples": 1_000_000},
             "endpoint": {"requests": 50, "clients": "1,8"},
             "graph": {"recommendations": 100_000, "repeat": 5},
             "export": {"triples": 200_000, "repeat": 5}},
    # A fifth of the full sizes: to estimate a full run's duration.
    "medium": {"load": {"documents": 200, "recommendations": 20_000, "triples": 200_000},
               "endpoint": {"requests": 10, "clients": "1,8"},
               "graph": {"recommendations": 20_000, "repeat": 2},
               "export": {"triples": 40_000, "repeat": 2}},
    "quick": {"load": {"documents": 6, "recommendations": 200, "triples": 3000, "quiet_wait": 0},
              "endpoint": {"requests": 2, "clients": "1,2", "queries": 4},
              "graph": {"recommendations": 300, "repeat": 1},
              "export": {"triples": 3000, "repeat": 1}},
}


class Remote(NamedTuple):
    """A remote store a benchmark measures: its URL, the environment with its
    credentials, and how its raw engine is named in the summary."""

    url: str
    env: dict[str, str]
    engine: str  # "Oxigraph server" or "Virtuoso"


@dataclass
class Figure:
    """One line of the summary: our figure, the raw engine's, and how they compare."""

    measure: str
    ours: str
    raw: str = ""
    ratio: str = ""
    target: str = ""


@dataclass
class Outcome:
    """What one benchmark gave: its summary lines, its own report, and its cost."""

    suite: str
    figures: list[Figure] = field(default_factory=list)
    report: str = ""
    problem: str = ""  # why it failed, "" if it ran
    cost: dict[str, float] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- running


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, **(extra or {}), "PYTHONPATH": path}


def _run(outcome: Outcome, command: list[str], remote: Remote | None = None) -> str:
    """Run a benchmark command; return its output, or record why it failed."""
    _say(f"{outcome.suite}: {' '.join(command[1:])}")
    status, out, err, cost = measured(command, _env(remote.env if remote else None), echo=True)
    outcome.cost = cost
    if status != 0:
        tail = " / ".join((err or out).strip().splitlines()[-4:])
        outcome.problem = f"exit {status}: {tail}"
    return out


def _demoted(section: str) -> str:
    """A benchmark's own report as a subsection of ours (``##`` becomes ``###``)."""
    kept = [line for line in section.strip().splitlines()
            if line != "# Benchmark results" and not line.startswith("Dated sections, appended")]
    text = "\n".join(kept).strip()
    return re.sub(r"^(#+) ", lambda m: "#" + m.group(1) + " ", text, flags=re.M)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def run_load(work: Path, sizes: dict[str, int], servers: tuple[str, str] | None = None,
             remote_store: Remote | None = None,
             rdf_servers: tuple[str, str] | None = None) -> Outcome:
    """The load benchmark; with ``servers`` (ours, raw), into remote stores at those URLs
    (the N-Triples phases into ``rdf_servers``, if given)."""
    outcome = Outcome("load")
    figures = work / "load.json"
    remote = ["--store-url", servers[0], "--raw-url", servers[1]] if servers else []
    if servers and rdf_servers:
        remote += ["--rdf-store-url", rdf_servers[0], "--rdf-raw-url", rdf_servers[1]]
    raw_rdf = "http_post" if servers else "bulk_load"
    _run(outcome, _python("-m", "benchmarks.load_bench", "--documents", str(sizes["documents"]),
                          "--recommendations", str(sizes["recommendations"]),
                          "--triples", str(sizes["triples"]), "--corpus", str(work / "corpus"),
                          "--quiet-wait", str(sizes.get("quiet_wait", QUIET_LIMIT)),
                          "--work", str(work / "load"), "--json", str(figures),
                          "--results", str(work / "load.md"), *remote), remote_store)
    outcome.report = _read(work / "load.md")
    if not figures.exists():
        outcome.problem = outcome.problem or "no figures written"
        return outcome
    data = json.loads(figures.read_text(encoding="utf-8"))
    outcome.data = data
    by = {r["phase"]: r for r in data["results"]}
    ratios = data["summary"].get("ratios", {})

    def rate(phase: str, unit: str) -> str:
        r = by.get(phase, {})
        if "failed" in r:
            return "FAILED (see the load report)"
        if "load" not in r:
            return f"not run ({r['not_run']})" if "not_run" in r else "not run"
        return f"{r['items'] / r['load']:,.1f} {unit}/s"

    def share(key: str) -> str:
        return f"{ratios[key]:.2f}" if key in ratios else ""

    bulk = (f"{remote_store.engine} Graph Store POST" if remote_store is not None
            else "HTTP POST" if servers else "bulk_load")
    outcome.figures += [
        Figure(f"documents loaded ({sizes['documents']:,} generated pages)",
               rate("documents", "documents"), rate("raw-documents", "documents") + f" ({bulk} "
               "of the same quads)", share("documents/raw-documents")),
        Figure(f"table rows loaded ({sizes['recommendations']:,} recommendations, CSV)",
               rate("tables", "rows"), rate("raw-tables", "rows") + f" ({bulk} of the same "
               "quads)", share("tables/raw-tables")),
        Figure(f"RDF load throughput ({sizes['triples']:,} N-Triples)",
               rate("ntriples", "triples"), rate(raw_rdf, "triples") + f" ({bulk})",
               share(f"ntriples/{raw_rdf}"), f"≥ {TARGET_RATIO}"),
    ]
    if not servers:
        outcome.figures.append(Figure("RDF load throughput against the `oxigraph load` command",
                                      rate("ntriples", "triples"), rate("oxigraph_load", "triples"),
                                      share("ntriples/oxigraph_load")))
    combined = data["summary"].get("combined")
    if not combined:  # a phase failed or did not run: say so where the figure would be
        outcome.figures.append(Figure(
            f"{sizes['documents']:,} documents + {sizes['recommendations']:,} rows, wall clock",
            "not measured: the documents or tables phase failed or did not run (see the load "
            "report)", target=f"< {TARGET_SECONDS} s"))
    if combined:
        met = "met" if combined["met"] else "NOT met"
        if not combined["full_size"]:
            met = "not the target sizes"
        raw = sum(by[p]["wall"] for p in ("raw-documents", "raw-tables") if "wall" in by.get(p, {}))
        outcome.figures.append(Figure(
            f"{combined['documents']:,} documents + {combined['rows']:,} rows, wall clock",
            f"{combined['seconds']:.1f} s ({combined['cpu']:.1f} s CPU)",
            f"{raw:.1f} s ({bulk} of the same quads)" if raw else "",
            f"{raw / combined['seconds']:.2f}" if raw else "",
            f"< {TARGET_SECONDS} s: {met}"))
        peaks = [by[p]["peak_mib"] for p in ("raw-documents", "raw-tables") if "peak_mib" in by.get(p, {})]
        raw_peak = max(peaks) if peaks else 0
        outcome.figures.append(Figure(
            "peak memory of that load (process tree RSS)", f"{combined['peak_mib']:,.0f} MiB",
            f"{raw_peak:,.0f} MiB" if raw_peak else "",
            f"{combined['peak_mib'] / raw_peak:.2f}× the memory" if raw_peak else "",
            f"< {TARGET_BYTES / 2**20:,.0f} MiB (2 GB): "
            + ("met" if combined["peak_mib"] * 2**20 < TARGET_BYTES else "NOT met")))
    return outcome


def run_endpoint(work: Path, sizes: dict[str, Any], remote: Remote | None = None) -> Outcome:
    outcome = Outcome("endpoint")
    on = ["--store-url", remote.url] if remote else []
    queries = ["--queries", str(sizes["queries"])] if sizes.get("queries") else []
    out = _run(outcome, _python("-m", "benchmarks.endpoint_bench", "--requests",
                                str(sizes["requests"]), "--clients", sizes["clients"], *queries,
                                "--results", str(work / "endpoint.md"), *on), remote)
    outcome.report = _read(work / "endpoint.md")
    outcome.figures += endpoint_figures(
        out, f"direct to {remote.engine}" if remote else "direct pyoxigraph")
    if not outcome.figures and not outcome.problem:
        outcome.problem = "its output has no '| **all** |' line to read"
    return outcome


def endpoint_figures(output: str, direct: str = "direct pyoxigraph") -> list[Figure]:
    """The summary lines of ``endpoint_bench``'s output: all queries, per concurrency.

    >>> out = "clients=8\\n| **all** | 22.01 | 85.28 | 9.02 | 117.04 | 2.44 | MISSED |"
    >>> [f.ours for f in endpoint_figures(out)]
    ['22.01 ms', '85.28 ms']
    """
    figures, clients = [], ""
    for line in output.splitlines():
        if match := re.match(r"clients=(\d+)", line):
            clients = match.group(1)
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "**all**" and len(cells) >= 5:
            endpoint_median, endpoint_p95, direct_median, direct_p95 = map(float, cells[1:5])
            allowed = 1.2 * direct_median + 5
            figures += [
                Figure(f"example queries, {clients} client(s): median latency",
                       f"{endpoint_median:.2f} ms", f"{direct_median:.2f} ms ({direct})",
                       f"{endpoint_median / direct_median:.2f}× the time",
                       f"≤ 1.2× + 5 ms = {allowed:.2f} ms: "
                       + ("met" if endpoint_median <= allowed else "NOT met")),
                Figure(f"example queries, {clients} client(s): p95 latency",
                       f"{endpoint_p95:.2f} ms", f"{direct_p95:.2f} ms ({direct})",
                       f"{endpoint_p95 / direct_p95:.2f}× the time"),
            ]
    return figures


def run_graph(work: Path, sizes: dict[str, int], browser: bool,
              remote: Remote | None = None) -> Outcome:
    outcome = Outcome("graph")
    figures = work / "graph.json"
    on = ["--store-url", remote.url] if remote else []
    _run(outcome, _python("-m", "benchmarks.graph_bench", "--recommendations",
                          str(sizes["recommendations"]), "--repeat", str(sizes["repeat"]),
                          "--json", str(figures), "--results", str(work / "graph.md"),
                          "--work", str(work / "graph"),
                          *([] if browser else ["--no-browser"]), *on), remote)
    outcome.report = _read(work / "graph.md")
    if not figures.exists():
        outcome.problem = outcome.problem or "no figures written"
        return outcome
    f = json.loads(figures.read_text(encoding="utf-8"))
    outcome.data = f
    raw = f.get("raw_pairs_seconds")
    for name, key in (("first request", "graph_json_first"), ("warm, median", "graph_json_warm")):
        outcome.figures.append(Figure(
            f"/graph.json on {f.get('units', sizes['recommendations']):,} units, {name}",
            f"{f[key]:.3f} s", f"{raw:.3f} s (co-occurrence SPARQL, direct to "
            f"{remote.engine if remote else 'pyoxigraph'})" if raw else "",
            f"{f[key] / raw:.2f}× the time" if raw else "", "≤ 1 s: "
            + ("met" if f[key] <= 1 else "NOT met")))
    if "page_first" in f:
        outcome.figures.append(Figure("/graph page settled in Chromium (first, second load)",
                                      f"{f['page_first']:.2f} s, {f['page_second']:.2f} s",
                                      target="≤ 3 s: " + ("met" if max(
                                          f["page_first"], f["page_second"]) <= 3 else "NOT met")))
    return outcome


def run_export(work: Path, sizes: dict[str, int], remote: Remote | None = None) -> Outcome:
    outcome = Outcome("export")
    on = ["--store-url", remote.url] if remote else []
    out = _run(outcome, _python("-m", "benchmarks.export_bench", "--triples", str(sizes["triples"]),
                                "--repeat", str(sizes["repeat"]),
                                "--results", str(work / "export.md"), *on), remote)
    outcome.report = _read(work / "export.md")
    outcome.figures += export_figures(out, f"{remote.engine}'s Graph Store GET" if remote else "")
    if not outcome.figures and not outcome.problem:
        outcome.problem = "its output has no '| export turtle |' line to read"
    return outcome


def export_figures(output: str, raw_name: str = "") -> list[Figure]:
    """The summary lines of ``export_bench``'s output: export against ``Store.dump``
    (the rows ``pyoxigraph …``), or against a server's dump (``server …``, named ``raw_name``).

    >>> out = ("| export turtle | 100 | 0.200 | 0.100 | 500 | 0.1 |\\n"
    ...        "| pyoxigraph turtle | 100 | 0.100 | 0.050 | 1,000 | 0.1 |")
    >>> [(f.ours, f.ratio) for f in export_figures(out)]
    [('500 triples/s', '0.50')]
    """
    rows: dict[str, list[str]] = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0] in ("export turtle", "pyoxigraph turtle", "export trig",
                                            "pyoxigraph trig", "server turtle", "server trig"):
            rows[cells[0]] = cells
    figures = []
    for fmt in ("turtle", "trig"):
        ours = rows.get(f"export {fmt}")
        raw = rows.get(f"pyoxigraph {fmt}") or rows.get(f"server {fmt}")
        if ours and raw:
            share = float(raw[2]) / float(ours[2])
            figures.append(Figure(f"export throughput, {fmt.capitalize()} ({ours[1]} "
                                  f"{'quads' if fmt == 'trig' else 'triples'})",
                                  f"{ours[4]} triples/s", f"{raw[4]} triples/s ({raw_name or 'Store.dump'})",
                                  f"{share:.2f}", f"≥ 0.8: {'met' if share >= 0.8 else 'NOT met'}"))
    return figures


ENGINES = {"oxigraph-server": "Oxigraph server", "virtuoso": "Virtuoso"}


def run_on_server(backend: str, work: Path, suites: list[str], sizes: dict[str, dict[str, Any]],
                  browser: bool) -> list[Outcome]:
    """Every benchmark in ``suites`` on the remote ``backend``, each on fresh servers.

    The load benchmark loads through rightsgraph into one server and gives
    the raw engine the same quads in a second one; the others load their data
    into one server, through rightsgraph, and measure rightsgraph's path and
    the server's own HTTP interface on it.  All the servers are started at
    once (their start is not measured); each one's memory is sampled while
    its benchmark runs.
    """
    kind, engine = KINDS[backend], ENGINES[backend]
    password = "rg" + secrets.token_hex(8)  # the two servers of the load share credentials
    # The load's N-Triples phases get two more, so that the server state the
    # other phases left (Virtuoso: its dirty buffers) weighs on neither side.
    names = [name for suite in suites for name in ((f"{suite}-ours", f"{suite}-raw", "rdf-ours",
                                                    "rdf-raw") if suite == "load" else (suite,))]
    try:
        started = start_many(kind, [work / "servers" / name for name in names], password,
                             large=True)
    except Exception as exc:  # noqa: BLE001 -- reported, not raised
        return [Outcome(suite, problem=f"the {engine} server did not start: {exc}")
                for suite in suites]
    servers = dict(zip(names, started, strict=True))
    outcomes = []
    try:
        for suite in suites:
            outcome = _on_server(suite, work, sizes, browser, engine, servers)
            outcomes.append(outcome)
    finally:
        for server in started:
            stop(server.process)
    return outcomes


def _on_server(suite: str, work: Path, sizes: dict[str, dict[str, Any]], browser: bool,
               engine: str, servers: dict[str, Server]) -> Outcome:
    if suite == "load":
        ours, raw = servers["load-ours"], servers["load-raw"]
        remote = Remote(ours.url, _credentials(ours), engine)
        rdf = (servers["rdf-ours"].url, servers["rdf-raw"].url)
        with sampled(ours), sampled(raw):
            outcome = run_load(work, sizes["load"], (ours.url, raw.url), remote, rdf)
        outcome.cost["server_peak_mib"] = ours.peak_mib
        outcome.figures.append(Figure(
            f"peak memory of the server ({engine}) during the load", f"{ours.peak_mib:,.0f} MiB",
            f"{raw.peak_mib:,.0f} MiB (the server given the raw data)",
            f"{ours.peak_mib / max(raw.peak_mib, 1):.2f}× the memory"))
        by = {r["phase"]: r for r in outcome.data.get("results", [])}
        combined = outcome.data.get("summary", {}).get("combined")
        peaks = [by[p]["peak_mib"] for p in ("raw-documents", "raw-tables") if "peak_mib" in by.get(p, {})]
        if combined and peaks:
            total, raw_total = combined["peak_mib"] + ours.peak_mib, max(peaks) + raw.peak_mib
            outcome.figures.append(Figure(
                "peak memory of that load with the server (rightsgraph + server)",
                f"{total:,.0f} MiB", f"{raw_total:,.0f} MiB (raw client + its server)",
                f"{total / raw_total:.2f}× the memory",
                f"< {TARGET_BYTES / 2**20:,.0f} MiB (2 GB): "
                + ("met" if total * 2**20 < TARGET_BYTES else "NOT met")))
        return outcome
    server = servers[suite]
    remote = Remote(server.url, _credentials(server), engine)
    with sampled(server):
        if suite == "endpoint":
            outcome = run_endpoint(work, sizes["endpoint"], remote)
        elif suite == "graph":
            outcome = run_graph(work, sizes["graph"], browser, remote)
        else:
            outcome = run_export(work, sizes["export"], remote)
    outcome.cost["server_peak_mib"] = server.peak_mib
    return outcome


#: Seconds a request to a remote store may take in the benchmarks (the default is 30 s):
#: a slow request is measured, not failed.
STORE_TIMEOUT = 600


def _credentials(server: Server) -> dict[str, str]:
    """The environment a benchmark process needs for ``server``: its credentials and time limit."""
    env = server.environment()
    return {"RIGHTSGRAPH_STORE_TIMEOUT": str(STORE_TIMEOUT),
            **{k: v for k, v in env.items()
               if k in ("RIGHTSGRAPH_STORE_USER", "RIGHTSGRAPH_STORE_PASSWORD")}}


# ---------------------------------------------------------------- reporting


def summary(outcomes: list[Outcome], backend: str) -> list[str]:
    """The summary table of one backend's run."""
    lines = ["| benchmark | measure | rightsgraph | raw engine | ratio (ours/raw) | target |",
             "|---|---|---:|---:|---:|---|"]
    for o in outcomes:
        for f in o.figures:
            lines.append(f"| {o.suite} | {f.measure} | {f.ours} | {f.raw} | {f.ratio} | {f.target} |")
        if o.cost.get("wall"):
            server = (f" + the server's {o.cost['server_peak_mib']:,.0f} MiB"
                      if "server_peak_mib" in o.cost else "")
            lines.append(f"| {o.suite} | peak memory of the whole benchmark (process tree), wall "
                         f"clock | {o.cost['tree_peak_mib']:,.0f} MiB{server}, {o.cost['wall']:.0f} s "
                         "| | | |")
        if o.problem:
            lines.append(f"| {o.suite} | FAILED on {backend}: {_cell(o.problem)[:400]} | | | | |")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def section(runs: dict[str, list[Outcome]], missing: dict[str, str], mode: str,
            command: str) -> str:
    """The dated Markdown section appended to RESULTS.md."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"## {now} — all benchmarks ({mode})", "", f"Machine: {machine()}; load average "
             f"{os.getloadavg()[0]:.1f} at the end", "", f"Command: `{command}`", "",
             "Ratios are ours over the raw engine's: for speeds (per second) higher is better, "
             "for times and memory (\"× the time\", \"× the memory\") lower is better.", ""]
    for backend, outcomes in runs.items():
        lines += [f"### Backend: {backend}", "", *summary(outcomes, backend), ""]
    for backend, why in missing.items():
        lines += [f"### Backend: {backend}", "", f"Not measured: {why}", ""]
    for outcomes in runs.values():
        for o in outcomes:
            if o.report:
                lines += [_demoted(o.report), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- command line


def parser() -> argparse.ArgumentParser:
    """The command line options (see the module documentation)."""
    options = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0],
        epilog="Example:\n  python -m benchmarks --quick --no-results\n  python -m benchmarks",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--quick", action="store_true",
                         help="tiny sizes: a smoke run of every benchmark in about a minute")
    options.add_argument("--medium", action="store_true",
                         help="a fifth of the full sizes (200 pages, 20,000 rows, ...): to "
                              "estimate how long the full run takes")
    options.add_argument("--only", default=",".join(SUITES),
                         help=f"benchmarks to run, comma-separated (default {','.join(SUITES)})")
    options.add_argument("--backends", default="embedded",
                         help=f"stores to measure, comma-separated, of {', '.join(BACKENDS)} "
                              "(default embedded)")
    options.add_argument("--no-browser", action="store_true",
                         help="graph benchmark without headless Chromium (always so with --quick)")
    options.add_argument("--work", type=Path, help="keep the corpora and stores here")
    options.add_argument("--results", type=Path, default=RESULTS,
                         help="Markdown file the dated section is appended to")
    options.add_argument("--no-results", action="store_true", help="append nothing")
    options.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return options


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module documentation."""
    args = parser().parse_args(argv)
    suites = [s.strip() for s in args.only.split(",") if s.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [s for s in suites if s not in SUITES] + [b for b in backends if b not in BACKENDS]
    if unknown:
        parser().error(f"unknown benchmark or backend: {', '.join(unknown)}")
    mode = "quick" if args.quick else "medium" if args.medium else "full"
    sizes = SIZES[mode]
    work = args.work or Path(tempfile.mkdtemp(prefix="rightsgraph-benchmarks-"))
    work.mkdir(parents=True, exist_ok=True)
    runners: dict[str, Callable[[Path], Outcome]] = {
        "load": lambda w: run_load(w, sizes["load"]),
        "endpoint": lambda w: run_endpoint(w, sizes["endpoint"]),
        "graph": lambda w: run_graph(w, sizes["graph"], not (args.quick or args.no_browser)),
        "export": lambda w: run_export(w, sizes["export"]),
    }
    runs: dict[str, list[Outcome]] = {}
    missing: dict[str, str] = {}
    try:
        for backend in backends:
            problem = backend_problem(backend)
            if problem:
                _say(f"backend {backend}: not measured: {problem}")
                missing[backend] = problem
                continue
            folder = work / backend
            folder.mkdir(parents=True, exist_ok=True)
            if backend == "embedded":
                runs[backend] = [runners[suite](folder) for suite in suites]
            else:
                runs[backend] = run_on_server(backend, folder, suites, sizes,
                                              not (args.quick or args.no_browser))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    command = "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:])
    text = section(runs, missing, mode, command.strip())
    print(text)
    if args.json:
        args.json.write_text(json.dumps({
            backend: [{"suite": o.suite, "problem": o.problem, "cost": o.cost,
                       "figures": [f.__dict__ for f in o.figures], "data": o.data}
                      for o in outcomes] for backend, outcomes in runs.items()
        } | {"missing": missing}, indent=1) + "\n", encoding="utf-8")
    if not args.no_results:
        append_section(args.results, text)
        _say(f"appended to {args.results}")
    return 1 if any(o.problem for outcomes in runs.values() for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
