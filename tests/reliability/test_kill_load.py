"""``kill -9`` of ``rightsgraph load`` at random moments (20 seeded runs):
the store opens again every time, and every graph is the one a clean load
produces, or absent (a new source), or the previous version (a source being
replaced); never a part of one.

Half the runs load the documents into a new store, so the kill may fall
while the ontology or a document is being bulk-written; the other half
replace an earlier version of the same documents, so it may fall while a
staging graph is written or swapped in.  The delay counts from the moment
the process takes the store's lock, drawn from the time a clean load holds
it, so the kills land during the writes rather than during start-up.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rightsgraph import ontology
from rightsgraph.graph.canonical import Canonical
from rightsgraph.graph.errors import StoreLockedError
from rightsgraph.graph.store import LOCK_FILE, STAGING_PREFIX, GraphStore
from rightsgraph.ontology.terms import PROV

BIN = Path(sys.executable).parent / "rightsgraph"
DOCS = Path(__file__).parents[1] / "data" / "docs"
SAMPLE = Path(__file__).parents[2] / "loaders" / "data" / "womenlead-upr-2020-2021.txt"
RUNS = 20
SEED = 20261124
ADDED = "An added closing paragraph calls for access to maternal health care for migrant women."

Snapshot = dict[str, list[str]]


def documents(folder: Path, *, earlier: bool) -> list[Path]:
    """Copy the test documents into ``folder``; ``earlier`` ones carry one more paragraph."""
    folder.mkdir()
    copies = []
    for source in [*sorted(DOCS.iterdir()), SAMPLE]:
        text = source.read_text(encoding="utf-8")
        if earlier:
            text = (text.replace("</body>", f"<p>{ADDED}</p></body>") if source.suffix == ".html"
                    else f"{text.rstrip()}\n\n{ADDED}\n")
        target = folder / source.name
        target.write_text(text, encoding="utf-8")
        copies.append(target)
    return copies


def opened(location: Path, **options: bool) -> GraphStore:
    """Open the store at ``location``, allowing for this test's own threads: while
    one thread starts a loader, the forked child holds a copy of every descriptor
    of this process until it execs, the lock of a store another thread has just
    closed included, for a moment (longer on a loaded machine)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return GraphStore.open(location, **options)
        except StoreLockedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def snapshot(location: Path) -> Snapshot:
    """Each named graph as canonical lines, without its load time; opening must work."""
    with opened(location, with_ontology=False) as store:
        graphs = {}
        for graph in store.named_graphs():
            quads = [q for q in store.quads(graph) if q.predicate != PROV.generatedAtTime]
            if quads:
                graphs[graph.value] = Canonical.from_quads(quads).merged()
    return graphs


def load(location: Path, files: list[Path]) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
    return subprocess.Popen([str(BIN), "--store", str(location), "load", *map(str, files)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def wait_for_lock(location: Path, process: subprocess.Popen[bytes]) -> float:
    """Wait until ``process`` holds the store (its pid is in the lock file)."""
    lock = location / LOCK_FILE
    pid = str(process.pid).encode()
    while process.poll() is None:
        try:
            if lock.read_bytes().strip() == pid:
                return time.monotonic()
        except FileNotFoundError:
            pass
        time.sleep(0.002)
    return time.monotonic()


def clean_load(location: Path, files: list[Path]) -> float:
    """Load ``files`` without interruption; return how long the lock was held."""
    process = load(location, files)
    locked = wait_for_lock(location, process)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    return time.monotonic() - locked


def test_kill_9_during_load_leaves_each_graph_whole_or_absent(tmp_path: Path) -> None:
    new_files = documents(tmp_path / "new", earlier=False)
    old_files = documents(tmp_path / "old", earlier=True)
    clean_new, clean_old = tmp_path / "clean-new", tmp_path / "clean-old"
    window = max(clean_load(clean_new, new_files), clean_load(clean_old, old_files))
    new, old = snapshot(clean_new), snapshot(clean_old)
    sources = [g for g in new if "/id/source/" in g]
    assert len(sources) == len(new_files) and all(new[g] != old[g] for g in sources)
    ontology_graphs = set(ontology.ONTOLOGY_GRAPHS.values())

    rng = random.Random(SEED)
    delays = [rng.uniform(0, window * 1.1) for _ in range(RUNS)]

    def run(number: int) -> list[str]:
        """One killed load; returns what became of it and of each source graph."""
        location = tmp_path / f"run-{number}"
        replacing = number % 2 == 1
        if replacing:
            shutil.copytree(clean_old, location)
            (location / LOCK_FILE).unlink()
        process = load(location, new_files)
        wait_for_lock(location, process)
        time.sleep(delays[number])
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        assert process.returncode in (0, -signal.SIGKILL), process.returncode
        states = ["killed" if process.returncode == -signal.SIGKILL else "finished"]

        found = snapshot(location)  # reopening works (and drops what a crash left)
        label = f"run {number} ({'replace' if replacing else 'new store'})"
        assert not [g for g in found if g.startswith(STAGING_PREFIX)], f"{label}: staging left"
        for graph in sorted(set(found) | set(new)):
            state = found.get(graph)
            if graph in ontology_graphs and replacing:
                assert state == new[graph], f"{label}: {graph} changed"
            elif graph in ontology_graphs or graph in sources:
                allowed = [new[graph], old[graph] if replacing else None]
                assert state in allowed, f"{label}: {graph} is partial ({len(state or [])} triples)"
                if graph in sources:
                    states.append("new" if state == new[graph] else "old" if state else "absent")
            else:
                assert state is None, f"{label}: unexpected graph {graph}"
        if number % 4 == 0:  # a normal open repairs the ontology (slow: checked now and then)
            with opened(location) as store:
                names = {g.value for g in store.named_graphs()}
                assert names >= ontology_graphs | set(found)
        return states

    # Three runs at a time keep the test short (most of a run is waiting); each has its
    # own store.
    with ThreadPoolExecutor(max_workers=3) as runner:
        outcomes = Counter(state for states in runner.map(run, range(RUNS)) for state in states)
    # The kills fell during the loads, and caught graphs in every state.
    assert outcomes["killed"] >= RUNS // 2, outcomes
    assert outcomes["new"] and (outcomes["old"] or outcomes["absent"]), outcomes
