"""A real ``rightsgraph serve`` process for the endpoint tests, and a plain
HTTP client that sends exactly what it is given.

``live_server(data=[files], QUERY_TIMEOUT=2, UPDATE_TOKEN="t")`` loads the
files into a fresh store with ``rightsgraph load`` (while no server runs),
starts ``rightsgraph --store DIR serve --port PORT`` on a free loopback port
with each setting as ``RIGHTSGRAPH_<NAME>``, waits until it answers and
returns its base URL.  Every server started in a module is stopped when the
module ends, with the workers it started, even when a test fails.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

BIN = Path(sys.executable).parent
STARTUP_SECONDS = 30.0


class ServerURL(str):
    """The base URL of a running server (``http://127.0.0.1:PORT``), with its process."""

    process: subprocess.Popen[bytes]
    store: Path
    log: Path

    def __new__(cls, url: str, process: subprocess.Popen[bytes], store: Path,
                log: Path) -> ServerURL:
        self = super().__new__(cls, url)
        self.process, self.store, self.log = process, store, log
        return self

    @property
    def pid(self) -> int:
        return self.process.pid


StartServer = Callable[..., ServerURL]


@dataclass
class Reply:
    """An HTTP response read in full."""

    status: int
    headers: Message
    body: bytes
    seconds: float = field(default=0.0)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def media_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(method: str, url: str, *, body: bytes | str | None = None,
          headers: Mapping[str, str] | None = None, timeout: float = 15.0) -> Reply:
    """Send one request with exactly these headers (none added but Host and
    Content-Length) and read the whole response."""
    parts = urlsplit(url)
    connection = HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                            timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    data = body.encode("utf-8") if isinstance(body, str) else body
    started = time.monotonic()
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if data is not None or method in ("POST", "PUT"):
            connection.putheader("Content-Length", str(len(data or b"")))
        connection.endheaders(data)
        response = connection.getresponse()
        content = response.read()
        return Reply(response.status, response.headers, content, time.monotonic() - started)
    finally:
        connection.close()


@pytest.fixture(scope="session")
def http() -> Callable[..., Reply]:
    """:func:`fetch`, for tests: ``http("GET", url, headers={...})``."""
    return fetch


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(settings: Mapping[str, object]) -> dict[str, str]:
    """The environment of a server: ours without RIGHTSGRAPH_*, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
    for name, value in settings.items():
        env[f"RIGHTSGRAPH_{name.upper()}"] = str(value)
    return env


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            reply = fetch("GET", url + "/sparql?query=ASK%7B%7D", timeout=2,
                          headers={"Accept": "application/sparql-results+json"})
        except OSError:
            time.sleep(0.05)
            continue
        if reply.status == 200:
            return
        raise RuntimeError(f"the server answered {reply.status}: {reply.text[:500]}")
    raise RuntimeError(f"the server did not answer within {STARTUP_SECONDS:g} s:\n{log.read_text()}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a server and everything in its process group (its query workers)."""
    group = process.pid  # started with start_new_session: its own group
    try:
        os.killpg(group, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    try:  # workers outliving the server, or a server that ignored SIGTERM
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartServer]:
    """Start real servers: ``live_server(data=[paths], **settings) -> base URL``."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*, data: Sequence[Path | str] = (), **settings: object) -> ServerURL:
        folder = tmp_path_factory.mktemp("server")
        store = folder / "store"
        env = server_env(settings)
        rightsgraph = str(BIN / "rightsgraph")
        if data:
            loaded = subprocess.run(
                [rightsgraph, "--store", str(store), "load", *map(str, data)],
                capture_output=True, text=True, env=env, timeout=120,
            )
            assert loaded.returncode == 0, loaded.stderr
        log = folder / "server.log"
        for _attempt in range(3):  # another process may take the free port first
            port = free_port()
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [rightsgraph, "--store", str(store), "serve", "--port", str(port)],
                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                    env=env, start_new_session=True,
                )
            started.append(process)
            url = f"http://127.0.0.1:{port}"
            try:
                _wait_until_answering(url, process, log)
            except RuntimeError:
                stop_server(process)
                if "address already in use" in log.read_text().lower():
                    continue
                raise
            return ServerURL(url, process, store, log)
        raise RuntimeError("no free port for the server")

    yield start
    for process in reversed(started):
        stop_server(process)
