"""The stores the benchmarks can measure, and why one cannot be measured yet.

``embedded`` is the on-disk pyoxigraph store.  ``oxigraph-server`` and
``virtuoso`` are remote SPARQL stores: one is measured only when
``GraphStore.open("http://...")`` opens it; otherwise
:func:`backend_problem` says what is missing, and the run reports it.
:class:`OxigraphServer` runs ``oxigraph serve`` on a loopback port for the
length of a benchmark.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.memory import TreeMemory
from benchmarks.servers import free_port

BACKENDS = ("embedded", "oxigraph-server", "virtuoso")


def oxigraph_command() -> str | None:
    """The ``oxigraph`` command (PyPI package ``oxigraph``): beside Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


_PROBE = """
import sys
from pathlib import Path
from rightsgraph.graph.store import GraphStore
try:
    store = GraphStore.open(sys.argv[1])
except Exception as exc:
    print(f"fails: {type(exc).__name__}: {exc}")
else:
    store.close()
    made = [str(p) for p in Path.cwd().iterdir()]
    print(f"takes the URL for a directory name ({', '.join(made)})" if made else "")
"""


def _opens(url: str) -> str:
    """\"\" if ``GraphStore.open(url)`` gives a store, else why not.

    It runs in a child process in an empty directory: a store layer that
    does not know URLs would create a directory named ``http:`` there.
    """
    with tempfile.TemporaryDirectory(prefix="rightsgraph-bench-probe-") as folder:
        done = subprocess.run([sys.executable, "-c", _PROBE, url], cwd=folder,
                              capture_output=True, text=True, timeout=120)
    said = (done.stdout.strip() or done.stderr.strip().splitlines()[-1:] or [""])
    said = said if isinstance(said, str) else said[0]
    return f"GraphStore.open({url!r}) {said}" if said else ""


def backend_problem(backend: str) -> str:
    """Why ``backend`` cannot be measured now ("" if it can).

    >>> backend_problem("embedded")
    ''
    """
    if backend == "embedded":
        return ""
    if backend == "virtuoso":
        if shutil.which("virtuoso-t") is None:
            return "virtuoso-t is not installed (Debian package virtuoso-opensource)"
        return "the benchmarks do not start a Virtuoso server yet"
    command = oxigraph_command()
    if command is None:
        return "the oxigraph command is not installed (pip install oxigraph)"
    with tempfile.TemporaryDirectory(prefix="rightsgraph-bench-oxigraph-") as folder:
        port = free_port()
        server = subprocess.Popen([command, "serve", "--location", folder, "--bind",
                                   f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            _wait_for(port)
            problem = _opens(f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(timeout=20)
    return problem


class OxigraphServer:
    """``oxigraph serve`` on a free loopback port with its own directory, as a context.

    Its process tree's peak memory is sampled while it runs (``memory``).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.memory: TreeMemory | None = None

    def __enter__(self) -> OxigraphServer:
        command = oxigraph_command()
        if command is None:
            raise RuntimeError("the oxigraph command is not installed (pip install oxigraph)")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.process = subprocess.Popen([command, "serve", "--location", str(self.folder),
                                         "--bind", f"127.0.0.1:{self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self.port)
        self.memory = TreeMemory(self.process.pid).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.memory is not None:
            self.memory.__exit__(None, None, None)
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)


def _wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
