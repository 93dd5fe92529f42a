"""Load benchmark: documents, a recommendation table and N-Triples, on disk.

One run generates (or reuses) a corpus, then runs each phase in a child
process of its own, so that ``ru_maxrss`` is the peak memory of that phase:

* ``documents``: ``parse_paths`` + ``store_loaded`` of every page into an
  on-disk :class:`~rightsgraph.graph.store.GraphStore` (documents per second);
* ``tables``: the same for the recommendation table, into the same store
  (rows per second), so both together are the target "100,000
  recommendations plus 1,000 documents in under 3 minutes, under 2 GB";
* ``tables-reload`` (with ``--reload``): the table again with ``force``, so
  that its graph is replaced rather than created;
* ``ntriples``: an N-Triples file through the library path of ``rightsgraph
  load``, then through raw ``pyoxigraph.Store.bulk_load`` into a fresh
  on-disk store; the ratio of their speeds (target: at least 0.8).  With
  ``--store-url``, the raw side is the server's Graph Store ``POST``; with
  ``--rdf-store-url`` and ``--rdf-raw-url`` (``python -m benchmarks`` gives
  them), each side loads into an empty server of its own, so that what the
  phases before left in a server (Virtuoso: dirty buffers, after 2.3M
  triples) weighs on neither; on a server the pair runs in three interleaved
  rounds (each after the first into a graph new again) and the fastest round
  of each side counts, since a fresh server's first large load is its slowest.

It prints a table, says where the time goes, and appends a dated section to
``benchmarks/RESULTS.md``.  A phase whose loader is not registered is
reported as not run.

Example:
    python -m benchmarks.load_bench
    python -m benchmarks.load_bench --documents 20 --recommendations 500 --triples 20000 --no-results
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.generate import VERSION, generate, write_ntriples
from benchmarks.memory import TreeMemory
from benchmarks.remote import oxigraph_command
from rightsgraph.ontology import fingerprint

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
TARGET_SECONDS = 180
TARGET_BYTES = 2 * 10**9
TARGET_RATIO = 0.8
GRAPH = "https://w3id.org/rightsgraph/id/source/bench-bulk-load"
#: The input formats each phase needs registered (documents: those the corpus holds).
NEEDS = {"documents": (), "tables": ("csv",), "tables-reload": ("csv",), "tables-xlsx": ("xlsx",),
         "ntriples": ("ntriples",), "bulk_load": (), "oxigraph_load": (), "raw-documents": (),
         "raw-tables": ()}
_RESULT = "BENCH-RESULT "
#: The raw-engine phases that load what a rightsgraph phase stored, and that phase.
RAW_PHASES = {"raw-documents": "documents", "raw-tables": "tables"}

Result = dict[str, Any]


# ---------------------------------------------------------------- the parent


def available_formats() -> tuple[set[str], str]:
    """The registered input formats, and why none could be read (if so)."""
    try:
        from rightsgraph.loaders import registry
    except Exception as exc:  # a loader being edited may not import at all
        return set(), f"rightsgraph.loaders.registry does not import ({type(exc).__name__}: {exc})"
    return set(registry.formats()), ""


def unavailable(phase: str, formats: set[str], needed: tuple[str, ...] = ()) -> str:
    """Why ``phase`` cannot run with the ``formats`` registered ("" if it can).

    >>> unavailable("tables", {"csv", "ntriples"})
    ''
    >>> unavailable("documents", {"csv"}, ("html", "text"))
    'no loader registered for html, text (registered: csv)'
    """
    missing = sorted(set(NEEDS[phase]) | set(needed)) if phase in NEEDS else []
    missing = [name for name in missing if name not in formats]
    if not missing:
        return ""
    return f"no loader registered for {', '.join(missing)} (registered: {', '.join(sorted(formats))})"


def ensure_corpus(directory: Path, seed: int, documents: int, recommendations: int,
                  xlsx: bool) -> tuple[dict[str, Any], float | None]:
    """Reuse the corpus in ``directory`` if it was made with these settings, else write it."""
    manifest_path = directory / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        formats = {t["format"] for t in manifest["tables"]}
        made = (manifest.get("generator"), manifest.get("vocabulary"), manifest["seed"],
                len(manifest["documents"]), manifest["tables"][0]["rows"])
        if made == (VERSION, fingerprint()[:16], seed, documents, recommendations) and (
                not xlsx or "xlsx" in formats):
            return manifest, None
    started = time.perf_counter()
    manifest = generate(directory, seed=seed, documents=documents,
                        recommendations=recommendations, xlsx=xlsx)
    return manifest, time.perf_counter() - started


def ensure_ntriples(directory: Path, count: int, seed: int) -> tuple[Path, float | None]:
    path = directory / f"recommendations-s{seed}-{count}.nt"
    if path.exists():
        return path, None
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    write_ntriples(partial, count, seed)
    partial.rename(path)
    return path, time.perf_counter() - started


def measured(command: list[str], env: dict[str, str] | None = None,
             echo: bool = False, quiet: float = 0.0) -> tuple[int, str, str, Result]:
    """Run ``command``; return its exit status, output, errors and what it cost.

    The cost: wall seconds, CPU seconds (user + system, the command and its
    children), the peak summed RSS of its process tree (sampled) and the
    1-minute load average before it started.

    :param echo: also pass its error stream (its progress) on as it comes.
    :param quiet: wait at most this many seconds for the CPUs to be quiet
        first (:func:`wait_until_quiet`).
    """
    waited = wait_until_quiet(quiet) if quiet > 0 else 0.0
    busy = os.getloadavg()[0]  # what else runs on the machine: this process is idle now
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    errors: list[str] = []

    def follow() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            errors.append(line)
            if echo:
                print("  " + line, end="", file=sys.stderr, flush=True)

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    with TreeMemory(process.pid) as memory:
        assert process.stdout is not None
        out = process.stdout.read()
        process.wait()
    reader.join()
    cost = {"wall": time.perf_counter() - started, "cpu": _children_cpu() - cpu_before,
            "tree_peak_mib": max(memory.peak_bytes, 0) / 2**20, "loadavg_before": busy,
            "quiet_wait": waited}
    return process.returncode, out, "".join(errors), cost


#: A phase starts once the CPUs have been at least this idle over :data:`QUIET_WINDOW`
#: seconds, or after :data:`QUIET_LIMIT` seconds: a server goes on working after a
#: load (Virtuoso writes a checkpoint), and the next phase, ours or the raw
#: engine's, should not pay for the one before.
QUIET_IDLE = 0.85
QUIET_WINDOW = 2.0
QUIET_LIMIT = 180.0


def wait_until_quiet(limit: float = QUIET_LIMIT) -> float:
    """Wait until the machine's CPUs are quiet (see :data:`QUIET_IDLE`), at most
    ``limit`` seconds; the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = _cpu_ticks()
        time.sleep(QUIET_WINDOW)
        after = _cpu_ticks()
        if before is None or after is None:
            break  # no /proc/stat: nothing to wait for
        total = after[1] - before[1]
        if total <= 0 or (after[0] - before[0]) / total >= QUIET_IDLE:
            break
    return time.monotonic() - started


