"""Processes the benchmarks and the backend tests start: SPARQL servers on
free loopback ports, and stops that always end them.

- :func:`start_oxigraph`: ``oxigraph serve`` (PyPI package ``oxigraph``) with
  its data in a directory of its own;
- :func:`start_virtuoso`: Debian's ``virtuoso-t`` with its own virtuoso.ini in
  a directory of its own, on free loopback ports (HTTP and SQL); the ``dba``
  password is changed through ``isql-vt`` before anything uses it, so Graph
  Store writes need HTTP Digest authentication with the new one;
- :func:`running`: either of them as a context whose process tree's peak
  memory is sampled (:class:`benchmarks.memory.TreeMemory`) while it runs.

tests/backends/servers.py imports these, so the benchmarks and the backend
suite start their servers the same way.

>>> 1024 <= free_port() <= 65535
True
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.memory import TreeMemory
from rightsgraph.graph.remote_http import Credentials
from rightsgraph.graph.store import GraphStore

BIN = Path(sys.executable).parent
#: The server kinds :func:`start` knows.
KINDS = ("oxigraph", "virtuoso")


def free_port() -> int:
    """A loopback TCP port that nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_server(process: subprocess.Popen[bytes], *, grace: float = 30.0) -> None:
    """Stop ``process`` and its group (started with ``start_new_session=True``):
    SIGTERM, then SIGKILL if it has not ended within ``grace`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait(timeout=grace)


@dataclass
class Server:
    """A running SPARQL server and how to reach it.

    ``url`` is what ``rightsgraph --store`` takes: the base URL of an
    Oxigraph server, the ``/sparql`` endpoint of Virtuoso.
    """

    kind: str
    url: str
    process: subprocess.Popen[bytes]
    credentials: Credentials | None
    log: Path
    memory: TreeMemory | None = field(default=None, compare=False)

    @property
    def base(self) -> str:
        """``http://host:port`` of the server, without the endpoint's path."""
        return self.url.removesuffix("/sparql").rstrip("/")

    @property
    def peak_mib(self) -> float:
        """The largest sampled RSS of the server's process tree, in MiB (0 if not sampled)."""
        return self.memory.peak_bytes / 2**20 if self.memory is not None else 0.0

    def environment(self) -> dict[str, str]:
        """Environment for a rightsgraph process that uses this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
        env["RIGHTSGRAPH_STORE"] = self.url
        if self.credentials is not None:
            env["RIGHTSGRAPH_STORE_USER"] = self.credentials.user
            env["RIGHTSGRAPH_STORE_PASSWORD"] = self.credentials.password
        return env

    def open(self) -> GraphStore:
        """A :class:`~rightsgraph.graph.store.GraphStore` on this server."""
        return GraphStore.open(self.url, credentials=self.credentials, timeout=60)


def wait_until_answers(url: str, process: subprocess.Popen[bytes], log: Path,
                       seconds: float) -> None:
    """Return once ``url`` answers 200; raise if ``process`` ends or ``seconds`` pass."""
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
    """Stop a server: SIGTERM, then SIGKILL after 20 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def oxigraph_command() -> str | None:
    """The ``oxigraph`` command (PyPI package ``oxigraph``): beside Python, else on PATH."""
    beside = BIN / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def start_oxigraph(folder: Path) -> Server:
    """Start ``oxigraph serve`` on a free port with data in ``folder``/data."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [oxigraph_command() or str(BIN / "oxigraph"), "serve", "--location",
             str(folder / "data"), "--bind", f"127.0.0.1:{port}"],
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
DirsAllowed = {d}
{sizes}[HTTPServer]
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


#: The buffers and transaction size of a test server (what every test has run with).
SMALL_SIZES = "NumberOfBuffers = 10000\nMaxDirtyBuffers = 6000\n"
#: Those of a benchmark server: a larger buffer pool, and transactions large enough
#: for the ``MOVE`` of a 1.95M-triple source (the default limit aborts it).  Not for
#: the tests: with this limit a ``MOVE`` of 60,000 triples sometimes waited 40-60 s
#: (docs/deployment.md).
LARGE_SIZES = ("NumberOfBuffers = 100000\nMaxDirtyBuffers = 60000\n"
               "TransactionAfterImageLimit = 500000000\n")


def start_virtuoso(folder: Path, password: str | None = None, *, large: bool = False) -> Server:
    """Start Virtuoso 7 on free loopback ports and give dba a new password
    (``password``, else a random one); ``large``: sized for the benchmarks."""
    folder.mkdir(parents=True, exist_ok=True)
    http, sql = free_port(), free_port()
    sizes = LARGE_SIZES if large else SMALL_SIZES
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=folder, http=http, sql=sql,
                                                             sizes=sizes))
    log = folder / "virtuoso.out"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [shutil.which("virtuoso-t") or "virtuoso-t", "-f", "-c", str(folder / "virtuoso.ini")],
            stdout=output, stderr=subprocess.STDOUT, cwd=folder,
        )
    url = f"http://127.0.0.1:{http}/sparql"
    password = password or "rg" + secrets.token_hex(8)
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


def start(kind: str, folder: Path, password: str | None = None, *, large: bool = False) -> Server:
    """Start a server of ``kind`` (one of :data:`KINDS`) in ``folder``; a Virtuoso
    server's dba gets ``password`` (else a random one), and ``large`` sizes it
    for the benchmarks."""
    if kind == "oxigraph":
        return start_oxigraph(folder)
    if kind == "virtuoso":
        return start_virtuoso(folder, password, large=large)
    raise ValueError(f"unknown server kind {kind!r}; known: {', '.join(KINDS)}")


@contextmanager
def running(kind: str, folder: Path, password: str | None = None) -> Iterator[Server]:
    """A fresh server of ``kind`` in ``folder`` (emptied first), its memory sampled, then stopped.

    Two servers given one ``password`` take the same credentials (a benchmark's
    two sides)."""
    shutil.rmtree(folder, ignore_errors=True)
    server = start(kind, folder, password)
    server.memory = TreeMemory(server.process.pid).__enter__()
    try:
        yield server
    finally:
        server.memory.__exit__(None, None, None)
        stop(server.process)


def start_many(kind: str, folders: list[Path], password: str | None = None, *,
               large: bool = False) -> list[Server]:
    """Fresh servers of ``kind``, one in each of ``folders`` (emptied first), started at once.

    Their memory is not sampled yet (see :func:`sampled`).  If one fails to
    start, the others are stopped and the error raised.
    """
    from concurrent.futures import ThreadPoolExecutor

    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    with ThreadPoolExecutor(max(1, len(folders))) as pool:
        futures = [pool.submit(start, kind, folder, password, large=large) for folder in folders]
    started = [f.result() for f in futures if f.exception() is None]
    failed = [f.exception() for f in futures if f.exception() is not None]
    if failed:
        for server in started:
            stop(server.process)
        raise failed[0]  # type: ignore[misc]
    return started


@contextmanager
def sampled(server: Server) -> Iterator[Server]:
    """Sample the memory of ``server``'s process tree for the length of the block."""
    server.memory = TreeMemory(server.process.pid).__enter__()
    try:
        yield server
    finally:
        server.memory.__exit__(None, None, None)
