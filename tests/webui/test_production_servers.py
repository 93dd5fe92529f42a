"""The production WSGI server commands of docs/endpoint.md work as written:
each is taken from the document, pointed at a fresh store and a free port,
started for real, and asked a query (and a SERVICE, which it must refuse)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

DOC = Path(__file__).parents[2] / "docs" / "endpoint.md"
BIN = Path(sys.executable).parent


def documented_commands() -> dict[str, list[str]]:
    """The shell commands of the document's ``sh`` blocks, by program name."""
    commands = {}
    for block in re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL):
        words = shlex.split(block.replace("\\\n", " "))
        program = next(w for w in words if "=" not in w)
        commands[program] = words
    return commands


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ask(url: str, query: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url + "/sparql?" + urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("program", ["waitress-serve", "gunicorn"])
def test_documented_server_command(program: str, tmp_path: Path) -> None:
    words = documented_commands()[program]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
    command = []
    for word in words:
        if "=" in word and not word.startswith("-") and not command:  # VAR=value before the program
            name = word.split("=", 1)[0]
            env[name] = str(tmp_path / "store") if name == "RIGHTSGRAPH_STORE" else "test-token"
            continue
        command.append(word.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace("8000", str(port)))
    command[0] = str(BIN / command[0])
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, answer = ask(url, "ASK { ?class a owl:Class }")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.2)
        assert (status, answer["boolean"]) == (200, True)  # the vocabulary is in the new store
        status, answer = ask(url, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        assert status == 400 and str(answer["error"]).startswith("SERVICE is not allowed")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        finally:
            try:
                os.killpg(server.pid, signal.SIGKILL)  # query workers left behind, if any
            except ProcessLookupError:
                pass
            log.close()