def _cpu_ticks() -> tuple[int, int] | None:
    """(idle, all) ticks of every CPU since boot; waiting for input and output counts as busy."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(f) for f in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return fields[3], sum(fields)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(phase: str, corpus: Path, store: str | Path, nt: Path | None,
              work: Path | None = None, quiet: float = 0.0, round_: int = 1) -> Result:
    """Run ``phase`` in a child process; return its result (with its wall time)."""
    command = [sys.executable, "-m", "benchmarks.load_bench", "--child", phase,
               "--corpus", str(corpus), "--store", str(store)]
    if nt is not None:
        command += ["--nt", str(nt)]
    if work is not None:
        command += ["--work", str(work)]
    if round_ > 1:
        command += ["--round", str(round_)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                      os.environ.get("PYTHONPATH")]))}
    status, out, err, cost = measured(command, env, quiet=quiet)
    lines = [line for line in out.splitlines() if line.startswith(_RESULT)]
    if status != 0 or not lines:
        tail = (err or out).strip().splitlines()[-3:]
        return {"phase": phase, "failed": f"exit {status}: " + " / ".join(tail)}
    result: Result = json.loads(lines[-1][len(_RESULT):])
    result.update(cost)
    result["peak_mib"] = max(result["peak_mib"], cost["tree_peak_mib"])
    return result


def run_oxigraph_load(nt: Path, store_dir: Path, quiet: float = 0.0) -> Result:
    """``oxigraph load`` of the N-Triples file into a fresh store, as a user would run it."""
    command = oxigraph_command()
    if command is None:
        return {"phase": "oxigraph_load",
                "not_run": "the oxigraph command is not installed (pip install oxigraph)"}
    from pyoxigraph import Store

    version = subprocess.run([command, "--version"], capture_output=True, text=True).stdout.strip()
    status, out, err, cost = measured([command, "load", "--location", str(store_dir), "--file",
                                       str(nt), "--graph", GRAPH], quiet=quiet)
    if status != 0:
        return {"phase": "oxigraph_load",
                "failed": f"exit {status}: " + " / ".join((err or out).strip().splitlines()[-3:])}
    store = Store.read_only(str(store_dir))
    triples = len(store)
    del store
    return {"phase": "oxigraph_load", "seconds": {"load": cost["wall"]}, "load": cost["wall"],
            "triples": triples, "items": triples, "peak_mib": cost["tree_peak_mib"],
            "note": f"{version}; time and memory of the whole command", **cost}


def run(args: argparse.Namespace, formats: tuple[set[str], str] | None = None) -> list[Result]:
    """Generate or reuse the corpus, then run every phase that can run.

    :param formats: the registered formats and why they could not be read
        (default: asked of ``rightsgraph.loaders.registry``).
    """
    corpus = args.corpus or Path(tempfile.gettempdir()) / (
        f"rightsgraph-bench-s{args.seed}-d{args.documents}-r{args.recommendations}")
    work = args.work or Path(tempfile.mkdtemp(prefix="rightsgraph-bench-"))
    manifest, took = ensure_corpus(corpus, args.seed, args.documents, args.recommendations, args.xlsx)
    results: list[Result] = [{"phase": "generate", "corpus": str(corpus), "seconds": took,
                              "items": args.documents, "rows": args.recommendations}]
    _say(f"corpus: {corpus} ({f'generated in {took:.1f} s' if took else 'reused'})")
    nt = None
    if args.triples:
        nt, took = ensure_ntriples(corpus, args.triples, args.seed)
        results.append({"phase": "generate-ntriples", "seconds": took, "items": args.triples,
                        "bytes": nt.stat().st_size})
    registered, problem = formats if formats is not None else available_formats()
    page_formats = tuple(sorted({p["format"] for p in manifest["documents"].values()}))
    phases = [("documents", "data", page_formats), ("tables", "data", ())]
    phases += [("tables-reload", "data", ())] if args.reload else []
    phases += [("tables-xlsx", "xlsx", ())] if args.xlsx else []
    phases += [("raw-documents", "raw-documents", ()), ("raw-tables", "raw-tables", ())]
    if args.store_url:  # a remote store: the raw engine is the same server software, by HTTP
        # Interleaved rounds, the fastest of each side counting: a server's
        # first large load runs slower than its next (a fresh Virtuoso's first
        # 64 MiB POSTs took 15.4 s, the same ones 8.7 s the second time).
        phases += [("ntriples", "rightsgraph", ()), ("http_post", "raw", ())] * RDF_ROUNDS if nt else []
    else:
        phases += [("ntriples", "rightsgraph", ()), ("bulk_load", "raw", ()),
                   ("oxigraph_load", "oxigraph", ())] if nt else []
    work.mkdir(parents=True, exist_ok=True)
    for store in {store for _phase, store, _needed in phases}:  # fresh stores, also with --work
        shutil.rmtree(work / store, ignore_errors=True)
    for stale in RAW_PHASES.values():
        (work / f"{stale}.nq").unlink(missing_ok=True)
    rounds: dict[str, int] = defaultdict(int)
    try:
        for phase, store, needed in phases:
            rounds[phase] += 1
            raw = phase in RAW_PHASES or phase in ("bulk_load", "oxigraph_load", "http_post")
            reason = problem if problem and not raw else unavailable(phase, registered, needed)
            source = RAW_PHASES.get(phase)
            if source and not (work / f"{source}.nq").exists():
                reason = f"the {source} phase did not run"
            if reason:
                _say(f"{phase}: NOT RUN: {reason}")
                results.append({"phase": phase, "not_run": reason})
                continue
            _say(f"{phase}: running ...")
            if phase == "oxigraph_load":
                assert nt is not None
                results.append(run_oxigraph_load(nt, work / store, args.quiet_wait))
            else:
                location = str(work / store)
                if args.store_url:
                    location = args.raw_url if raw else args.store_url
                    if phase in ("ntriples", "http_post"):  # on servers of their own, if given
                        location = (args.rdf_raw_url or location) if raw else (
                            args.rdf_store_url or location)
                results.append(run_child(phase, corpus, location, nt, work, args.quiet_wait,
                                         rounds[phase]))
            if "failed" in results[-1]:
                _say(f"{phase}: FAILED: {results[-1]['failed']}")
            elif "load" in results[-1]:
                r = results[-1]
                _say(f"{phase}: {r['items']:,} in {r['load']:.1f} s, peak {r['peak_mib']:,.0f} MiB")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return best_rounds(results)


#: Rounds of the N-Triples phases on a remote store (see :func:`run`): with two,
#: the same raw POSTs of one file took 8.1 to 15.0 s from run to run, the best
#: of each side moving the ratio by a fifth.
RDF_ROUNDS = 3


def best_rounds(results: list[Result]) -> list[Result]:
    """``results`` with the rounds of a phase run more than once merged into the
    fastest, whose note gives every round's time, in its first place.

    >>> best_rounds([{"phase": "a", "load": 3.0, "note": ""}, {"phase": "b", "load": 1.0},
    ...              {"phase": "a", "load": 2.0, "note": "x"}])
    [{'phase': 'a', 'load': 2.0, 'note': 'x; the fastest of 2 interleaved rounds: 3.0 s, 2.0 s'}, \
{'phase': 'b', 'load': 1.0}]
    """
    timed: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        if "load" in r:
            timed[r["phase"]].append(r)
    merged, placed = [], set()
    for r in results:
        runs = timed.get(r["phase"], [])
        if len(runs) < 2 or "load" not in r:
            merged.append(r)
            continue
        if r["phase"] in placed:
            continue
        placed.add(r["phase"])
        best = dict(min(runs, key=lambda run: run["load"]))
        times = ", ".join(f"{run['load']:.1f} s" for run in runs)
        best["note"] = "; ".join(filter(None, [best.get("note", ""), f"the fastest of {len(runs)} "
                                               f"interleaved rounds: {times}"]))
        merged.append(best)
    return merged


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the child


def child(phase: str, corpus: Path, store_dir: str, nt: Path | None, work: Path | None,
          round_: int = 1) -> int:
    """Run one phase in this process and print its result as one JSON line.

    :param store_dir: the store's directory, or the URL of a remote store.
    :param round_: after the first, a remote store's N-Triples go into a graph that
        is new again, on both sides another graph (until 2026-11-25 ours dropped
        the first round's graph just before the timed load instead, and the
        server went on with that drop's work during it).
    """
    baseline = _peak_mib()
    if phase in ("bulk_load", "http_post"):
        assert nt is not None
        result = _bulk_load(nt, store_dir, GRAPH if round_ == 1 else f"{GRAPH}-{round_}")
    elif phase in RAW_PHASES:
        assert work is not None
        result = _bulk_load(work / f"{RAW_PHASES[phase]}.nq", store_dir)
        result["items"] = json.loads((work / f"{RAW_PHASES[phase]}.json").read_text())["items"]
    else:
        from rightsgraph.loaders.context import LoadContext
        from rightsgraph.loaders.source import DEFAULT_MAX_BYTES

        context, note = LoadContext(), ""
        manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
        if phase == "documents":
            paths = [corpus / name for name in sorted(manifest["documents"])]
        elif phase.startswith("tables"):
            table_format = "xlsx" if phase == "tables-xlsx" else "csv"
            paths = [corpus / t["path"] for t in manifest["tables"] if t["format"] == table_format]
        else:
            assert nt is not None
            paths, size = [nt], nt.stat().st_size
            if size > DEFAULT_MAX_BYTES:
                context = LoadContext(max_bytes=size)
                note = (f"the file ({size / 1e6:.0f} MB) is over `rightsgraph load`'s default size "
                        f"limit ({DEFAULT_MAX_BYTES / 1e6:.0f} MB; `load --max-size` raises it); the "
                        "library path ran with LoadContext(max_bytes=file size), as that option does")
            if round_ > 1:  # a source new again: its graph named as `load --graph` would
                context = LoadContext(max_bytes=context.max_bytes, graph=context.mint(
                    "source", f"{nt.name}-round-{round_}").value)
        dump = work / f"{phase}.nq" if work is not None and phase in RAW_PHASES.values() else None
        result = _library_load(paths, store_dir, context, force=phase == "tables-reload",
                               dump=dump)
        result["note"] = note
        result["items"] = {"documents": len(paths), "ntriples": result["found"].get("triples", 0)
                           }.get(phase, result["found"].get("recommendations", 0))
        if dump is not None:
            dump.with_suffix(".json").write_text(json.dumps({"items": result["items"]}))
    result.update(phase=phase, baseline_mib=baseline, peak_mib=_peak_mib())
    print(_RESULT + json.dumps(result), flush=True)
    return 0


def _library_load(paths: list[Path], store_dir: str, context: Any, force: bool = False,
                  dump: Path | None = None) -> Result:
    """``parse_paths`` then ``store_loaded`` into an on-disk store, timing each step.

    :param force: reload sources the store already holds (a replacement, not a first load).
    :param dump: write the quads of the loaded graphs there as N-Quads (not timed), for
        the raw engine to load the same data.
    """
    from pyoxigraph import Quad, RdfFormat, serialize

    from rightsgraph.graph.store import GraphStore
    from rightsgraph.loaders.batch import parse_paths, store_loaded

    times: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    store = GraphStore.open(store_dir)
    times["open"] = time.perf_counter() - started
    _instrument(store, times, writes=getattr(store, "remote", None) is None)
    started = time.perf_counter()
    loads = parse_paths(paths, context)
    times["parse"] = time.perf_counter() - started
    after_parse = _rss_mib()
    started = time.perf_counter()
    outcomes = store_loaded(store, loads, force=force)
    times["store"] = time.perf_counter() - started
    if dump is not None:  # what was stored: the loaders' triples in each source's graph
        serialize((Quad(t.subject, t.predicate, t.object, loaded.graph)
                   for loaded in loads for t in loaded.triples),
                  output=str(dump), format=RdfFormat.N_QUADS)
    started = time.perf_counter()
    store.close()
    times["close"] = time.perf_counter() - started
    found: dict[str, int] = defaultdict(int)
    for loaded in loads:
        for kind, count in loaded.report.found.items():
            found[kind] += count
    return {"seconds": dict(times), "load": times["parse"] + times["store"] + times["close"],
            "triples": sum(o.triples for o in outcomes), "rss_after_parse_mib": after_parse,
            "found": dict(found), "remote": getattr(store, "remote", None) is not None}


#: The pyoxigraph ``Store`` methods whose time the breakdown reports, with their names there.
WRITES = {"extend": "extend (one transaction)", "bulk_extend": "bulk_extend (consumes the quads as "
          "they are built)", "update": "SPARQL update (MOVE)", "add": "add", "remove": "remove",
          "remove_graph": "remove_graph", "load": "load", "bulk_load": "bulk_load"}


class _TimedStore:
    """Delegates to a pyoxigraph ``Store``, adding up the time spent in its write methods."""

    def __init__(self, store: Any, times: dict[str, float]) -> None:
        self._inner, self._times = store, times

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        return _timed(attribute, self._times, name) if name in WRITES else attribute


def _timed(function: Callable[..., Any], times: dict[str, float], name: str) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            times[name] += time.perf_counter() - started

    return timed


def _instrument(store: Any, times: dict[str, float], writes: bool = True) -> None:
    """Time the steps of ``store_loaded`` without changing graph/store.py.

    :param writes: also time each pyoxigraph write call (embedded stores only).
    """
    if writes:
        store._store = _TimedStore(store._store, times)
    # replace_graphs, not replace_graph: the loaders write a batch at a time, and
    # replace_graph is replace_graphs of one (timing both would count it twice)
    for name in ("replace_graphs", "source_records", "count"):
        setattr(store, name, _timed(getattr(store, name), times, name))
    remote = getattr(store, "remote", None)
    if remote is not None:  # a remote store counts the graphs it wrote together
        remote.count_graphs = _timed(remote.count_graphs, times, "count")


def _bulk_load(nt: Path, store_dir: str, graph: str = GRAPH) -> Result:
    """Raw ``Store.bulk_load`` of an N-Triples (into one graph) or N-Quads file.

    For a server (``store_dir`` an http URL), the server's own bulk path
    (:meth:`benchmarks.remote.RawServer.load_file`): Oxigraph, one POST of the
    file to ``/store``; Virtuoso, Graph Store POSTs of each graph (in parts, see
    :mod:`benchmarks.remote`).  An N-Triples file goes into ``graph``.
    """
    from pyoxigraph import NamedNode, RdfFormat, Store

    if store_dir.startswith(("http://", "https://")):
        return _http_post(nt, store_dir, graph)

    times: dict[str, float] = {}
    started = time.perf_counter()
    store = Store(str(store_dir))
    times["open"] = time.perf_counter() - started
    started = time.perf_counter()
    if nt.suffix == ".nq":
        store.bulk_load(path=str(nt), format=RdfFormat.N_QUADS)
    else:
        store.bulk_load(path=str(nt), format=RdfFormat.N_TRIPLES, to_graph=NamedNode(GRAPH))
    times["bulk_load"] = time.perf_counter() - started
    started = time.perf_counter()
    store.flush()
    times["close"] = time.perf_counter() - started
    triples = len(store)
    del store
    return {"seconds": times, "load": times["bulk_load"] + times["close"], "triples": triples,
            "items": triples, "note": ""}


def _http_post(data: Path, url: str, graph: str = GRAPH) -> Result:
    """Load ``data`` into the server by its own bulk path (:class:`benchmarks.remote.RawServer`);
    its triples are what the server's count grew by."""
    from benchmarks.remote import RawServer

    server = RawServer(url)
    before = server.count()
    seconds, how = server.load_file(data, graph)
    triples = server.count() - before
    return {"seconds": {"bulk_load": seconds, "close": 0.0}, "load": seconds, "triples": triples,
            "items": triples, "note": how}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# ---------------------------------------------------------------- the report


#: Each rightsgraph phase and the raw-engine phases it is compared with.
COMPARED = {"documents": ("raw-documents",), "tables": ("raw-tables",),
            "ntriples": ("bulk_load", "oxigraph_load", "http_post")}


def ratio(results: list[Result], ours: str, raw: str) -> float | None:
    """Our speed over the raw engine's on the same data (1.0: as fast), if both ran.

    >>> ratio([{"phase": "ntriples", "load": 4.0}, {"phase": "bulk_load", "load": 3.0}],
    ...       "ntriples", "bulk_load")
    0.75
    """
    by = {r["phase"]: r for r in results if "load" in r}
    if ours not in by or raw not in by or not by[ours]["load"]:
        return None
    return float(by[raw]["load"] / by[ours]["load"])


def summarise(results: list[Result]) -> Result:
    """The figures the targets are about: combined load, and the ratios to the raw engine."""
    by = {r["phase"]: r for r in results if "load" in r}
    summary: Result = {}
    if "documents" in by and "tables" in by:
        documents, rows = by["documents"]["items"], by["tables"]["items"]
        seconds = by["documents"]["wall"] + by["tables"]["wall"]
        peak = max(by["documents"]["peak_mib"], by["tables"]["peak_mib"])
        summary["combined"] = {"documents": documents, "rows": rows, "seconds": seconds,
                               "cpu": by["documents"]["cpu"] + by["tables"]["cpu"],
                               "peak_mib": peak, "full_size": documents >= 1000 and rows >= 100_000,
                               "met": seconds < TARGET_SECONDS and peak * 2**20 < TARGET_BYTES}
    for ours, raws in COMPARED.items():
        for raw in raws:
            value = ratio(results, ours, raw)
            if value is not None:
                summary.setdefault("ratios", {})[f"{ours}/{raw}"] = value
    for raw in ("bulk_load", "http_post"):
        if f"ntriples/{raw}" in summary.get("ratios", {}):
            value = summary["ratios"][f"ntriples/{raw}"]
            summary["ratio"] = {"value": value, "met": value >= TARGET_RATIO, "raw": raw}
    return summary


_UNITS = {"documents": "documents", "tables": "rows", "tables-reload": "rows", "tables-xlsx": "rows",
          "raw-documents": "documents", "raw-tables": "rows", "ntriples": "triples",
          "bulk_load": "triples", "oxigraph_load": "triples", "http_post": "triples"}
_NAMES = {"documents": "documents (rightsgraph)", "tables": "table CSV (rightsgraph)",
          "tables-reload": "table CSV again, replacing its graph (rightsgraph)",
          "tables-xlsx": "table XLSX (rightsgraph)",
          "raw-documents": "the documents' quads (raw engine bulk load)",
          "raw-tables": "the table's quads (raw engine bulk load)",
          "ntriples": "N-Triples (rightsgraph load path)",
          "bulk_load": "N-Triples (raw Store.bulk_load)",
          "oxigraph_load": "N-Triples (`oxigraph load` command)",
          "http_post": "N-Triples (raw Graph Store POST to the server)"}


def table(results: list[Result]) -> list[str]:
    """The results as a Markdown table; "vs raw" is our speed over the raw engine's."""
    lines = ["| phase | items | load s | rate | vs raw engine | triples stored | CPU s "
             "| peak RSS MiB | process s |",
             "|---|---:|---:|---:|---|---:|---:|---:|---:|"]
    for r in results:
        name = _NAMES.get(r["phase"], r["phase"])
        if r["phase"].startswith("generate"):
            done = f"{r['seconds']:.1f}" if r["seconds"] is not None else "reused"
            what = (f"{r['items']:,} documents + {r['rows']:,} rows" if r["phase"] == "generate"
                    else f"{r['items']:,} triples ({r['bytes'] / 1e6:.0f} MB)")
            lines.append(f"| {name} | {what} | {done} | | | | | | |")
        elif "load" not in r:
            why = f"NOT RUN: {r['not_run']}" if "not_run" in r else f"FAILED: {r['failed']}"
            lines.append(f"| {name} | {why.replace('|', '/')} | | | | | | | |")
        else:
            unit = _UNITS[r["phase"]]
            versus = ", ".join(f"{value:.2f} of {raw}" for raw in COMPARED.get(r["phase"], ())
                               if (value := ratio(results, r["phase"], raw)) is not None)
            lines.append(f"| {name} | {r['items']:,} {unit} | {r['load']:.1f} | "
                         f"{r['items'] / r['load']:,.1f} {unit}/s | {versus} | {r['triples']:,} | "
                         f"{r['cpu']:.1f} | {r['peak_mib']:,.0f} | {r['wall']:.1f} |")
    return lines


def where_time_goes(r: Result) -> str:
    """One line: the load time of a phase split into its steps."""
    s = r["seconds"]
    if r["phase"] == "oxigraph_load":
        return f"the whole command {s['load']:.1f} s"
    if r["phase"] in ("bulk_load", "http_post") or r["phase"] in RAW_PHASES:
        return f"bulk_load {s['bulk_load']:.1f} s, flush {s['close']:.1f} s"
    writes = {name: s[name] for name in WRITES if s.get(name, 0) >= 0.05}
    # the writes and the counting happen inside replace_graphs
    rest = s.get("replace_graphs", 0) - sum(writes.values()) - s.get("count", 0)
    steps = [f"looking up the sources' previous records {s.get('source_records', 0):.1f} s",
             *(f"{WRITES[name]} {seconds:.1f} s" for name, seconds in writes.items()),
             (f"sending to the server (the writes, the swap and the Python around them) {rest:.1f} s"
              if r.get("remote") else
              f"building the quads and other Python in replace_graphs {rest:.1f} s"),
             f"counting the new graphs {s.get('count', 0):.1f} s"]
    return (f"parse into Python triples {s['parse']:.1f} s (RSS after parsing "
            f"{r['rss_after_parse_mib']:,.0f} MiB); store {s['store']:.1f} s = "
            + " + ".join(steps) + f"; flush {s['close']:.1f} s")


def report(results: list[Result], summary: Result, command: str) -> str:
    """The dated Markdown section appended to RESULTS.md."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    busy = ", ".join(f"{r['phase']} {r['loadavg_before']:.2f}" for r in results if "wall" in r)
    waits = ", ".join(f"{r['phase']} {r.get('quiet_wait', 0):.1f} s" for r in results if "wall" in r)
    lines = [f"## {now} — load_bench", "", f"Machine: {machine()}", "",
             f"Load average (1 min) before each phase, i.e. other work on the machine: {busy}. "
             f"Each phase waited for the CPUs to be at least {QUIET_IDLE:.0%} idle over "
             f"{QUIET_WINDOW:g} s (at most {QUIET_LIMIT:g} s; a server goes on working after "
             f"a load): {waits}", "",
             f"Command: `{command}`", "",
             "Each phase runs in a process of its own; load s = parse + store + flush (opening "
             "the store and loading the ontology left out); CPU s and process s are the whole "
             "process's; peak RSS is that of the process tree, sampled. \"vs raw engine\" is "
             "our speed over the raw engine's on the same data: the documents' and the "
             "table's quads as stored, written as N-Quads and bulk-loaded into a fresh store "
             "(`Store.bulk_load`; for a server, its Graph Store POST into another empty server of "
             "the same software); the "
             "N-Triples file bulk-loaded and loaded by the `oxigraph` command (on servers: "
             "into empty servers of their own if `--rdf-store-url` and `--rdf-raw-url` are "
             "in the command).", ""]
    lines += table(results) + [""]
    for r in results:
        if "load" in r:
            lines.append(f"- {_NAMES[r['phase']]}: {where_time_goes(r)}."
                         + (f" {r['note']}." if r.get("note") else ""))
    if "combined" in summary:
        c = summary["combined"]
        verdict = ("met" if c["met"] else "NOT met") if c["full_size"] else (
            f"{'within' if c['met'] else 'over'} the limits, but these are not the target sizes")
        lines.append(f"- Target (1,000 documents + 100,000 recommendations in under {TARGET_SECONDS} s"
                     f", peak memory under 2 GB = {TARGET_BYTES / 2**20:,.0f} MiB): {c['documents']:,} "
                     f"documents + {c['rows']:,} rows took {c['seconds']:.1f} s (two processes, "
                     f"start-up included; {c['cpu']:.1f} s of CPU), peak {c['peak_mib']:,.0f} MiB "
                     f"— {verdict}.")
    if "ratio" in summary:
        q = summary["ratio"]
        lines.append(f"- N-Triples: rightsgraph load path / raw {q['raw']} speed ratio = "
                     f"{q['value']:.2f} (target ≥ {TARGET_RATIO}) — {'met' if q['met'] else 'NOT met'}.")
    if "ntriples/oxigraph_load" in summary.get("ratios", {}):
        lines.append(f"- N-Triples: rightsgraph load path / `oxigraph load` speed ratio = "
                     f"{summary['ratios']['ntriples/oxigraph_load']:.2f}.")
    return "\n".join(lines) + "\n"


def machine() -> str:
    """nproc, RAM, Python, pyoxigraph and rightsgraph versions, CPU, and the commit."""
    import pyoxigraph

    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0)
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    # Tracked files changed since that commit, the results file itself left out.
    changed = [line for line in subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
        text=True).stdout.splitlines() if not line.endswith("benchmarks/RESULTS.md")]
    return (f"nproc {len(os.sched_getaffinity(0))} ({cpu}), RAM {memory / 2**20:.1f} GiB, "
            f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, "
            f"{platform.system()} {platform.release()}, commit {commit or 'unknown'}"
            + (" (plus uncommitted changes)" if changed else ""))


def append_section(path: Path, section: str) -> None:
    """Append ``section`` at the end of ``path``; what others wrote is never rewritten."""
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if not existing:
        prefix = ("# Benchmark results\n\nDated sections, appended by the benchmark commands "
                  "(see README.md); newest last.\n\n")
    else:
        prefix = "" if existing.endswith("\n\n") else "\n" if existing.endswith("\n") else "\n\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(prefix + section)


def parser() -> argparse.ArgumentParser:
    """The command line options (see the module documentation)."""
    options = argparse.ArgumentParser(prog="python -m benchmarks.load_bench",
                                      description=__doc__.split("\n\n")[0])
    options.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    options.add_argument("--documents", type=int, default=1000, help="pages (default 1000)")
    options.add_argument("--recommendations", type=int, default=100_000,
                         help="table rows (default 100000)")
    options.add_argument("--triples", type=int, default=1_000_000,
                         help="N-Triples file size in triples (default 1000000; 0 skips)")
    options.add_argument("--xlsx", action="store_true", help="also load the table as .xlsx")
    options.add_argument("--reload", action="store_true",
                         help="also load the CSV table a second time (--force): a replacement")
    options.add_argument("--corpus", type=Path, help="corpus directory, reused when it matches")
    options.add_argument("--work", type=Path,
                         help="directory for the stores (default: temporary, removed afterwards)")
    options.add_argument("--results", type=Path, default=RESULTS,
                         help="Markdown file the dated section is appended to")
    options.add_argument("--no-results", action="store_true", help="append nothing")
    options.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    options.add_argument("--quiet-wait", type=float, default=QUIET_LIMIT,
                         help="seconds each phase may wait for the CPUs to be quiet first "
                              f"(default {QUIET_LIMIT:g}; 0: no wait)")
    options.add_argument("--child", help=argparse.SUPPRESS)
    options.add_argument("--round", type=int, default=1, help=argparse.SUPPRESS)
    options.add_argument("--store-url",
                         help="load into this remote store (an http URL) instead of on-disk stores")
    options.add_argument("--raw-url",
                         help="with --store-url: the server the raw engine phases POST to "
                              "(another empty one)")
    options.add_argument("--rdf-store-url",
                         help="with --store-url: an empty server for the N-Triples load through "
                              "rightsgraph (default: the --store-url one)")
    options.add_argument("--rdf-raw-url",
                         help="with --raw-url: an empty server for the raw N-Triples POSTs "
                              "(default: the --raw-url one)")
    options.add_argument("--store", help=argparse.SUPPRESS)
    options.add_argument("--nt", type=Path, help=argparse.SUPPRESS)
    return options


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module documentation."""
    args = parser().parse_args(argv)
    if args.child:
        return child(args.child, args.corpus, args.store, args.nt, args.work, args.round)
    results = run(args)
    summary = summarise(results)
    command = "python -m benchmarks.load_bench " + " ".join(argv if argv is not None else sys.argv[1:])
    section = report(results, summary, command.strip())
    print(section)
    if args.json:
        args.json.write_text(json.dumps({"results": results, "summary": summary}, indent=1) + "\n",
                             encoding="utf-8")
    if not args.no_results:
        append_section(args.results, section)
        _say(f"appended to {args.results}")
    return 0 if all("failed" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
