"""Real SPARQL servers for the backend suite, and how to compare answers.

- ``oxigraph_server``: ``oxigraph serve`` (PyPI package ``oxigraph``) on a
  free loopback port with a temporary directory.
- ``virtuoso_server``: Debian's ``virtuoso-t`` with its own virtuoso.ini in a
  temporary directory, on free loopback ports; the dba password is changed
  through ``isql-vt`` before any test uses it.

The fixtures (tests/backends/conftest.py) start each server once per session.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from rightsgraph.graph.remote_http import Credentials
from rightsgraph.graph.store import GraphStore, QueryResult
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path

BIN = Path(sys.executable).parent
BACKENDS = ["embedded", "oxigraph", "virtuoso"]


@dataclass
class Server:
    """A running SPARQL server and how to reach it."""

    kind: str
    url: str
    process: subprocess.Popen[bytes]
    credentials: Credentials | None
    log: Path

    def environment(self) -> dict[str, str]:
        """Environment for a rightsgraph process that uses this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
        env["RIGHTSGRAPH_STORE"] = self.url
        if self.credentials is not None:
            env["RIGHTSGRAPH_STORE_USER"] = self.credentials.user
            env["RIGHTSGRAPH_STORE_PASSWORD"] = self.credentials.password
        return env

    def open(self) -> GraphStore:
        return GraphStore.open(self.url, credentials=self.credentials, timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_answers(url: str, process: subprocess.Popen[bytes], log: Path,
                       seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not start within {seconds} s: "
                       f"{log.read_text(errors='replace')[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_oxigraph(folder: Path) -> Server:
    """Start ``oxigraph serve`` on a free port with data in ``folder``."""
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "oxigraph"), "serve", "--location", str(folder / "data"),
             "--bind", f"127.0.0.1:{port}"],
            stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(url + "/query?query=ASK%7B%7D", process, log, 30)
    except BaseException:
        stop(process)
        raise
    return Server("oxigraph", url, process, None, log)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
MaxCheckpointRemap = 2000
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


def start_virtuoso(folder: Path) -> Server:
    """Start Virtuoso 7 on free loopback ports and give dba a new password."""
    http, sql = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=folder, http=http, sql=sql))
    log = folder / "virtuoso.out"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [shutil.which("virtuoso-t") or "virtuoso-t", "-f", "-c", str(folder / "virtuoso.ini")],
            stdout=output, stderr=subprocess.STDOUT, cwd=folder,
        )
    url = f"http://127.0.0.1:{http}/sparql"
    password = "rg" + secrets.token_hex(8)
    try:
        wait_until_answers(url + "?query=ASK%7B%7D", process, log, 180)
        changed = subprocess.run([shutil.which("isql-vt") or "isql-vt", f"127.0.0.1:{sql}", "dba",
                                  "dba", f"exec=USER_SET_PASSWORD('dba', '{password}');"],
                                 check=True, capture_output=True, text=True, timeout=60)
        if "Done" not in changed.stdout:
            raise RuntimeError(f"could not change Virtuoso's dba password: {changed.stdout}")
    except BaseException:
        stop(process)
        raise
    return Server("virtuoso", url, process, Credentials("dba", password), log)


@dataclass
class Backend:
    """A store on one backend, with the sample corpus loaded."""

    name: str
    store: GraphStore
    server: Server | None




def load_sample(store: GraphStore) -> GraphStore:
    store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
    return store




@dataclass(frozen=True)
class Rows:
    """A query's answer in a form that compares across engines: the rows as
    text (blank nodes numbered in order of appearance) and, for an ordered
    query, the values of its ORDER BY variables row by row."""

    rows: tuple[tuple[str, ...], ...]
    order: tuple[tuple[str, ...], ...]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rows):
            return NotImplemented
        return sorted(self.rows) == sorted(other.rows) and self.order == other.order

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.rows)))


def comparable_rows(result: QueryResult, query: str) -> Rows:
    """``result`` of ``query`` as :class:`Rows`."""
    variables = [v.value for v in result.variables]  # type: ignore[union-attr]
    clause = re.search(r"ORDER\s+BY(.*?)(LIMIT|OFFSET|$)", query, re.IGNORECASE | re.DOTALL)
    keys = re.findall(r"\?(\w+)", clause.group(1)) if clause else []
    blanks: dict[str, str] = {}
    rows, order = [], []
    for solution in result:  # type: ignore[union-attr]
        values = {name: _text(solution[name], blanks) for name in variables}
        rows.append(tuple(values[name] for name in variables))
        order.append(tuple(values.get(key, "") for key in keys))
    if keys and order and re.search(r"\bLIMIT\s+\d+\s*$", query, re.IGNORECASE):
        # Rows tied with the last one may be cut differently (SPARQL leaves ties unordered);
        # the caller compares the whole answer without LIMIT as well.
        rows = [row for row, key in zip(rows, order, strict=True) if key != order[-1]]
    return Rows(tuple(rows), tuple(order) if keys else ())


def _text(term: object, blanks: dict[str, str]) -> str:
    if term is None:
        return ""
    if term.__class__.__name__ == "BlankNode":
        return blanks.setdefault(str(term), f"_:b{len(blanks)}")
    return str(term)
