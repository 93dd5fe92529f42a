"""Several app processes serve one remote store at once: gunicorn with three
workers in front of Oxigraph server, hit by concurrent clients."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from servers import BIN, Server, free_port, load_sample, stop, wait_until_answers  # noqa: E402

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?r a rg:Recommendation }"


def test_three_gunicorn_workers_serve_concurrently(oxigraph_server: Server, tmp_path: Path) -> None:
    store = oxigraph_server.open()
    load_sample(store)  # already there when the backend suite ran first: then unchanged
    expected = next(iter(store.query(COUNT)))["n"].value  # type: ignore[call-overload]
    port = free_port()
    env = oxigraph_server.environment()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "3", "--bind", f"127.0.0.1:{port}",
             "--timeout", "60", "rightsgraph.webui.app:create_app()"],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(base + "/", process, log, 90)
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(process.pid)],
                                  capture_output=True, text=True, check=True).stdout.split()
        assert len(children) == 3

        def ask(i: int) -> tuple[int, str]:
            if i % 2:
                url = base + "/sparql?" + urllib.parse.urlencode({"query": COUNT})
                request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(request, timeout=60) as response:
                    rows = json.loads(response.read())["results"]["bindings"]
                    return response.status, rows[0]["n"]["value"]
            with urllib.request.urlopen(base + "/graph.json", timeout=60) as response:
                return response.status, str(bool(json.loads(response.read())["nodes"]))

        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(ask, range(36)))
        assert all(status == 200 for status, _ in answers)
        assert {value for i, (_, value) in enumerate(answers) if i % 2} == {expected}
        assert {value for i, (_, value) in enumerate(answers) if not i % 2} == {"True"}
    finally:
        stop(process)
